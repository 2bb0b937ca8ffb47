//! The walk-in case (issue 13 item 3a, 4, 5) over the signed-in operator's session:
//! open a case from the order number an applicant's QR code carries, read it and the
//! point's queue, record field checks and corrections, the on-site identity check and a
//! counter payment, approve or reject.
//!
//! Everything the operator typed or scanned is validated here before anything goes
//! out: a USB barcode scanner types like a keyboard, so a wrong keyboard layout, a
//! half-read code or a stray control character must end as a typed error naming the
//! field, not as a request (and not as a miss that counts against the operator's
//! open rate at the CA). The CA stays the authority: it scopes cases to the operator's
//! point and enforces separation of duties itself; its refusals come back typed.

use std::time::Instant;

use certdesk_ca_api::application::{Person, document_content_type};
use certdesk_ca_api::channel::DocumentKind;
use certdesk_ca_api::counter::{
    Case, CaseList, CaseStatus, CounterPayment, CounterPaymentList, CounterPaymentMethod,
    CounterPaymentRequest, FieldCheck, FieldOutcome, IdDocument, OnSiteIdentity, OpenCase,
};
use certdesk_ca_api::{FieldError, ProblemCode};
use certdesk_ca_client::{CaClient, ClientError};

use super::{Counter, CounterError};

/// Longest raw input accepted from a scanner or the keyboard for an order or case
/// number, before trimming: far above the 24 characters of a real number, far below
/// what a scanner stuck in a loop types.
pub const MAX_SCAN_LEN: usize = 64;
/// The CA's own bounds on a slip or receipt number.
const REFERENCE_LEN: std::ops::RangeInclusive<usize> = 4..=32;
/// An identity document number: 18 for a resident card, passports and permits shorter.
const ID_NUMBER_MAX: usize = 32;
const REASON_MAX_CHARS: usize = 200;
const REASONS_MAX: usize = 20;
/// The CA's id alphabet (`secrets::new_id`): lower case without `l`, `o`, `0`, `1`.
const ID_ALPHABET: &str = "abcdefghijkmnpqrstuvwxyz23456789";
const ID_RANDOM_LEN: usize = 20;
/// The CA's limit on an uploaded document (5 MiB), checked before sending.
const MAX_COPY_BYTES: usize = 5 * 1024 * 1024;

/// What is wrong with an input. Never carries the input itself: it may be an identity
/// number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InputProblem {
    #[error("empty")]
    Empty,
    #[error("too long")]
    TooLong,
    /// A control character inside (a scanner's stray Tab, BEL, ESC …).
    #[error("contains a control character")]
    ControlCharacter,
    /// Not the shape this field has.
    #[error("malformed")]
    Malformed,
    /// Must be given (or confirmed) and was not.
    #[error("required")]
    Required,
    /// Must not be given here (a reference for a QR payment).
    #[error("not allowed here")]
    NotAllowed,
}

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// Refused before anything was sent; `field` is the wire name of the input.
    #[error("invalid {field}: {problem}")]
    InvalidInput {
        field: &'static str,
        problem: InputProblem,
    },
    /// Fields of a keyed application refused before anything was sent, by the online
    /// forms' own checks (their messages, never their values).
    #[error("{} field(s) need attention", fields.len())]
    InvalidFields { fields: Vec<FieldError> },
    /// No such order or case for this operator's point. The CA answers another point's
    /// case exactly like an unknown one (no IDOR), so the app cannot tell them apart
    /// either.
    #[error("no such order or case at this acceptance point")]
    NotFound,
    /// The order is being served in an open case at another point.
    #[error("the order is being served at another acceptance point")]
    CaseElsewhere,
    /// Whoever entered or changed the case cannot approve or reject it.
    #[error("the operator entered or changed this case and cannot review it")]
    SeparationOfDuties,
    /// The operator's roles do not include this step (e.g. a reviewer checking fields).
    #[error("the operator's roles do not allow this step")]
    RoleMissing,
    /// The number typed from the original is not the application's (the CA audits it).
    #[error("the identity document number does not match the application")]
    IdentityMismatch,
    /// The case is no longer open, or the application is past this step.
    #[error("the case or its application is not in a state for this step")]
    InvalidState,
    /// The daily close has a difference without an explanation (one came up meanwhile).
    #[error("every difference of the day needs an explanation")]
    Unexplained,
    /// The day's figures changed between reading the bytes to sign and signing them
    /// (a payment, a token): nothing was signed; read the day again.
    #[error("the day changed while it was being signed")]
    CloseChanged,
    /// The day is closed (signed) already; a correction is added instead.
    #[error("the day is closed already")]
    AlreadyClosed,
    /// The CA answered a document with bytes that are no PDF, PNG or JPEG.
    #[error("the document is not a PDF, PNG or JPEG")]
    UnreadableDocument,
    /// The CA's payment code cannot be drawn as a QR code (a malformed answer).
    #[error(transparent)]
    PaymentCode(#[from] crate::qr::QrError),
    /// Signed out, locked, or any other counter/CA failure.
    #[error(transparent)]
    Counter(#[from] CounterError),
}

pub(super) fn invalid(field: &'static str, problem: InputProblem) -> CaseError {
    CaseError::InvalidInput { field, problem }
}

/// An online order as the clerk names it: the application id the order's QR code
/// carries (`app_` and 20 characters of the CA's id alphabet), or the 12-digit order
/// number typed by hand (which the CA opens only with the organisation's USCC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderNumber(String);

/// A case number: `case_` and 20 characters of the CA's id alphabet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNumber(String);

/// Scanner input to a CA id with `prefix`. Surrounding whitespace is the scanner's
/// suffix (Enter, Tab) and goes; upper case is a scanner's Caps Lock and is folded
/// (the CA's ids are lower case only); anything else must be exactly the id's shape.
pub(super) fn scanned_id(
    field: &'static str,
    raw: &str,
    prefix: &str,
) -> Result<String, CaseError> {
    if raw.len() > MAX_SCAN_LEN {
        return Err(invalid(field, InputProblem::TooLong));
    }
    let s = raw.trim();
    if s.is_empty() {
        return Err(invalid(field, InputProblem::Empty));
    }
    if s.chars().any(char::is_control) {
        return Err(invalid(field, InputProblem::ControlCharacter));
    }
    let s = s.to_ascii_lowercase();
    let ok = s.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == ID_RANDOM_LEN && rest.chars().all(|c| ID_ALPHABET.contains(c))
    });
    if ok {
        Ok(s)
    } else {
        Err(invalid(field, InputProblem::Malformed))
    }
}

impl OrderNumber {
    pub fn parse(raw: &str) -> Result<Self, CaseError> {
        let typed = raw.trim();
        if raw.len() <= MAX_SCAN_LEN && OpenCase::is_order_number(typed) {
            return Ok(Self(typed.to_owned()));
        }
        scanned_id("order_number", raw, "app_").map(Self)
    }

    /// Typed by hand (the order number, not the QR code's id): the organisation's USCC
    /// must come with it.
    pub fn is_typed(&self) -> bool {
        OpenCase::is_order_number(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl CaseNumber {
    pub fn parse(raw: &str) -> Result<Self, CaseError> {
        scanned_id("case_id", raw, "case_").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The organisation's USCC typed from the licence's original beside a typed order
/// number: 18 characters with a valid check character (upper case).
fn typed_uscc(raw: Option<&str>) -> Result<String, CaseError> {
    let s = raw.map(str::trim).unwrap_or_default();
    if s.is_empty() {
        return Err(invalid("uscc", InputProblem::Required));
    }
    if s.chars().any(char::is_control) {
        return Err(invalid("uscc", InputProblem::ControlCharacter));
    }
    if s.len() > MAX_SCAN_LEN {
        return Err(invalid("uscc", InputProblem::TooLong));
    }
    let s = s.to_ascii_uppercase();
    certdesk_ident::uscc(&s).map_err(|_| invalid("uscc", InputProblem::Malformed))?;
    Ok(s)
}

/// A field path as the application's wire shape names it (`enterprise.name`): the CA's
/// own rule, checked here so a typo is not a round trip.
fn field_path(field: &str) -> Result<(), CaseError> {
    if field.is_empty() {
        return Err(invalid("field", InputProblem::Empty));
    }
    if field.len() > 64 {
        return Err(invalid("field", InputProblem::TooLong));
    }
    let ok = field
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    if ok {
        Ok(())
    } else {
        Err(invalid("field", InputProblem::Malformed))
    }
}

/// A slip or receipt number: 4-32 letters, digits or `-` (the CA's rule).
fn reference(raw: &str) -> Result<String, CaseError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(invalid("reference", InputProblem::Required));
    }
    if s.chars().any(char::is_control) {
        return Err(invalid("reference", InputProblem::ControlCharacter));
    }
    if s.len() > *REFERENCE_LEN.end() {
        return Err(invalid("reference", InputProblem::TooLong));
    }
    if !REFERENCE_LEN.contains(&s.len())
        || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(invalid("reference", InputProblem::Malformed));
    }
    Ok(s.to_owned())
}

/// How the applicant paid at the counter, with what each method needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CounterPaymentInput {
    /// Card at the point's POS terminal, with the slip number.
    Pos { slip: String },
    /// Cash, with the receipt number.
    Cash { receipt: String },
    /// The WeChat Pay QR code on the customer screen.
    Wechat,
    /// The Alipay QR code on the customer screen.
    Alipay,
}

impl CounterPaymentInput {
    fn request(&self) -> Result<CounterPaymentRequest, CaseError> {
        let (method, reference) = match self {
            Self::Pos { slip } => (CounterPaymentMethod::Pos, Some(reference(slip)?)),
            Self::Cash { receipt } => (CounterPaymentMethod::Cash, Some(reference(receipt)?)),
            Self::Wechat => (CounterPaymentMethod::Wechat, None),
            Self::Alipay => (CounterPaymentMethod::Alipay, None),
        };
        Ok(CounterPaymentRequest { method, reference })
    }
}

/// The on-site identity check as the clerk enters it. Debug never shows the number.
#[derive(Clone)]
pub struct IdentityCheckInput {
    pub person: Person,
    pub document: IdDocument,
    /// Typed from the original; compared by the CA, never logged or echoed.
    pub id_number: secrecy::SecretString,
    /// The uploaded scan of the copy (a document of the application).
    pub copy_document_id: String,
    /// The clerk attests to having seen the original and the person.
    pub attested: bool,
}

impl std::fmt::Debug for IdentityCheckInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityCheckInput")
            .field("person", &self.person)
            .field("document", &self.document)
            .field("copy_document_id", &self.copy_document_id)
            .field("attested", &self.attested)
            .finish_non_exhaustive()
    }
}

impl IdentityCheckInput {
    fn request(&self) -> Result<OnSiteIdentity, CaseError> {
        use secrecy::ExposeSecret;
        if !self.attested {
            return Err(invalid("attested", InputProblem::Required));
        }
        let number = self.id_number.expose_secret().trim();
        if number.is_empty() {
            return Err(invalid("id_number", InputProblem::Empty));
        }
        if number.chars().any(char::is_control) {
            return Err(invalid("id_number", InputProblem::ControlCharacter));
        }
        if number.len() > ID_NUMBER_MAX {
            return Err(invalid("id_number", InputProblem::TooLong));
        }
        if !number.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(invalid("id_number", InputProblem::Malformed));
        }
        let copy = scanned_id("copy_document_id", &self.copy_document_id, "doc_")?;
        Ok(OnSiteIdentity {
            person: self.person,
            document: self.document,
            id_number: number.to_owned(),
            copy_document_id: copy,
            attested: true,
        })
    }
}

fn reasons(raw: &[String]) -> Result<Vec<String>, CaseError> {
    if raw.is_empty() {
        return Err(invalid("reasons", InputProblem::Required));
    }
    if raw.len() > REASONS_MAX {
        return Err(invalid("reasons", InputProblem::TooLong));
    }
    raw.iter()
        .map(|r| {
            let r = r.trim();
            if r.is_empty() {
                Err(invalid("reasons", InputProblem::Empty))
            } else if r.chars().any(char::is_control) {
                Err(invalid("reasons", InputProblem::ControlCharacter))
            } else if r.chars().count() > REASON_MAX_CHARS {
                Err(invalid("reasons", InputProblem::TooLong))
            } else {
                Ok(r.to_owned())
            }
        })
        .collect()
}

/// The CA's refusals the counter tells apart; everything else as the counter says it.
fn from_client(e: ClientError) -> CaseError {
    match e.code() {
        Some(ProblemCode::SeparationOfDuties) => CaseError::SeparationOfDuties,
        Some(ProblemCode::NotFound) => CaseError::NotFound,
        Some(ProblemCode::CaseElsewhere) => CaseError::CaseElsewhere,
        Some(ProblemCode::Forbidden) => CaseError::RoleMissing,
        Some(ProblemCode::InvalidState) => CaseError::InvalidState,
        _ => CaseError::Counter(CounterError::from(e)),
    }
}

/// The document kind of `person`'s identity copy.
pub fn copy_kind(person: Person) -> DocumentKind {
    match person {
        Person::LegalRep => DocumentKind::LegalRepIdCard,
        Person::Handler => DocumentKind::HandlerIdCard,
    }
}

/// The clerk's verdict on a field: it matches the original, or it is corrected to what
/// the original says. Debug never shows the value (it may be an identity number).
#[derive(Clone)]
pub enum FieldVerdict {
    Checked,
    Corrected(secrecy::SecretString),
}

impl std::fmt::Debug for FieldVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Checked => "Checked",
            Self::Corrected(_) => "Corrected(..)",
        })
    }
}

/// The longest value of a case's fields the CA takes (an e-mail address); each field's
/// own bound and format are the CA's, the same as online.
const CORRECTION_MAX_CHARS: usize = 254;

impl FieldVerdict {
    fn request(&self, field: &str) -> Result<FieldCheck, CaseError> {
        use secrecy::ExposeSecret;
        let (outcome, value) = match self {
            Self::Checked => (FieldOutcome::Checked, None),
            Self::Corrected(v) => {
                let v = v.expose_secret().trim();
                if v.is_empty() {
                    return Err(invalid("value", InputProblem::Empty));
                }
                if v.chars().any(char::is_control) {
                    return Err(invalid("value", InputProblem::ControlCharacter));
                }
                if v.chars().count() > CORRECTION_MAX_CHARS {
                    return Err(invalid("value", InputProblem::TooLong));
                }
                (FieldOutcome::Corrected, Some(v.to_owned()))
            }
        };
        Ok(FieldCheck {
            field: field.to_owned(),
            outcome,
            value,
        })
    }
}

/// A document's bytes and the type their content shows. Debug says the type and size
/// only (a scan of an ID card is personal data).
pub struct CaseDocumentContent {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for CaseDocumentContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseDocumentContent")
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// The case operations of a counter; see [`Counter::cases`].
pub struct Cases<'a> {
    pub(super) counter: &'a Counter,
}

impl Counter {
    /// The walk-in case operations, over this counter's signed-in session.
    pub fn cases(&self) -> Cases<'_> {
        Cases { counter: self }
    }
}

impl Cases<'_> {
    /// The signed-in session's client; refused with [`CounterError::NotSignedIn`] when
    /// signed out or locked. Each operation is the operator's activity (idle lock).
    pub(super) fn client(&self) -> Result<CaClient, CaseError> {
        let client = self.counter.session_client()?;
        self.counter.touch(Instant::now());
        Ok(client)
    }

    /// A CA refusal, after ending a session the CA no longer accepts: the counter is
    /// then signed out and the caller told so.
    pub(super) async fn refused(&self, e: ClientError) -> CaseError {
        if e.code() == Some(ProblemCode::Unauthorized) {
            return match self.counter.sign_out().await {
                Ok(_) => CaseError::Counter(CounterError::NotSignedIn),
                Err(e) => CaseError::Counter(e),
            };
        }
        from_client(e)
    }

    /// Opens the walk-in case of an online order from the scanned or typed order number;
    /// the case comes back with the applicant's own data and uploads. Scanning the same
    /// order again at this point answers the same case.
    pub async fn open(&self, scanned: &str, uscc: Option<&str>) -> Result<Case, CaseError> {
        let order = OrderNumber::parse(scanned)?;
        let uscc = if order.is_typed() {
            Some(typed_uscc(uscc)?)
        } else {
            None
        };
        let client = self.client()?;
        match client.open_case(order.as_str(), uscc.as_deref()).await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// One case of the operator's point.
    pub async fn get(&self, case_id: &str) -> Result<Case, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        let client = self.client()?;
        match client.case(id.as_str()).await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// The point's cases in `status`, oldest first (`Open`: the review queue).
    pub async fn queue(&self, status: CaseStatus) -> Result<CaseList, CaseError> {
        let client = self.client()?;
        match client.cases(Some(status), Some(100)).await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// Marks one field of the application checked against the originals, or corrects it
    /// with the value read from the original: the CA validates it like the applicant's
    /// own input, writes it into the application and answers the case with it (the
    /// clerk then counts as an editor of the case and cannot review it). A value the CA
    /// refuses comes back as its field errors, never echoing the value.
    pub async fn check_field(
        &self,
        case_id: &str,
        field: &str,
        verdict: &FieldVerdict,
    ) -> Result<Case, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        field_path(field)?;
        let check = verdict.request(field)?;
        let client = self.client()?;
        match client.check_case_field(id.as_str(), &check).await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// The bytes of a document of the case's application, with their type decided by
    /// content: only a PDF, PNG or JPEG (what the CA accepts at upload) reaches the
    /// screen, whatever a response says it is. The CA audits the read.
    pub async fn document(
        &self,
        case_id: &str,
        document_id: &str,
    ) -> Result<CaseDocumentContent, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        let doc = scanned_id("document_id", document_id, "doc_")?;
        let client = self.client()?;
        let bytes = match client.case_document(id.as_str(), &doc).await {
            Ok(b) => b,
            Err(e) => return Err(self.refused(e).await),
        };
        let content_type = document_content_type(&bytes).ok_or(CaseError::UnreadableDocument)?;
        Ok(CaseDocumentContent {
            content_type,
            bytes,
        })
    }

    /// Records the on-site identity check; a number that does not match the
    /// application's is [`CaseError::IdentityMismatch`] (and audited by the CA).
    pub async fn record_identity(
        &self,
        case_id: &str,
        input: &IdentityCheckInput,
    ) -> Result<Case, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        let req = input.request()?;
        let client = self.client()?;
        match client.record_identity_check(id.as_str(), &req).await {
            Ok(c) => Ok(c),
            Err(e) if e.code() == Some(ProblemCode::VerificationFailed) => {
                Err(CaseError::IdentityMismatch)
            }
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// Records a payment taken at the counter. `idempotency_key`: the same key for a
    /// retry of the same payment (the UI keeps it until the answer is shown), so a slip
    /// is recorded once whatever the network did.
    pub async fn record_payment(
        &self,
        case_id: &str,
        payment: &CounterPaymentInput,
        idempotency_key: Option<&str>,
    ) -> Result<CounterPayment, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        let req = payment.request()?;
        let client = self.client()?;
        match client
            .record_counter_payment(id.as_str(), &req, idempotency_key)
            .await
        {
            Ok(p) => Ok(p),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// Uploads the scan of `person`'s ID-document copy taken at the counter (the same
    /// limits as online uploads; the CA decides the type by content) and answers its
    /// document id, for [`IdentityCheckInput::copy_document_id`].
    pub async fn upload_copy(
        &self,
        case_id: &str,
        person: Person,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<String, CaseError> {
        self.upload_scan(case_id, copy_kind(person), file_name, bytes)
            .await
    }

    /// Uploads a scan taken at the counter (an identity copy; on a keyed case also the
    /// licence, the letter of authorisation, the signed form) and answers its document
    /// id. The CA decides which kinds a case takes and the type by content.
    pub async fn upload_scan(
        &self,
        case_id: &str,
        kind: DocumentKind,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<String, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        if bytes.is_empty() {
            return Err(invalid("file", InputProblem::Empty));
        }
        if bytes.len() > MAX_COPY_BYTES {
            return Err(invalid("file", InputProblem::TooLong));
        }
        let client = self.client()?;
        match client
            .upload_case_copy(id.as_str(), kind, file_name, bytes)
            .await
        {
            Ok(d) => Ok(d.id),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// The payments recorded on a case.
    pub async fn payments(&self, case_id: &str) -> Result<CounterPaymentList, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        let client = self.client()?;
        match client.counter_payments(id.as_str()).await {
            Ok(p) => Ok(p),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// The counter receipt (受理回执) of a case of the point, as the CA renders it (PDF).
    pub async fn receipt(&self, case_id: &str) -> Result<Vec<u8>, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        let client = self.client()?;
        match client.case_receipt(id.as_str()).await {
            Ok(pdf) => Ok(pdf),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// Approves the case (a reviewer who neither entered nor changed it, or
    /// [`CaseError::SeparationOfDuties`]).
    pub async fn approve(&self, case_id: &str) -> Result<Case, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        let client = self.client()?;
        match client.approve_case(id.as_str()).await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// Rejects the case with reasons (back to the applicant), same rule as approve.
    pub async fn reject(&self, case_id: &str, why: &[String]) -> Result<Case, CaseError> {
        let id = CaseNumber::parse(case_id)?;
        let why = reasons(why)?;
        let client = self.client()?;
        match client.reject_case(id.as_str(), why).await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused(e).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "app_abcdefghijkmnpqrstuv";

    fn problem(r: Result<impl std::fmt::Debug, CaseError>) -> (&'static str, InputProblem) {
        match r {
            Err(CaseError::InvalidInput { field, problem }) => (field, problem),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn order_numbers_from_a_scanner_are_trimmed_and_folded() {
        assert_eq!(OrderNumber::parse(GOOD).unwrap().as_str(), GOOD);
        // The scanner's Enter/Tab suffix, and Caps Lock.
        assert_eq!(
            OrderNumber::parse(&format!("{GOOD}\r\n")).unwrap().as_str(),
            GOOD
        );
        assert_eq!(
            OrderNumber::parse(&format!("\t{}", GOOD.to_uppercase()))
                .unwrap()
                .as_str(),
            GOOD
        );
    }

    #[test]
    fn scanner_garbage_names_the_field_and_the_problem() {
        let order = |s: &str| problem(OrderNumber::parse(s));
        use InputProblem::*;
        assert_eq!(order(""), ("order_number", Empty));
        assert_eq!(order(" \r\n"), ("order_number", Empty));
        assert_eq!(
            order("app_abcdefghij\u{7}kmnpqrst"),
            ("order_number", ControlCharacter)
        );
        assert_eq!(
            order("app_abcdefghij\u{1b}[A"),
            ("order_number", ControlCharacter)
        );
        assert_eq!(order(&"app_".repeat(40)), ("order_number", TooLong));
        // A wrong keyboard layout (French AZERTY types `q` as `a`, `_` as `8`…).
        assert_eq!(
            order("app8abcdefghijkmnpqrstuv"),
            ("order_number", Malformed)
        );
        // Letters outside the CA's alphabet, a short read, another kind of id.
        assert_eq!(order("app_abcdefghijklmnopqr"), ("order_number", Malformed));
        assert_eq!(order("app_abcdefghij"), ("order_number", Malformed));
        assert_eq!(
            order("case_abcdefghijkmnpqrstuv"),
            ("order_number", Malformed)
        );
        assert_eq!(
            order("应用_abcdefghijkmnpqrstuv"),
            ("order_number", Malformed)
        );
        assert_eq!(
            problem(CaseNumber::parse("case_\u{0}")),
            ("case_id", ControlCharacter)
        );
        assert_eq!(problem(CaseNumber::parse(GOOD)), ("case_id", Malformed));
    }

    #[test]
    fn other_inputs_are_checked_before_they_go_out() {
        use InputProblem::*;
        assert_eq!(
            problem(field_path("Enterprise..Name").map(|_| ())),
            ("field", Malformed)
        );
        assert!(field_path("enterprise.legal_rep_name").is_ok());
        let fix = |v: &str| {
            FieldVerdict::Corrected(secrecy::SecretString::from(v.to_owned()))
                .request("mailing.address")
        };
        assert_eq!(problem(fix("  ")), ("value", Empty));
        assert_eq!(problem(fix("路\u{7}")), ("value", ControlCharacter));
        assert_eq!(problem(fix(&"路".repeat(255))), ("value", TooLong));
        assert_eq!(
            fix(" 受理路 8 号\n").unwrap().value.as_deref(),
            Some("受理路 8 号")
        );
        assert!(
            FieldVerdict::Checked
                .request("mailing.address")
                .unwrap()
                .value
                .is_none()
        );
        assert!(
            !format!(
                "{:?}",
                FieldVerdict::Corrected(secrecy::SecretString::from(
                    "110101199003070011".to_owned()
                ))
            )
            .contains("1101")
        );
        let pay = |p: CounterPaymentInput| problem(p.request());
        assert_eq!(
            pay(CounterPaymentInput::Cash {
                receipt: "12".into()
            }),
            ("reference", Malformed)
        );
        assert_eq!(
            pay(CounterPaymentInput::Cash {
                receipt: " ".into()
            }),
            ("reference", Required)
        );
        assert_eq!(
            pay(CounterPaymentInput::Pos {
                slip: "R 0001".into()
            }),
            ("reference", Malformed)
        );
        let ok = CounterPaymentInput::Cash {
            receipt: " R-0001\n".into(),
        }
        .request()
        .unwrap();
        assert_eq!(ok.reference.as_deref(), Some("R-0001"));
        assert_eq!(problem(reasons(&[])), ("reasons", Required));
        assert_eq!(
            problem(reasons(&["a\u{7}".into()])),
            ("reasons", ControlCharacter)
        );
        let id = |n: &str, attested: bool| IdentityCheckInput {
            person: Person::Handler,
            document: IdDocument::ResidentIdCard,
            id_number: secrecy::SecretString::from(n.to_owned()),
            copy_document_id: "doc_abcdefghijkmnpqrstuv".into(),
            attested,
        };
        assert_eq!(
            problem(id("110101199003070011", false).request()),
            ("attested", Required)
        );
        assert_eq!(
            problem(id("1101\u{7}", true).request()),
            ("id_number", ControlCharacter)
        );
        assert_eq!(
            problem(id("11010 1", true).request()),
            ("id_number", Malformed)
        );
        // The number is never in Debug (it would reach a log).
        assert!(!format!("{:?}", id("110101199003070011", true)).contains("1101011990"));
    }
}
