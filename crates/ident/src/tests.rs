use super::*;
use proptest::prelude::*;

#[test]
fn known_good_numbers() {
    // Published examples that satisfy the standards' checks.
    assert_eq!(uscc("91350100M000100Y43"), Ok(()));
    assert_eq!(org_code("M000100Y4"), Ok(()));
    assert_eq!(
        org_code_matches_uscc("M000100Y4", "91350100M000100Y43"),
        Ok(())
    );
    assert_eq!(resident_id("11010519491231002X"), Ok(()));
    assert_eq!(bank_card("378282246310005"), Ok(()));
    assert_eq!(mobile("13800138000"), Ok(()));
    assert_eq!(email("zhang.san@example.com.cn"), Ok(()));
}

#[test]
fn refusals_have_stable_kinds() {
    assert_eq!(uscc("").unwrap_err().kind(), "empty");
    assert_eq!(uscc("91350100M000100Y4").unwrap_err().kind(), "length");
    assert_eq!(
        uscc("91350100M000100Y4I").unwrap_err(),
        IdentError::Charset { position: 18 }
    );
    assert_eq!(
        uscc("91350100M000100Y44").unwrap_err(),
        IdentError::CheckChar
    );
    assert_eq!(org_code("M000100Y5").unwrap_err(), IdentError::CheckChar);
    assert_eq!(org_code("M000100Y").unwrap_err().kind(), "length");
    assert_eq!(
        org_code_matches_uscc("12345678X", "91350100M000100Y43").unwrap_err(),
        IdentError::OrgCodeMismatch
    );
    assert_eq!(
        resident_id("110105194902300021").unwrap_err(),
        IdentError::BirthDate
    );
    assert_eq!(
        resident_id("110105299901010021").unwrap_err(),
        IdentError::BirthDate
    );
    assert_eq!(
        resident_id("110105194912310021").unwrap_err(),
        IdentError::CheckChar
    );
    assert_eq!(
        resident_id("11010519491231002Y").unwrap_err().kind(),
        "charset"
    );
    assert_eq!(mobile("12800138000").unwrap_err(), IdentError::MobileFormat);
    assert_eq!(mobile("1380013800").unwrap_err(), IdentError::MobileFormat);
    assert_eq!(
        bank_card("4111 1111 1111 1112").unwrap_err(),
        IdentError::CheckChar
    );
    assert_eq!(bank_card("41111111111").unwrap_err().kind(), "length");
    assert_eq!(email("a@b").unwrap_err(), IdentError::EmailFormat);
    assert_eq!(email("a b@c.com").unwrap_err(), IdentError::EmailFormat);
    assert_eq!(email("a..b@c.com").unwrap_err(), IdentError::EmailFormat);
}

#[test]
fn printed_org_code_form_and_lowercase_x_accepted() {
    assert_eq!(org_code("M000100Y-4"), Ok(()));
    assert_eq!(resident_id("11010519491231002x"), Ok(()));
    assert_eq!(bank_card("4111 1111 1111 1111"), Ok(()));
}

#[test]
fn errors_do_not_echo_values() {
    let e = resident_id("110105194912310021").unwrap_err();
    assert!(!e.to_string().contains("110105"));
    assert!(!format!("{e:?}").contains("110105"));
    assert!(!e.message_zh().is_empty());
}

#[test]
fn mask_hides_the_middle() {
    assert_eq!(mask("11010519491231002X"), "110*************2X");
    assert_eq!(mask("123"), "***");
}

#[test]
fn a_phone_is_masked_the_one_way_the_ui_does() {
    assert_eq!(mask_phone("13812345678"), "138****5678");
    assert_eq!(mask_phone(" 13812345678 "), "138****5678");
    // Not a mobile number: the general mask, never the clear value.
    assert_eq!(mask_phone("010-12345678"), "010*******78");
}

#[test]
fn error_serialises_with_kind_tag() {
    let v = serde_json::to_value(IdentError::Charset { position: 3 }).unwrap();
    assert_eq!(v["kind"], "charset");
    assert_eq!(v["position"], 3);
}

proptest! {
    #[test]
    fn generated_numbers_are_valid(seed in any::<u64>()) {
        let u = testing::uscc(seed);
        prop_assert_eq!(uscc(&u), Ok(()));
        let o = testing::org_code(seed);
        prop_assert_eq!(org_code(&o), Ok(()));
        prop_assert_eq!(org_code_matches_uscc(&o, &u), Ok(()));
        prop_assert_eq!(resident_id(&testing::resident_id(seed)), Ok(()));
        prop_assert_eq!(mobile(&testing::mobile(seed)), Ok(()));
        prop_assert_eq!(bank_card(&testing::bank_card(seed)), Ok(()));
        prop_assert_eq!(email(&testing::email(seed)), Ok(()));
        prop_assert_eq!(uscc(&testing::uscc_bad_check(seed)), Err(IdentError::CheckChar));
    }

    #[test]
    fn any_single_char_change_breaks_uscc(seed in any::<u64>(), pos in 0usize..18, delta in 1usize..31) {
        let u = testing::uscc(seed);
        let b = u.as_bytes();
        let idx = checks_charset_index(b[pos]);
        let mut changed = b.to_vec();
        changed[pos] = crate::checks::USCC_CHARSET[(idx + delta) % 31];
        let s = String::from_utf8(changed).unwrap();
        prop_assert!(uscc(&s).is_err());
    }

    #[test]
    fn luhn_catches_single_digit_errors(seed in any::<u64>(), pos in 0usize..19, delta in 1u8..10) {
        let c = testing::bank_card(seed);
        let mut b = c.into_bytes();
        b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
        prop_assert!(bank_card(std::str::from_utf8(&b).unwrap()).is_err());
    }

    #[test]
    fn validators_never_panic(s in "\\PC{0,40}") {
        let _ = uscc(&s);
        let _ = org_code(&s);
        let _ = resident_id(&s);
        let _ = mobile(&s);
        let _ = bank_card(&s);
        let _ = email(&s);
        let _ = org_code_matches_uscc(&s, &s);
    }
}

fn checks_charset_index(c: u8) -> usize {
    crate::checks::USCC_CHARSET
        .iter()
        .position(|x| *x == c)
        .unwrap()
}
