//! Self-test after issuance: sign a random challenge on the token, verify it on the host
//! with the certificate's public key.

use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use der::Decode;
use x509_cert::Certificate;

use crate::error::{Result, TokenError};
use crate::keys;
use crate::pubkey;
use crate::worker::{TokenRef, TokenService, Worker};

/// Outcome of a passed self-test.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SelfTest {
    pub key_id: String,
    pub signature_algorithm: String,
    pub challenge_len: usize,
}

fn run(w: &mut Worker, token: &TokenRef, key_id: &str) -> Result<SelfTest> {
    let id = keys::parse_id(key_id)?;
    let session = w.user_session(token)?;
    let cert_h = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Id(id.clone()),
        ])?
        .into_iter()
        .next()
        .ok_or_else(|| TokenError::BadCertificate {
            detail: format!("no certificate with id {key_id}"),
        })?;
    let mut der = Vec::new();
    for a in session.get_attributes(cert_h, &[AttributeType::Value])? {
        if let Attribute::Value(v) = a {
            der = v;
        }
    }
    let cert = Certificate::from_der(&der).map_err(|e| TokenError::BadCertificate {
        detail: e.to_string(),
    })?;
    let challenge = session.generate_random_vec(32)?;
    let (alg, sig) = keys::sign(w, token, &id, &challenge)?;
    pubkey::verify(
        cert.tbs_certificate().subject_public_key_info(),
        alg,
        &challenge,
        &sig,
    )?;
    Ok(SelfTest {
        key_id: key_id.to_string(),
        signature_algorithm: alg.to_string(),
        challenge_len: challenge.len(),
    })
}

impl TokenService {
    /// Signs a random challenge with key `key_id` and verifies it with the certificate
    /// stored under the same id (requires login).
    pub async fn self_test(&self, token: TokenRef, key_id: String) -> Result<SelfTest> {
        self.call(move |w| run(w, &token, &key_id)).await
    }
}
