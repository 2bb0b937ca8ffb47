//! The counter's failures, one variant per thing the operator is told apart
//! (certdesk-ipc gives each its code). Never a PIN in a message.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_client::ClientError;
use certdesk_token::TokenError;

use crate::keychain::KeychainError;
use crate::workflow::WorkflowError;

#[derive(Debug, thiserror::Error)]
pub enum CounterError {
    #[error("no operator is signed in at the counter")]
    NotSignedIn,
    #[error("an operator is already signed in at the counter")]
    AlreadySignedIn,
    #[error("the counter is not locked")]
    NotLocked,
    /// The chosen token has no certificate whose subject names an operator (`OP…`).
    #[error("the token holds no operator certificate")]
    NoOperatorCertificate,
    /// A locked counter opens only for the operator who locked it.
    #[error("the token belongs to another operator than the one signed in")]
    OtherOperator,
    /// The CA does not know the certificate as an operator's, or the signature did not
    /// verify against it.
    #[error("the CA does not accept this operator certificate")]
    UnknownOperator,
    /// The operator or their certificate was revoked (or the certificate expired).
    #[error("the operator or the operator certificate was revoked")]
    OperatorRevoked,
    #[error(transparent)]
    Token(#[from] TokenError),
    /// Any other CA failure, said as the workflow says it.
    #[error(transparent)]
    Ca(WorkflowError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
}

impl From<ClientError> for CounterError {
    fn from(e: ClientError) -> Self {
        match e.code() {
            Some(ProblemCode::OperatorRevoked) => Self::OperatorRevoked,
            Some(ProblemCode::OperatorCertificateInvalid | ProblemCode::BadSignature) => {
                Self::UnknownOperator
            }
            _ => Self::Ca(WorkflowError::from_client(e)),
        }
    }
}
