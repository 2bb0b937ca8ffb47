//! Length bounds (in characters) of every text field the CA accepts. Part of the wire
//! contract: clients may check them before sending; the CA refuses longer values with a
//! `too_long` field error.

/// Organisation name (the longest registered Chinese names are ≈ 60 characters).
pub const ORGANISATION_NAME: usize = 100;
/// A person's name (legal representative, handler, recipient).
pub const PERSON_NAME: usize = 50;
/// X.509 `commonName` upper bound (RFC 5280 ub-common-name).
pub const COMMON_NAME: usize = 64;
/// Province / city in the certificate subject (RFC 5280 ub-state-name / ub-locality-name
/// are 128; Chinese place names are far shorter).
pub const PLACE: usize = 32;
pub const ADDRESS: usize = 200;
pub const INVOICE_TITLE: usize = 100;
/// RFC 5321 path limit.
pub const EMAIL: usize = 254;
pub const COURIER: usize = 32;
pub const TRACKING_NUMBER: usize = 64;
/// One review (rejection) reason, and how many one rejection may carry.
pub const REASON: usize = 500;
pub const REASONS: usize = 20;
/// Agreements one application may accept.
pub const AGREEMENTS: usize = 8;
/// Identifiers the client echoes back: application, captcha, payment, challenge ids,
/// certificate and card serials, channel ids.
pub const IDENTIFIER: usize = 64;
/// Typed codes and secrets: captcha answers, one-time codes, card passwords.
pub const CODE: usize = 64;
/// Identity numbers (USCC, organisation code, resident ID, phone, bank card) before
/// their own format check.
pub const IDENTITY_NUMBER: usize = 32;
/// A PEM certificate request or a base64 signature.
pub const PEM: usize = 16 * 1024;
/// Registry status words (`active`, `deregistered`).
pub const STATUS_WORD: usize = 32;
/// Any JSON request body.
pub const JSON_BODY_BYTES: usize = 64 * 1024;
