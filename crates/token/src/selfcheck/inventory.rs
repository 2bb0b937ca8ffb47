//! Every object on a token as a comparable fingerprint, so a check can prove it left the
//! token as it found it. Reads each attribute on its own: a half-written or sensitive
//! object answers some and refuses others, and is still counted.

use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use sha2::Digest as _;

use crate::error::Result;
use crate::worker::{TokenRef, Worker};

/// One object as seen from outside: class, `CKA_ID`, label and a digest of its value
/// (when readable).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct ObjectPrint {
    pub class: String,
    pub id: String,
    pub label: String,
    pub value_sha256: Option<String>,
}

const CLASSES: [ObjectClass; 5] = [
    ObjectClass::DATA,
    ObjectClass::CERTIFICATE,
    ObjectClass::PUBLIC_KEY,
    ObjectClass::PRIVATE_KEY,
    ObjectClass::SECRET_KEY,
];

fn one(session: &Session, h: ObjectHandle, what: AttributeType) -> Option<Vec<u8>> {
    session
        .get_attributes(h, &[what])
        .ok()?
        .into_iter()
        .find_map(|a| match a {
            Attribute::Id(v) | Attribute::Label(v) | Attribute::Value(v) => Some(v),
            _ => None,
        })
}

/// The token's objects, sorted (requires login to include private objects).
pub(crate) fn take(w: &mut Worker, token: &TokenRef) -> Result<Vec<ObjectPrint>> {
    let session = w.user_session(token)?;
    let mut out = Vec::new();
    // Always by class: some modules (Kryoptic) answer an empty template with their
    // mechanism objects too.
    for class in CLASSES {
        for h in session.find_objects(&[Attribute::Class(class)])? {
            out.push(ObjectPrint {
                class: class.to_string(),
                id: one(session, h, AttributeType::Id)
                    .map(hex::encode)
                    .unwrap_or_default(),
                label: one(session, h, AttributeType::Label)
                    .map(|l| String::from_utf8_lossy(&l).into_owned())
                    .unwrap_or_default(),
                value_sha256: one(session, h, AttributeType::Value)
                    .map(|v| hex::encode(sha2::Sha256::digest(v))),
            });
        }
    }
    out.sort();
    Ok(out)
}

/// Destroys every object whose label starts with `prefix` (what an interrupted check
/// left, recognisable by the label it gives everything it makes).
pub(crate) fn remove_labelled(w: &mut Worker, token: &TokenRef, prefix: &str) -> Result<usize> {
    let session = w.user_session(token)?;
    let mut n = 0;
    for class in CLASSES {
        for h in session.find_objects(&[Attribute::Class(class)])? {
            let ours = one(session, h, AttributeType::Label)
                .is_some_and(|l| l.starts_with(prefix.as_bytes()));
            if ours {
                session.destroy_object(h)?;
                n += 1;
            }
        }
    }
    Ok(n)
}
