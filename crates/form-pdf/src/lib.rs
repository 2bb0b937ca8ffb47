//! Printed forms as PDF: the 单位数字证书申请表 (two pages, the applicant's data filled
//! in) that channels with paper by post ask for, stamped, in two copies (seed 000,
//! steps 2 and 4). Text is set in a CJK font found on the machine ([`font`]) and
//! embedded subsetted by krilla, so the file stays small and prints the same anywhere.

pub mod application_form;
pub mod font;
mod layout;

pub use application_form::{ApplicationForm, render};
pub use font::FontError;

#[derive(Debug, thiserror::Error)]
pub enum FormPdfError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error("PDF: {0}")]
    Pdf(String),
}
