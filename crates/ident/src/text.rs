//! Free text a person types (names, addresses, couriers, reasons, a common name): no
//! control characters, no bidirectional-text controls, and a length bound. One rule for
//! the CA and its clients, so both refuse the same strings.
//!
//! Why: a NUL or a C1 control in an X.509 name is a classic certificate-spoofing vector,
//! and bidi overrides make a name read differently from what it is.

/// A problem with one free-text value. `kind()` is a stable contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("at most {max} characters")]
    TooLong { max: usize },
    #[error("contains a control character")]
    ControlChar,
    #[error("contains a bidirectional-text control character")]
    BidiControl,
}

impl TextError {
    pub fn kind(&self) -> &'static str {
        match self {
            TextError::TooLong { .. } => "too_long",
            TextError::ControlChar => "control_char",
            TextError::BidiControl => "bidi_control",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            TextError::TooLong { max } => format!("不能超过{max}个字符"),
            TextError::ControlChar => "不能包含控制字符".into(),
            TextError::BidiControl => "不能包含文字方向控制字符".into(),
        }
    }
}

/// C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// Bidi embeddings/overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E,
/// U+200F and the Arabic letter mark U+061C.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Checks one free-text value against `max_chars` (Unicode scalar values). A Rust
/// `&str` cannot hold an unpaired surrogate; JSON `\uD800` escapes are refused by the
/// parser before this runs.
pub fn free_text(value: &str, max_chars: usize) -> Result<(), TextError> {
    // Checked first and without counting everything: a 1 MB string costs one pass.
    if value.chars().take(max_chars + 1).count() > max_chars {
        return Err(TextError::TooLong { max: max_chars });
    }
    if value.chars().any(is_control) {
        return Err(TextError::ControlChar);
    }
    if value.chars().any(is_bidi_control) {
        return Err(TextError::BidiControl);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_controls_bidi_and_long_text() {
        assert_eq!(free_text("北京示例科技有限公司", 100), Ok(()));
        assert_eq!(free_text("a\u{00A0}b", 10), Ok(()), "NBSP is not a control");
        for c in ['\0', '\t', '\n', '\u{1F}', '\u{7F}', '\u{80}', '\u{9F}'] {
            assert_eq!(
                free_text(&format!("a{c}b"), 10),
                Err(TextError::ControlChar)
            );
        }
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            assert_eq!(
                free_text(&format!("a{c}b"), 10),
                Err(TextError::BidiControl)
            );
        }
        assert_eq!(free_text(&"字".repeat(5), 5), Ok(()));
        assert_eq!(
            free_text(&"字".repeat(6), 5),
            Err(TextError::TooLong { max: 5 })
        );
        assert_eq!(TextError::TooLong { max: 5 }.kind(), "too_long");
    }
}
