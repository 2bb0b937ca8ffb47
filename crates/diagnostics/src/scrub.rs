//! Defence in depth for the support bundle: the log is already redacted by type
//! (`Sensitive<T>`), but a bundle leaves the machine, so anything still shaped like an
//! identity number, phone, bank card, USCC, e-mail or bearer token is masked again.

use std::sync::LazyLock;

use regex::Regex;

/// Masks personal numbers and credentials in `text`.
pub fn scrub(text: &str) -> String {
    static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        [
            // Bearer / session tokens.
            r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+",
            // E-mail addresses.
            r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
            // Unified social credit codes (18 characters, GB 32100 alphabet).
            r"\b[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{9}[0-9A-HJ-NP-RTUWXY]\b",
            // Resident IDs (18 with check character, or 15), mobiles (11), bank cards
            // (12–19): any long run of digits.
            r"\b\d{11,19}[0-9Xx]?\b",
        ]
        .iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect()
    });
    let mut out = text.to_owned();
    for re in PATTERNS.iter() {
        out = re.replace_all(&out, "‹scrubbed›").into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn masks_personal_numbers_and_keeps_the_rest() {
        let line = "2026-11-21T15:54:32.123Z INFO sign-in phone=13812345678 id=11010519491231002X \
                    card=6222021234567890123 uscc=91350100M000100Y43 mail=li.lei@example.cn \
                    auth=Bearer abc.def-123 latency_ms=23 step=finalize";
        let s = scrub(line);
        for secret in [
            "13812345678",
            "11010519491231002X",
            "6222021234567890123",
            "91350100M000100Y43",
            "li.lei@example.cn",
            "abc.def-123",
        ] {
            assert!(!s.contains(secret), "{secret} survived: {s}");
        }
        for kept in ["2026-11-21T15:54:32.123Z", "latency_ms=23", "step=finalize"] {
            assert!(s.contains(kept), "{kept} lost: {s}");
        }
    }
}
