//! A throwaway self-signed X.509 v1 certificate for a token key, signed on the token:
//! what the check writes and reads back. `x509-cert` builds certificates only through
//! host-side signers, so the two structures are encoded here.

use std::time::Duration;

use der::asn1::BitString;
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::Validity;

use crate::error::{Result, TokenError};
use crate::pubkey::{self, KeyAlgorithm};

#[derive(der::Sequence)]
struct TbsV1 {
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
}

#[derive(der::Sequence)]
struct CertificateV1 {
    tbs_certificate: TbsV1,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// The signature algorithm the token uses for this key type (see `keys::sign`).
pub(crate) fn signature_algorithm(algorithm: KeyAlgorithm) -> AlgorithmIdentifierOwned {
    match algorithm {
        // RSA signature algorithms carry NULL parameters; ECDSA and SM2 ones none.
        KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 => AlgorithmIdentifierOwned {
            oid: pubkey::OID_SHA256_RSA,
            parameters: Some(der::asn1::AnyRef::NULL.into()),
        },
        KeyAlgorithm::EcP256 => AlgorithmIdentifierOwned {
            oid: pubkey::OID_ECDSA_SHA256,
            parameters: None,
        },
        KeyAlgorithm::Sm2 => AlgorithmIdentifierOwned {
            oid: pubkey::OID_SM2_SM3,
            parameters: None,
        },
    }
}

/// The to-be-signed part, DER.
pub(crate) fn tbs(
    algorithm: KeyAlgorithm,
    subject: &Name,
    spki: SubjectPublicKeyInfoOwned,
    serial: &[u8],
) -> Result<Vec<u8>> {
    Ok(TbsV1 {
        serial_number: SerialNumber::new(serial)?,
        signature: signature_algorithm(algorithm),
        issuer: subject.clone(),
        validity: Validity::from_now(Duration::from_secs(24 * 3600))?,
        subject: subject.clone(),
        subject_public_key_info: spki,
    }
    .to_der()?)
}

/// The certificate from its signed TBS, DER; parsed back as a check.
pub(crate) fn assemble(
    algorithm: KeyAlgorithm,
    tbs_der: &[u8],
    signature: &[u8],
) -> Result<Vec<u8>> {
    let der = CertificateV1 {
        tbs_certificate: TbsV1::from_der(tbs_der)?,
        signature_algorithm: signature_algorithm(algorithm),
        signature: BitString::from_bytes(signature)?,
    }
    .to_der()?;
    Certificate::from_der(&der).map_err(|e| TokenError::BadCertificate {
        detail: e.to_string(),
    })?;
    Ok(der)
}
