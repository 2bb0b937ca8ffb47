//! A new case keyed at the counter (issue 13 item 3b): the clerk enters the application
//! of an applicant who did not apply online. The fields are the online forms' (the same
//! paths and the same inline checks as the drafts, `drafts::fields`), assembled as the
//! online steps assemble them; the CA then applies the online create's rules and the
//! registry check, and answers the case. The counter takes no mailing address (the
//! token is made on the spot); the invoice and the certificate's name default from
//! what was keyed, as the online 信息确认 does.

use std::collections::BTreeMap;

use certdesk_ca_api::FieldError;
use certdesk_ca_api::agreement::AcceptedAgreement;
use certdesk_ca_api::application::{Application, CreateApplication};
use certdesk_ca_api::channel::{Business, Channel};
use certdesk_ca_api::counter::{Case, CounterSignature};

use super::CaseError;
use super::cases::{Cases, InputProblem, invalid, scanned_id};
use crate::drafts::fields::{Field, Section, assemble};
use crate::drafts::prefill::information_defaults;

/// The sections keyed at the counter, in the order of the form.
const SECTIONS: [Section; 4] = [
    Section::Enterprise,
    Section::Handler,
    Section::Certificate,
    Section::Invoice,
];

/// The longest channel id the CA knows (its identifier bound).
const CHANNEL_ID_MAX: usize = 64;

/// What the clerk keyed. Debug shows the field paths only: the values hold identity
/// numbers.
#[derive(Clone)]
pub struct KeyedInput {
    pub channel_id: String,
    /// The channel's agreements the applicant accepted (signed on paper at the counter).
    pub accepted_agreements: Vec<AcceptedAgreement>,
    /// The form's values by field path (`enterprise.uscc`), as the online drafts hold them.
    pub values: BTreeMap<String, String>,
    /// The same key for a retry of the same keying (the UI keeps it until the answer),
    /// so an answer lost to a CA outage cannot key the application twice.
    pub idempotency_key: Option<String>,
}

impl std::fmt::Debug for KeyedInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedInput")
            .field("channel_id", &self.channel_id)
            .field("fields", &self.values.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// A field of the keyed form, or `None` for a path the counter does not key.
fn keyed_field(path: &str) -> Option<Field> {
    Field::parse(path).filter(|f| SECTIONS.contains(&f.section()))
}

/// The inline check of one keyed field, the online forms' own: `None` when the value is
/// acceptable so far (empty is, until the form is sent).
pub fn check_field(path: &str, value: &str) -> Result<Option<FieldError>, CaseError> {
    let f = keyed_field(path).ok_or(invalid("field", InputProblem::Malformed))?;
    Ok(f.check(value))
}

impl KeyedInput {
    /// The online create's body, or every field the online rules refuse.
    fn request(&self) -> Result<CreateApplication, CaseError> {
        let channel = self.channel_id.trim();
        if channel.is_empty() {
            return Err(invalid("channel_id", InputProblem::Required));
        }
        if channel.len() > CHANNEL_ID_MAX || channel.chars().any(char::is_control) {
            return Err(invalid("channel_id", InputProblem::Malformed));
        }
        if self.accepted_agreements.is_empty() {
            return Err(invalid("accepted_agreements", InputProblem::Required));
        }
        let mut values = BTreeMap::new();
        let mut unknown = Vec::new();
        for (path, value) in &self.values {
            match keyed_field(path) {
                Some(f) => {
                    values.insert(f, value.clone());
                }
                None => unknown.push(FieldError::new(
                    path,
                    "unknown_field",
                    "未知字段",
                    "unknown field",
                )),
            }
        }
        values.extend(information_defaults(&values));
        let handles = values
            .get(&Field::LegalRepHandles)
            .is_some_and(|v| v == "true");
        let sections: Vec<Section> = SECTIONS
            .into_iter()
            .filter(|s| !(handles && *s == Section::Handler))
            .collect();
        let (input, mut errors) = assemble(&values, &sections);
        errors.extend(unknown);
        if !errors.is_empty() {
            return Err(CaseError::InvalidFields { fields: errors });
        }
        Ok(CreateApplication {
            channel_id: channel.to_owned(),
            business: Business::NewOrgCertificate,
            input,
            certificate_serial: None,
            accepted_agreements: self.accepted_agreements.clone(),
        })
    }
}

impl Cases<'_> {
    /// Keys the application and opens its case; the CA's refusals come back on the
    /// fields (`CaRejected` with field errors, as online), one unfinished application
    /// per organisation as `DuplicateApplication` (never naming the other order).
    pub async fn key(&self, input: &KeyedInput) -> Result<Case, CaseError> {
        let req = input.request()?;
        let client = self.client()?;
        match client
            .key_case(&req, input.idempotency_key.as_deref())
            .await
        {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// What the printed application form is made of: the case's application and its
    /// channel (the applicant signs the form in front of the clerk).
    pub async fn form(&self, case_id: &str) -> Result<(Application, Channel), CaseError> {
        let id = super::CaseNumber::parse(case_id)?;
        let client = self.client()?;
        let case = match client.case(id.as_str()).await {
            Ok(c) => c,
            Err(e) => return Err(self.refused(e).await),
        };
        match client.channel(&case.application.channel_id).await {
            Ok(ch) => Ok((case.application, ch)),
            Err(e) => Err(self.refused(e).await),
        }
    }

    /// The application signature at the counter: the uploaded scan of the form the
    /// applicant signed in front of the clerk, and the clerk's attestation.
    pub async fn sign(
        &self,
        case_id: &str,
        form_document_id: &str,
        attested: bool,
    ) -> Result<Case, CaseError> {
        let id = super::CaseNumber::parse(case_id)?;
        if !attested {
            return Err(invalid("attested", InputProblem::Required));
        }
        let req = CounterSignature {
            form_document_id: scanned_id("form_document_id", form_document_id, "doc_")?,
            attested,
        };
        let client = self.client()?;
        match client.sign_case(id.as_str(), &req).await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused(e).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(pairs: &[(&str, &str)]) -> KeyedInput {
        KeyedInput {
            channel_id: "sandbox-p256".into(),
            accepted_agreements: vec![AcceptedAgreement {
                kind: certdesk_ca_api::agreement::AgreementKind::Service,
                version: "1".into(),
            }],
            values: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            idempotency_key: None,
        }
    }

    fn fields(r: Result<CreateApplication, CaseError>) -> Vec<String> {
        match r {
            Err(CaseError::InvalidFields { fields }) => {
                fields.into_iter().map(|f| f.field).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    /// A consistent organisation whose legal representative handles the case.
    fn enterprise() -> Vec<(&'static str, String)> {
        use certdesk_ident::testing as t;
        vec![
            ("enterprise.uscc", t::uscc(7)),
            ("enterprise.org_code", t::org_code(7)),
            ("enterprise.name", "北京某某科技有限公司".into()),
            ("enterprise.legal_rep_name", "张三".into()),
            ("enterprise.legal_rep_id_number", t::resident_id(7)),
            ("enterprise.legal_rep_phone", t::mobile(7)),
            ("enterprise.legal_rep_handles", "true".into()),
        ]
    }

    fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
        v.iter().map(|(k, s)| (*k, s.as_str())).collect()
    }

    #[test]
    fn the_online_rules_name_every_bad_or_missing_field() {
        let mut v = enterprise();
        v[4].1.pop();
        v.push(("mailing.address", "北京".into()));
        let got = fields(keyed(&pairs(&v)).request());
        assert!(
            got.contains(&"enterprise.legal_rep_id_number".to_owned()),
            "{got:?}"
        );
        // Not keyed at the counter.
        assert!(got.contains(&"mailing.address".to_owned()), "{got:?}");
        assert!(got.contains(&"certificate.province".to_owned()), "{got:?}");
        assert!(check_field("handler.phone", "1381234").unwrap().is_some());
        assert!(check_field("handler.phone", "").unwrap().is_none());
        assert!(check_field("handler_check.bank_card", "1").is_err());
    }

    #[test]
    fn the_invoice_defaults_from_what_was_keyed_and_the_handler_is_not_asked_of_a_legal_rep() {
        let mut v = enterprise();
        v.push(("certificate.province", "北京市".into()));
        v.push(("certificate.city", "北京市".into()));
        v.push(("invoice.email", "li@example.cn".into()));
        let id_number = v[4].1.clone();
        let uscc = v[0].1.clone();
        let req = keyed(&pairs(&v)).request().unwrap();
        let inv = req.input.invoice.unwrap();
        assert_eq!(inv.title, "北京某某科技有限公司");
        assert_eq!(inv.tax_number, uscc);
        assert!(req.input.handler.is_none());
        assert!(req.input.mailing.is_none());
        assert_eq!(req.business, Business::NewOrgCertificate);
        // Debug names the fields, never the values.
        assert!(!format!("{:?}", keyed(&pairs(&v))).contains(&id_number));
    }
}
