//! The text rule of every request the service accepts. The JSON and query extractors
//! (`http::extract`) take only [`Checked`] types, so a new request type cannot skip it;
//! each impl destructures its struct without `..`, so a new field does not compile until
//! it is checked here. Free text gets `certdesk_ident::text::free_text` with the bound
//! from `certdesk_ca_api::limits`; format rules (USCC, phone…) follow in `validate`.

use certdesk_ca_api::FieldError;
use certdesk_ident::text::free_text;

/// Collects field errors under a path prefix.
#[derive(Default)]
pub struct Check {
    prefix: String,
    errors: Vec<FieldError>,
}

impl Check {
    fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    /// A text field of at most `max_chars` characters, without control or bidi
    /// characters. The value is never echoed.
    pub fn text(&mut self, field: &str, value: &str, max_chars: usize) {
        if let Err(e) = free_text(value, max_chars) {
            let path = self.path(field);
            self.errors.push(FieldError::new(
                &path,
                e.kind(),
                e.message_zh(),
                e.to_string(),
            ));
        }
    }

    /// A multi-line block (PEM, base64): line breaks allowed, other controls not.
    pub fn text_block(&mut self, field: &str, value: &str, max_chars: usize) {
        let flat: String = value
            .chars()
            .filter(|c| !matches!(c, '\n' | '\r'))
            .collect();
        self.text(field, &flat, max_chars);
    }

    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max_chars: usize) {
        if let Some(v) = value {
            self.text(field, v, max_chars);
        }
    }

    /// The phone + image-captcha triple of the unauthenticated requests.
    pub fn captcha(&mut self, phone: &str, captcha_id: &str, captcha_answer: &str) {
        use certdesk_ca_api::limits as max;
        self.text("phone", phone, max::IDENTITY_NUMBER);
        self.text("captcha_id", captcha_id, max::IDENTIFIER);
        self.text("captcha_answer", captcha_answer, max::CODE);
    }

    /// A list of texts: at most `max_items`, each checked as `field[i]`.
    pub fn texts(&mut self, field: &str, values: &[String], max_items: usize, max_chars: usize) {
        if values.len() > max_items {
            let path = self.path(field);
            self.errors.push(FieldError::new(
                &path,
                "too_many",
                format!("最多{max_items}项"),
                format!("at most {max_items} items"),
            ));
            return;
        }
        for (i, v) in values.iter().enumerate() {
            self.text(&format!("{field}[{i}]"), v, max_chars);
        }
    }

    /// A nested part, its fields reported as `field.<name>` (or unprefixed with "").
    pub fn nested<T: Checked>(&mut self, field: &str, value: Option<&T>) {
        let Some(value) = value else { return };
        let mut inner = Check {
            prefix: if field.is_empty() {
                self.prefix.clone()
            } else {
                self.path(field)
            },
            errors: Vec::new(),
        };
        value.check(&mut inner);
        self.errors.append(&mut inner.errors);
    }
}

/// A request type whose every text field is bounded and free of control characters.
pub trait Checked {
    fn check(&self, c: &mut Check);
}

pub fn errors<T: Checked + ?Sized>(value: &T) -> Vec<FieldError> {
    let mut c = Check::default();
    value.check(&mut c);
    c.errors
}

/// Types with no text field: nothing to check, said explicitly.
macro_rules! no_text {
    ($($ty:ty),* $(,)?) => {
        $(impl Checked for $ty {
            fn check(&self, _: &mut Check) {}
        })*
    };
}

// The impls for the ca-api request types.
mod wire;
