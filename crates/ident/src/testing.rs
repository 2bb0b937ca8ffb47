//! Deterministic generators of valid numbers, for the sandbox, fixtures and tests.
//! The same seed always yields the same number.

use crate::checks::{
    USCC_CHARSET, days_in_month, luhn_sum, org_code_check_char, resident_id_check_char,
    uscc_check_char,
};

/// SplitMix64: tiny, well-distributed, no dependency.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// A valid organisation code (9 characters, digits only in the body).
pub fn org_code(seed: u64) -> String {
    let mut m = Mix(seed ^ 0x0D0C);
    let body = m.digits(8);
    let check = org_code_check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// A valid USCC whose characters 9–17 are `org_code(seed)`.
pub fn uscc(seed: u64) -> String {
    let mut m = Mix(seed ^ 0x05CC);
    // "91" = enterprise registered with the market regulator; region from Beijing.
    let region = format!("1101{:02}", m.below(20) + 1);
    let body = format!("91{region}{}", org_code(seed));
    let check = uscc_check_char(&body).map(String::from).unwrap_or_default();
    format!("{body}{check}")
}

/// A USCC with a wrong check character (for refusal tests).
pub fn uscc_bad_check(seed: u64) -> String {
    let good = uscc(seed);
    let last = good.as_bytes()[17];
    let idx = USCC_CHARSET.iter().position(|c| *c == last).unwrap_or(0);
    let wrong = USCC_CHARSET[(idx + 1) % USCC_CHARSET.len()] as char;
    format!("{}{wrong}", &good[..17])
}

/// A valid resident ID number born between 1960 and 1999.
pub fn resident_id(seed: u64) -> String {
    let mut m = Mix(seed ^ 0x1D);
    let y = 1960 + m.below(40) as u32;
    let mo = 1 + m.below(12) as u32;
    let d = 1 + m.below(u64::from(days_in_month(y, mo))) as u32;
    let body = format!("110105{y:04}{mo:02}{d:02}{}", m.digits(3));
    let check = resident_id_check_char(&body)
        .map(String::from)
        .unwrap_or_default();
    format!("{body}{check}")
}

/// A valid mainland mobile number.
pub fn mobile(seed: u64) -> String {
    let mut m = Mix(seed ^ 0x40B);
    format!("1{}{}", 3 + m.below(7), m.digits(9))
}

/// A valid 19-digit UnionPay-style bank card number.
pub fn bank_card(seed: u64) -> String {
    let mut m = Mix(seed ^ 0xBA4C);
    let body = format!("622202{}", m.digits(12));
    // Append the digit that makes the Luhn sum a multiple of ten.
    for d in 0..10u8 {
        let candidate = format!("{body}{d}");
        if luhn_sum(candidate.as_bytes()).is_multiple_of(10) {
            return candidate;
        }
    }
    body
}

/// A valid e-mail address under example.com.
pub fn email(seed: u64) -> String {
    format!("user{}@example.com", seed % 1_000_000)
}
