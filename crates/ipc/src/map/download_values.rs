//! The download's values: the CA's key algorithm as the UI names it.

use certdesk_ca_api::channel::KeyAlgorithm;

use crate::KeyAlgorithmName;

impl From<KeyAlgorithm> for KeyAlgorithmName {
    fn from(a: KeyAlgorithm) -> Self {
        match a {
            KeyAlgorithm::Rsa2048 => Self::Rsa2048,
            KeyAlgorithm::Rsa3072 => Self::Rsa3072,
            KeyAlgorithm::EcdsaP256 => Self::EcdsaP256,
            KeyAlgorithm::Sm2 => Self::Sm2,
        }
    }
}

impl From<KeyAlgorithmName> for KeyAlgorithm {
    fn from(a: KeyAlgorithmName) -> Self {
        match a {
            KeyAlgorithmName::Rsa2048 => Self::Rsa2048,
            KeyAlgorithmName::Rsa3072 => Self::Rsa3072,
            KeyAlgorithmName::EcdsaP256 => Self::EcdsaP256,
            KeyAlgorithmName::Sm2 => Self::Sm2,
        }
    }
}
