//! The workflow's values in their IPC shapes: enums spelled alike on both sides, the
//! sign-in answers, the start pages and a draft's form.

use certdesk_ca_api::application::{FaceMethod as CaFaceMethod, HandlerCheckMethod, Person};
use certdesk_ca_api::auth::{Captcha, OtpSent};
use certdesk_ca_api::channel::DocumentKind as CaDocumentKind;
use certdesk_ca_api::payment as ca_payment;
use certdesk_core::workflow::{DraftView, Keep, StartPage as CoreStartPage};

use crate::{
    CaptchaImage, CodeSent, DocumentKind, DraftForm, FaceMethod, FacePerson, HandlerCheck,
    KeepSide, LocalDraft, PaymentProvider, PaymentStatus, StartPage,
};

/// `From` both ways between two enums whose variants are named alike.
macro_rules! same_variants {
    ($a:ty, $b:ty, [$($v:ident),+ $(,)?]) => {
        impl From<$a> for $b {
            fn from(x: $a) -> Self {
                match x {
                    $(<$a>::$v => Self::$v,)+
                }
            }
        }
        impl From<$b> for $a {
            fn from(x: $b) -> Self {
                match x {
                    $(<$b>::$v => Self::$v,)+
                }
            }
        }
    };
}

same_variants!(HandlerCheck, HandlerCheckMethod, [Phone, BankCard]);
same_variants!(FacePerson, Person, [LegalRep, Handler]);
same_variants!(FaceMethod, CaFaceMethod, [SmsLink, OnSite]);
same_variants!(
    PaymentProvider,
    ca_payment::PaymentProvider,
    [Wechat, Alipay, BankGateway]
);
same_variants!(
    PaymentStatus,
    ca_payment::PaymentStatus,
    [Pending, Paid, Expired]
);
same_variants!(KeepSide, Keep, [Mine, Theirs]);
same_variants!(
    DocumentKind,
    CaDocumentKind,
    [
        BusinessLicence,
        HandlerIdCard,
        LegalRepIdCard,
        AuthorisationLetter,
        ApplicationForm,
        Other,
    ]
);

impl From<Captcha> for CaptchaImage {
    fn from(c: Captcha) -> Self {
        Self {
            captcha_id: c.captcha_id,
            image: c.image,
            expires_at: c.expires_at,
        }
    }
}

impl From<OtpSent> for CodeSent {
    fn from(s: OtpSent) -> Self {
        Self {
            expires_in: s.expires_in,
            resend_after: s.resend_after,
        }
    }
}

impl From<CoreStartPage> for StartPage {
    fn from(p: CoreStartPage) -> Self {
        match p {
            CoreStartPage::ChooseChannel => Self::ChooseChannel,
            CoreStartPage::ChooseBusiness { channel_id } => Self::ChooseBusiness { channel_id },
            CoreStartPage::VerificationMethod {
                channel_id,
                business,
            } => Self::VerificationMethod {
                channel_id,
                business: business.into(),
            },
            CoreStartPage::Ready {
                channel_id,
                business,
            } => Self::Ready {
                channel_id,
                business: business.into(),
            },
        }
    }
}

impl From<DraftView> for DraftForm {
    fn from(d: DraftView) -> Self {
        Self {
            id: d.id.as_str().to_owned(),
            application_id: d.application_id,
            start_page: d.start_page.into(),
            values: d
                .values
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            pending: d.pending.iter().map(|f| f.as_str().to_owned()).collect(),
        }
    }
}

/// Only the organisation's name of the values: the list shows nothing else.
impl From<&DraftView> for LocalDraft {
    fn from(d: &DraftView) -> Self {
        Self {
            id: d.id.as_str().to_owned(),
            start_page: d.start_page.clone().into(),
            name: d.values.get("enterprise.name").cloned(),
        }
    }
}
