//! Server-side validation of the applicant's input, as field errors.

use certdesk_ca_api::FieldError;
use certdesk_ca_api::application::ApplicationInput;
use certdesk_ident as ident;

fn check(errors: &mut Vec<FieldError>, field: &str, r: Result<(), ident::IdentError>) {
    if let Err(e) = r {
        errors.push(FieldError::from_ident(field, &e));
    }
}

/// Length and characters are the extractor's (`domain::checked`); here: not blank.
fn required(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            "empty",
            "不能为空",
            "must not be empty",
        ));
    }
}

pub fn input(input: &ApplicationInput) -> Vec<FieldError> {
    let mut e = Vec::new();
    if let Some(ent) = &input.enterprise {
        check(&mut e, "enterprise.uscc", ident::uscc(&ent.uscc));
        match ident::org_code(&ent.org_code) {
            Err(err) => e.push(FieldError::from_ident("enterprise.org_code", &err)),
            Ok(()) => {
                if ident::uscc(&ent.uscc).is_ok() {
                    check(
                        &mut e,
                        "enterprise.org_code",
                        ident::org_code_matches_uscc(&ent.org_code, &ent.uscc),
                    );
                }
            }
        }
        required(&mut e, "enterprise.name", &ent.name);
        required(&mut e, "enterprise.legal_rep_name", &ent.legal_rep_name);
        check(
            &mut e,
            "enterprise.legal_rep_id_number",
            ident::resident_id(&ent.legal_rep_id_number),
        );
        check(
            &mut e,
            "enterprise.legal_rep_phone",
            ident::mobile(&ent.legal_rep_phone),
        );
    }
    if let Some(h) = &input.handler {
        required(&mut e, "handler.name", &h.name);
        check(
            &mut e,
            "handler.id_number",
            ident::resident_id(&h.id_number),
        );
        check(&mut e, "handler.phone", ident::mobile(&h.phone));
        check(&mut e, "handler.email", ident::email(&h.email));
    }
    if let Some(c) = &input.certificate {
        if let Some(cn) = &c.common_name {
            required(&mut e, "certificate.common_name", cn);
        }
        required(&mut e, "certificate.province", &c.province);
        required(&mut e, "certificate.city", &c.city);
    }
    if let Some(i) = &input.invoice {
        required(&mut e, "invoice.title", &i.title);
        check(&mut e, "invoice.tax_number", ident::uscc(&i.tax_number));
        check(&mut e, "invoice.email", ident::email(&i.email));
    }
    if let Some(m) = &input.mailing {
        required(&mut e, "mailing.recipient", &m.recipient);
        check(&mut e, "mailing.phone", ident::mobile(&m.phone));
        required(&mut e, "mailing.address", &m.address);
        if !(m.postcode.len() == 6 && m.postcode.bytes().all(|b| b.is_ascii_digit())) {
            e.push(FieldError::new(
                "mailing.postcode",
                "postcode_format",
                "邮编应为6位数字",
                "postcode must be 6 digits",
            ));
        }
    }
    e
}
