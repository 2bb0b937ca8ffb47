//! The download's values: the CA's key algorithm and application status as the UI
//! names them.

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::channel::KeyAlgorithm;

use crate::{KeyAlgorithmName, OrderStatus};

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

impl From<ApplicationStatus> for OrderStatus {
    fn from(s: ApplicationStatus) -> Self {
        match s {
            ApplicationStatus::Draft => Self::Draft,
            ApplicationStatus::AwaitingPayment => Self::AwaitingPayment,
            ApplicationStatus::InReview => Self::InReview,
            ApplicationStatus::Approved => Self::Approved,
            ApplicationStatus::Issued => Self::Issued,
            ApplicationStatus::Completed => Self::Completed,
            ApplicationStatus::Rejected => Self::Rejected,
            ApplicationStatus::Cancelled => Self::Cancelled,
        }
    }
}
