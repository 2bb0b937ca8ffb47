//! The physical limit: the same PKCS#11 calls made bare with cryptoki, in this process,
//! with nothing around them. `C_GenerateKeyPair` with the final template (label,
//! subject and an id, which a real client cannot know before the public key exists:
//! the limit assumes it could), one read of the public key to build the request,
//! `C_Sign` over its TBS, and `C_CreateObject` of the certificate. No lookups, no
//! checks, no host-side verification. A second variant sets the final `CKA_ID` after
//! generation, as a client deriving it from the public key must.

use std::path::Path;
use std::str::FromStr;
use std::time::Instant;

use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_token::KeyAlgorithm;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, CertificateType, ObjectClass};
use cryptoki::session::{Session, UserType};
use der::asn1::BitString;
use der::{Decode, Encode};
use sha2::Digest as _;
use x509_cert::Certificate;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, Version};
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::{PIN, Phases};

/// A logged-in session on the bench token, opened with a cryptoki context of its own
/// (the module is already initialised in this process: that is not an error).
pub struct Bare {
    ctx: Pkcs11,
    slot: cryptoki::slot::Slot,
    session: Session,
}

impl Bare {
    pub fn open(module: &Path, serial: &str) -> Self {
        let ctx = Pkcs11::new(module).unwrap();
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => panic!("C_Initialize: {e}"),
        }
        let slot = ctx
            .get_slots_with_token()
            .unwrap()
            .into_iter()
            .find(|s| ctx.get_token_info(*s).unwrap().serial_number().trim() == serial)
            .unwrap();
        let session = ctx.open_rw_session(slot).unwrap();
        match session.login(UserType::User, Some(&PIN.to_string().into())) {
            Ok(()) | Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => panic!("C_Login: {e}"),
        }
        Self { ctx, slot, session }
    }

    /// Untimed: makes SoftHSM2 in this process take in what another process wrote to
    /// the token. Its first call after such a write re-reads the changed object files
    /// (milliseconds, growing with the objects on the token), a cost of the bench's
    /// interleaving that none of the in-process ways has in use.
    pub fn reload(&self) {
        self.ctx.get_token_info(self.slot).unwrap();
        self.session.find_objects(&[]).unwrap();
    }

    /// One operation; with `set_final_id`, the key pair is generated with a temporary id
    /// and its final `CKA_ID` (SHA-1 of the public key) set afterwards, as any client
    /// using that convention must: the limit for such a client.
    pub fn once(&self, ca: &TestCa, alg: KeyAlgorithm, n: usize, set_final_id: bool) -> Phases {
        let s = &self.session;
        let label = format!("bare-{n}");
        let t0 = Instant::now();
        let subject = Name::from_str(&format!("CN=bench {n},C=CN")).unwrap();
        let id = sha1::Sha1::digest(label.as_bytes()).to_vec();
        let spec = certdesk_token::KeySpec {
            algorithm: alg,
            purpose: certdesk_token::KeyPurpose::Signing,
            label: label.clone(),
            subject: None,
        };
        let t =
            certdesk_token::template::templates(&spec, &id, Some(&subject.to_der().unwrap()), &[])
                .unwrap();
        let call = Instant::now();
        let (pub_h, priv_h) = s
            .generate_key_pair(&t.mechanism, &t.public, &t.private)
            .unwrap();
        let keygen_call = call.elapsed();
        let spki = certdesk_token::pubkey::read_spki(s, pub_h).unwrap();
        let id = if set_final_id {
            let id = certdesk_token::pubkey::key_id(&spki);
            s.update_attributes(pub_h, &[Attribute::Id(id.clone())])
                .unwrap();
            s.update_attributes(priv_h, &[Attribute::Id(id.clone())])
                .unwrap();
            id
        } else {
            id
        };
        let keygen = t0.elapsed();
        let t1 = Instant::now();
        let info = CertReqInfo {
            version: Version::V1,
            subject,
            public_key: spki,
            attributes: Default::default(),
        };
        let tbs = info.to_der().unwrap();
        let (oid, parameters, sig) = if alg == KeyAlgorithm::EcP256 {
            let rs = s
                .sign(&Mechanism::Ecdsa, priv_h, &sha2::Sha256::digest(&tbs))
                .unwrap();
            let sig = p256::ecdsa::Signature::from_slice(&rs).unwrap();
            (
                certdesk_token::pubkey::OID_ECDSA_SHA256,
                None,
                sig.to_der().as_bytes().to_vec(),
            )
        } else {
            (
                certdesk_token::pubkey::OID_SHA256_RSA,
                Some(der::asn1::AnyRef::NULL.into()),
                s.sign(&Mechanism::Sha256RsaPkcs, priv_h, &tbs).unwrap(),
            )
        };
        let csr = CertReq {
            info,
            algorithm: AlgorithmIdentifierOwned { oid, parameters },
            signature: BitString::from_bytes(&sig).unwrap(),
        }
        .to_der()
        .unwrap();
        let csr_time = t1.elapsed();
        let leaf = ca.issue(&csr, Usage::Signing).unwrap();
        let t2 = Instant::now();
        let cert = Certificate::from_der(&leaf).unwrap();
        let tbs = cert.tbs_certificate();
        s.create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Modifiable(true),
            Attribute::Id(id),
            Attribute::Label(label.into_bytes()),
            Attribute::Subject(tbs.subject().to_der().unwrap()),
            Attribute::Issuer(tbs.issuer().to_der().unwrap()),
            Attribute::SerialNumber(tbs.serial_number().to_der().unwrap()),
            Attribute::Value(leaf),
        ])
        .unwrap();
        Phases {
            keygen,
            csr: csr_time,
            write: t2.elapsed(),
            keygen_call: Some(keygen_call),
            outside_worker: None,
        }
    }
}
