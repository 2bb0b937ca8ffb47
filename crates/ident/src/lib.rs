//! Validators for the identity numbers a Chinese organisation certificate application
//! carries, with one machine-readable error kind per problem so the UI can translate it.
//!
//! Errors never contain the checked value: identity numbers are personal data and
//! must not reach logs or messages.

mod checks;
pub mod testing;
pub mod text;

pub use checks::{
    bank_card, email, mobile, org_code, org_code_check_char, org_code_matches_uscc, resident_id,
    resident_id_check_char, uscc, uscc_check_char,
};

use serde::{Deserialize, Serialize};

/// Which field a problem belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Uscc,
    OrgCode,
    ResidentId,
    Mobile,
    BankCard,
    Email,
}

/// A problem with one field's value. The `kind()` strings are a stable contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IdentError {
    #[error("value is empty")]
    Empty,
    #[error("wrong length: expected {expected}, got {actual}")]
    Length { expected: LengthRule, actual: usize },
    #[error("character {position} is not allowed here")]
    Charset { position: usize },
    #[error("this number has a typo somewhere: please check it character by character")]
    CheckChar,
    #[error("birth date is not a valid past date")]
    BirthDate,
    #[error("not a mainland mobile number (1[3-9] followed by 9 digits)")]
    MobileFormat,
    #[error("not a valid e-mail address")]
    EmailFormat,
    #[error("organisation code is not characters 9-17 of the USCC")]
    OrgCodeMismatch,
}

/// Length rule reported with [`IdentError::Length`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthRule {
    Exactly(usize),
    Between(usize, usize),
}

impl std::fmt::Display for LengthRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LengthRule::Exactly(n) => write!(f, "{n}"),
            LengthRule::Between(a, b) => write!(f, "{a}-{b}"),
        }
    }
}

impl IdentError {
    /// Stable machine-readable kind, e.g. `check_char`.
    pub fn kind(&self) -> &'static str {
        match self {
            IdentError::Empty => "empty",
            IdentError::Length { .. } => "length",
            IdentError::Charset { .. } => "charset",
            IdentError::CheckChar => "check_char",
            IdentError::BirthDate => "birth_date",
            IdentError::MobileFormat => "mobile_format",
            IdentError::EmailFormat => "email_format",
            IdentError::OrgCodeMismatch => "org_code_mismatch",
        }
    }

    /// Chinese message for the applicant.
    pub fn message_zh(&self) -> String {
        match self {
            IdentError::Empty => "不能为空".into(),
            IdentError::Length { expected, actual } => {
                format!("长度应为{expected}位，实际{actual}位")
            }
            IdentError::Charset { position } => format!("第{position}位字符不合法"),
            // Said as a typo: the check character is how it is found, not what the user did.
            IdentError::CheckChar => "号码有误，可能有字输错了，请逐位核对".into(),
            IdentError::BirthDate => "出生日期不正确".into(),
            IdentError::MobileFormat => "手机号格式不正确".into(),
            IdentError::EmailFormat => "电子邮箱格式不正确".into(),
            IdentError::OrgCodeMismatch => "组织机构代码应为统一社会信用代码第9至17位".into(),
        }
    }
}

/// Shows only the first and last few characters, for logs and support screens.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 5))
}

/// A mobile number as people in China see it masked everywhere (138****5678), so the
/// app shows one form; anything else falls back to [`mask`].
pub fn mask_phone(phone: &str) -> String {
    let p = phone.trim();
    if p.len() == 11 && p.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}****{}", &p[..3], &p[7..])
    } else {
        mask(p)
    }
}

#[cfg(test)]
mod tests;
