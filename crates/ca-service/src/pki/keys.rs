//! CA and key-management-centre keys: generation, PKCS#8 storage, and one signer type
//! over the three algorithm families.

use der::pem::LineEnding;
use p256::elliptic_curve::Generate;
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::UnwrapErr;
use sha2::Sha256;
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder, CrlBuilder};
use x509_cert::crl::CertificateList;

use super::{Family, PkiError};

pub fn rng() -> UnwrapErr<getrandom::SysRng> {
    UnwrapErr(getrandom::SysRng)
}

/// SM2 signatures bind the signer's distinguishing identifier; GM/T 0009 default.
pub const SM2_DISTID: &str = "1234567812345678";

/// SM2 signer whose signatures are DER `SEQUENCE { r, s }`, as X.509 and OpenSSL expect
/// (sm2's own `Signature` encodes raw `r || s`).
pub struct Sm2Der(pub sm2::dsa::SigningKey);

impl signature::Signer<sm2::dsa::DerSignature> for Sm2Der {
    fn try_sign(&self, msg: &[u8]) -> Result<sm2::dsa::DerSignature, signature::Error> {
        let s: sm2::dsa::Signature = self.0.try_sign(msg)?;
        Ok(s.to_der())
    }
}

impl signature::Keypair for Sm2Der {
    type VerifyingKey = sm2::dsa::VerifyingKey;
    fn verifying_key(&self) -> Self::VerifyingKey {
        let vk: &sm2::dsa::VerifyingKey = self.0.as_ref();
        vk.clone()
    }
}

impl spki::SignatureAlgorithmIdentifier for Sm2Der {
    type Params = der::AnyRef<'static>;
    const SIGNATURE_ALGORITHM_IDENTIFIER: spki::AlgorithmIdentifier<Self::Params> =
        <sm2::dsa::SigningKey as spki::SignatureAlgorithmIdentifier>::SIGNATURE_ALGORITHM_IDENTIFIER;
}

pub enum CaKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::SecretKey),
    Sm2(sm2::SecretKey),
}

impl CaKey {
    pub fn generate(family: Family, rsa_bits: usize) -> Result<Self, PkiError> {
        let mut rng = rng();
        Ok(match family {
            Family::Rsa => CaKey::Rsa(Box::new(
                rsa::RsaPrivateKey::new(&mut rng, rsa_bits)
                    .map_err(|e| PkiError::Key(e.to_string()))?,
            )),
            Family::P256 => CaKey::P256(p256::SecretKey::generate_from_rng(&mut rng)),
            Family::Sm2 => CaKey::Sm2(sm2::SecretKey::generate_from_rng(&mut rng)),
        })
    }

    pub fn to_pkcs8_pem(&self) -> Result<String, PkiError> {
        let pem = match self {
            CaKey::Rsa(k) => k.to_pkcs8_pem(LineEnding::LF),
            CaKey::P256(k) => k.to_pkcs8_pem(LineEnding::LF),
            CaKey::Sm2(k) => k.to_pkcs8_pem(LineEnding::LF),
        }
        .map_err(|e| PkiError::Key(e.to_string()))?;
        Ok(pem.to_string())
    }

    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, PkiError> {
        let doc = match self {
            CaKey::Rsa(k) => k.to_pkcs8_der(),
            CaKey::P256(k) => k.to_pkcs8_der(),
            CaKey::Sm2(k) => k.to_pkcs8_der(),
        }
        .map_err(|e| PkiError::Key(e.to_string()))?;
        Ok(doc.as_bytes().to_vec())
    }

    pub fn from_pkcs8_pem(family: Family, pem: &str) -> Result<Self, PkiError> {
        let e = |e: pkcs8::Error| PkiError::Key(e.to_string());
        Ok(match family {
            Family::Rsa => CaKey::Rsa(Box::new(
                rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(e)?,
            )),
            Family::P256 => CaKey::P256(p256::SecretKey::from_pkcs8_pem(pem).map_err(e)?),
            Family::Sm2 => CaKey::Sm2(sm2::SecretKey::from_pkcs8_pem(pem).map_err(e)?),
        })
    }

    pub fn spki(&self) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
        let der = match self {
            CaKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            CaKey::P256(k) => k.public_key().to_public_key_der(),
            CaKey::Sm2(k) => k.public_key().to_public_key_der(),
        }
        .map_err(|e| PkiError::Key(e.to_string()))?;
        SubjectPublicKeyInfoOwned::try_from(der.as_bytes())
            .map_err(|e| PkiError::Key(e.to_string()))
    }

    /// Signs anything x509-cert builds (certificates, CRLs) with this key.
    pub fn sign<B: Builder>(&self, b: B) -> Result<B::Output, PkiError> {
        let built = match self {
            CaKey::Rsa(k) => {
                let s = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
                b.build::<_, rsa::pkcs1v15::Signature>(&s)
            }
            CaKey::P256(k) => {
                let s = p256::ecdsa::SigningKey::from(k.clone());
                b.build::<_, p256::ecdsa::DerSignature>(&s)
            }
            CaKey::Sm2(k) => {
                let s = Sm2Der(
                    sm2::dsa::SigningKey::new(SM2_DISTID, k)
                        .map_err(|e| PkiError::Key(e.to_string()))?,
                );
                b.build::<_, sm2::dsa::DerSignature>(&s)
            }
        };
        built.map_err(|e| PkiError::Build(e.to_string()))
    }

    pub fn sign_certificate<P: BuilderProfile>(
        &self,
        b: CertificateBuilder<P>,
    ) -> Result<Certificate, PkiError> {
        self.sign(b)
    }

    /// One signature over `msg` (for measuring the signing cost alone).
    pub fn sign_bytes(&self, msg: &[u8]) -> Result<Vec<u8>, PkiError> {
        use signature::{SignatureEncoding, Signer};
        let e = |e: signature::Error| PkiError::Key(e.to_string());
        Ok(match self {
            CaKey::Rsa(k) => {
                let s: rsa::pkcs1v15::Signature =
                    rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone())
                        .try_sign(msg)
                        .map_err(e)?;
                s.to_vec()
            }
            CaKey::P256(k) => {
                let s: p256::ecdsa::DerSignature = p256::ecdsa::SigningKey::from(k.clone())
                    .try_sign(msg)
                    .map_err(e)?;
                s.to_vec()
            }
            CaKey::Sm2(k) => {
                let signer = Sm2Der(
                    sm2::dsa::SigningKey::new(SM2_DISTID, k)
                        .map_err(|e| PkiError::Key(e.to_string()))?,
                );
                let s: sm2::dsa::DerSignature = signer.try_sign(msg).map_err(e)?;
                s.to_vec()
            }
        })
    }

    pub fn sign_crl(&self, b: CrlBuilder) -> Result<CertificateList, PkiError> {
        self.sign(b)
    }
}
