//! Key pair generation on the token, key lookup, and signing with token keys.

use cryptoki::mechanism::vendor_defined::VendorDefinedMechanism;
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::Digest as _;
use x509_cert::name::Name;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::error::{Result, TokenError};
use crate::known::KnownKey;
use crate::mechanisms;
use crate::pubkey::{
    self, KeyAlgorithm, OID_ECDSA_SHA256, OID_P256, OID_SHA256_RSA, OID_SM2, OID_SM2_SM3,
};
use crate::template;
use crate::worker::{OpenSession, TokenRef, TokenService, Worker};

/// What the key is for; decides the usage flags, which are all set explicitly because
/// modules (SoftHSM2) otherwise switch on usages nobody asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyPurpose {
    /// Signing only.
    Signing,
    /// Signing key of a dual-certificate channel: may also unwrap the CA's envelope.
    SigningWithEnvelope,
    /// Encryption key (decrypt / unwrap / derive for EC).
    Encryption,
}

/// Request for a key pair.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KeySpec {
    pub algorithm: KeyAlgorithm,
    pub purpose: KeyPurpose,
    pub label: String,
    /// `CKA_SUBJECT` (DER `Name`) of both key objects, put in the generation template:
    /// the subject the certificate is expected to have (a renewal's old certificate's).
    /// The certificate write sets it again only when the issued certificate's differs.
    #[serde(default)]
    pub subject: Option<Vec<u8>>,
}

/// A key pair on the token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyInfo {
    /// `CKA_ID`, hex.
    pub id: String,
    pub label: String,
    pub algorithm: KeyAlgorithm,
    /// SubjectPublicKeyInfo, DER.
    pub spki_der: Vec<u8>,
    /// True for SM2: the vendor mechanisms have not been tried on real hardware.
    pub unverified: bool,
}

pub(crate) fn find(
    session: &Session,
    class: ObjectClass,
    id: &[u8],
) -> Result<Option<ObjectHandle>> {
    Ok(session
        .find_objects(&[Attribute::Class(class), Attribute::Id(id.to_vec())])?
        .into_iter()
        .next())
}

pub(crate) fn find_private(session: &Session, id: &[u8]) -> Result<ObjectHandle> {
    find(session, ObjectClass::PRIVATE_KEY, id)?.ok_or_else(|| TokenError::KeyNotFound {
        id: hex::encode(id),
    })
}

pub(crate) fn parse_id(id: &str) -> Result<Vec<u8>> {
    hex::decode(id).map_err(|_| TokenError::BadInput {
        detail: "key id must be hex".into(),
    })
}

fn generate(
    w: &mut Worker,
    token: &TokenRef,
    spec: &KeySpec,
    tag: Option<Vec<u8>>,
) -> Result<KeyInfo> {
    if tag.as_ref().is_some_and(Vec::is_empty) {
        return Err(TokenError::BadInput {
            detail: "the temporary key id must not be empty".into(),
        });
    }
    // Checked before anything is written: a bad subject must not leave a key behind.
    if let Some(der) = &spec.subject {
        Name::from_der(der).map_err(|e| TokenError::BadInput {
            detail: format!("subject: {e}"),
        })?;
    }
    let keygen_nanos = w.keygen_nanos.clone();
    let (s, available) = w.logged_in_with_mechanisms(token)?;
    let session = &s.session;
    // A temporary id in the generation template (the caller's, journaled before this
    // write, or a random one): a pair cut short before its final id is set still carries
    // it. The real id is derived from the public key afterwards; everything else is in
    // the template, so each object is written whole once and changed once.
    let temp_id = match tag {
        Some(t) => t,
        None => session.generate_random_vec(16)?,
    };
    let t = template::templates(spec, &temp_id, spec.subject.as_deref(), &available)?;
    let started = std::time::Instant::now();
    let generated = session.generate_key_pair(&t.mechanism, &t.public, &t.private);
    crate::worker::add_elapsed(&keygen_nanos, started);
    let (pub_h, priv_h) = generated?;
    crate::fault::point("keygen:generated");
    let spki = pubkey::read_spki(session, pub_h)?;
    let id = pubkey::key_id(&spki);
    session.update_attributes(pub_h, &[Attribute::Id(id.clone())])?;
    crate::fault::point("keygen:public-id");
    session.update_attributes(priv_h, &[Attribute::Id(id.clone())])?;
    let spki_der = spki.to_der()?;
    s.keys.insert(
        id.clone(),
        KnownKey {
            public: pub_h,
            private: priv_h,
            spki,
            label: spec.label.clone(),
            write_begun: false,
        },
    );
    Ok(KeyInfo {
        id: hex::encode(&id),
        label: spec.label.clone(),
        algorithm: spec.algorithm,
        spki_der,
        unverified: t.unverified,
    })
}

/// Public key (SPKI) of the key pair with this id, from its public-key object.
pub(crate) fn public_key(session: &Session, id: &[u8]) -> Result<SubjectPublicKeyInfoOwned> {
    let h = find(session, ObjectClass::PUBLIC_KEY, id)?.ok_or_else(|| TokenError::KeyNotFound {
        id: hex::encode(id),
    })?;
    pubkey::read_spki(session, h)
}

/// DigestInfo prefix for SHA-256 (RFC 8017 9.2), for tokens with only raw `CKM_RSA_PKCS`.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The public key of the key pair `id`: remembered for a key generated in this session,
/// read from the token otherwise.
pub(crate) fn spki_in(s: &OpenSession, id: &[u8]) -> Result<SubjectPublicKeyInfoOwned> {
    match s.keys.get(id) {
        Some(k) => Ok(k.spki.clone()),
        None => public_key(&s.session, id),
    }
}

/// Signs `msg` with the private key `id`, returning the X.509 signature algorithm and
/// the signature in X.509 form (DER `Ecdsa-Sig-Value` for EC).
pub(crate) fn sign(
    w: &mut Worker,
    token: &TokenRef,
    id: &[u8],
    msg: &[u8],
) -> Result<(ObjectIdentifier, Vec<u8>)> {
    let (s, available) = w.logged_in_with_mechanisms(token)?;
    sign_in(s, &available, id, msg)
}

/// As [`sign`], in an open session with the token's mechanism list.
pub(crate) fn sign_in(
    s: &mut OpenSession,
    available: &[u64],
    id: &[u8],
    msg: &[u8],
) -> Result<(ObjectIdentifier, Vec<u8>)> {
    if let Some(k) = s.keys.get(id) {
        let (key, spki) = (k.private, k.spki.clone());
        match sign_with(&s.session, available, key, &spki, msg) {
            Ok(r) => return Ok(r),
            // The remembered handle may be stale (the key deleted by another program):
            // look the key up instead.
            Err(TokenError::TokenRemoved) => return Err(TokenError::TokenRemoved),
            Err(_) => {
                s.keys.remove(id);
            }
        }
    }
    let key = find_private(&s.session, id)?;
    let spki = public_key(&s.session, id)?;
    sign_with(&s.session, available, key, &spki, msg)
}

/// Signs `msg` with the private key `key` whose public key is `spki`.
fn sign_with(
    session: &Session,
    available: &[u64],
    key: ObjectHandle,
    spki: &SubjectPublicKeyInfoOwned,
    msg: &[u8],
) -> Result<(ObjectIdentifier, Vec<u8>)> {
    if spki.algorithm.oid == pubkey::OID_RSA {
        if available.contains(&cryptoki_sys::CKM_SHA256_RSA_PKCS) {
            return Ok((
                OID_SHA256_RSA,
                session.sign(&Mechanism::Sha256RsaPkcs, key, msg)?,
            ));
        }
        let mut input = SHA256_DIGEST_INFO.to_vec();
        input.extend(sha2::Sha256::digest(msg));
        return Ok((
            OID_SHA256_RSA,
            session.sign(&Mechanism::RsaPkcs, key, &input)?,
        ));
    }
    let curve = pubkey::ec_curve(spki)?;
    if curve == OID_P256 {
        // Raw CKM_ECDSA over a host-computed hash: the one form every module has.
        let hash = sha2::Sha256::digest(msg);
        let rs = session.sign(&Mechanism::Ecdsa, key, &hash)?;
        let sig =
            p256::ecdsa::Signature::from_slice(&rs).map_err(|e| TokenError::SelfTestFailed {
                detail: e.to_string(),
            })?;
        return Ok((OID_ECDSA_SHA256, sig.to_der().as_bytes().to_vec()));
    }
    if curve == OID_SM2 {
        let v = mechanisms::sm2_for(available).ok_or_else(|| TokenError::Unsupported {
            what: "SM2 signing".into(),
        })?;
        let t = MechanismType::new_vendor_defined(v.sign_sm3)?;
        let rs = session.sign(
            &Mechanism::VendorDefined(VendorDefinedMechanism::new::<()>(t, None)),
            key,
            msg,
        )?;
        return Ok((OID_SM2_SM3, rs_to_der(&rs)?));
    }
    Err(TokenError::Unsupported {
        what: format!("signing with curve {curve}"),
    })
}

/// r‖s → DER SEQUENCE { INTEGER r, INTEGER s }.
fn rs_to_der(rs: &[u8]) -> Result<Vec<u8>> {
    #[derive(der::Sequence)]
    struct Sig<'a> {
        r: der::asn1::UintRef<'a>,
        s: der::asn1::UintRef<'a>,
    }
    let (r, s) = rs.split_at(rs.len() / 2);
    Ok(Sig {
        r: der::asn1::UintRef::new(r)?,
        s: der::asn1::UintRef::new(s)?,
    }
    .to_der()?)
}

/// A signature made on the token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenSignature {
    /// X.509 signature algorithm OID (e.g. 1.2.840.10045.4.3.2 for ECDSA with SHA-256).
    pub algorithm: String,
    /// Signature as X.509 carries it (DER `Ecdsa-Sig-Value` for EC).
    pub signature: Vec<u8>,
}

impl TokenService {
    /// Signs `data` (SHA-256) with the private key `key_id` (requires login); e.g. proof
    /// of possession for a renewal.
    pub async fn sign(
        &self,
        token: TokenRef,
        key_id: String,
        data: Vec<u8>,
    ) -> Result<TokenSignature> {
        self.call(move |w| {
            let (alg, sig) = sign(w, &token, &parse_id(&key_id)?, &data)?;
            Ok(TokenSignature {
                algorithm: alg.to_string(),
                signature: sig,
            })
        })
        .await
    }

    /// Generates a key pair as token objects (requires login). `CKA_ID` is the SHA-1 of
    /// the public key.
    pub async fn generate_key_pair(&self, token: TokenRef, spec: KeySpec) -> Result<KeyInfo> {
        self.call(move |w| generate(w, &token, &spec, None)).await
    }

    /// As [`Self::generate_key_pair`], with `tag` as the temporary `CKA_ID` of the
    /// generation template: a transaction journals it before the write, so a pair cut
    /// short before its final id is set is recognised as its own.
    pub async fn generate_key_pair_tagged(
        &self,
        token: TokenRef,
        spec: KeySpec,
        tag: Vec<u8>,
    ) -> Result<KeyInfo> {
        self.call(move |w| generate(w, &token, &spec, Some(tag)))
            .await
    }
}
