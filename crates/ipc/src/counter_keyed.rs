//! A new case keyed at the counter (issue 13 item 3b): the requests of the keyed form,
//! its inline checks, the counter's scans and the signature on the printed form.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AcceptedAgreement, DocumentKind, FileUpload};

/// A new application keyed at the counter. Debug shows the field paths only (the values
/// hold identity numbers).
#[derive(Clone, PartialEq, Deserialize, TS)]
pub struct CaseKeyRequest {
    pub channel_id: String,
    /// The channel's agreements the applicant accepted (signed on paper at the counter).
    pub accepted_agreements: Vec<AcceptedAgreement>,
    /// The form's values by field path (`enterprise.uscc`), the online forms' paths.
    pub values: BTreeMap<String, String>,
    /// Made by the UI once per keying and sent again on a retry.
    pub idempotency_key: String,
}

impl std::fmt::Debug for CaseKeyRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseKeyRequest")
            .field("channel_id", &self.channel_id)
            .field("fields", &self.values.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// One keyed field as typed, for its inline check.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct CaseKeyField {
    pub field: String,
    pub value: String,
}

/// A scan taken at the counter for a case (an identity copy; on a keyed case also the
/// licence, the letter of authorisation, the signed application form).
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct CaseScanUpload {
    pub case_id: String,
    pub kind: DocumentKind,
    pub file: FileUpload,
}

/// The application signature at the counter: the scan of the form the applicant signed
/// in front of the clerk, and the clerk's attestation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseSignRequest {
    pub case_id: String,
    pub form_document_id: String,
    pub attested: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyed_request_never_prints_its_values() {
        let r = CaseKeyRequest {
            channel_id: "sandbox-p256".into(),
            accepted_agreements: Vec::new(),
            values: [(
                "handler.id_number".to_owned(),
                "110101199003070011".to_owned(),
            )]
            .into(),
            idempotency_key: "k".into(),
        };
        let shown = format!("{r:?}");
        assert!(shown.contains("handler.id_number"));
        assert!(!shown.contains("1101011990"));
    }
}
