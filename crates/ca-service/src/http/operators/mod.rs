//! Acceptance points and their operators (issue 13): staff registry, certificate
//! sign-in, and what a signed-in operator may read.

pub mod admin;
pub mod cases;
pub mod close;
pub mod keyed;
pub mod making;
pub mod numbers;
pub mod payments;
pub mod receipt;
pub mod sign_in;
pub mod stock;
pub mod supervisor;

use certdesk_ca_api::close::{
    CloseExplanation, CloseExplanations, EXPLANATION_CHARS, NewCloseCorrection, SignClose,
};
use certdesk_ca_api::counter::{
    CaseSoPin, CounterPaymentRequest, CounterSignature, FieldCheck, Handover, OnSiteIdentity,
    OpenCase, RecordToken,
};
use certdesk_ca_api::limits as max;
use certdesk_ca_api::operator::{NewOperator, NewPoint, SignIn};

use crate::domain::checked::{Check, Checked};

impl Checked for NewPoint {
    fn check(&self, c: &mut Check) {
        let NewPoint {
            id,
            name,
            province,
            city,
        } = self;
        c.text("id", id, max::IDENTIFIER);
        c.text("name", name, max::ORGANISATION_NAME);
        c.text("province", province, max::PLACE);
        c.text("city", city, max::PLACE);
    }
}

impl Checked for NewOperator {
    fn check(&self, c: &mut Check) {
        let NewOperator {
            name,
            phone,
            point_id,
            roles: _,
            key_algorithm: _,
        } = self;
        c.text("name", name, max::COMMON_NAME);
        c.text("phone", phone, max::IDENTIFIER);
        c.text("point_id", point_id, max::IDENTIFIER);
    }
}

impl Checked for SignIn {
    fn check(&self, c: &mut Check) {
        let SignIn {
            challenge_id,
            certificate_serial,
            signature,
        } = self;
        c.text("challenge_id", challenge_id, max::IDENTIFIER);
        c.text("certificate_serial", certificate_serial, max::IDENTIFIER);
        // A base64 RSA-4096 signature is 684 characters.
        c.text("signature", signature, 1024);
    }
}

impl Checked for OpenCase {
    fn check(&self, c: &mut Check) {
        let OpenCase {
            application_id,
            uscc,
        } = self;
        c.text("application_id", application_id, max::IDENTIFIER);
        c.opt_text("uscc", uscc.as_deref(), max::IDENTIFIER);
    }
}

impl Checked for FieldCheck {
    fn check(&self, c: &mut Check) {
        let FieldCheck {
            field,
            outcome: _,
            value,
        } = self;
        c.text("field", field, max::IDENTIFIER);
        // The longest field's bound; each field's own bound is checked with the value.
        c.opt_text("value", value.as_deref(), max::EMAIL);
    }
}

impl Checked for CounterPaymentRequest {
    fn check(&self, c: &mut Check) {
        let CounterPaymentRequest {
            method: _,
            reference,
        } = self;
        c.opt_text("reference", reference.as_deref(), max::IDENTIFIER);
    }
}

impl Checked for OnSiteIdentity {
    fn check(&self, c: &mut Check) {
        let OnSiteIdentity {
            person: _,
            document: _,
            id_number,
            copy_document_id,
            attested: _,
        } = self;
        c.text("id_number", id_number, max::IDENTITY_NUMBER);
        c.text("copy_document_id", copy_document_id, max::IDENTIFIER);
    }
}

impl Checked for RecordToken {
    fn check(&self, c: &mut Check) {
        let RecordToken {
            token_serial,
            token_model,
        } = self;
        c.text("token_serial", token_serial, max::IDENTIFIER);
        c.opt_text(
            "token_model",
            token_model.as_deref(),
            certdesk_ca_api::stock::MODEL,
        );
    }
}

impl Checked for CaseSoPin {
    fn check(&self, c: &mut Check) {
        let CaseSoPin { token_serial } = self;
        c.opt_text("token_serial", token_serial.as_deref(), max::IDENTIFIER);
    }
}

impl Checked for Handover {
    fn check(&self, c: &mut Check) {
        let Handover { code } = self;
        c.text("code", code, max::CODE);
    }
}

impl Checked for CounterSignature {
    fn check(&self, c: &mut Check) {
        let CounterSignature {
            form_document_id,
            attested: _,
        } = self;
        c.text("form_document_id", form_document_id, max::IDENTIFIER);
    }
}

impl Checked for CloseExplanation {
    fn check(&self, c: &mut Check) {
        let CloseExplanation {
            difference_id,
            text,
        } = self;
        c.text("difference_id", difference_id, max::IDENTIFIER * 2);
        c.text("text", text, EXPLANATION_CHARS);
    }
}

/// The list is bounded by the JSON body's size; each entry by its own fields.
fn check_explanations(c: &mut Check, explanations: &[CloseExplanation]) {
    for (i, e) in explanations.iter().enumerate() {
        c.nested(&format!("explanations[{i}]"), Some(e));
    }
}

impl Checked for CloseExplanations {
    fn check(&self, c: &mut Check) {
        let CloseExplanations { explanations } = self;
        check_explanations(c, explanations);
    }
}

impl Checked for SignClose {
    fn check(&self, c: &mut Check) {
        let SignClose {
            explanations,
            document_sha256,
            certificate_serial,
            signature,
        } = self;
        check_explanations(c, explanations);
        c.text("document_sha256", document_sha256, max::IDENTIFIER);
        c.text("certificate_serial", certificate_serial, max::IDENTIFIER);
        // A base64 RSA-4096 signature is 684 characters.
        c.text("signature", signature, 1024);
    }
}

impl Checked for NewCloseCorrection {
    fn check(&self, c: &mut Check) {
        let NewCloseCorrection { text } = self;
        c.text("text", text, EXPLANATION_CHARS);
    }
}
