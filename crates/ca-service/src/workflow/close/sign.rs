//! Explaining, signing and reading a daily close, and checking a stored one.

use certdesk_ca_api::close::{
    CloseCorrection, CloseDocument, CloseExplanation, CloseSignature, CloseStatus, DailyClose,
    SignClose,
};
use certdesk_ca_api::{FieldError, Problem, ProblemCode};
use der::DecodePem;
use rusqlite::Connection;

use super::{live, sha256_hex, signed_bytes};
use crate::audit::{Action, NewEntry};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::OperatorAuth;
use crate::store::closes::{self as store, CloseRow};
use crate::store::{audit, certs, operators as ops};

/// `document` with the supervisor's explanations, each difference's own. Unknown ids
/// and blank texts are field errors; a difference left unexplained refuses the whole
/// (422 `differences_unexplained`, a field error per difference).
pub fn explained(
    mut document: CloseDocument,
    explanations: &[CloseExplanation],
) -> ApiResult<CloseDocument> {
    let mut errors = Vec::new();
    for (i, e) in explanations.iter().enumerate() {
        let field = format!("explanations[{i}].text");
        let text = e.text.trim();
        match document
            .differences
            .iter_mut()
            .find(|d| d.id == e.difference_id)
        {
            None => errors.push(FieldError::new(
                &format!("explanations[{i}].difference_id"),
                "unknown",
                "没有这项差异",
                "no such difference",
            )),
            Some(_) if text.is_empty() => errors.push(FieldError::new(
                &field,
                "required",
                "请填写差异说明",
                "an explanation is required",
            )),
            Some(d) => d.explanation = Some(text.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let missing: Vec<FieldError> = document
        .differences
        .iter()
        .filter(|d| d.explanation.is_none())
        .map(|d| {
            FieldError::new(
                &format!("explanations.{}", d.id),
                "required",
                "请说明这项差异",
                "explain this difference",
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::problem(
            Problem::new(ProblemCode::DifferencesUnexplained).field_errors(missing),
        ));
    }
    Ok(document)
}

/// The explained document's JSON: what is signed (after the prefix) and kept.
pub fn document_json(
    conn: &Connection,
    (ca, point, day): (&str, &str, &str),
    explanations: &[CloseExplanation],
    now: i64,
) -> ApiResult<String> {
    let doc = explained(live(conn, ca, point, day, now)?, explanations)?;
    Ok(serde_json::to_string(&doc)?)
}

/// Checks the signature and keeps the close; 409 `already_exists` for a signed day.
pub fn sign(
    conn: &Connection,
    (ca, day): (&str, &str),
    who: &OperatorAuth,
    req: &SignClose,
    (signature, now): (&[u8], i64),
) -> ApiResult<CloseRow> {
    let point = who.operator.point_id.as_str();
    if store::get(conn, point, day)?.is_some() {
        return Err(ApiError::detail(
            ProblemCode::AlreadyExists,
            "the day is closed: add a correction instead",
        ));
    }
    // The certificate the supervisor signed in with, and no other.
    let serial = req.certificate_serial.trim().to_ascii_lowercase();
    if serial != who.certificate_serial {
        return Err(ApiError::code(ProblemCode::OperatorCertificateInvalid));
    }
    let document = document_json(conn, (ca, point, day), &req.explanations, now)?;
    if sha256_hex(document.as_bytes()) != req.document_sha256.trim() {
        return Err(ApiError::detail(
            ProblemCode::PreconditionFailed,
            "the day changed since to-sign: get the bytes to sign again",
        ));
    }
    let row = CloseRow {
        point_id: point.to_string(),
        day: day.to_string(),
        document_sha256: sha256_hex(document.as_bytes()),
        document,
        signature: signature.to_vec(),
        signed_by: who.operator.id.clone(),
        certificate_serial: serial.clone(),
        signed_at: now,
    };
    verify(conn, &row).map_err(|_| ApiError::code(ProblemCode::BadSignature))?;
    if !store::insert(conn, &row)? {
        return Err(ApiError::code(ProblemCode::AlreadyExists));
    }
    let entry = NewEntry::new(who.actor(), Action::CloseSign)
        .point(Some(point))
        .certificate(&serial)
        .detail("day", day)
        .detail("document_sha256", row.document_sha256.as_str());
    audit::append(conn, now, &entry)?;
    Ok(row)
}

/// Why a stored close does not hold: its signature, its hash, or what it names.
pub fn verify(conn: &Connection, row: &CloseRow) -> Result<(), String> {
    if sha256_hex(row.document.as_bytes()) != row.document_sha256 {
        return Err("the document does not match its stored hash".into());
    }
    let doc: CloseDocument =
        serde_json::from_str(&row.document).map_err(|e| format!("unreadable document: {e}"))?;
    if doc.point_id != row.point_id || doc.day != row.day {
        return Err("the document names another point or day".into());
    }
    let cert = certs::get(conn, &row.certificate_serial)
        .map_err(|e| e.to_string())?
        .ok_or("unknown signing certificate")?;
    let op = ops::operator_of_application(conn, &cert.application_id)
        .map_err(|e| e.to_string())?
        .ok_or("the signing certificate is no operator's")?;
    if op.id != row.signed_by || op.point_id != row.point_id {
        return Err("the signing certificate is not the signer's at this point".into());
    }
    let parsed =
        x509_cert::Certificate::from_pem(cert.pem.as_bytes()).map_err(|e| e.to_string())?;
    if !crate::pki::csr::verify_possession(
        parsed.tbs_certificate().subject_public_key_info(),
        &signed_bytes(&row.document),
        &row.signature,
    ) {
        return Err("the signature does not verify over the stored document".into());
    }
    Ok(())
}

/// The day as the supervisor sees it: the signed close, or the live figures.
pub fn wire(
    conn: &Connection,
    ca: &str,
    point: &str,
    day: &str,
    now: i64,
) -> ApiResult<DailyClose> {
    let Some(row) = store::get(conn, point, day)? else {
        return Ok(DailyClose {
            status: CloseStatus::Open,
            document: live(conn, ca, point, day, now)?,
            signature: None,
            corrections: Vec::new(),
        });
    };
    let document: CloseDocument = serde_json::from_str(&row.document)?;
    let operator_name = ops::get_operator(conn, &row.signed_by)?
        .map(|o| o.name)
        .unwrap_or_default();
    let corrections = store::corrections(conn, point, day)?
        .into_iter()
        .map(|c| CloseCorrection {
            seq: c.seq,
            operator_id: c.operator_id,
            text: c.text,
            at: rfc3339(c.at),
        })
        .collect();
    Ok(DailyClose {
        status: CloseStatus::Signed,
        document,
        signature: Some(CloseSignature {
            operator_id: row.signed_by,
            operator_name,
            certificate_serial: row.certificate_serial,
            signed_at: rfc3339(row.signed_at),
            document_sha256: row.document_sha256,
            signature_sha256: sha256_hex(&row.signature),
        }),
        corrections,
    })
}

/// A correction of a signed close: a new row and audit entry; the close is unchanged.
pub fn correct(
    conn: &Connection,
    who: &OperatorAuth,
    day: &str,
    text: &str,
    now: i64,
) -> ApiResult<()> {
    let point = who.operator.point_id.as_str();
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::fields(vec![FieldError::new(
            "text",
            "required",
            "请填写更正说明",
            "the correction's text is required",
        )]));
    }
    if store::get(conn, point, day)?.is_none() {
        return Err(ApiError::invalid_state("only a signed close is corrected"));
    }
    let seq = store::add_correction(conn, (point, day), text, &who.operator.id, now)?;
    let entry = NewEntry::new(who.actor(), Action::CloseCorrect)
        .point(Some(point))
        .detail("day", day)
        .detail("correction", seq.to_string());
    audit::append(conn, now, &entry)?;
    Ok(())
}
