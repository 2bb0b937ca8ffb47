//! The point's token stock (库存, issue 14 item 2) over the signed-in operator's
//! session: counts and tokens, receiving a list of serials pasted or scanned one per
//! line (a USB scanner types each serial and Enter), spoiling or returning a token with
//! a reason, and the supervisor's "make only onto the stock" switch. Input is checked
//! here line by line before anything is sent; the CA decides the rest (its per-serial
//! refusals come back in [`StockReceived`]).

use certdesk_ca_api::FieldError;
use certdesk_ca_api::stock::{
    MAX_RECEIVE, MODEL, ReceiveStock, Stock, StockPolicy, StockQuery, StockReceived, StockState,
    StockToken,
};
use certdesk_ident::text::{TextError, free_text};

use super::cases::{InputProblem, invalid};
use super::{CaseError, Counter};

/// The CA's bound on a reason.
const REASON_MAX_CHARS: usize = 500;
/// Longest serial (PKCS#11 `serialNumber` is 16 bytes; the CA takes up to 32).
const SERIAL_MAX: usize = 32;

fn text_problem(e: TextError) -> InputProblem {
    match e {
        TextError::TooLong { .. } => InputProblem::TooLong,
        _ => InputProblem::ControlCharacter,
    }
}

/// A one-line text, trimmed: not empty, bounded, no control characters.
fn line(field: &'static str, raw: &str, max: usize) -> Result<String, CaseError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(invalid(field, InputProblem::Empty));
    }
    free_text(t, max).map_err(|e| invalid(field, text_problem(e)))?;
    Ok(t.to_owned())
}

fn is_serial(s: &str) -> bool {
    (1..=SERIAL_MAX).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The serials of a pasted or scanned list, one per line (blank lines skipped). Every
/// malformed line is named (`serials[<line number from 1>]`), so the operator fixes
/// them all at once; nothing is sent until all are right.
pub fn parse_serials(text: &str) -> Result<Vec<String>, CaseError> {
    let mut serials = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let s = raw.trim();
        if s.is_empty() {
            continue;
        }
        if is_serial(s) {
            serials.push(s.to_owned());
        } else {
            bad.push(FieldError::new(
                &format!("serials[{}]", i + 1),
                "malformed",
                format!("第{}行：序列号应为1到32位字母、数字或-", i + 1),
                format!("line {}: a serial is 1-32 letters, digits or -", i + 1),
            ));
        }
    }
    if !bad.is_empty() {
        return Err(CaseError::InvalidFields { fields: bad });
    }
    if serials.is_empty() {
        return Err(invalid("serials", InputProblem::Empty));
    }
    if serials.len() > MAX_RECEIVE {
        return Err(invalid("serials", InputProblem::TooLong));
    }
    Ok(serials)
}

impl Counter {
    /// The point's counts per model and state, and its tokens (newest first) of
    /// `state` and `model` when given.
    pub async fn stock(&self, state: Option<StockState>, model: &str) -> Result<Stock, CaseError> {
        let model = model.trim();
        let q = StockQuery {
            state,
            model: if model.is_empty() {
                None
            } else {
                Some(line("model", model, MODEL)?)
            },
            limit: None,
        };
        let cases = self.cases();
        let client = cases.client()?;
        match client.stock(&q).await {
            Ok(s) => Ok(s),
            Err(e) => Err(cases.refused(e).await),
        }
    }

    /// Receives the serials of `serials_text` (one per line) as `model` tokens into the
    /// point's stock. `key` makes a retry of the same receipt safe.
    pub async fn receive_stock(
        &self,
        model: &str,
        serials_text: &str,
        key: Option<&str>,
    ) -> Result<StockReceived, CaseError> {
        let req = ReceiveStock {
            model: line("model", model, MODEL)?,
            serials: parse_serials(serials_text)?,
        };
        let cases = self.cases();
        let client = cases.client()?;
        match client.receive_stock(&req, key).await {
            Ok(r) => Ok(r),
            Err(e) => Err(cases.refused(e).await),
        }
    }

    /// Spoils or returns a token in stock, with the reason.
    pub async fn change_stock(
        &self,
        serial: &str,
        state: StockState,
        reason: &str,
    ) -> Result<StockToken, CaseError> {
        let serial = serial.trim();
        if !is_serial(serial) {
            return Err(invalid("serial", InputProblem::Malformed));
        }
        if !matches!(state, StockState::Spoiled | StockState::Returned) {
            return Err(invalid("state", InputProblem::NotAllowed));
        }
        let reason = line("reason", reason, REASON_MAX_CHARS)?;
        let cases = self.cases();
        let client = cases.client()?;
        match client.change_stock(serial, state, &reason).await {
            Ok(t) => Ok(t),
            Err(e) => Err(cases.refused(e).await),
        }
    }

    /// The supervisor switches whether the point makes only onto its stock.
    pub async fn set_stock_required(&self, on: bool) -> Result<StockPolicy, CaseError> {
        let cases = self.cases();
        let client = cases.client()?;
        match client.set_stock_required(on).await {
            Ok(p) => Ok(p),
            Err(e) => Err(cases.refused(e).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanned_lines_become_serials_and_bad_lines_are_named() {
        let ok = parse_serials("EP-0001\r\n\n  EP-0002 \nEP-0003").expect("valid");
        assert_eq!(ok, ["EP-0001", "EP-0002", "EP-0003"]);
        match parse_serials("EP-0001\nEP 0002\nEP-0003\u{1b}") {
            Err(CaseError::InvalidFields { fields }) => {
                let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(names, ["serials[2]", "serials[3]"]);
            }
            other => panic!("expected the bad lines, got {other:?}"),
        }
        assert!(matches!(
            parse_serials(" \n\n"),
            Err(CaseError::InvalidInput {
                field: "serials",
                problem: InputProblem::Empty
            })
        ));
        let many = (0..=MAX_RECEIVE)
            .map(|i| format!("N-{i}\n"))
            .collect::<String>();
        assert!(matches!(
            parse_serials(&many),
            Err(CaseError::InvalidInput {
                problem: InputProblem::TooLong,
                ..
            })
        ));
    }

    #[test]
    fn reasons_and_models_are_one_bounded_line() {
        assert_eq!(
            line("reason", " 外壳破裂 ", 500).ok().as_deref(),
            Some("外壳破裂")
        );
        assert!(matches!(
            line("reason", "a\u{7}b", 500),
            Err(CaseError::InvalidInput {
                problem: InputProblem::ControlCharacter,
                ..
            })
        ));
        assert!(matches!(
            line("model", &"x".repeat(65), MODEL),
            Err(CaseError::InvalidInput {
                problem: InputProblem::TooLong,
                ..
            })
        ));
    }
}
