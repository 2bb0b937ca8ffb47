//! **Tests only** (feature `test-support`): makes, with plain `C_CreateObject` on the
//! real module, the half-written objects a token pulled in the middle of a write leaves
//! behind, as an outside probe found them on SoftHSM2. Modules validate templates
//! differently, so each kind is tried from the exact shape to the closest one the
//! module accepts, and the shape made is returned for the test to report.

use cryptoki::object::{Attribute, CertificateType, KeyType, ObjectClass};
use der::Encode;

use crate::error::{Result, TokenError};
use crate::pubkey::OID_P256;
use crate::worker::{TokenRef, TokenService};

/// A kind of debris.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Debris {
    /// A private key with no `CKA_ID`, an empty label and `CKA_SENSITIVE` false
    /// (what a pull during key generation left).
    PrivateKeyWithoutId,
    /// A certificate object with no id, no label and no value (a pull during
    /// certificate writing).
    EmptyCertificate,
}

fn shapes(kind: Debris) -> Result<Vec<(&'static str, Vec<Attribute>)>> {
    Ok(match kind {
        Debris::PrivateKeyWithoutId => {
            let base = vec![
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::KeyType(KeyType::EC),
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(false),
                Attribute::Label(Vec::new()),
            ];
            let mut with_value = base.clone();
            with_value.push(Attribute::EcParams(OID_P256.to_der()?));
            // Any scalar below the group order is a valid P-256 private key.
            with_value.push(Attribute::Value(vec![0x5a; 32]));
            vec![
                ("private key: class and key type only", base),
                (
                    "private key: EC P-256 with a value, no id, empty label",
                    with_value,
                ),
            ]
        }
        Debris::EmptyCertificate => {
            let base = vec![
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
                Attribute::Token(true),
                Attribute::Private(false),
            ];
            let mut empty = base.clone();
            empty.push(Attribute::Subject(Vec::new()));
            empty.push(Attribute::Value(Vec::new()));
            let mut cut = base.clone();
            cut.push(Attribute::Subject(vec![0x30, 0x00]));
            // The first bytes of a DER certificate: a SEQUENCE whose content never came.
            cut.push(Attribute::Value(vec![0x30, 0x82, 0x03, 0x10, 0x30, 0x82]));
            vec![
                ("certificate: class and type only", base),
                ("certificate: empty subject and value", empty),
                ("certificate: value cut after 6 bytes", cut),
            ]
        }
    })
}

impl TokenService {
    /// Makes one piece of debris on the token (requires login): tries each shape until
    /// the module accepts one. Returns what happened to each shape tried. Note that a
    /// refused `C_CreateObject` may itself leave a half-made object (SoftHSM2 does):
    /// count the debris with [`TokenService::inventory`], not from this answer.
    pub async fn plant_debris(&self, token: TokenRef, kind: Debris) -> Result<Vec<String>> {
        self.call(move |w| {
            let session = w.user_session(&token)?;
            let mut tried = Vec::new();
            for (name, template) in shapes(kind)? {
                match session.create_object(&template) {
                    Ok(_) => {
                        tried.push(format!("{name}: made"));
                        return Ok(tried);
                    }
                    Err(e) => tried.push(format!("{name}: refused ({})", TokenError::from(e))),
                }
            }
            Err(TokenError::BadInput {
                detail: format!("the module refused every shape: {tried:?}"),
            })
        })
        .await
    }
}
