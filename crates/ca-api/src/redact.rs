//! `Debug` for wire types that carry personal data or one-time codes: only the listed
//! fields print, the rest is elided (`..`), so a stray `{:?}` cannot leak them.

#[macro_export]
#[doc(hidden)]
macro_rules! redacted_debug {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::application::{
        EnterpriseInfo, HandlerInfo, MailingInfo, SignApplication, SignAuthorisation,
    };
    use crate::auth::OtpRequest;

    const ID: &str = "11010519491231002X";
    const PHONE: &str = "13800138000";

    #[test]
    fn personal_data_and_codes_never_print() {
        let enterprise = EnterpriseInfo {
            uscc: "91350100M000100Y43".into(),
            org_code: "M000100Y4".into(),
            name: "测试科技有限公司".into(),
            legal_rep_name: "王五".into(),
            legal_rep_id_number: ID.into(),
            legal_rep_phone: PHONE.into(),
            legal_rep_handles: true,
        };
        let handler = HandlerInfo {
            name: "张三".into(),
            id_number: ID.into(),
            phone: PHONE.into(),
            email: "zhang@example.cn".into(),
        };
        let mailing = MailingInfo {
            recipient: "张三".into(),
            phone: PHONE.into(),
            address: "北京市海淀区".into(),
            postcode: "100080".into(),
        };
        let otp = OtpRequest {
            phone: PHONE.into(),
            captcha_id: "cap_1".into(),
            captcha_answer: "68HKR".into(),
        };
        let shown = format!(
            "{enterprise:?} {handler:?} {mailing:?} {otp:?} {:?} {:?}",
            SignAuthorisation {
                code: "918273".into()
            },
            SignApplication {
                code: "918273".into(),
                consent: true,
            },
        );
        for secret in [
            ID,
            PHONE,
            "王五",
            "张三",
            "北京市海淀区",
            "918273",
            "68HKR",
            "zhang@example.cn",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        assert!(
            shown.contains("测试科技有限公司") && shown.contains("cap_1"),
            "{shown}"
        );
    }
}
