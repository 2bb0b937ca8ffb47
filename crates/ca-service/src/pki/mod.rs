//! The CA hierarchy (root + issuing CA per algorithm family), issuance and CRLs.

pub mod csr;
pub mod envelope;
pub mod keys;
pub mod profile;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::clock::Clock;

use certdesk_ca_api::channel::KeyAlgorithm;
use der::{DecodePem, Encode, EncodePem, pem::LineEnding};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::builder::{CertificateBuilder, CrlBuilder};
use x509_cert::crl::RevokedCert;
use x509_cert::ext::pkix::{CrlNumber, CrlReason};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use keys::CaKey;
use profile::{Kind, Profile};

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("key: {0}")]
    Key(String),
    #[error("building: {0}")]
    Build(String),
    #[error("encoding: {0}")]
    Der(#[from] der::Error),
    #[error("CA files: {0}")]
    Io(#[from] std::io::Error),
    #[error("CA state lock poisoned")]
    Poisoned,
    /// A subject value that fails the free-text rule: never put into a certificate.
    #[error("subject {field}: {error}")]
    Subject {
        field: &'static str,
        error: certdesk_ident::text::TextError,
    },
}

/// Algorithm family of a CA hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Rsa,
    P256,
    Sm2,
}

impl Family {
    pub fn of(alg: KeyAlgorithm) -> Self {
        match alg {
            KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 => Family::Rsa,
            KeyAlgorithm::EcdsaP256 => Family::P256,
            KeyAlgorithm::Sm2 => Family::Sm2,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Rsa => "rsa",
            Family::P256 => "p256",
            Family::Sm2 => "sm2",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "rsa" => Some(Family::Rsa),
            "p256" => Some(Family::P256),
            "sm2" => Some(Family::Sm2),
            _ => None,
        }
    }
}

/// Escapes an RFC 4514 attribute value.
fn esc(v: &str) -> String {
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && matches!(c, '#' | ' '))
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Subscriber subject from the vetted organisation: C, ST, L, O, CN and the USCC as
/// `serialNumber` (PrintableString). The only way to a subscriber name: each value is
/// checked again by the free-text rule here, whatever checked it before, so a control
/// or bidi character (a NUL in a CN is a spoofing classic) never reaches a certificate.
pub fn subscriber_name(
    cn: &str,
    org: &str,
    province: &str,
    city: &str,
    uscc: &str,
) -> Result<Name, PkiError> {
    use certdesk_ca_api::limits as max;
    for (field, value, bound) in [
        ("common_name", cn, max::COMMON_NAME),
        ("organisation", org, max::ORGANISATION_NAME),
        ("province", province, max::PLACE),
        ("city", city, max::PLACE),
        ("uscc", uscc, max::IDENTITY_NUMBER),
    ] {
        certdesk_ident::text::free_text(value, bound)
            .map_err(|error| PkiError::Subject { field, error })?;
    }
    let s = format!(
        "CN={},2.5.4.5={},O={},L={},ST={},C=CN",
        esc(cn),
        esc(uscc),
        esc(org),
        esc(city),
        esc(province)
    );
    Ok(Name::from_str(&s)?)
}

/// `days` from `now` (the service's clock, not the system's).
fn validity(now: SystemTime, days: u32) -> Result<Validity, PkiError> {
    let end = now + Duration::from_secs(u64::from(days) * 86_400);
    Ok(Validity::new(Time::try_from(now)?, Time::try_from(end)?))
}

pub fn random_serial() -> Result<(SerialNumber, String), PkiError> {
    let mut b: [u8; 16] = rand::random();
    // Positive and of fixed length: top bit clear, next bit set.
    b[0] = (b[0] & 0x7f) | 0x40;
    Ok((SerialNumber::new(&b)?, hex::encode(b)))
}

/// One family's root and issuing CA.
pub struct Authority {
    pub family: Family,
    pub root_cert: Certificate,
    pub issuing_cert: Certificate,
    root_key: CaKey,
    issuing_key: CaKey,
}

pub struct Pki {
    dir: PathBuf,
    base_url: String,
    clock: Clock,
    cache: Mutex<HashMap<Family, Arc<Authority>>>,
}

fn write_private(path: &Path, text: &str) -> Result<(), PkiError> {
    crate::server::write_private(path, text.as_bytes())
        .map_err(|e| PkiError::Io(std::io::Error::other(e.to_string())))
}

impl Pki {
    pub fn new(data_dir: &Path, base_url: &str, clock: Clock) -> Self {
        Self {
            dir: data_dir.join("ca"),
            base_url: base_url.to_string(),
            clock,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Key-encryption key of the escrow copies (32 random bytes, mode 0600).
    pub fn escrow_key(&self) -> Result<[u8; 32], PkiError> {
        self.secret("escrow.key")
    }

    /// SO PIN of a token the CA issued: derived from a CA secret, so nothing per token
    /// needs storing and staff can initialise tokens with it.
    pub fn so_pin(&self, token_serial: &str) -> Result<String, PkiError> {
        use hmac::{KeyInit, Mac};
        let key = self.secret("so-pin.key")?;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key)
            .map_err(|e| PkiError::Key(e.to_string()))?;
        mac.update(token_serial.trim().as_bytes());
        Ok(hex::encode(&mac.finalize().into_bytes()[..8]))
    }

    /// The transitional SO PIN for a blank token at a counter case: a token that says
    /// its serial only once initialised is initialised with this one, which is then
    /// changed to [`Self::so_pin`] of its new serial. Derived under its own prefix, so
    /// it is never any token's SO PIN.
    pub fn blank_so_pin(&self, case_id: &str) -> Result<String, PkiError> {
        self.so_pin(&format!("blank-token:{case_id}"))
    }

    fn secret(&self, name: &str) -> Result<[u8; 32], PkiError> {
        let path = self.dir.join(name);
        if let Ok(bytes) = std::fs::read(&path) {
            return <[u8; 32]>::try_from(bytes.as_slice())
                .map_err(|_| PkiError::Key(format!("{name} must be 32 bytes")));
        }
        std::fs::create_dir_all(&self.dir)?;
        let key: [u8; 32] = rand::random();
        crate::server::write_private(&path, &key)
            .map_err(|e| PkiError::Io(std::io::Error::other(e.to_string())))?;
        Ok(key)
    }

    pub fn url(&self, family: Family, file: &str) -> String {
        format!("{}/v1/ca/{}/{file}", self.base_url, family.as_str())
    }

    /// Loads the family's CAs, creating them on first use (blocking: call off the runtime).
    pub fn authority(&self, family: Family) -> Result<Arc<Authority>, PkiError> {
        let mut cache = self.cache.lock().map_err(|_| PkiError::Poisoned)?;
        if let Some(a) = cache.get(&family) {
            return Ok(a.clone());
        }
        let dir = self.dir.join(family.as_str());
        let a = if dir.join("issuing.crt").exists() {
            self.load(family, &dir)?
        } else {
            self.create(family, &dir)?
        };
        let a = Arc::new(a);
        cache.insert(family, a.clone());
        Ok(a)
    }

    fn load(&self, family: Family, dir: &Path) -> Result<Authority, PkiError> {
        let read = |f: &str| std::fs::read_to_string(dir.join(f));
        Ok(Authority {
            family,
            root_cert: Certificate::from_pem(read("root.crt")?)?,
            issuing_cert: Certificate::from_pem(read("issuing.crt")?)?,
            root_key: CaKey::from_pkcs8_pem(family, &read("root.key")?)?,
            issuing_key: CaKey::from_pkcs8_pem(family, &read("issuing.key")?)?,
        })
    }

    fn create(&self, family: Family, dir: &Path) -> Result<Authority, PkiError> {
        std::fs::create_dir_all(dir)?;
        let tag = match family {
            Family::Rsa => "RSA",
            Family::P256 => "ECC",
            Family::Sm2 => "SM2",
        };
        let root_key = CaKey::generate(family, 3072)?;
        let issuing_key = CaKey::generate(family, 2048)?;
        let root_name = Name::from_str(&format!(
            "CN=CertDesk Sandbox Root CA {tag},O=CertDesk Sandbox,C=CN"
        ))?;
        let issuing_name = Name::from_str(&format!(
            "CN=CertDesk Sandbox Issuing CA {tag},O=CertDesk Sandbox,C=CN"
        ))?;
        let (serial, _) = random_serial()?;
        let root = CertificateBuilder::new(
            Profile {
                kind: Kind::Root,
                subject: root_name.clone(),
                issuer: None,
                crl_url: None,
                ca_issuers_url: None,
            },
            serial,
            validity(self.clock.system_time(), 20 * 365)?,
            root_key.spki()?,
        )
        .map_err(|e| PkiError::Build(e.to_string()))?;
        let root_cert = root_key.sign_certificate(root)?;
        let (serial, _) = random_serial()?;
        let issuing = CertificateBuilder::new(
            Profile {
                kind: Kind::Issuing,
                subject: issuing_name,
                issuer: Some(root_name),
                crl_url: Some(self.url(family, "root.crl")),
                ca_issuers_url: Some(self.url(family, "root.crt")),
            },
            serial,
            validity(self.clock.system_time(), 10 * 365)?,
            issuing_key.spki()?,
        )
        .map_err(|e| PkiError::Build(e.to_string()))?;
        let issuing_cert = root_key.sign_certificate(issuing)?;
        write_private(&dir.join("root.key"), &root_key.to_pkcs8_pem()?)?;
        write_private(&dir.join("issuing.key"), &issuing_key.to_pkcs8_pem()?)?;
        std::fs::write(dir.join("root.crt"), root_cert.to_pem(LineEnding::LF)?)?;
        // Written last: its presence marks a complete hierarchy.
        std::fs::write(
            dir.join("issuing.crt"),
            issuing_cert.to_pem(LineEnding::LF)?,
        )?;
        tracing::info!(family = family.as_str(), "created CA hierarchy");
        Ok(Authority {
            family,
            root_cert,
            issuing_cert,
            root_key,
            issuing_key,
        })
    }
}

pub struct Revoked {
    pub serial_hex: String,
    pub revoked_at: i64,
    pub reason: CrlReason,
}

impl Authority {
    /// Issues a subscriber certificate; returns it with its serial (hex).
    pub fn issue(
        &self,
        pki: &Pki,
        kind: Kind,
        subject: Name,
        spki: SubjectPublicKeyInfoOwned,
        validity_days: u32,
    ) -> Result<(Certificate, String), PkiError> {
        let (serial, serial_hex) = random_serial()?;
        let b = CertificateBuilder::new(
            Profile {
                kind,
                subject,
                issuer: Some(self.issuing_cert.tbs_certificate().subject().clone()),
                crl_url: Some(pki.url(self.family, "issuing.crl")),
                ca_issuers_url: Some(pki.url(self.family, "issuing.crt")),
            },
            serial,
            validity(pki.clock.system_time(), validity_days)?,
            spki,
        )
        .map_err(|e| PkiError::Build(e.to_string()))?;
        Ok((self.issuing_key.sign_certificate(b)?, serial_hex))
    }

    /// A signature by the issuing CA over `msg`: the signing cost alone, for the bench.
    pub fn sign_probe(&self, msg: &[u8]) -> Result<Vec<u8>, PkiError> {
        self.issuing_key.sign_bytes(msg)
    }

    /// Chain from the issuing CA up (PEM), as served and as returned on issuance.
    pub fn chain_pem(&self) -> Result<String, PkiError> {
        Ok(format!(
            "{}{}",
            self.issuing_cert.to_pem(LineEnding::LF)?,
            self.root_cert.to_pem(LineEnding::LF)?
        ))
    }

    /// CRL (DER) of the issuing CA (subscriber certificates) or of the root (`root`),
    /// issued at `now` (the service's clock).
    pub fn crl_der(
        &self,
        root: bool,
        revoked: &[Revoked],
        number: u64,
        now: SystemTime,
    ) -> Result<Vec<u8>, PkiError> {
        let (cert, key) = if root {
            (&self.root_cert, &self.root_key)
        } else {
            (&self.issuing_cert, &self.issuing_key)
        };
        let mut entries = Vec::new();
        for r in revoked {
            let bytes = hex::decode(&r.serial_hex).map_err(|e| PkiError::Build(e.to_string()))?;
            let when = UNIX_EPOCH + Duration::from_secs(r.revoked_at.max(0) as u64);
            let reason = x509_cert::ext::Extension {
                extn_id: const_oid::db::rfc5280::ID_CE_CRL_REASONS,
                critical: false,
                extn_value: der::asn1::OctetString::new(r.reason.to_der()?)?,
            };
            entries.push(RevokedCert {
                serial_number: SerialNumber::new(&bytes)?,
                revocation_date: Time::try_from(when)?,
                crl_entry_extensions: Some(vec![reason]),
            });
        }
        let next = Time::try_from(now + Duration::from_secs(7 * 86_400))?;
        // x509-cert 0.3's CrlBuilder takes the CRL's AKI from the issuer certificate's own
        // AKI when it has one (the root's key id for the issuing CA), which no verifier can
        // match. Hand it a stand-in with the same subject and key but no AKI: it then
        // derives the AKI from the issuer's public key, as RFC 5280 requires.
        let stand_in;
        let cert = if root {
            cert
        } else {
            let (serial, _) = random_serial()?;
            let b = CertificateBuilder::new(
                Profile {
                    kind: Kind::Root,
                    subject: cert.tbs_certificate().subject().clone(),
                    issuer: None,
                    crl_url: None,
                    ca_issuers_url: None,
                },
                serial,
                validity(now, 1)?,
                key.spki()?,
            )
            .map_err(|e| PkiError::Build(e.to_string()))?;
            stand_in = key.sign_certificate(b)?;
            &stand_in
        };
        let b = CrlBuilder::new_with_this_update(
            cert,
            CrlNumber::try_from(number)?,
            Time::try_from(now)?,
        )?
        .with_next_update(Some(next))
        .with_certificates(entries.into_iter());
        Ok(key.sign_crl(b)?.to_der()?)
    }
}

#[cfg(test)]
mod tests;
