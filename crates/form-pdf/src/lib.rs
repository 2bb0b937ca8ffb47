//! Printed forms as PDF: the 单位数字证书申请表 (two pages, the applicant's data filled
//! in) that channels with paper by post ask for, stamped, in two copies (seed 000,
//! steps 2 and 4). Text is set in a CJK font found on the machine ([`font`]) and
//! embedded subsetted by krilla, so the file stays small and prints the same anywhere.
//! Also the counter receipt (受理回执) a point prints for a walk-in ([`counter_receipt`])
//! and the PIN mailers (密码函) of a batch ([`pin_mailer`]).

pub mod application_form;
pub mod counter_receipt;
pub mod daily_close;
pub mod font;
mod layout;
pub mod pin_mailer;

pub use application_form::{ApplicationForm, render};
pub use font::FontError;

#[derive(Debug, thiserror::Error)]
pub enum FormPdfError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error("PDF: {0}")]
    Pdf(String),
}
