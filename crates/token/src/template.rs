//! The `C_GenerateKeyPair` templates of a key pair: everything known before the key
//! exists goes in them (label, subject, a temporary id, every usage flag), so each
//! object is written once whole and only the final `CKA_ID`, which is derived from the
//! public key, is set afterwards.

use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::MechanismType;
use cryptoki::mechanism::vendor_defined::VendorDefinedMechanism;
use cryptoki::object::{Attribute, KeyType};
use der::Encode;

use crate::error::{Result, TokenError};
use crate::keys::{KeyPurpose, KeySpec};
use crate::mechanisms;
use crate::pubkey::{KeyAlgorithm, OID_P256, OID_SM2};

/// Mechanism and templates for one `C_GenerateKeyPair`.
#[derive(Debug)]
pub struct GenerationTemplate {
    pub mechanism: Mechanism<'static>,
    pub public: Vec<Attribute>,
    pub private: Vec<Attribute>,
    /// True for SM2: the vendor mechanisms have not been tried on real hardware.
    pub unverified: bool,
}

/// The templates for `spec` with `id` as `CKA_ID` and `subject` (DER `Name`) as
/// `CKA_SUBJECT` of both objects. `available` is the token's mechanism list (only SM2
/// needs it: its mechanism is vendor-defined).
pub fn templates(
    spec: &KeySpec,
    id: &[u8],
    subject: Option<&[u8]>,
    available: &[u64],
) -> Result<GenerationTemplate> {
    let sign = spec.purpose != KeyPurpose::Encryption;
    let enc = spec.purpose == KeyPurpose::Encryption;
    let unwrap = spec.purpose != KeyPurpose::Signing;
    let label = spec.label.as_bytes().to_vec();
    // Usage flags are all explicit: modules (SoftHSM2) otherwise switch on usages
    // nobody asked for.
    let mut public = vec![
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Modifiable(true),
        Attribute::Label(label.clone()),
        Attribute::Id(id.to_vec()),
        Attribute::Verify(sign),
        Attribute::VerifyRecover(false),
        Attribute::Derive(false),
    ];
    let mut private = vec![
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Modifiable(true),
        Attribute::Label(label),
        Attribute::Id(id.to_vec()),
        Attribute::Sign(sign),
        Attribute::SignRecover(false),
    ];
    if let Some(s) = subject {
        public.push(Attribute::Subject(s.to_vec()));
        private.push(Attribute::Subject(s.to_vec()));
    }
    let (mechanism, unverified) = match spec.algorithm {
        KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 => {
            let bits: u64 = if spec.algorithm == KeyAlgorithm::Rsa2048 {
                2048
            } else {
                3072
            };
            public.extend([
                Attribute::KeyType(KeyType::RSA),
                Attribute::ModulusBits(bits.into()),
                Attribute::PublicExponent(vec![1, 0, 1]),
                Attribute::Encrypt(enc),
                Attribute::Wrap(unwrap),
            ]);
            private.extend([
                Attribute::KeyType(KeyType::RSA),
                Attribute::Decrypt(enc),
                Attribute::Unwrap(unwrap),
                Attribute::Derive(false),
            ]);
            (Mechanism::RsaPkcsKeyPairGen, false)
        }
        KeyAlgorithm::EcP256 => {
            if unwrap && sign {
                return Err(TokenError::Unsupported {
                    what: "envelope unwrap with an EC signing key (RSA-OAEP needs an RSA key)"
                        .into(),
                });
            }
            public.extend([
                Attribute::KeyType(KeyType::EC),
                Attribute::EcParams(OID_P256.to_der()?),
                Attribute::Encrypt(false),
                Attribute::Wrap(false),
            ]);
            // EC "encryption" keys work by key agreement.
            private.extend([
                Attribute::KeyType(KeyType::EC),
                Attribute::Decrypt(false),
                Attribute::Unwrap(false),
                Attribute::Derive(enc),
            ]);
            (Mechanism::EccKeyPairGen, false)
        }
        KeyAlgorithm::Sm2 => {
            let v = mechanisms::sm2_for(available).ok_or_else(|| TokenError::Unsupported {
                what: "SM2 (no known vendor SM2 mechanism in the token's mechanism list)".into(),
            })?;
            let t = MechanismType::new_vendor_defined(v.key_pair_gen)?;
            public.extend([
                Attribute::KeyType(KeyType::EC),
                Attribute::EcParams(OID_SM2.to_der()?),
                Attribute::Encrypt(enc),
                Attribute::Wrap(false),
            ]);
            private.extend([
                Attribute::KeyType(KeyType::EC),
                Attribute::Decrypt(enc),
                Attribute::Unwrap(false),
                Attribute::Derive(false),
            ]);
            (
                Mechanism::VendorDefined(VendorDefinedMechanism::new::<()>(t, None)),
                true,
            )
        }
    };
    Ok(GenerationTemplate {
        mechanism,
        public,
        private,
        unverified,
    })
}
