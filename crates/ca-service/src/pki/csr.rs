//! Vetting of PKCS#10 requests: proof of possession, algorithm and key size, no CA flag.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS;
use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1, SHA_256_WITH_RSA_ENCRYPTION,
};
use der::{Decode, DecodePem, Encode};
use sha2::{Digest, Sha256};
use signature::Verifier;
use spki::{DecodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::request::{CertReq, ExtensionReq};

use super::Family;
use super::keys::SM2_DISTID;

/// SM2 curve and SM2-with-SM3 signature (GM/T 0006).
pub const SM2_CURVE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
pub const SM2_WITH_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CsrError {
    #[error("not a PKCS#10 request")]
    Parse,
    #[error("signature does not verify (no proof of possession)")]
    BadSignature,
    #[error("unsupported algorithm {0}")]
    UnknownAlgorithm(String),
    #[error("the request asks for a CA certificate")]
    CaRequested,
    #[error("key is {actual}, the channel requires {required}")]
    KeyMismatch { actual: String, required: String },
}

pub struct VettedCsr {
    pub spki: SubjectPublicKeyInfoOwned,
    pub family: Family,
    /// RSA modulus size; 256 for P-256 and SM2.
    pub bits: usize,
    /// SHA-256 of the DER public key: the key's identity across requests.
    pub key_id: String,
}

fn parse(input: &str) -> Result<CertReq, CsrError> {
    let t = input.trim();
    if t.starts_with("-----BEGIN") {
        CertReq::from_pem(t.as_bytes()).map_err(|_| CsrError::Parse)
    } else {
        let der = base64_decode(t).ok_or(CsrError::Parse)?;
        CertReq::from_der(&der).map_err(|_| CsrError::Parse)
    }
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// Parses and verifies a CSR (PEM, or base64 DER).
pub fn vet(input: &str) -> Result<VettedCsr, CsrError> {
    let req = parse(input)?;
    let info = req.info.to_der().map_err(|_| CsrError::Parse)?;
    let spki_der = req.info.public_key.to_der().map_err(|_| CsrError::Parse)?;
    let sig = req.signature.as_bytes().ok_or(CsrError::Parse)?;
    let key_alg = req.info.public_key.algorithm.oid;
    let curve: Option<ObjectIdentifier> = req
        .info
        .public_key
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as().ok());
    let (family, bits) = match (key_alg, curve) {
        (RSA_ENCRYPTION, _) => {
            use rsa::traits::PublicKeyParts;
            let k =
                rsa::RsaPublicKey::from_public_key_der(&spki_der).map_err(|_| CsrError::Parse)?;
            (Family::Rsa, k.n().bits() as usize)
        }
        (ID_EC_PUBLIC_KEY, Some(SECP_256_R_1)) => (Family::P256, 256),
        (ID_EC_PUBLIC_KEY, Some(SM2_CURVE)) => (Family::Sm2, 256),
        (oid, c) => {
            return Err(CsrError::UnknownAlgorithm(match c {
                Some(c) => format!("{oid} / {c}"),
                None => oid.to_string(),
            }));
        }
    };
    let ok = match (family, req.algorithm.oid) {
        (Family::Rsa, SHA_256_WITH_RSA_ENCRYPTION) => {
            let k = rsa::pkcs1v15::VerifyingKey::<Sha256>::from_public_key_der(&spki_der)
                .map_err(|_| CsrError::Parse)?;
            let s = rsa::pkcs1v15::Signature::try_from(sig).map_err(|_| CsrError::BadSignature)?;
            k.verify(&info, &s).is_ok()
        }
        (Family::P256, ECDSA_WITH_SHA_256) => {
            let k = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der)
                .map_err(|_| CsrError::Parse)?;
            let s = p256::ecdsa::DerSignature::try_from(sig).map_err(|_| CsrError::BadSignature)?;
            k.verify(&info, &s).is_ok()
        }
        (Family::Sm2, SM2_WITH_SM3) => {
            let pk = sm2::PublicKey::from_public_key_der(&spki_der).map_err(|_| CsrError::Parse)?;
            let k = sm2::dsa::VerifyingKey::new(SM2_DISTID, pk).map_err(|_| CsrError::Parse)?;
            let s = sm2::dsa::Signature::from_der(sig).map_err(|_| CsrError::BadSignature)?;
            k.verify(&info, &s).is_ok()
        }
        (_, oid) => return Err(CsrError::UnknownAlgorithm(oid.to_string())),
    };
    if !ok {
        return Err(CsrError::BadSignature);
    }
    // A requested CA flag is refused outright rather than silently dropped.
    for attr in req.info.attributes.iter() {
        if attr.oid != <ExtensionReq as const_oid::AssociatedOid>::OID {
            continue;
        }
        for v in attr.values.iter() {
            let Ok(ext_req) = v.decode_as::<ExtensionReq>() else {
                continue;
            };
            for e in ext_req.0 {
                if e.extn_id == ID_CE_BASIC_CONSTRAINTS
                    && BasicConstraints::from_der(e.extn_value.as_bytes()).is_ok_and(|bc| bc.ca)
                {
                    return Err(CsrError::CaRequested);
                }
            }
        }
    }
    let spki = req.info.public_key.clone();
    Ok(VettedCsr {
        spki,
        family,
        bits,
        key_id: hex::encode(Sha256::digest(&spki_der)),
    })
}

/// Proof of possession (renewal, operator sign-in): `sig` over `msg` (SHA-256) by the key
/// in `spki`. RSA: PKCS#1 v1.5, else PSS; ECDSA P-256: DER or raw r‖s (PKCS#11).
pub fn verify_possession(spki: &SubjectPublicKeyInfoOwned, msg: &[u8], sig: &[u8]) -> bool {
    let Ok(der) = spki.to_der() else { return false };
    let curve: Option<ObjectIdentifier> = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as().ok());
    match (spki.algorithm.oid, curve) {
        (RSA_ENCRYPTION, _) => {
            let pkcs1 = match (
                rsa::pkcs1v15::VerifyingKey::<Sha256>::from_public_key_der(&der),
                rsa::pkcs1v15::Signature::try_from(sig),
            ) {
                (Ok(k), Ok(s)) => k.verify(msg, &s).is_ok(),
                _ => false,
            };
            pkcs1
                || match (
                    rsa::pss::VerifyingKey::<Sha256>::from_public_key_der(&der),
                    rsa::pss::Signature::try_from(sig),
                ) {
                    (Ok(k), Ok(s)) => k.verify(msg, &s).is_ok(),
                    _ => false,
                }
        }
        (ID_EC_PUBLIC_KEY, Some(SECP_256_R_1)) => {
            let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(&der) else {
                return false;
            };
            match p256::ecdsa::DerSignature::try_from(sig) {
                Ok(s) => k.verify(msg, &s).is_ok(),
                Err(_) => {
                    p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(msg, &s).is_ok())
                }
            }
        }
        (ID_EC_PUBLIC_KEY, Some(SM2_CURVE)) => {
            let (Ok(pk), Ok(s)) = (
                sm2::PublicKey::from_public_key_der(&der),
                sm2::dsa::Signature::from_der(sig),
            ) else {
                return false;
            };
            sm2::dsa::VerifyingKey::new(SM2_DISTID, pk).is_ok_and(|k| k.verify(msg, &s).is_ok())
        }
        _ => false,
    }
}
