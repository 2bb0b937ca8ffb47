//! Key pairs this session generated: their handles, public key and subject, so that the
//! CSR and the certificate write right after key generation reach the key without a
//! search (a search makes the module look at every object on the token). Kept on the
//! open session, so they go when it goes (token pulled, module re-initialised).
//!
//! A remembered handle is only a hint: every use checks it (the signature is verified
//! against the remembered public key, the certificate write reads the objects' ids
//! first) and falls back to a search when the check fails.

use cryptoki::object::ObjectHandle;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

/// A key pair generated in this session.
#[derive(Debug, Clone)]
pub(crate) struct KnownKey {
    pub public: ObjectHandle,
    pub private: ObjectHandle,
    pub spki: SubjectPublicKeyInfoOwned,
    pub label: String,
    /// A certificate write for this key has begun: from then on the write searches for
    /// an identical certificate already on the token (a resumed write in this process).
    pub write_begun: bool,
}
