//! Certificate profiles: which extensions each kind of certificate carries. Extensions
//! come from the profile only, never from the CSR.

use const_oid::AssociatedOid;
use const_oid::db::rfc5280::{ID_AD_CA_ISSUERS, ID_KP_CLIENT_AUTH, ID_KP_EMAIL_PROTECTION};
use der::Encode;
use der::asn1::{Ia5String, OctetString};
use sha1::{Digest, Sha1};
use spki::SubjectPublicKeyInfoRef;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Root,
    Issuing,
    /// Subscriber signing certificate (digital signature, non-repudiation).
    Signing,
    /// Subscriber encryption certificate of a dual pair.
    Encryption {
        ec: bool,
    },
    /// An acceptance-point operator's sign-in certificate (issue 13): digital signature
    /// and client authentication only, so it cannot pass for a subscriber's certificate.
    Operator,
}

pub struct Profile {
    pub kind: Kind,
    pub subject: Name,
    /// `None` for a self-signed root.
    pub issuer: Option<Name>,
    pub crl_url: Option<String>,
    pub ca_issuers_url: Option<String>,
}

fn ext<T: Encode + AssociatedOid>(v: &T, critical: bool) -> der::Result<Extension> {
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(v.to_der()?)?,
    })
}

/// RFC 5280 method 1: SHA-1 of the subjectPublicKey bits.
pub fn key_id(spk: &SubjectPublicKeyInfoRef<'_>) -> der::Result<OctetString> {
    OctetString::new(Sha1::digest(spk.subject_public_key.raw_bytes()).to_vec())
}

fn uri(s: &str) -> der::Result<GeneralName> {
    Ok(GeneralName::UniformResourceIdentifier(Ia5String::new(s)?))
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, subject: &Name) -> Name {
        self.issuer.clone().unwrap_or_else(|| subject.clone())
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut out = Vec::new();
        let (bc, ku): (BasicConstraints, KeyUsage) = match self.kind {
            Kind::Root => (
                BasicConstraints {
                    ca: true,
                    path_len_constraint: None,
                },
                KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            ),
            Kind::Issuing => (
                BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
                KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            ),
            Kind::Signing => (
                BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
            ),
            Kind::Operator => (
                BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                KeyUsage(KeyUsages::DigitalSignature.into()),
            ),
            Kind::Encryption { ec: false } => (
                BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                KeyUsage(KeyUsages::KeyEncipherment | KeyUsages::DataEncipherment),
            ),
            Kind::Encryption { ec: true } => (
                BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                KeyUsage(KeyUsages::KeyAgreement.into()),
            ),
        };
        out.push(ext(&bc, true)?);
        out.push(ext(&ku, true)?);
        out.push(ext(&SubjectKeyIdentifier(key_id(&spk)?), false)?);
        if self.kind != Kind::Root {
            let aki = AuthorityKeyIdentifier {
                key_identifier: Some(key_id(&issuer_spk)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            out.push(ext(&aki, false)?);
        }
        if matches!(self.kind, Kind::Signing | Kind::Encryption { .. }) {
            out.push(ext(
                &ExtendedKeyUsage(vec![ID_KP_CLIENT_AUTH, ID_KP_EMAIL_PROTECTION]),
                false,
            )?);
        }
        if self.kind == Kind::Operator {
            out.push(ext(&ExtendedKeyUsage(vec![ID_KP_CLIENT_AUTH]), false)?);
        }
        if let Some(url) = &self.crl_url {
            let dp = DistributionPoint {
                distribution_point: Some(DistributionPointName::FullName(vec![uri(url)?])),
                reasons: None,
                crl_issuer: None,
            };
            out.push(ext(&CrlDistributionPoints(vec![dp]), false)?);
        }
        if let Some(url) = &self.ca_issuers_url {
            let aia = AuthorityInfoAccessSyntax(vec![AccessDescription {
                access_method: ID_AD_CA_ISSUERS,
                access_location: uri(url)?,
            }]);
            out.push(ext(&aia, false)?);
        }
        Ok(out)
    }
}
