//! Redaction by type. Identity numbers, phone numbers and the like are wrapped in
//! [`Sensitive`], whose `Debug` and `Display` never print the value, so a `tracing`
//! field or an error message cannot leak it by accident. PINs and passwords use
//! `secrecy`-style secret types in the crates that handle them.

use std::fmt;

use zeroize::Zeroize;

/// A value that must not reach logs or messages. The only way to read it is
/// [`Sensitive::expose`], which is easy to grep for in review.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("‹redacted›")
    }
}

impl<T: Zeroize> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("‹redacted›")
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)] // Read only through Debug, which is the point of the test.
    struct Applicant {
        name: String,
        id_number: Sensitive<String>,
    }

    #[test]
    fn debug_and_display_never_show_the_value() {
        let a = Applicant {
            name: "张三".into(),
            id_number: Sensitive::new("11010519491231002X".into()),
        };
        let dbg = format!("{a:?} {a:#?} {}", a.id_number);
        assert!(!dbg.contains("11010519491231002X"), "{dbg}");
        assert!(dbg.contains("张三"));
        assert_eq!(a.id_number.expose(), "11010519491231002X");
    }
}
