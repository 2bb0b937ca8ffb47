//! Rules for a new token PIN, checked before the token is asked (a refused `C_SetPIN`
//! tells the user nothing useful): the token's length limits, different from the old
//! PIN, and not trivially guessable (one repeated character, or a run like 123456).

use serde::Serialize;

/// Why a new PIN is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PinRule {
    TooShort,
    TooLong,
    SameAsOld,
    Trivial,
}

/// The smallest length accepted whatever the token says (many tokens report 4; the
/// CAs' own tools ask for 6).
pub const MIN_LEN: usize = 6;

fn is_run(b: &[u8]) -> bool {
    let up = b.windows(2).all(|w| w[1] == w[0].wrapping_add(1));
    let down = b.windows(2).all(|w| w[1] == w[0].wrapping_sub(1));
    up || down
}

/// Checks `new` against the rules; `min`/`max` are the token's limits.
pub fn check(old: &str, new: &str, min: usize, max: usize) -> Result<(), PinRule> {
    let len = new.chars().count();
    if len < min.max(MIN_LEN) {
        return Err(PinRule::TooShort);
    }
    if max > 0 && len > max {
        return Err(PinRule::TooLong);
    }
    if new == old {
        return Err(PinRule::SameAsOld);
    }
    let b = new.as_bytes();
    if b.iter().all(|c| *c == b[0]) || is_run(b) {
        return Err(PinRule::Trivial);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(check("111111", "12345", 4, 16), Err(PinRule::TooShort));
        assert_eq!(check("111111", "1234567", 8, 16), Err(PinRule::TooShort));
        assert_eq!(
            check("111111", "12345678901234567", 4, 16),
            Err(PinRule::TooLong)
        );
        assert_eq!(check("135790", "135790", 4, 16), Err(PinRule::SameAsOld));
        assert_eq!(check("135790", "888888", 4, 16), Err(PinRule::Trivial));
        assert_eq!(check("135790", "123456", 4, 16), Err(PinRule::Trivial));
        assert_eq!(check("135790", "987654", 4, 16), Err(PinRule::Trivial));
        assert_eq!(check("135790", "246813", 4, 16), Ok(()));
        assert_eq!(check("135790", "pass8x", 4, 0), Ok(()));
    }
}
