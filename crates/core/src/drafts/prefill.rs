//! 信息确认 confirms what was collected (seed 001, 1.1.3): its fields start from what the
//! earlier steps already know, and the applicant changes what differs.

use std::collections::BTreeMap;

use super::fields::Field;

/// The information fields that are empty and can be filled from known values, with the
/// value each takes. Fields the applicant has filled are never touched.
pub fn information_defaults(values: &BTreeMap<Field, String>) -> Vec<(Field, String)> {
    let known = |f: Field| {
        values
            .get(&f)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    // Whoever handles the case receives the parcel: the legal representative in person,
    // otherwise the handler.
    let (recipient, phone) = if known(Field::LegalRepHandles).as_deref() == Some("true") {
        (known(Field::LegalRepName), known(Field::LegalRepPhone))
    } else {
        (known(Field::HandlerName), known(Field::HandlerPhone))
    };
    let organisation = known(Field::CompanyName);
    [
        // The certificate's name defaults to the organisation's (the CA does the same).
        (Field::CommonName, organisation.clone()),
        (Field::InvoiceTitle, organisation),
        // The tax number of an organisation is its unified social credit code.
        (Field::InvoiceTaxNumber, known(Field::Uscc)),
        (Field::InvoiceEmail, known(Field::HandlerEmail)),
        (Field::MailingRecipient, recipient),
        (Field::MailingPhone, phone),
    ]
    .into_iter()
    .filter_map(|(field, value)| Some((field, value?)))
    .filter(|(field, _)| known(*field).is_none())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(Field, &str)]) -> BTreeMap<Field, String> {
        pairs.iter().map(|(f, v)| (*f, (*v).to_owned())).collect()
    }

    #[test]
    fn known_values_fill_the_empty_information_fields() {
        let v = values(&[
            (Field::CompanyName, "北京某某科技有限公司"),
            (Field::Uscc, "91110108MA01ABCD2X"),
            (Field::LegalRepHandles, "false"),
            (Field::HandlerName, "李四"),
            (Field::HandlerPhone, "13812345678"),
            (Field::HandlerEmail, "li@example.cn"),
            (Field::InvoiceEmail, "  "),
        ]);
        let d: BTreeMap<_, _> = information_defaults(&v).into_iter().collect();
        assert_eq!(d[&Field::CommonName], "北京某某科技有限公司");
        assert_eq!(d[&Field::InvoiceTitle], "北京某某科技有限公司");
        assert_eq!(d[&Field::InvoiceTaxNumber], "91110108MA01ABCD2X");
        assert_eq!(d[&Field::InvoiceEmail], "li@example.cn");
        assert_eq!(d[&Field::MailingRecipient], "李四");
        assert_eq!(d[&Field::MailingPhone], "13812345678");
    }

    #[test]
    fn the_legal_rep_in_person_receives_the_parcel_and_typed_values_stay() {
        let v = values(&[
            (Field::CompanyName, "某某公司"),
            (Field::LegalRepHandles, "true"),
            (Field::LegalRepName, "张三"),
            (Field::LegalRepPhone, "13900000000"),
            (Field::HandlerName, "不应使用"),
            (Field::InvoiceTitle, "某某公司（开票）"),
        ]);
        let d: BTreeMap<_, _> = information_defaults(&v).into_iter().collect();
        assert_eq!(d[&Field::MailingRecipient], "张三");
        assert_eq!(d[&Field::MailingPhone], "13900000000");
        assert!(
            !d.contains_key(&Field::InvoiceTitle),
            "typed values are kept"
        );
        assert!(
            !d.contains_key(&Field::InvoiceTaxNumber),
            "nothing known, nothing set"
        );
    }
}
