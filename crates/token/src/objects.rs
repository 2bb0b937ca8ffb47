//! Every object on the token as far as it can be read, whole or damaged.
//!
//! A token pulled in the middle of a write (SoftHSM2's file store, a real token's flash)
//! can leave a half-made object: a private key without `CKA_ID`, a certificate object
//! without a value. Listing must survive such objects, so each object is read
//! attribute by attribute and what is missing is reported as [`Damage`], never as a
//! failure of the whole token. A [`TokenObject::fingerprint`] (stable across processes,
//! unlike handles) lets a transaction record what was on the token before a write and
//! tell afterwards which objects are new.

use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::Decode;
use sha2::Digest as _;

use crate::error::{Result, TokenError};
use crate::worker::{TokenRef, TokenService, Worker};

/// The object classes CertDesk looks at (an empty search template would also return
/// Kryoptic's mechanism objects).
const CLASSES: [(ObjectClass, ObjectKind); 5] = [
    (ObjectClass::CERTIFICATE, ObjectKind::Certificate),
    (ObjectClass::PUBLIC_KEY, ObjectKind::PublicKey),
    (ObjectClass::PRIVATE_KEY, ObjectKind::PrivateKey),
    (ObjectClass::SECRET_KEY, ObjectKind::SecretKey),
    (ObjectClass::DATA, ObjectKind::Data),
];

/// The class of an object, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Certificate,
    PublicKey,
    PrivateKey,
    SecretKey,
    Data,
}

/// What is wrong with an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Damage {
    /// A certificate object without a value: a write cut short.
    EmptyCertificate,
    /// A certificate whose value is not a readable X.509 certificate.
    UnreadableCertificate,
    /// A key without `CKA_ID`: no certificate can ever be paired with it.
    KeyWithoutId,
    /// The module could not read the object's attributes at all.
    Unreadable,
}

/// One object with what could be read of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenObject {
    /// The module's handle: valid in this process only (modules renumber them).
    pub handle: u64,
    pub kind: ObjectKind,
    /// `CKA_ID`, hex; empty when absent.
    pub id: String,
    /// `CKA_LABEL`; empty when absent.
    pub label: String,
    /// SHA-256 (hex) of class, id, label and the public content (certificate value,
    /// public key material); never of secret material. Equal objects have equal
    /// fingerprints in every process.
    pub fingerprint: String,
    pub damage: Option<Damage>,
}

/// Every object of the token that the session can see (private keys only when logged
/// in: `logged_in` says whether they were included).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inventory {
    pub logged_in: bool,
    pub objects: Vec<TokenObject>,
}

impl Inventory {
    /// The damaged objects only.
    pub fn damaged(&self) -> impl Iterator<Item = &TokenObject> {
        self.objects.iter().filter(|o| o.damage.is_some())
    }

    /// The fingerprints, sorted: what a transaction records before a write.
    pub fn fingerprints(&self) -> Vec<String> {
        let mut v: Vec<String> = self.objects.iter().map(|o| o.fingerprint.clone()).collect();
        v.sort();
        v
    }
}

/// Reads attributes; a failure other than the token being gone reads as "nothing".
fn read(session: &Session, h: ObjectHandle, types: &[AttributeType]) -> Result<Vec<Attribute>> {
    match session.get_attributes(h, types) {
        Ok(v) => Ok(v),
        Err(e) => match TokenError::from(e) {
            TokenError::TokenRemoved => Err(TokenError::TokenRemoved),
            _ => Ok(Vec::new()),
        },
    }
}

fn bytes_of(attrs: &[Attribute], t: AttributeType) -> Option<&[u8]> {
    attrs.iter().find_map(|a| match (a, t) {
        (Attribute::Id(v), AttributeType::Id)
        | (Attribute::Label(v), AttributeType::Label)
        | (Attribute::Value(v), AttributeType::Value)
        | (Attribute::Modulus(v), AttributeType::Modulus)
        | (Attribute::PublicExponent(v), AttributeType::PublicExponent)
        | (Attribute::EcPoint(v), AttributeType::EcPoint)
        | (Attribute::EcParams(v), AttributeType::EcParams) => Some(v.as_slice()),
        _ => None,
    })
}

/// Reads one object of a known class.
pub(crate) fn describe(
    session: &Session,
    h: ObjectHandle,
    kind: ObjectKind,
) -> Result<TokenObject> {
    let base = read(
        session,
        h,
        &[
            AttributeType::Id,
            AttributeType::Label,
            AttributeType::KeyType,
            AttributeType::CertificateType,
        ],
    )?;
    // Public content only: a certificate's value, a key's public material. Never
    // CKA_VALUE of a key (secret even when a damaged key says it is not sensitive).
    let content_types: &[AttributeType] = match kind {
        ObjectKind::Certificate => &[AttributeType::Value],
        ObjectKind::PublicKey | ObjectKind::PrivateKey => &[
            AttributeType::Modulus,
            AttributeType::PublicExponent,
            AttributeType::EcPoint,
            AttributeType::EcParams,
        ],
        ObjectKind::SecretKey | ObjectKind::Data => &[],
    };
    let content = read(session, h, content_types)?;
    let id = bytes_of(&base, AttributeType::Id).unwrap_or_default();
    let label = bytes_of(&base, AttributeType::Label).unwrap_or_default();
    let mut hash = sha2::Sha256::new();
    hash.update(format!("{kind:?}").as_bytes());
    for part in [id, label] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    for t in content_types {
        let v = bytes_of(&content, *t).unwrap_or_default();
        hash.update((v.len() as u64).to_be_bytes());
        hash.update(v);
    }
    let damage = if base.is_empty() {
        Some(Damage::Unreadable)
    } else {
        match kind {
            ObjectKind::Certificate => {
                certificate_damage(&base, bytes_of(&content, AttributeType::Value))
            }
            ObjectKind::PublicKey | ObjectKind::PrivateKey if id.is_empty() => {
                Some(Damage::KeyWithoutId)
            }
            _ => None,
        }
    };
    Ok(TokenObject {
        handle: h.handle(),
        kind,
        id: hex::encode(id),
        label: String::from_utf8_lossy(label).into_owned(),
        fingerprint: hex::encode(hash.finalize()),
        damage,
    })
}

fn certificate_damage(base: &[Attribute], value: Option<&[u8]>) -> Option<Damage> {
    let x509 = base
        .iter()
        .any(|a| matches!(a, Attribute::CertificateType(t) if *t == CertificateType::X_509));
    let typed = base
        .iter()
        .any(|a| matches!(a, Attribute::CertificateType(_)));
    if typed && !x509 {
        // WTLS or attribute certificates: not ours to judge.
        return None;
    }
    match value {
        None | Some([]) => Some(Damage::EmptyCertificate),
        Some(v) if x509_cert::Certificate::from_der(v).is_err() => {
            Some(Damage::UnreadableCertificate)
        }
        Some(_) => None,
    }
}

pub(crate) fn inventory(w: &mut Worker, token: &TokenRef) -> Result<Inventory> {
    let s = w.session(token)?;
    let mut objects = Vec::new();
    for (class, kind) in CLASSES {
        for h in s.session.find_objects(&[Attribute::Class(class)])? {
            objects.push(describe(&s.session, h, kind)?);
        }
    }
    Ok(Inventory {
        logged_in: s.logged_in,
        objects,
    })
}

/// Destroys the objects given, each only if the object at its handle still has the
/// same fingerprint (handles are reused once an object is gone). Requires login for
/// private objects. Returns how many were destroyed.
pub(crate) fn destroy(w: &mut Worker, token: &TokenRef, objects: &[TokenObject]) -> Result<usize> {
    w.forget_keys(token);
    let session = w.user_session(token)?;
    let mut n = 0;
    for o in objects {
        let h = crate::modules::recorded_handle(o.handle);
        let Ok(now) = describe(session, h, o.kind) else {
            continue;
        };
        if now.fingerprint != o.fingerprint {
            continue;
        }
        match session.destroy_object(h) {
            Ok(()) => n += 1,
            Err(e) => match TokenError::from(e) {
                TokenError::TokenRemoved => return Err(TokenError::TokenRemoved),
                other => tracing::warn!(error = %other, "could not destroy a token object"),
            },
        }
    }
    Ok(n)
}

impl TokenService {
    /// Every object the session can see, damaged ones included (log in first to see
    /// private keys).
    pub async fn inventory(&self, token: TokenRef) -> Result<Inventory> {
        self.call(move |w| inventory(w, &token)).await
    }

    /// Destroys exactly these objects (from [`Self::inventory`] in this process), each
    /// only while it is unchanged (requires login). Returns how many were destroyed.
    pub async fn destroy_objects(
        &self,
        token: TokenRef,
        objects: Vec<TokenObject>,
    ) -> Result<usize> {
        self.call(move |w| destroy(w, &token, &objects)).await
    }
}
