//! Key pair generation on the token, key lookup, and signing with token keys.

use cryptoki::mechanism::vendor_defined::VendorDefinedMechanism;
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::Encode;
use der::asn1::ObjectIdentifier;
use sha2::Digest as _;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::error::{Result, TokenError};
use crate::mechanisms;
use crate::pubkey::{
    self, KeyAlgorithm, OID_ECDSA_SHA256, OID_P256, OID_SHA256_RSA, OID_SM2, OID_SM2_SM3,
};
use crate::worker::{TokenRef, TokenService, Worker};

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
    let (m, slot) = w.find_slot(token)?;
    let available = m.raw_mechanisms(slot.id())?;
    let session = w.user_session(token)?;
    let sign = spec.purpose != KeyPurpose::Encryption;
    let enc = spec.purpose == KeyPurpose::Encryption;
    let unwrap = spec.purpose != KeyPurpose::Signing;
    // A temporary id in the generation template (the caller's, journaled before this
    // write, or a random one): a pair cut short before its final id is set still carries
    // it. The real id is derived from the public key afterwards.
    let temp_id = match tag {
        Some(t) => t,
        None => session.generate_random_vec(16)?,
    };
    let label = spec.label.as_bytes().to_vec();
    let common_pub = vec![
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Modifiable(true),
        Attribute::Label(label.clone()),
        Attribute::Id(temp_id.clone()),
        Attribute::Verify(sign),
        Attribute::VerifyRecover(false),
        Attribute::Derive(false),
    ];
    let common_priv = vec![
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Modifiable(true),
        Attribute::Label(label),
        Attribute::Id(temp_id),
        Attribute::Sign(sign),
        Attribute::SignRecover(false),
    ];
    let (mech, mut pub_t, mut priv_t, unverified);
    let vendor_mech;
    match spec.algorithm {
        KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 => {
            let bits: u64 = if spec.algorithm == KeyAlgorithm::Rsa2048 {
                2048
            } else {
                3072
            };
            mech = Mechanism::RsaPkcsKeyPairGen;
            pub_t = vec![
                Attribute::KeyType(KeyType::RSA),
                Attribute::ModulusBits(bits.into()),
                Attribute::PublicExponent(vec![1, 0, 1]),
                Attribute::Encrypt(enc),
                Attribute::Wrap(unwrap),
            ];
            priv_t = vec![
                Attribute::KeyType(KeyType::RSA),
                Attribute::Decrypt(enc),
                Attribute::Unwrap(unwrap),
                Attribute::Derive(false),
            ];
            unverified = false;
        }
        KeyAlgorithm::EcP256 => {
            if unwrap && sign {
                return Err(TokenError::Unsupported {
                    what: "envelope unwrap with an EC signing key (RSA-OAEP needs an RSA key)"
                        .into(),
                });
            }
            mech = Mechanism::EccKeyPairGen;
            pub_t = vec![
                Attribute::KeyType(KeyType::EC),
                Attribute::EcParams(OID_P256.to_der()?),
                Attribute::Encrypt(false),
                Attribute::Wrap(false),
            ];
            // EC "encryption" keys work by key agreement.
            priv_t = vec![
                Attribute::KeyType(KeyType::EC),
                Attribute::Decrypt(false),
                Attribute::Unwrap(false),
                Attribute::Derive(enc),
            ];
            unverified = false;
        }
        KeyAlgorithm::Sm2 => {
            let v = mechanisms::sm2_for(&available).ok_or_else(|| TokenError::Unsupported {
                what: "SM2 (no known vendor SM2 mechanism in the token's mechanism list)".into(),
            })?;
            let t = MechanismType::new_vendor_defined(v.key_pair_gen)?;
            vendor_mech = VendorDefinedMechanism::new::<()>(t, None);
            mech = Mechanism::VendorDefined(vendor_mech);
            pub_t = vec![
                Attribute::KeyType(KeyType::EC),
                Attribute::EcParams(OID_SM2.to_der()?),
                Attribute::Encrypt(enc),
                Attribute::Wrap(false),
            ];
            priv_t = vec![
                Attribute::KeyType(KeyType::EC),
                Attribute::Decrypt(enc),
                Attribute::Unwrap(false),
                Attribute::Derive(false),
            ];
            unverified = true;
        }
    }
    pub_t.extend(common_pub);
    priv_t.extend(common_priv);
    let (pub_h, priv_h) = session.generate_key_pair(&mech, &pub_t, &priv_t)?;
    crate::fault::point("keygen:generated");
    let spki = pubkey::read_spki(session, pub_h)?;
    let id = pubkey::key_id(&spki);
    session.update_attributes(pub_h, &[Attribute::Id(id.clone())])?;
    crate::fault::point("keygen:public-id");
    session.update_attributes(priv_h, &[Attribute::Id(id.clone())])?;
    Ok(KeyInfo {
        id: hex::encode(&id),
        label: spec.label.clone(),
        algorithm: spec.algorithm,
        spki_der: spki.to_der()?,
        unverified,
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

/// Signs `msg` with the private key `id`, returning the X.509 signature algorithm and
/// the signature in X.509 form (DER `Ecdsa-Sig-Value` for EC).
pub(crate) fn sign(
    w: &mut Worker,
    token: &TokenRef,
    id: &[u8],
    msg: &[u8],
) -> Result<(ObjectIdentifier, Vec<u8>)> {
    let (m, slot) = w.find_slot(token)?;
    let available = m.raw_mechanisms(slot.id())?;
    let session = w.user_session(token)?;
    let key = find_private(session, id)?;
    let spki = public_key(session, id)?;
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
    let curve = pubkey::ec_curve(&spki)?;
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
        let v = mechanisms::sm2_for(&available).ok_or_else(|| TokenError::Unsupported {
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
