//! PKCS#10 requests built with `x509-cert`, signed on the token, verified on the host
//! before they leave the process.

use std::str::FromStr;

use der::asn1::BitString;
use der::{Decode, Encode, EncodePem};
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, Version};
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::error::{Result, TokenError};
use crate::keys;
use crate::pubkey::{self, OID_SM2_SM3};
use crate::worker::{TokenRef, TokenService, Worker};

/// A signed certification request.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Csr {
    pub der: Vec<u8>,
    pub pem: String,
    /// False only for SM2, which has no host-side verifier here yet.
    pub verified_locally: bool,
}

fn build(w: &mut Worker, token: &TokenRef, key_id: &str, subject: &str) -> Result<Csr> {
    let id = keys::parse_id(key_id)?;
    let subject = Name::from_str(subject).map_err(|e| TokenError::BadInput {
        detail: format!("subject: {e}"),
    })?;
    // One session check for the whole request; a key generated in this session is
    // reached through its remembered handles.
    let (s, available) = w.logged_in_with_mechanisms(token)?;
    let spki = keys::spki_in(s, &id)?;
    let info = CertReqInfo {
        version: Version::V1,
        subject,
        public_key: spki.clone(),
        attributes: Default::default(),
    };
    let tbs = info.to_der()?;
    let (alg, sig) = keys::sign_in(s, &available, &id, &tbs)?;
    let verified_locally = if alg == OID_SM2_SM3 {
        false
    } else {
        if let Err(e) = pubkey::verify(&spki, alg, &tbs, &sig) {
            // A remembered handle that named another key: search next time.
            s.keys.remove(&id);
            return Err(e);
        }
        true
    };
    // RSA signature algorithms carry NULL parameters; ECDSA ones carry none.
    let parameters = if alg == pubkey::OID_SHA256_RSA {
        Some(der::asn1::AnyRef::NULL.into())
    } else {
        None
    };
    let req = CertReq {
        info,
        algorithm: AlgorithmIdentifierOwned {
            oid: alg,
            parameters,
        },
        signature: BitString::from_bytes(&sig)?,
    };
    let der = req.to_der()?;
    // Round-trip: what we hand out must parse.
    CertReq::from_der(&der)?;
    Ok(Csr {
        pem: req.to_pem(der::pem::LineEnding::LF)?,
        der,
        verified_locally,
    })
}

impl TokenService {
    /// Builds a CSR for the key pair `key_id` with an RFC 4514 subject
    /// (e.g. `CN=张三,O=示例公司,C=CN`), signed on the token (requires login).
    pub async fn create_csr(
        &self,
        token: TokenRef,
        key_id: String,
        subject: String,
    ) -> Result<Csr> {
        self.call(move |w| build(w, &token, &key_id, &subject))
            .await
    }
}
