//! Documents, face checks, the authorisation and the application signature.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use certdesk_ca_api::application::{FaceCheckStatus, FaceMethod, Person};
use certdesk_ca_api::channel::DocumentKind;

/// The largest document the CA accepts (5 MiB); the UI refuses bigger files before
/// sending them, and the shell refuses them again.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// A document the CA holds for an order (its content stays at the CA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentMeta {
    pub id: String,
    pub kind: DocumentKind,
    pub content_type: String,
    pub size: u64,
    pub uploaded_at: String,
}

/// A file the applicant picked or dropped, as the webview read it. Base64 because the
/// IPC carries JSON: a 5 MiB file as a JSON array of numbers took seconds to cross.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FileUpload {
    pub file_name: String,
    pub content_base64: String,
}

/// Only the encoded length: the content is a scan of an identity document.
impl std::fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUpload")
            .field("encoded_len", &self.content_base64.len())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentUpload {
    pub draft_id: String,
    pub kind: DocumentKind,
    pub file: FileUpload,
    /// A small JPEG or PNG `data:` URL the window made from an image, kept with the draft
    /// so the upload can be recognised later; anything else is dropped.
    #[serde(default)]
    #[ts(optional)]
    pub thumbnail: Option<String>,
}

/// Neither the content nor the thumbnail: both show an identity document.
impl std::fmt::Debug for DocumentUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentUpload")
            .field("draft_id", &self.draft_id)
            .field("kind", &self.kind)
            .field("file", &self.file)
            .field("thumbnail", &self.thumbnail.as_ref().map(String::len))
            .finish()
    }
}

/// An upload's thumbnail, by the CA's document id.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct DocumentThumbnail {
    pub document_id: String,
    pub data_url: String,
}

impl std::fmt::Debug for DocumentThumbnail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentThumbnail")
            .field("document_id", &self.document_id)
            .finish_non_exhaustive()
    }
}

/// One value read from a business licence, for the applicant to accept or ignore.
/// `field` is the enterprise form's path (`enterprise.uscc`, `enterprise.name`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OcrSuggestion {
    pub field: String,
    pub value: String,
    /// For the USCC: its check character is right. Wrong ones are offered, flagged.
    pub valid: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OcrSuggestions {
    /// False when the CA's recognition is not available; typing by hand always works.
    pub available: bool,
    pub suggestions: Vec<OcrSuggestion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FaceCheckRequest {
    pub draft_id: String,
    pub person: Person,
    pub method: FaceMethod,
}

/// A face check and where the person completes it (the on-site page's address).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FaceCheckView {
    pub id: String,
    pub person: Person,
    pub method: FaceMethod,
    pub status: FaceCheckStatus,
    pub url: String,
    /// The same address as a QR code (an SVG `data:` URL), for a phone to scan on site.
    #[serde(default)]
    pub qr: Option<String>,
}

/// The online letter of authorisation: the signing link went to the legal
/// representative by SMS; the order's authorisation step turns done once signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuthorisationSent {
    pub id: String,
}

/// 证书申请签名: the handler's SMS code and the agreement consent. `Debug` hides the code.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SignatureRequest {
    pub draft_id: String,
    pub code: String,
    pub consent: bool,
}

impl std::fmt::Debug for SignatureRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureRequest")
            .field("consent", &self.consent)
            .finish_non_exhaustive()
    }
}
