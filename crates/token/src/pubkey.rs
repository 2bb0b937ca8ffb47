//! Public keys as SubjectPublicKeyInfo: built from token attributes, turned back into
//! token attributes, hashed into `CKA_ID`, and used for host-side verification.

use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::{AnyRef, BitString, ObjectIdentifier, OctetString, UintRef};
use der::{Decode, Encode, Sequence};
use sha1::Digest as _;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::error::{Result, TokenError};

pub const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub const OID_SM2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
pub const OID_SHA256_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
pub const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
pub const OID_SM2_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");

/// Key algorithms CertDesk generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlgorithm {
    Rsa2048,
    Rsa3072,
    EcP256,
    /// Through a vendor mechanism table; unverified until tried on real hardware.
    Sm2,
}

#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

pub(crate) fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Result<SubjectPublicKeyInfoOwned> {
    let key = RsaPublicKey {
        modulus: UintRef::new(modulus)?,
        public_exponent: UintRef::new(exponent)?,
    }
    .to_der()?;
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: OID_RSA,
            parameters: Some(AnyRef::NULL.into()),
        },
        subject_public_key: BitString::from_bytes(&key)?,
    })
}

pub(crate) fn ec_spki(curve: ObjectIdentifier, point: &[u8]) -> Result<SubjectPublicKeyInfoOwned> {
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: OID_EC,
            parameters: Some(der::Any::encode_from(&curve)?),
        },
        subject_public_key: BitString::from_bytes(point)?,
    })
}

/// `CKA_ID` for a key: SHA-1 of the subjectPublicKey bits, the same value as the
/// certificate's Subject Key Identifier (RFC 5280 4.2.1.2 method 1), so tools agree.
pub fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    sha1::Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// Reads a public-key object and rebuilds its SPKI.
pub fn read_spki(session: &Session, key: ObjectHandle) -> Result<SubjectPublicKeyInfoOwned> {
    let attrs = session.get_attributes(
        key,
        &[
            AttributeType::KeyType,
            AttributeType::Modulus,
            AttributeType::PublicExponent,
            AttributeType::EcParams,
            AttributeType::EcPoint,
        ],
    )?;
    let (mut modulus, mut exponent, mut params, mut point) = (None, None, None, None);
    for a in attrs {
        match a {
            Attribute::Modulus(v) => modulus = Some(v),
            Attribute::PublicExponent(v) => exponent = Some(v),
            Attribute::EcParams(v) => params = Some(v),
            Attribute::EcPoint(v) => point = Some(v),
            _ => {}
        }
    }
    if let (Some(n), Some(e)) = (modulus, exponent) {
        return rsa_spki(&n, &e);
    }
    if let (Some(params), Some(point)) = (params, point) {
        let curve = ObjectIdentifier::from_der(&params)?;
        return ec_spki(curve, &unwrap_ec_point(&point));
    }
    Err(TokenError::Unsupported {
        what: "this key type (neither RSA nor EC)".into(),
    })
}

/// `CKA_EC_POINT` is a DER OCTET STRING by the standard, but some modules return the
/// raw point; accept both.
fn unwrap_ec_point(v: &[u8]) -> Vec<u8> {
    if let Ok(os) = OctetString::from_der(v)
        && os.as_bytes().first() == Some(&4)
    {
        return os.as_bytes().to_vec();
    }
    v.to_vec()
}

/// Token attributes describing the public key of an SPKI (to create a public-key object).
pub(crate) fn spki_to_attributes(
    spki: &SubjectPublicKeyInfoOwned,
) -> Result<(cryptoki::object::KeyType, Vec<Attribute>)> {
    if spki.algorithm.oid == OID_RSA {
        let k = RsaPublicKey::from_der(spki.subject_public_key.raw_bytes())?;
        return Ok((
            cryptoki::object::KeyType::RSA,
            vec![
                Attribute::Modulus(k.modulus.as_bytes().to_vec()),
                Attribute::PublicExponent(k.public_exponent.as_bytes().to_vec()),
            ],
        ));
    }
    if spki.algorithm.oid == OID_EC {
        let curve = ec_curve(spki)?;
        let point = OctetString::new(spki.subject_public_key.raw_bytes())?.to_der()?;
        return Ok((
            cryptoki::object::KeyType::EC,
            vec![
                Attribute::EcParams(curve.to_der()?),
                Attribute::EcPoint(point),
            ],
        ));
    }
    Err(TokenError::Unsupported {
        what: format!("public key algorithm {}", spki.algorithm.oid),
    })
}

/// The named curve of an EC public key.
pub(crate) fn ec_curve(spki: &SubjectPublicKeyInfoOwned) -> Result<ObjectIdentifier> {
    Ok(spki
        .algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| TokenError::BadInput {
            detail: "EC key without curve".into(),
        })?
        .decode_as()?)
}

/// Verifies an X.509-style signature (DER-encoded for ECDSA) over `msg` on the host.
pub fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: ObjectIdentifier,
    msg: &[u8],
    sig: &[u8],
) -> Result<()> {
    let fail = |d: String| TokenError::SelfTestFailed { detail: d };
    let hash = sha2::Sha256::digest(msg);
    if sig_alg == OID_SHA256_RSA && spki.algorithm.oid == OID_RSA {
        use rsa::pkcs8::DecodePublicKey;
        let key = rsa::RsaPublicKey::from_public_key_der(&spki.to_der()?)
            .map_err(|e| fail(e.to_string()))?;
        return key
            .verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hash, sig)
            .map_err(|e| fail(e.to_string()));
    }
    if sig_alg == OID_ECDSA_SHA256 && spki.algorithm.oid == OID_EC {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes())
            .map_err(|e| fail(e.to_string()))?;
        let sig = p256::ecdsa::Signature::from_der(sig).map_err(|e| fail(e.to_string()))?;
        return key
            .verify_prehash(&hash, &sig)
            .map_err(|e| fail(e.to_string()));
    }
    Err(TokenError::Unsupported {
        what: format!(
            "host verification of {sig_alg} with a {} key",
            spki.algorithm.oid
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_spki_round_trips_through_token_attributes() {
        let n = [0xc3u8; 256];
        let spki = rsa_spki(&n, &[1, 0, 1]).unwrap();
        let (kt, attrs) = spki_to_attributes(&spki).unwrap();
        assert_eq!(kt, cryptoki::object::KeyType::RSA);
        assert!(matches!(&attrs[0], Attribute::Modulus(m) if m == &n));
        assert_eq!(key_id(&spki).len(), 20);
        // A different key gives a different id.
        assert_ne!(
            key_id(&spki),
            key_id(&rsa_spki(&[0xc5u8; 256], &[1, 0, 1]).unwrap())
        );
    }

    #[test]
    fn ec_point_is_accepted_wrapped_or_raw() {
        let mut raw = vec![4u8];
        raw.extend([7u8; 64]);
        let wrapped = OctetString::new(raw.clone()).unwrap().to_der().unwrap();
        assert_eq!(unwrap_ec_point(&wrapped), raw);
        assert_eq!(unwrap_ec_point(&raw), raw);
    }
}
