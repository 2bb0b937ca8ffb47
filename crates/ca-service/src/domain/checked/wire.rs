//! [`Checked`] for every request body and query of `certdesk-ca-api` the service takes.

use certdesk_ca_api::application::{
    ApplicationInput, CertificateInfo, CreateApplication, EnterpriseInfo, FaceCheckRequest,
    FaceCheckResult, HandlerCheckRequest, HandlerInfo, InvoiceInfo, MailingInfo, RejectRequest,
    SignApplication, SignAuthorisation, TrackingInput,
};
use certdesk_ca_api::auth::{OtpRequest, TokenRequest};
use certdesk_ca_api::download::{
    DownloadAuthorise, DownloadLookup, FinalizeRequest, RenewalChallengeRequest, RenewalRequest,
    RevokeRequest, UnlockAuthorise, UnlockRequest,
};
use certdesk_ca_api::limits as max;
use certdesk_ca_api::payment::{CreatePayment, PaymentNotify, ResendInvoice};
use certdesk_ca_api::sandbox::{CompleteCheck, RegistryCompany};

use super::{Check, Checked};

no_text!(
    FaceCheckRequest,
    FaceCheckResult,
    RevokeRequest,
    CreatePayment,
    CompleteCheck
);

impl Checked for CreateApplication {
    fn check(&self, c: &mut Check) {
        let CreateApplication {
            channel_id,
            business: _,
            input,
            certificate_serial,
            accepted_agreements,
        } = self;
        c.text("channel_id", channel_id, max::IDENTIFIER);
        let versions: Vec<String> = accepted_agreements
            .iter()
            .map(|a| a.version.clone())
            .collect();
        c.texts(
            "accepted_agreements",
            &versions,
            max::AGREEMENTS,
            max::IDENTIFIER,
        );
        c.opt_text(
            "certificate_serial",
            certificate_serial.as_deref(),
            max::IDENTIFIER,
        );
        // The input's fields are reported unprefixed, as on edits.
        c.nested("", Some(input));
    }
}

impl Checked for ApplicationInput {
    fn check(&self, c: &mut Check) {
        let ApplicationInput {
            enterprise,
            handler,
            certificate,
            invoice,
            mailing,
        } = self;
        c.nested("enterprise", enterprise.as_ref());
        c.nested("handler", handler.as_ref());
        c.nested("certificate", certificate.as_ref());
        c.nested("invoice", invoice.as_ref());
        c.nested("mailing", mailing.as_ref());
    }
}

impl Checked for EnterpriseInfo {
    fn check(&self, c: &mut Check) {
        let EnterpriseInfo {
            uscc,
            org_code,
            name,
            legal_rep_name,
            legal_rep_id_number,
            legal_rep_phone,
            legal_rep_handles: _,
        } = self;
        c.text("uscc", uscc, max::IDENTITY_NUMBER);
        c.text("org_code", org_code, max::IDENTITY_NUMBER);
        c.text("name", name, max::ORGANISATION_NAME);
        c.text("legal_rep_name", legal_rep_name, max::PERSON_NAME);
        c.text(
            "legal_rep_id_number",
            legal_rep_id_number,
            max::IDENTITY_NUMBER,
        );
        c.text("legal_rep_phone", legal_rep_phone, max::IDENTITY_NUMBER);
    }
}

impl Checked for HandlerInfo {
    fn check(&self, c: &mut Check) {
        let HandlerInfo {
            name,
            id_number,
            phone,
            email,
        } = self;
        c.text("name", name, max::PERSON_NAME);
        c.text("id_number", id_number, max::IDENTITY_NUMBER);
        c.text("phone", phone, max::IDENTITY_NUMBER);
        c.text("email", email, max::EMAIL);
    }
}

impl Checked for CertificateInfo {
    fn check(&self, c: &mut Check) {
        let CertificateInfo {
            common_name,
            province,
            city,
        } = self;
        c.opt_text("common_name", common_name.as_deref(), max::COMMON_NAME);
        c.text("province", province, max::PLACE);
        c.text("city", city, max::PLACE);
    }
}

impl Checked for InvoiceInfo {
    fn check(&self, c: &mut Check) {
        let InvoiceInfo {
            title,
            tax_number,
            email,
        } = self;
        c.text("title", title, max::INVOICE_TITLE);
        c.text("tax_number", tax_number, max::IDENTITY_NUMBER);
        c.text("email", email, max::EMAIL);
    }
}

impl Checked for MailingInfo {
    fn check(&self, c: &mut Check) {
        let MailingInfo {
            recipient,
            phone,
            address,
            postcode,
        } = self;
        c.text("recipient", recipient, max::PERSON_NAME);
        c.text("phone", phone, max::IDENTITY_NUMBER);
        c.text("address", address, max::ADDRESS);
        c.text("postcode", postcode, max::IDENTITY_NUMBER);
    }
}

impl Checked for TrackingInput {
    fn check(&self, c: &mut Check) {
        let TrackingInput {
            courier,
            tracking_number,
        } = self;
        c.text("courier", courier, max::COURIER);
        c.text("tracking_number", tracking_number, max::TRACKING_NUMBER);
    }
}

impl Checked for RejectRequest {
    fn check(&self, c: &mut Check) {
        let RejectRequest { reasons } = self;
        c.texts("reasons", reasons, max::REASONS, max::REASON);
    }
}

impl Checked for HandlerCheckRequest {
    fn check(&self, c: &mut Check) {
        let HandlerCheckRequest {
            method: _,
            bank_card,
        } = self;
        c.opt_text("bank_card", bank_card.as_deref(), max::IDENTITY_NUMBER);
    }
}

impl Checked for SignAuthorisation {
    fn check(&self, c: &mut Check) {
        let SignAuthorisation { code } = self;
        c.text("code", code, max::CODE);
    }
}

impl Checked for SignApplication {
    fn check(&self, c: &mut Check) {
        let SignApplication { code, consent: _ } = self;
        c.text("code", code, max::CODE);
    }
}

impl Checked for OtpRequest {
    fn check(&self, c: &mut Check) {
        let OtpRequest {
            phone,
            captcha_id,
            captcha_answer,
        } = self;
        c.captcha(phone, captcha_id, captcha_answer);
    }
}

impl Checked for TokenRequest {
    fn check(&self, c: &mut Check) {
        let TokenRequest { phone, code } = self;
        c.text("phone", phone, max::IDENTITY_NUMBER);
        c.text("code", code, max::CODE);
    }
}

impl Checked for DownloadLookup {
    fn check(&self, c: &mut Check) {
        let DownloadLookup {
            org_code,
            handler_id_number,
            phone,
            captcha_id,
            captcha_answer,
        } = self;
        c.opt_text("org_code", org_code.as_deref(), max::IDENTITY_NUMBER);
        c.opt_text(
            "handler_id_number",
            handler_id_number.as_deref(),
            max::IDENTITY_NUMBER,
        );
        c.captcha(phone, captcha_id, captcha_answer);
    }
}

impl Checked for DownloadAuthorise {
    fn check(&self, c: &mut Check) {
        let DownloadAuthorise {
            card_serial,
            card_password,
            phone,
            org_code,
            captcha_id,
            captcha_answer,
        } = self;
        c.text("card_serial", card_serial, max::IDENTIFIER);
        c.text("card_password", card_password, max::CODE);
        c.text("org_code", org_code, max::IDENTITY_NUMBER);
        c.captcha(phone, captcha_id, captcha_answer);
    }
}

impl Checked for FinalizeRequest {
    fn check(&self, c: &mut Check) {
        let FinalizeRequest { csr } = self;
        c.text_block("csr", csr, max::PEM);
    }
}

impl Checked for RenewalChallengeRequest {
    fn check(&self, c: &mut Check) {
        let RenewalChallengeRequest { serial } = self;
        c.text("serial", serial, max::IDENTIFIER);
    }
}

impl Checked for RenewalRequest {
    fn check(&self, c: &mut Check) {
        let RenewalRequest {
            serial,
            challenge_id,
            signature,
        } = self;
        c.text("serial", serial, max::IDENTIFIER);
        c.text("challenge_id", challenge_id, max::IDENTIFIER);
        c.text_block("signature", signature, max::PEM);
    }
}

impl Checked for UnlockRequest {
    fn check(&self, c: &mut Check) {
        let UnlockRequest {
            certificate_serial,
            token_serial,
            phone,
            captcha_id,
            captcha_answer,
        } = self;
        c.text("certificate_serial", certificate_serial, max::IDENTIFIER);
        c.text("token_serial", token_serial, max::IDENTIFIER);
        c.captcha(phone, captcha_id, captcha_answer);
    }
}

impl Checked for UnlockAuthorise {
    fn check(&self, c: &mut Check) {
        let UnlockAuthorise { code } = self;
        c.text("code", code, max::CODE);
    }
}

impl Checked for ResendInvoice {
    fn check(&self, c: &mut Check) {
        let ResendInvoice { email } = self;
        c.text("email", email, max::EMAIL);
    }
}

impl Checked for PaymentNotify {
    fn check(&self, c: &mut Check) {
        let PaymentNotify {
            payment_id,
            amount_fen: _,
            provider_transaction_id,
        } = self;
        c.text("payment_id", payment_id, max::IDENTIFIER);
        c.text(
            "provider_transaction_id",
            provider_transaction_id,
            max::IDENTIFIER,
        );
    }
}

impl Checked for RegistryCompany {
    fn check(&self, c: &mut Check) {
        let RegistryCompany {
            uscc,
            name,
            legal_rep_name,
            legal_rep_id_number,
            status,
        } = self;
        c.text("uscc", uscc, max::IDENTITY_NUMBER);
        c.text("name", name, max::ORGANISATION_NAME);
        c.text("legal_rep_name", legal_rep_name, max::PERSON_NAME);
        c.text(
            "legal_rep_id_number",
            legal_rep_id_number,
            max::IDENTITY_NUMBER,
        );
        c.text("status", status, max::STATUS_WORD);
    }
}
