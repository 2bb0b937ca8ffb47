use crate::{IdentError, LengthRule};

/// GB 32100 character set (no I, O, Z, S, V).
pub(crate) const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn non_empty(s: &str) -> Result<&str, IdentError> {
    let s = s.trim();
    if s.is_empty() {
        Err(IdentError::Empty)
    } else {
        Ok(s)
    }
}

fn exact_len(s: &str, n: usize) -> Result<(), IdentError> {
    let actual = s.chars().count();
    if actual != n {
        return Err(IdentError::Length {
            expected: LengthRule::Exactly(n),
            actual,
        });
    }
    Ok(())
}

/// Check character of the first 17 USCC characters, or `None` if a character is invalid.
pub fn uscc_check_char(body: &str) -> Option<char> {
    let bytes = body.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    let mut weight = 1u32;
    for &b in bytes {
        let v = USCC_CHARSET.iter().position(|&c| c == b)? as u32;
        sum += v * weight;
        weight = weight * 3 % 31;
    }
    let idx = (31 - sum % 31) % 31;
    Some(USCC_CHARSET[idx as usize] as char)
}

/// Unified social credit code (统一社会信用代码), GB 32100.
pub fn uscc(value: &str) -> Result<(), IdentError> {
    let s = non_empty(value)?;
    exact_len(s, 18)?;
    for (i, c) in s.bytes().enumerate() {
        if !USCC_CHARSET.contains(&c) {
            return Err(IdentError::Charset { position: i + 1 });
        }
    }
    match uscc_check_char(&s[..17]) {
        Some(c) if s.as_bytes()[17] as char == c => Ok(()),
        _ => Err(IdentError::CheckChar),
    }
}

fn org_char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// Check character of the first 8 organisation-code characters (GB 11714).
pub fn org_code_check_char(body: &str) -> Option<char> {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let bytes = body.as_bytes();
    if bytes.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in bytes.iter().zip(W) {
        sum += org_char_value(*b)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10)?,
    })
}

/// Organisation code (组织机构代码), GB 11714; accepts the printed `XXXXXXXX-X` form.
pub fn org_code(value: &str) -> Result<(), IdentError> {
    let s = non_empty(value)?;
    let compact: String = if s.len() == 10 && s.as_bytes()[8] == b'-' {
        s.chars().filter(|c| *c != '-').collect()
    } else {
        s.to_string()
    };
    exact_len(&compact, 9)?;
    for (i, c) in compact.bytes().enumerate() {
        let ok = if i < 8 {
            org_char_value(c).is_some()
        } else {
            c.is_ascii_digit() || c == b'X'
        };
        if !ok {
            return Err(IdentError::Charset { position: i + 1 });
        }
    }
    match org_code_check_char(&compact[..8]) {
        Some(c) if compact.as_bytes()[8] as char == c => Ok(()),
        _ => Err(IdentError::CheckChar),
    }
}

/// The organisation code must be USCC characters 9–17 (three-in-one licence rule).
pub fn org_code_matches_uscc(org: &str, uscc_value: &str) -> Result<(), IdentError> {
    let org: String = org.trim().chars().filter(|c| *c != '-').collect();
    let u = uscc_value.trim();
    if u.len() == 18 && u.is_char_boundary(8) && u.is_char_boundary(17) && u[8..17] == org {
        Ok(())
    } else {
        Err(IdentError::OrgCodeMismatch)
    }
}

/// Check character of the first 17 resident-ID digits (GB 11643).
pub fn resident_id_check_char(body: &str) -> Option<char> {
    const MAP: &[u8; 11] = b"10X98765432";
    let bytes = body.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, b) in bytes.iter().enumerate() {
        let d = (*b as char).to_digit(10)?;
        let w = (1u32 << (17 - i)) % 11;
        sum += d * w;
    }
    Some(MAP[(sum % 11) as usize] as char)
}

/// Resident identity card number (居民身份证号码), 18 characters.
pub fn resident_id(value: &str) -> Result<(), IdentError> {
    let s = non_empty(value)?;
    exact_len(s, 18)?;
    for (i, c) in s.bytes().enumerate() {
        let ok = c.is_ascii_digit() || (i == 17 && (c == b'X' || c == b'x'));
        if !ok {
            return Err(IdentError::Charset { position: i + 1 });
        }
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(6..10), num(10..12), num(12..14));
    if !valid_past_date(y, m, d) {
        return Err(IdentError::BirthDate);
    }
    match resident_id_check_char(&s[..17]) {
        Some(c) if s.as_bytes()[17].to_ascii_uppercase() as char == c => Ok(()),
        _ => Err(IdentError::CheckChar),
    }
}

pub(crate) fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

fn valid_past_date(y: u32, m: u32, d: u32) -> bool {
    if y < 1900 || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return false;
    }
    (y, m, d) <= today()
}

/// Today's UTC civil date, from the Unix clock (Howard Hinnant's days→civil).
fn today() -> (u32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as u32, m as u32, d as u32)
}

/// Mainland mobile number: `1[3-9]` then nine digits.
pub fn mobile(value: &str) -> Result<(), IdentError> {
    let s = non_empty(value)?;
    let b = s.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        Ok(())
    } else {
        Err(IdentError::MobileFormat)
    }
}

/// Bank card number: 12–19 digits with a valid Luhn check digit.
pub fn bank_card(value: &str) -> Result<(), IdentError> {
    let s: String = non_empty(value)?.chars().filter(|c| *c != ' ').collect();
    let len = s.len();
    if let Some(pos) = s.bytes().position(|c| !c.is_ascii_digit()) {
        return Err(IdentError::Charset { position: pos + 1 });
    }
    if !(12..=19).contains(&len) {
        return Err(IdentError::Length {
            expected: LengthRule::Between(12, 19),
            actual: len,
        });
    }
    if luhn_sum(s.as_bytes()).is_multiple_of(10) {
        Ok(())
    } else {
        Err(IdentError::CheckChar)
    }
}

/// Luhn sum over all digits (rightmost digit unweighted).
pub(crate) fn luhn_sum(digits: &[u8]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum()
}

/// E-mail address: a pragmatic subset of RFC 5321 that real mail gateways accept.
pub fn email(value: &str) -> Result<(), IdentError> {
    let s = non_empty(value)?;
    let bad = IdentError::EmailFormat;
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad);
    }
    let (local, domain) = s.rsplit_once('@').ok_or(bad)?;
    if local.is_empty() || local.len() > 64 || local.contains('@') {
        return Err(bad);
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(bad);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(bad);
    }
    for l in &labels {
        let ok = !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !ok {
            return Err(bad);
        }
    }
    Ok(())
}
