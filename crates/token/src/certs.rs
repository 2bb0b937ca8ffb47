//! Certificates on the token: write leaf + chain paired with the key (CKA_ID, label,
//! subject) after checking the public key matches; list with pairing state; delete;
//! orphans.

use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::BasicConstraints;

use crate::error::{Result, TokenError};
use crate::keys;
use crate::pubkey;
use crate::worker::{TokenRef, TokenService, Worker};

mod write;
pub use write::CertWritten;
pub(crate) use write::write;

/// A certificate on the token with its pairing state.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CertSummary {
    pub id: String,
    pub label: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    /// Seconds since the Unix epoch, for countdowns.
    pub not_after_unix: u64,
    pub is_ca: bool,
    pub key_algorithm: String,
    /// A public-key object with the same CKA_ID exists.
    pub has_public_key: bool,
    /// A private key with the same CKA_ID exists; `None` when not logged in (private
    /// keys are invisible then).
    pub has_private_key: Option<bool>,
    pub der: Vec<u8>,
}

/// A key on the token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeySummary {
    pub id: String,
    pub label: String,
    pub private: bool,
    pub has_certificate: bool,
}

/// Objects that are not part of a key ↔ certificate pair.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Orphans {
    pub keys_without_certificate: Vec<KeySummary>,
    pub certificates_without_key: Vec<CertSummary>,
}

pub(crate) fn parse(der: &[u8]) -> Result<Certificate> {
    Certificate::from_der(der).map_err(|e| TokenError::BadCertificate {
        detail: e.to_string(),
    })
}

fn is_ca(cert: &Certificate) -> bool {
    matches!(cert.tbs_certificate().get_extension::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca)
}

/// One byte-string attribute; empty when absent or unreadable (a damaged object must
/// not fail a listing), an error only when the token is gone.
pub(crate) fn attr_bytes(session: &Session, h: ObjectHandle, t: AttributeType) -> Result<Vec<u8>> {
    let attrs = match session.get_attributes(h, &[t]) {
        Ok(a) => a,
        Err(e) => match TokenError::from(e) {
            TokenError::TokenRemoved => return Err(TokenError::TokenRemoved),
            _ => return Ok(Vec::new()),
        },
    };
    for a in attrs {
        match a {
            Attribute::Id(v) | Attribute::Label(v) | Attribute::Value(v) => return Ok(v),
            _ => {}
        }
    }
    Ok(Vec::new())
}

/// (handle, CKA_ID, CKA_LABEL, CKA_VALUE) of a certificate object.
type CertObject = (ObjectHandle, Vec<u8>, Vec<u8>, Vec<u8>);

fn cert_objects(session: &Session) -> Result<Vec<CertObject>> {
    let mut out = Vec::new();
    for h in session.find_objects(&[
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
    ])? {
        let id = attr_bytes(session, h, AttributeType::Id)?;
        let label = attr_bytes(session, h, AttributeType::Label)?;
        let value = attr_bytes(session, h, AttributeType::Value)?;
        out.push((h, id, label, value));
    }
    Ok(out)
}

fn ids_of(session: &Session, class: ObjectClass) -> Result<Vec<(ObjectHandle, Vec<u8>, String)>> {
    let mut out = Vec::new();
    for h in session.find_objects(&[Attribute::Class(class)])? {
        let id = attr_bytes(session, h, AttributeType::Id)?;
        let label =
            String::from_utf8_lossy(&attr_bytes(session, h, AttributeType::Label)?).into_owned();
        out.push((h, id, label));
    }
    Ok(out)
}

pub(crate) fn list(w: &mut Worker, token: &TokenRef) -> Result<Vec<CertSummary>> {
    let s = w.session(token)?;
    let logged_in = s.logged_in;
    let session = &s.session;
    let pubs = ids_of(session, ObjectClass::PUBLIC_KEY)?;
    let privs = if logged_in {
        Some(ids_of(session, ObjectClass::PRIVATE_KEY)?)
    } else {
        None
    };
    let mut out = Vec::new();
    for (_, id, label, value) in cert_objects(session)? {
        // A half-written certificate object is reported by `inventory` as damaged; it
        // must not make the token's other certificates unlistable.
        let Ok(cert) = parse(&value) else {
            continue;
        };
        let tbs = cert.tbs_certificate();
        let v = tbs.validity();
        out.push(CertSummary {
            has_public_key: pubs.iter().any(|(_, i, _)| *i == id),
            has_private_key: privs.as_ref().map(|p| p.iter().any(|(_, i, _)| *i == id)),
            id: hex::encode(&id),
            label: String::from_utf8_lossy(&label).into_owned(),
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            serial: hex::encode(tbs.serial_number().as_bytes()),
            not_before: v.not_before.to_string(),
            not_after: v.not_after.to_string(),
            not_after_unix: v.not_after.to_unix_duration().as_secs(),
            is_ca: is_ca(&cert),
            key_algorithm: key_alg_name(tbs.subject_public_key_info()),
            der: value,
        });
    }
    Ok(out)
}

fn key_alg_name(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> String {
    if spki.algorithm.oid == pubkey::OID_RSA {
        let bits = spki
            .to_der()
            .ok()
            .and_then(|d| {
                <rsa::RsaPublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_der(&d).ok()
            })
            .ok_or(())
            .map(|k| rsa::traits::PublicKeyParts::size(&k) * 8)
            .unwrap_or(0);
        return format!("RSA-{bits}");
    }
    match spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
    {
        Some(c) if c == pubkey::OID_P256 => "EC P-256".into(),
        Some(c) if c == pubkey::OID_SM2 => "SM2".into(),
        Some(c) => format!("EC {c}"),
        None => spki.algorithm.oid.to_string(),
    }
}

pub(crate) fn keys(w: &mut Worker, token: &TokenRef) -> Result<Vec<KeySummary>> {
    let session = w.user_session(token)?;
    // Only readable certificates with an id pair with a key (an empty certificate object
    // has no id, like a damaged key).
    let certs: Vec<Vec<u8>> = cert_objects(session)?
        .into_iter()
        .filter(|(_, id, _, v)| !id.is_empty() && parse(v).is_ok())
        .map(|(_, id, _, _)| id)
        .collect();
    let mut out = Vec::new();
    for (class, private) in [
        (ObjectClass::PRIVATE_KEY, true),
        (ObjectClass::PUBLIC_KEY, false),
    ] {
        for (_, id, label) in ids_of(session, class)? {
            out.push(KeySummary {
                has_certificate: certs.contains(&id),
                id: hex::encode(id),
                label,
                private,
            });
        }
    }
    Ok(out)
}

pub(crate) fn orphans(w: &mut Worker, token: &TokenRef) -> Result<Orphans> {
    let keys = keys(w, token)?;
    let certs = list(w, token)?;
    Ok(Orphans {
        // A key without id is a damaged object (see `inventory`), repaired on its own.
        keys_without_certificate: keys
            .into_iter()
            .filter(|k| !k.has_certificate && !k.id.is_empty())
            .collect(),
        // CA certificates have no key on the token by design.
        certificates_without_key: certs
            .into_iter()
            .filter(|c| !c.is_ca && c.has_private_key == Some(false))
            .collect(),
    })
}

/// Destroys every object (certificates, public and private keys) with this CKA_ID.
pub(crate) fn delete(w: &mut Worker, token: &TokenRef, id: &[u8]) -> Result<usize> {
    if id.is_empty() {
        // An empty template value would match every object without an id.
        return Err(TokenError::BadInput {
            detail: "an empty key id names no key".into(),
        });
    }
    w.forget_keys(token);
    let session = w.user_session(token)?;
    let mut n = 0;
    for class in [
        ObjectClass::CERTIFICATE,
        ObjectClass::PUBLIC_KEY,
        ObjectClass::PRIVATE_KEY,
    ] {
        for h in session.find_objects(&[Attribute::Class(class), Attribute::Id(id.to_vec())])? {
            session.destroy_object(h)?;
            n += 1;
        }
    }
    Ok(n)
}

impl TokenService {
    /// Writes the leaf certificate (paired with its key) and its chain (requires login).
    pub async fn write_certificate(
        &self,
        token: TokenRef,
        leaf_der: Vec<u8>,
        chain_der: Vec<Vec<u8>>,
    ) -> Result<CertWritten> {
        self.call(move |w| write(w, &token, &leaf_der, &chain_der))
            .await
    }

    /// Certificates on the token. Works without login; pairing with private keys is
    /// then reported as unknown.
    pub async fn list_certificates(&self, token: TokenRef) -> Result<Vec<CertSummary>> {
        self.call(move |w| list(w, &token)).await
    }

    /// Keys on the token (requires login).
    pub async fn list_keys(&self, token: TokenRef) -> Result<Vec<KeySummary>> {
        self.call(move |w| keys(w, &token)).await
    }

    /// Keys without certificate and certificates without key (requires login).
    pub async fn find_orphans(&self, token: TokenRef) -> Result<Orphans> {
        self.call(move |w| orphans(w, &token)).await
    }

    /// Deletes the orphans found by [`Self::find_orphans`]; returns objects destroyed.
    pub async fn clean_orphans(&self, token: TokenRef) -> Result<usize> {
        self.call(move |w| {
            let o = orphans(w, &token)?;
            let mut ids: Vec<String> = o
                .keys_without_certificate
                .into_iter()
                .map(|k| k.id)
                .collect();
            ids.extend(o.certificates_without_key.into_iter().map(|c| c.id));
            ids.sort();
            ids.dedup();
            let mut n = 0;
            for id in ids {
                n += delete(w, &token, &keys::parse_id(&id)?)?;
            }
            Ok(n)
        })
        .await
    }

    /// Deletes the key pair and certificate with this CKA_ID (hex); returns objects destroyed.
    pub async fn delete_by_id(&self, token: TokenRef, id: String) -> Result<usize> {
        self.call(move |w| delete(w, &token, &keys::parse_id(&id)?))
            .await
    }
}
