//! The fields a draft holds, named by the same paths the CA uses in its field errors
//! (`enterprise.uscc`), with the inline checks run before anything is sent.

use std::collections::BTreeMap;

use certdesk_ca_api::FieldError;
use certdesk_ca_api::application::{
    ApplicationInput, CertificateInfo, EnterpriseInfo, HandlerInfo, InvoiceInfo, MailingInfo,
};
use certdesk_ident as ident;
use serde::Serialize;

macro_rules! fields {
    ($($(#[$doc:meta])* $variant:ident = $path:literal),* $(,)?) => {
        /// One field of the application forms.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum Field { $($(#[$doc])* $variant),* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Field::$variant => $path),* }
            }

            pub fn parse(path: &str) -> Option<Field> {
                match path { $($path => Some(Field::$variant),)* _ => None }
            }
        }
    };
}

fields! {
    Uscc = "enterprise.uscc",
    OrgCode = "enterprise.org_code",
    CompanyName = "enterprise.name",
    LegalRepName = "enterprise.legal_rep_name",
    LegalRepIdNumber = "enterprise.legal_rep_id_number",
    LegalRepPhone = "enterprise.legal_rep_phone",
    LegalRepHandles = "enterprise.legal_rep_handles",
    HandlerName = "handler.name",
    HandlerIdNumber = "handler.id_number",
    HandlerPhone = "handler.phone",
    HandlerEmail = "handler.email",
    CommonName = "certificate.common_name",
    Province = "certificate.province",
    City = "certificate.city",
    InvoiceTitle = "invoice.title",
    InvoiceTaxNumber = "invoice.tax_number",
    InvoiceEmail = "invoice.email",
    MailingRecipient = "mailing.recipient",
    MailingPhone = "mailing.phone",
    MailingAddress = "mailing.address",
    MailingPostcode = "mailing.postcode",
    /// For the bank-card four-factor check; sent only with that check, never in an edit.
    HandlerBankCard = "handler_check.bank_card",
    /// The courier and waybill number of the paper mailed to the CA (seed 000, step 4);
    /// kept as typed, sent with the tracking call, never in an edit.
    PaperCourier = "paper_tracking.courier",
    PaperTrackingNumber = "paper_tracking.number",
}

/// The parts of [`ApplicationInput`] a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Enterprise,
    Handler,
    Certificate,
    Invoice,
    Mailing,
    /// Local only: values used by a verification call, not by an edit.
    Checks,
}

impl Field {
    pub fn section(self) -> Section {
        match self.as_str().split('.').next() {
            Some("enterprise") => Section::Enterprise,
            Some("handler") => Section::Handler,
            Some("certificate") => Section::Certificate,
            Some("invoice") => Section::Invoice,
            Some("mailing") => Section::Mailing,
            _ => Section::Checks,
        }
    }

    /// The inline check, before anything is sent. `None` when the value is acceptable
    /// (empty values are acceptable while typing; completeness is checked on submit).
    pub fn check(self, value: &str) -> Option<FieldError> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        let r = match self {
            Field::Uscc => ident::uscc(v),
            Field::OrgCode => ident::org_code(v),
            Field::LegalRepIdNumber | Field::HandlerIdNumber => ident::resident_id(v),
            Field::LegalRepPhone | Field::HandlerPhone | Field::MailingPhone => ident::mobile(v),
            Field::HandlerEmail | Field::InvoiceEmail => ident::email(v),
            Field::HandlerBankCard => ident::bank_card(v),
            Field::PaperTrackingNumber
                if !(6..=40).contains(&v.len())
                    || !v.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                return Some(FieldError::new(
                    self.as_str(),
                    "invalid",
                    "快递单号应为 6–40 位字母或数字",
                    "a tracking number is 6–40 letters or digits",
                ));
            }
            Field::LegalRepHandles if !matches!(v, "true" | "false") => {
                return Some(FieldError::new(
                    self.as_str(),
                    "invalid",
                    "请选择是否本人办理",
                    "must be true or false",
                ));
            }
            _ => Ok(()),
        };
        r.err().map(|e| FieldError::from_ident(self.as_str(), &e))
    }
}

/// The field values of `input` (for the merge base and for taking the CA's version).
pub fn flatten(input: &ApplicationInput) -> BTreeMap<Field, String> {
    let mut m = BTreeMap::new();
    if let Some(e) = &input.enterprise {
        m.insert(Field::Uscc, e.uscc.clone());
        m.insert(Field::OrgCode, e.org_code.clone());
        m.insert(Field::CompanyName, e.name.clone());
        m.insert(Field::LegalRepName, e.legal_rep_name.clone());
        m.insert(Field::LegalRepIdNumber, e.legal_rep_id_number.clone());
        m.insert(Field::LegalRepPhone, e.legal_rep_phone.clone());
        m.insert(Field::LegalRepHandles, e.legal_rep_handles.to_string());
    }
    if let Some(h) = &input.handler {
        m.insert(Field::HandlerName, h.name.clone());
        m.insert(Field::HandlerIdNumber, h.id_number.clone());
        m.insert(Field::HandlerPhone, h.phone.clone());
        m.insert(Field::HandlerEmail, h.email.clone());
    }
    if let Some(c) = &input.certificate {
        if let Some(cn) = &c.common_name {
            m.insert(Field::CommonName, cn.clone());
        }
        m.insert(Field::Province, c.province.clone());
        m.insert(Field::City, c.city.clone());
    }
    if let Some(i) = &input.invoice {
        m.insert(Field::InvoiceTitle, i.title.clone());
        m.insert(Field::InvoiceTaxNumber, i.tax_number.clone());
        m.insert(Field::InvoiceEmail, i.email.clone());
    }
    if let Some(ml) = &input.mailing {
        m.insert(Field::MailingRecipient, ml.recipient.clone());
        m.insert(Field::MailingPhone, ml.phone.clone());
        m.insert(Field::MailingAddress, ml.address.clone());
        m.insert(Field::MailingPostcode, ml.postcode.clone());
    }
    m
}

/// Builds the sections in `sections` from `values`. A section with an empty required
/// field is left out (it stays queued) and reported as field errors, as is any value
/// that fails its inline check: nothing the CA would refuse is sent.
pub fn assemble(
    values: &BTreeMap<Field, String>,
    sections: &[Section],
) -> (ApplicationInput, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut get = |f: Field, required: bool| -> Option<String> {
        let v = values
            .get(&f)
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        if v.is_empty() {
            if required {
                errors.push(FieldError::new(
                    f.as_str(),
                    "empty",
                    "不能为空",
                    "must not be empty",
                ));
                return None;
            }
            return Some(v);
        }
        if let Some(e) = f.check(&v) {
            errors.push(e);
            return None;
        }
        Some(v)
    };
    let mut input = ApplicationInput::default();
    for s in sections {
        match s {
            Section::Enterprise => {
                let parts = (
                    get(Field::Uscc, true),
                    get(Field::OrgCode, true),
                    get(Field::CompanyName, true),
                    get(Field::LegalRepName, true),
                    get(Field::LegalRepIdNumber, true),
                    get(Field::LegalRepPhone, true),
                    get(Field::LegalRepHandles, false),
                );
                if let (
                    Some(uscc),
                    Some(org_code),
                    Some(name),
                    Some(rn),
                    Some(rid),
                    Some(rp),
                    Some(h),
                ) = parts
                {
                    input.enterprise = Some(EnterpriseInfo {
                        uscc,
                        org_code,
                        name,
                        legal_rep_name: rn,
                        legal_rep_id_number: rid,
                        legal_rep_phone: rp,
                        legal_rep_handles: h == "true",
                    });
                }
            }
            Section::Handler => {
                let parts = (
                    get(Field::HandlerName, true),
                    get(Field::HandlerIdNumber, true),
                    get(Field::HandlerPhone, true),
                    get(Field::HandlerEmail, true),
                );
                if let (Some(name), Some(id_number), Some(phone), Some(email)) = parts {
                    input.handler = Some(HandlerInfo {
                        name,
                        id_number,
                        phone,
                        email,
                    });
                }
            }
            Section::Certificate => {
                let parts = (
                    get(Field::CommonName, false),
                    get(Field::Province, true),
                    get(Field::City, true),
                );
                if let (Some(cn), Some(province), Some(city)) = parts {
                    input.certificate = Some(CertificateInfo {
                        common_name: (!cn.is_empty()).then_some(cn),
                        province,
                        city,
                    });
                }
            }
            Section::Invoice => {
                let parts = (
                    get(Field::InvoiceTitle, true),
                    get(Field::InvoiceTaxNumber, true),
                    get(Field::InvoiceEmail, true),
                );
                if let (Some(title), Some(tax_number), Some(email)) = parts {
                    input.invoice = Some(InvoiceInfo {
                        title,
                        tax_number,
                        email,
                    });
                }
            }
            Section::Mailing => {
                let parts = (
                    get(Field::MailingRecipient, true),
                    get(Field::MailingPhone, true),
                    get(Field::MailingAddress, true),
                    get(Field::MailingPostcode, true),
                );
                if let (Some(recipient), Some(phone), Some(address), Some(postcode)) = parts {
                    input.mailing = Some(MailingInfo {
                        recipient,
                        phone,
                        address,
                        postcode,
                    });
                }
            }
            Section::Checks => {}
        }
    }
    (input, errors)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn paths_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::parse(f.as_str()), Some(*f));
        }
        assert_eq!(Field::parse("enterprise.nope"), None);
        assert_eq!(Field::HandlerBankCard.section(), Section::Checks);
        assert_eq!(Field::PaperTrackingNumber.section(), Section::Checks);
        assert!(Field::PaperTrackingNumber.check("SF1234567890").is_none());
        assert!(Field::PaperTrackingNumber.check("SF 123").is_some());
        assert!(Field::PaperTrackingNumber.check("12345").is_some());
        assert_eq!(Field::MailingPhone.section(), Section::Mailing);
    }

    #[test]
    fn inline_checks_flag_bad_numbers_without_echoing_them() {
        let bad_uscc = ident::testing::uscc_bad_check(7);
        let e = Field::Uscc.check(&bad_uscc).unwrap();
        assert_eq!(
            (e.field.as_str(), e.kind.as_str()),
            ("enterprise.uscc", "check_char")
        );
        assert!(!format!("{e:?}").contains(&bad_uscc));
        assert_eq!(
            Field::HandlerPhone.check("2800138000").unwrap().kind,
            "mobile_format"
        );
        assert_eq!(
            Field::HandlerBankCard
                .check("6222020200000000001")
                .unwrap()
                .kind,
            "check_char"
        );
        assert!(Field::Uscc.check(&ident::testing::uscc(7)).is_none());
        assert!(Field::Uscc.check("").is_none());
    }

    #[test]
    fn incomplete_sections_are_held_back_and_named() {
        let mut v = BTreeMap::new();
        v.insert(Field::MailingRecipient, "孙收件".to_string());
        v.insert(Field::MailingPhone, "13912345678".to_string());
        v.insert(Field::MailingAddress, "北京市朝阳区1号".to_string());
        let (input, errors) = assemble(&v, &[Section::Mailing]);
        assert!(input.mailing.is_none());
        assert_eq!(errors[0].field, "mailing.postcode");
        v.insert(Field::MailingPostcode, "100020".to_string());
        let (input, errors) = assemble(&v, &[Section::Mailing]);
        assert!(errors.is_empty());
        assert_eq!(flatten(&input), v);
    }
}
