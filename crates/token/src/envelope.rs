//! Envelope import for dual certificates: the CA sends the encryption key pair's
//! private key wrapped for the token. An AES key is RSA-OAEP(SHA-1) encrypted under the
//! token's signing key; the PKCS#8 private key is AES-key-wrapped with padding
//! (RFC 5649) under that AES key. Both are unwrapped inside the token, so the private
//! key never exists in host memory.

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::certs::{self, CertWritten};
use crate::error::{Result, TokenError};
use crate::keys;
use crate::mechanisms;
use crate::pubkey;
use crate::worker::{TokenRef, TokenService, Worker};

/// What the CA delivers for an encryption certificate.
#[derive(Clone, serde::Deserialize)]
pub struct Envelope {
    /// CKA_ID (hex) of the token's RSA signing key that the AES key is wrapped for.
    pub signing_key_id: String,
    /// RSA-OAEP (SHA-1, MGF1-SHA-1, empty label) encryption of the AES key.
    pub wrapped_aes_key: Vec<u8>,
    /// AES key wrap with padding (RFC 5649) of the PKCS#8 `PrivateKeyInfo`.
    pub wrapped_private_key: Vec<u8>,
    /// The encryption certificate, DER.
    pub encryption_certificate: Vec<u8>,
    pub label: String,
}

// Wrapped key bytes are not secret (they are ciphertext), but they are bulky.
impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope")
            .field("signing_key_id", &self.signing_key_id)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// Result of an envelope import.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EnvelopeImported {
    pub certificate: CertWritten,
    /// The wrap mechanism chosen from the token's list (`CKM_AES_KEY_WRAP_KWP` / `_PAD`).
    pub wrap_mechanism: String,
    /// The imported private key decrypted what its certificate's public key encrypted.
    pub key_checked: bool,
}

fn import(w: &mut Worker, token: &TokenRef, env: &Envelope) -> Result<EnvelopeImported> {
    let (m, slot) = w.find_slot(token)?;
    let wrap_mech = mechanisms::aes_wrap_pad(&m.raw_mechanisms(slot.id())?).ok_or_else(|| {
        TokenError::Unsupported {
            what:
                "AES key wrap with padding (neither CKM_AES_KEY_WRAP_KWP nor CKM_AES_KEY_WRAP_PAD)"
                    .into(),
        }
    })?;
    let cert = Certificate::from_der(&env.encryption_certificate).map_err(|e| {
        TokenError::BadCertificate {
            detail: e.to_string(),
        }
    })?;
    let spki = cert.tbs_certificate().subject_public_key_info().clone();
    let id = pubkey::key_id(&spki);
    let (key_type, public_attrs) = pubkey::spki_to_attributes(&spki)?;
    let is_rsa = key_type == KeyType::RSA;
    let subject = cert.tbs_certificate().subject().to_der()?;
    let label = env.label.as_bytes().to_vec();

    let session = w.user_session(token)?;
    if keys::find(session, ObjectClass::PRIVATE_KEY, &id)?.is_some() {
        return Err(TokenError::BadInput {
            detail: "the encryption key is already on the token".into(),
        });
    }
    let signing_key = keys::find_private(session, &keys::parse_id(&env.signing_key_id)?)?;
    let oaep = PkcsOaepParams::new(
        MechanismType::SHA1,
        PkcsMgfType::MGF1_SHA1,
        PkcsOaepSource::empty(),
    );
    // Session object: the transport key must not outlive this import.
    let aes = session.unwrap_key(
        &Mechanism::RsaPkcsOaep(oaep),
        signing_key,
        &env.wrapped_aes_key,
        &[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::Token(false),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Unwrap(true),
            Attribute::Encrypt(false),
            Attribute::Decrypt(false),
            Attribute::Wrap(false),
        ],
    )?;
    let private_template = vec![
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::KeyType(key_type),
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Modifiable(true),
        Attribute::Id(id.clone()),
        Attribute::Label(label.clone()),
        Attribute::Subject(subject.clone()),
        Attribute::Sign(false),
        Attribute::Decrypt(is_rsa),
        Attribute::Unwrap(is_rsa),
        Attribute::Derive(!is_rsa),
    ];
    let unwrapped = m.raw_unwrap(
        session.handle(),
        wrap_mech,
        aes.handle(),
        &env.wrapped_private_key,
        &private_template,
    );
    let _ = session.destroy_object(aes);
    let private_handle = unwrapped?;
    crate::fault::point("import-envelope:private-unwrapped");
    // The unwrapped key has no public-key object (PLATFORM-NOTES): create it from the
    // certificate so tools and our own pairing find both halves.
    let mut public_template = vec![
        Attribute::Class(ObjectClass::PUBLIC_KEY),
        Attribute::KeyType(key_type),
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Modifiable(true),
        Attribute::Id(id.clone()),
        Attribute::Label(label),
        Attribute::Subject(subject),
        Attribute::Verify(false),
        Attribute::Encrypt(is_rsa),
        Attribute::Wrap(is_rsa),
        Attribute::Derive(!is_rsa),
    ];
    public_template.extend(public_attrs);
    let public_handle = session.create_object(&public_template)?;
    crate::fault::point("import-envelope:public-created");
    let key_checked = if is_rsa {
        check_rsa_pair(session, public_handle, private_handle)?
    } else {
        false
    };
    let certificate = certs::write(w, token, &env.encryption_certificate, &[])?;
    Ok(EnvelopeImported {
        certificate,
        wrap_mechanism: mechanisms::name_of(wrap_mech),
        key_checked,
    })
}

/// Encrypts a random challenge with the public half and decrypts it with the imported
/// private half, so a wrong envelope is caught before the certificate is written.
fn check_rsa_pair(
    session: &cryptoki::session::Session,
    public: ObjectHandle,
    private: ObjectHandle,
) -> Result<bool> {
    let challenge = session.generate_random_vec(32)?;
    let oaep = PkcsOaepParams::new(
        MechanismType::SHA1,
        PkcsMgfType::MGF1_SHA1,
        PkcsOaepSource::empty(),
    );
    let ct = session.encrypt(&Mechanism::RsaPkcsOaep(oaep), public, &challenge)?;
    let pt = session.decrypt(&Mechanism::RsaPkcsOaep(oaep), private, &ct)?;
    if pt != challenge {
        return Err(TokenError::KeyMismatch);
    }
    Ok(true)
}

impl TokenService {
    /// Imports an enveloped encryption key and pairs it with its certificate (requires login).
    pub async fn import_envelope(
        &self,
        token: TokenRef,
        envelope: Envelope,
    ) -> Result<EnvelopeImported> {
        self.call(move |w| import(w, &token, &envelope)).await
    }
}
