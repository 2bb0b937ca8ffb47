//! Writing a leaf certificate paired with its key (`CKA_ID`, label, subject) after
//! checking the public key matches, and its chain.
//!
//! For a key pair generated in this session the key is reached through its remembered
//! handles (see [`crate::known`]) and, on a first write, no search for an identical
//! certificate is made: the leaf carries the new public key, so only this process could
//! have written it. The subject is set on the keys only when it differs from the one
//! the generation template gave them.

use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::Encode;
use x509_cert::Certificate;

use super::{attr_bytes, parse};
use crate::error::{Result, TokenError};
use crate::keys;
use crate::pubkey;
use crate::worker::{OpenSession, TokenRef, Worker};

/// Outcome of writing a certificate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CertWritten {
    pub id: String,
    pub label: String,
    /// Chain certificates written (already present ones are skipped).
    pub chain_written: usize,
    /// False when the identical certificate was already on the token.
    pub leaf_written: bool,
}

/// The key pair a certificate goes with, as found on the token.
struct Pair {
    public: ObjectHandle,
    private: ObjectHandle,
    label: String,
    /// `CKA_SUBJECT` of the private and the public key now.
    subjects: [Vec<u8>; 2],
    /// Whether an identical certificate may already be on the token.
    search: bool,
}

fn cert_template(cert: &Certificate, der: &[u8], id: &[u8], label: &str) -> Result<Vec<Attribute>> {
    let tbs = cert.tbs_certificate();
    Ok(vec![
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Modifiable(true),
        Attribute::Id(id.to_vec()),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Subject(tbs.subject().to_der()?),
        Attribute::Issuer(tbs.issuer().to_der()?),
        Attribute::SerialNumber(tbs.serial_number().to_der()?),
        Attribute::Value(der.to_vec()),
    ])
}

/// `CKA_ID` and `CKA_SUBJECT` of a key object; `None` when the handle no longer names
/// a readable object.
fn id_and_subject(session: &Session, h: ObjectHandle) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let attrs = match session.get_attributes(h, &[AttributeType::Id, AttributeType::Subject]) {
        Ok(a) => a,
        Err(e) => {
            return match TokenError::from(e) {
                TokenError::TokenRemoved => Err(TokenError::TokenRemoved),
                _ => Ok(None),
            };
        }
    };
    let (mut id, mut subject) = (None, Vec::new());
    for a in attrs {
        match a {
            Attribute::Id(v) => id = Some(v),
            Attribute::Subject(v) => subject = v,
            _ => {}
        }
    }
    Ok(id.map(|id| (id, subject)))
}

/// The pair through the handles remembered at key generation, when it has the
/// certificate's public key and the handles still name objects with this id.
fn remembered(s: &mut OpenSession, id: &[u8], spki_der: &[u8]) -> Result<Option<Pair>> {
    let OpenSession { session, keys, .. } = s;
    let Some(k) = keys.get_mut(id) else {
        return Ok(None);
    };
    if k.spki.to_der()? != spki_der {
        return Ok(None);
    }
    let (Some((pid, psub)), Some((uid, usub))) = (
        id_and_subject(session, k.private)?,
        id_and_subject(session, k.public)?,
    ) else {
        keys.remove(id);
        return Ok(None);
    };
    if pid != id || uid != id {
        keys.remove(id);
        return Ok(None);
    }
    let search = k.write_begun;
    // Marked before the write: a write that fails half-way is searched for next time.
    k.write_begun = true;
    Ok(Some(Pair {
        public: k.public,
        private: k.private,
        label: k.label.clone(),
        subjects: [psub, usub],
        search,
    }))
}

/// The pair by searching the token for the id, with the public keys compared: an id
/// match alone proves nothing.
fn searched(session: &Session, id: &[u8], spki_der: &[u8]) -> Result<Pair> {
    let public =
        keys::find(session, ObjectClass::PUBLIC_KEY, id)?.ok_or(TokenError::KeyMismatch)?;
    if pubkey::read_spki(session, public)?.to_der()? != spki_der {
        return Err(TokenError::KeyMismatch);
    }
    let private = keys::find_private(session, id)?;
    let label =
        String::from_utf8_lossy(&attr_bytes(session, private, AttributeType::Label)?).into_owned();
    let subjects = [
        attr_bytes(session, private, AttributeType::Subject)?,
        attr_bytes(session, public, AttributeType::Subject)?,
    ];
    Ok(Pair {
        public,
        private,
        label,
        subjects,
        search: true,
    })
}

/// Whether a certificate object with exactly this value is on the token.
fn on_token(session: &Session, der: &[u8]) -> Result<bool> {
    Ok(!session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Value(der.to_vec()),
        ])?
        .is_empty())
}

pub(crate) fn write(
    w: &mut Worker,
    token: &TokenRef,
    leaf: &[u8],
    chain: &[Vec<u8>],
) -> Result<CertWritten> {
    let cert = parse(leaf)?;
    let spki_der = cert.tbs_certificate().subject_public_key_info().to_der()?;
    let id = pubkey::key_id(cert.tbs_certificate().subject_public_key_info());
    let subject = cert.tbs_certificate().subject().to_der()?;
    let s = w.logged_in(token)?;
    let pair = match remembered(s, &id, &spki_der)? {
        Some(p) => p,
        None => searched(&s.session, &id, &spki_der)?,
    };
    let session = &s.session;
    let leaf_written = !(pair.search && on_token(session, leaf)?);
    if leaf_written {
        session.create_object(&cert_template(&cert, leaf, &id, &pair.label)?)?;
        crate::fault::point("write-certificate:leaf-created");
    }
    // Pairing by subject too, as some middleware matches keys to certificates that way;
    // set whenever it differs, so a write cut short is finished on resume.
    let [private_subject, public_subject] = &pair.subjects;
    if *private_subject != subject {
        session.update_attributes(pair.private, &[Attribute::Subject(subject.clone())])?;
    }
    crate::fault::point("write-certificate:private-subject");
    if *public_subject != subject {
        session.update_attributes(pair.public, &[Attribute::Subject(subject)])?;
    }
    crate::fault::point("write-certificate:public-subject");
    let mut chain_written = 0;
    for der in chain {
        if on_token(session, der)? {
            continue;
        }
        let c = parse(der)?;
        let cid = pubkey::key_id(c.tbs_certificate().subject_public_key_info());
        let clabel = format!("CA: {}", c.tbs_certificate().subject());
        session.create_object(&cert_template(&c, der, &cid, &clabel)?)?;
        chain_written += 1;
        crate::fault::point(&format!("write-certificate:chain-{chain_written}"));
    }
    Ok(CertWritten {
        id: hex::encode(id),
        label: pair.label,
        chain_written,
        leaf_written,
    })
}
