//! The privacy rules (domain §11) as a partner's developer states them, one test each. Written
//! from the documented rules, to catch a wrong rule (see docs/testing.md, "Mutation testing").

use crate::ops_fixture::*;
use hmac::{Hmac, KeyInit, Mac};
use partnerdesk::Invocation;
use partnerdesk::privacy::{
    MaskPolicy, MaskRule, Masker, Personal, PseudonymKey, SensitiveField, mask_email, mask_mobile,
    mask_name,
};
use partnerdesk::{Mobile, OperatorId, Result};
use sha2::Sha256;

const SECRET: &[u8] = b"a partner secret of 32 bytes....";

fn policy_with(field: SensitiveField, rule: MaskRule) -> Result<MaskPolicy> {
    let mut p = MaskPolicy::strict();
    p.set(field, rule)?;
    Ok(p)
}

/// Masks one value of a field under one rule.
fn masked(field: SensitiveField, rule: MaskRule, value: &str) -> Result<String> {
    let key = PseudonymKey::new(SECRET)?;
    let policy = policy_with(field, rule)?;
    Ok(Masker::new(&policy, Some(&key))?.mask(field, value))
}

fn masked_mobile(rule: MaskRule, cc: &str, number: &str) -> Result<String> {
    let key = PseudonymKey::new(SECRET)?;
    let policy = policy_with(SensitiveField::Mobile, rule)?;
    let mut out = String::new();
    Masker::new(&policy, Some(&key))?.mask_mobile_into(&Mobile::new(cc, number)?, &mut out);
    Ok(out)
}

/// The documented pseudonym: `pn_` and the first 20 hex digits of HMAC-SHA256 over the field
/// name, a zero byte and the normalised value.
fn expected_pseudonym(field: &str, normalised: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(field.as_bytes());
    mac.update(&[0]);
    mac.update(normalised.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
    format!("pn_{hex}")
}

fn keep(first: u8, last: u8) -> MaskRule {
    MaskRule::Keep { first, last }
}

#[test]
fn personal_values_are_wrapped_and_never_printed() {
    let p: Personal<String> = "Zhang Wei".to_owned().into();
    assert_eq!(format!("{p} {p:?}"), "[redacted] [redacted]");
    assert_eq!(p.expose(), "Zhang Wei");
    assert_eq!(p.clone().into_inner(), "Zhang Wei");
    assert_eq!(Personal::<i32>::new(7).into_inner(), 7);
}

#[test]
fn fields_have_stable_names_and_only_three_are_always_masked() -> Result<()> {
    let names = ["name", "mobile", "email", "account_name", "manager_name"];
    for (field, name) in SensitiveField::ALL.into_iter().zip(names) {
        assert_eq!(field.as_str(), name);
        assert_eq!(field.to_string(), name);
        assert_eq!(SensitiveField::parse(name)?, field);
    }
    assert_eq!(
        code(SensitiveField::parse("phone")),
        Some("INVALID_ARGUMENT")
    );
    assert_eq!(code(SensitiveField::parse("")), Some("INVALID_ARGUMENT"));
    let always: Vec<bool> = SensitiveField::ALL
        .into_iter()
        .map(SensitiveField::always_masked)
        .collect();
    assert_eq!(always, [true, true, true, false, false]);
    Ok(())
}

#[test]
fn names_mobiles_and_emails_are_never_shown_in_clear() -> Result<()> {
    for field in SensitiveField::ALL {
        let mut p = MaskPolicy::strict();
        let r = p.set(field, MaskRule::Clear);
        if field.always_masked() {
            assert_eq!(code(r), Some("INVALID_ARGUMENT"), "{field}");
            assert_eq!(p, MaskPolicy::strict(), "a refused rule changes nothing");
        } else {
            assert!(r.is_ok(), "{field}");
            assert_eq!(p.get(field), &MaskRule::Clear);
        }
    }
    // A policy built by hand is checked too, by `validate` and by the masker.
    let hand = MaskPolicy {
        email: MaskRule::Clear,
        ..MaskPolicy::console()
    };
    assert_eq!(code(hand.validate()), Some("INVALID_ARGUMENT"));
    assert_eq!(code(Masker::new(&hand, None)), Some("INVALID_ARGUMENT"));
    assert!(MaskPolicy::console().validate().is_ok());
    assert!(MaskPolicy::strict().validate().is_ok());
    Ok(())
}

#[test]
fn a_fixed_mask_has_at_most_64_characters_and_no_star() -> Result<()> {
    // Counted in characters: 64 Chinese characters (192 bytes) are allowed, 65 are not.
    let ok = "隐".repeat(64);
    let long = "隐".repeat(65);
    let mut p = MaskPolicy::console();
    p.set(SensitiveField::Name, MaskRule::Fixed(ok.clone()))?;
    assert_eq!(p.name, MaskRule::Fixed(ok.clone()));
    for bad in [long, "a*b".to_owned(), "*".to_owned()] {
        let before = p.clone();
        assert_eq!(
            code(p.set(SensitiveField::Name, MaskRule::Fixed(bad))),
            Some("INVALID_ARGUMENT")
        );
        assert_eq!(p, before);
    }
    // The fixed text replaces every non-empty value, and only those.
    let fixed = MaskRule::Fixed("(hidden)".into());
    assert_eq!(
        masked(SensitiveField::Name, fixed.clone(), "Zhang Wei")?,
        "(hidden)"
    );
    assert_eq!(masked(SensitiveField::Name, fixed.clone(), "   ")?, "");
    assert_eq!(masked(SensitiveField::Email, fixed.clone(), "")?, "");
    assert_eq!(
        masked_mobile(fixed, "+86", "13812345678")?,
        "(hidden)",
        "a fixed mobile mask hides the country code too"
    );
    Ok(())
}

#[test]
fn the_console_and_strict_policies() -> Result<()> {
    use SensitiveField::*;
    let console = MaskPolicy::console();
    assert_eq!(MaskPolicy::default(), console);
    let rules: Vec<&MaskRule> = SensitiveField::ALL
        .iter()
        .map(|f| console.get(*f))
        .collect();
    assert_eq!(
        rules,
        [
            &MaskRule::Default,
            &MaskRule::Default,
            &MaskRule::Default,
            &MaskRule::Clear,
            &MaskRule::Clear
        ]
    );
    let strict = MaskPolicy::strict();
    assert!(
        SensitiveField::ALL
            .iter()
            .all(|f| strict.get(*f) == &MaskRule::Default)
    );
    // Each field has its own rule.
    let mut p = MaskPolicy::strict();
    p.set(Name, keep(1, 1))?;
    p.set(Mobile, keep(2, 2))?;
    p.set(Email, keep(3, 3))?;
    p.set(AccountName, keep(4, 4))?;
    p.set(ManagerName, keep(5, 5))?;
    for (i, f) in SensitiveField::ALL.into_iter().enumerate() {
        let n = u8::try_from(i + 1).unwrap_or_default();
        assert_eq!(p.get(f), &keep(n, n), "{f}");
    }
    assert_eq!(
        (
            &p.name,
            &p.mobile,
            &p.email,
            &p.account_name,
            &p.manager_name
        ),
        (
            &keep(1, 1),
            &keep(2, 2),
            &keep(3, 3),
            &keep(4, 4),
            &keep(5, 5)
        )
    );
    Ok(())
}

#[test]
fn a_pseudonym_rule_needs_the_partners_key_of_at_least_16_bytes() -> Result<()> {
    assert_eq!(code(PseudonymKey::new(&[7; 15])), Some("INVALID_ARGUMENT"));
    assert!(PseudonymKey::new(&[7; 16]).is_ok());
    assert!(!MaskPolicy::console().uses_pseudonym());
    assert!(Masker::new(&MaskPolicy::console(), None).is_ok());
    for field in SensitiveField::ALL {
        let p = policy_with(field, MaskRule::Pseudonym)?;
        assert!(p.uses_pseudonym(), "{field}");
        assert_eq!(code(Masker::new(&p, None)), Some("INVALID_ARGUMENT"));
        let key = PseudonymKey::new(SECRET)?;
        let m = Masker::new(&p, Some(&key))?;
        assert_eq!(m.policy(), &p);
    }
    Ok(())
}

#[test]
fn a_pseudonym_is_the_keyed_hmac_of_the_field_and_the_normalised_value() -> Result<()> {
    use SensitiveField::*;
    let p = MaskRule::Pseudonym;
    assert_eq!(
        masked(Name, p.clone(), "Zhang Wei")?,
        expected_pseudonym("name", "Zhang Wei")
    );
    assert_eq!(
        masked(AccountName, p.clone(), "  acme_cloud ")?,
        expected_pseudonym("account_name", "acme_cloud")
    );
    // The field is part of the input: the same text in two fields gives two pseudonyms.
    assert_ne!(
        masked(Name, p.clone(), "acme")?,
        masked(ManagerName, p.clone(), "acme")?
    );
    // E-mails are compared case-insensitively, mobiles by their digits.
    assert_eq!(
        masked(Email, p.clone(), "Alice@Example.COM")?,
        expected_pseudonym("email", "alice@example.com")
    );
    assert_eq!(
        masked(Mobile, p.clone(), "138 1234-5678")?,
        expected_pseudonym("mobile", " 13812345678")
    );
    assert_eq!(
        masked_mobile(p.clone(), "+86", "13812345678")?,
        expected_pseudonym("mobile", "86 13812345678")
    );
    assert_eq!(
        masked_mobile(p.clone(), "", "13812345678")?,
        masked(Mobile, p.clone(), "13812345678")?
    );
    // Idempotent: a pseudonym is left as it is; a look-alike that is not one is not.
    let pn = masked(Name, p.clone(), "Zhang Wei")?;
    assert_eq!(masked(Name, p.clone(), &pn)?, pn);
    for not_pn in [
        "pn_0123456789abcdef012",
        "pn_0123456789abcdef01234",
        "pn_0123456789ABCDEF0123",
        "pn_0123456789abcdefg123",
        "px_0123456789abcdef0123",
    ] {
        assert_eq!(
            masked(Name, p.clone(), not_pn)?,
            expected_pseudonym("name", not_pn)
        );
    }
    // Nothing to hide, nothing shown.
    assert_eq!(masked(Name, p, "  ")?, "");
    Ok(())
}

#[test]
fn hidden_shows_nothing_and_clear_shows_the_trimmed_value() -> Result<()> {
    use SensitiveField::*;
    for f in SensitiveField::ALL {
        assert_eq!(masked(f, MaskRule::Hidden, "something")?, "", "{f}");
    }
    assert_eq!(masked_mobile(MaskRule::Hidden, "+86", "13812345678")?, "");
    for raw in [
        "acme_cloud",
        " acme_cloud",
        "acme_cloud\t",
        "\u{3000}acme_cloud ",
    ] {
        assert_eq!(
            masked(AccountName, MaskRule::Clear, raw)?,
            "acme_cloud",
            "{raw:?}"
        );
    }
    assert_eq!(masked(ManagerName, MaskRule::Clear, "王芳 ")?, "王芳");
    // Trimming comes before masking: leading blanks are not the first character.
    assert_eq!(masked(Name, MaskRule::Default, "  Zhang Wei")?, "Z***");
    assert_eq!(masked(Name, keep(0, 1), "Zhang Wei \n")?, "***i");
    Ok(())
}

#[test]
fn a_keep_rule_shows_first_and_last_characters_of_a_long_enough_value() -> Result<()> {
    use SensitiveField::*;
    // Longer than first + last: exactly first and last are kept.
    assert_eq!(masked(Name, keep(2, 1), "abcd")?, "ab***d");
    assert_eq!(masked(Name, keep(2, 1), "abcdefgh")?, "ab***h");
    assert_eq!(masked(Name, keep(0, 3), "abcdef")?, "***def");
    assert_eq!(masked(Name, keep(3, 0), "abcdef")?, "abc***");
    assert_eq!(masked(Name, keep(0, 0), "abcdef")?, "***");
    assert_eq!(masked(AccountName, keep(1, 2), "수민준우")?, "수***준우");
    // No longer than first + last: at most half, from the start first.
    assert_eq!(masked(Name, keep(2, 1), "abc")?, "a***");
    assert_eq!(masked(Name, keep(1, 1), "ab")?, "a***");
    assert_eq!(masked(Name, keep(0, 3), "abc")?, "***c");
    assert_eq!(masked(Name, keep(0, 4), "abcd")?, "***cd");
    assert_eq!(masked(Name, keep(0, 3), "abcd")?, "***bcd");
    assert_eq!(masked(Name, keep(2, 2), "abcd")?, "ab***");
    assert_eq!(masked(Name, keep(255, 255), "abcdef")?, "abc***");
    assert_eq!(masked(Name, keep(1, 255), "abcdef")?, "a***ef");
    assert_eq!(masked(Name, keep(3, 3), "a")?, "***");
    // The console default keeps the first character of names and account manager names.
    assert_eq!(masked(ManagerName, MaskRule::Default, "Wang Fang")?, "W***");
    assert_eq!(masked(AccountName, MaskRule::Default, "acme")?, "a***");
    Ok(())
}

#[test]
fn an_already_masked_value_is_left_but_a_look_alike_is_masked() -> Result<()> {
    use SensitiveField::*;
    // The exact shape of the rule's output is left as it is.
    for done in ["ab***d", "a***", "***d", "***", "ab***"] {
        assert_eq!(masked(Name, keep(2, 1), done)?, done);
    }
    // More around the stars than the rule shows, or stars elsewhere: masked again.
    assert_eq!(masked(Name, keep(2, 1), "abc***d")?, "ab***d");
    assert_eq!(masked(Name, keep(2, 1), "ab***de")?, "ab***e");
    assert_eq!(masked(Name, keep(2, 1), "a*b***c")?, "a****c");
    assert_eq!(masked(Name, keep(2, 1), "a***b*")?, "a*****");
    assert_eq!(masked(Name, keep(2, 1), "ab**cd")?, "ab***d");
    assert_eq!(masked(Name, MaskRule::Default, "Zh***")?, "Z***");
    // Characters, not bytes: two Chinese characters before the stars are two, not six.
    assert_eq!(masked(Name, keep(2, 0), "张三***")?, "张三***");
    assert_eq!(masked(Name, keep(1, 0), "张三***")?, "张***");
    assert_eq!(masked(Name, keep(0, 2), "***三丰")?, "***三丰");
    assert_eq!(masked(Name, keep(0, 1), "***三丰")?, "***丰");
    Ok(())
}

#[test]
fn an_email_keeps_its_domain_and_masks_its_local_part() -> Result<()> {
    use SensitiveField::*;
    assert_eq!(
        masked(Email, MaskRule::Default, "alice@example.com")?,
        "a***@example.com"
    );
    assert_eq!(
        masked(Email, keep(2, 2), "alice@example.com")?,
        "al***ce@example.com"
    );
    // The last `@` separates the domain.
    assert_eq!(masked(Email, MaskRule::Default, "a@b@c.com")?, "a***@c.com");
    // No local part: only the domain; no `@`: masked as a name.
    assert_eq!(masked(Email, MaskRule::Default, "@c.com")?, "@c.com");
    assert_eq!(masked(Email, keep(1, 1), "alice")?, "a***e");
    assert_eq!(mask_email("  bob@example.com "), "b***@example.com");
    assert_eq!(mask_email(""), "");
    assert_eq!(mask_email(" "), "");
    assert_eq!(mask_name(" "), "");
    assert_eq!(mask_name(" Zhang "), "Z***");
    Ok(())
}

#[test]
fn the_console_mobile_mask_shows_at_most_three_and_four_digits() -> Result<()> {
    use SensitiveField::Mobile as M;
    let d = MaskRule::Default;
    // 11 digits or more: the first 3 and the last 4.
    assert_eq!(masked(M, d.clone(), "13812345678")?, "138****5678");
    assert_eq!(masked(M, d.clone(), "008613812345678")?, "008****5678");
    assert_eq!(masked(M, d.clone(), "12345678901234567890")?, "123****7890");
    // 7 to 10 digits: the last 2.
    assert_eq!(masked(M, d.clone(), "1234567890")?, "***90");
    assert_eq!(masked(M, d.clone(), "1234567")?, "***67");
    // Fewer: nothing.
    assert_eq!(masked(M, d.clone(), "123456")?, "***");
    assert_eq!(masked(M, d.clone(), "1")?, "***");
    // Non-digits are dropped first; no digit at all shows nothing.
    assert_eq!(masked(M, d.clone(), "138-1234-5678")?, "138****5678");
    assert_eq!(masked(M, d.clone(), "(+) -")?, "");
    assert_eq!(mask_mobile(" 555 1234 "), "***34");
    // However long the value, no more than 7 digits show, and the first 3 are the first 3.
    let long = "9".repeat(3) + &"1".repeat(60);
    let shown = masked(M, d.clone(), &long)?;
    assert!(shown.starts_with("999****"), "{shown}");
    assert_eq!(shown.chars().filter(char::is_ascii_digit).count(), 7);
    // With a country code: the code, a space, the masked national number.
    assert_eq!(
        masked_mobile(d.clone(), "+86", "13812345678")?,
        "+86 138****5678"
    );
    assert_eq!(masked_mobile(d, "", "13812345678")?, "138****5678");
    Ok(())
}

#[test]
fn a_keep_rule_on_a_mobile_counts_its_digits() -> Result<()> {
    use SensitiveField::Mobile as M;
    assert_eq!(masked(M, keep(0, 4), "138 1234 5678")?, "***5678");
    assert_eq!(masked(M, keep(2, 2), "138-1234-5678")?, "13***78");
    assert_eq!(masked(M, keep(3, 3), "123456")?, "123***");
    assert_eq!(masked(M, keep(3, 3), "--")?, "");
    // A number that arrives masked already is kept only when the rule would show as much:
    // under a stricter rule it is masked again, and never shows more than the rule's digits.
    assert_eq!(masked(M, keep(3, 4), "138***5678")?, "138***5678");
    assert_eq!(masked(M, keep(1, 4), "138***5678")?, "1***5678");
    assert_eq!(masked(M, keep(3, 1), "138***5678")?, "138***8");
    assert_eq!(
        masked_mobile(keep(0, 4), "0086", "13812345678")?,
        "0086 ***5678"
    );
    Ok(())
}

#[test]
fn reveal_gives_each_field_in_clear_to_an_administrator() -> Result<()> {
    use SensitiveField::*;
    let mut d = desk()?;
    let admin = op("admin");
    let r1 = cid("r1");
    d.assign_manager(
        &Invocation::new(admin.clone(), now()),
        std::slice::from_ref(&r1),
        &OperatorId::new("am1")?,
    )?;
    let shown: Vec<String> = SensitiveField::ALL
        .into_iter()
        .map(|f| d.reveal(&Invocation::new(admin.clone(), now()), &r1, f))
        .collect::<Result<_>>()?;
    assert_eq!(
        shown,
        [
            "Zhang Wei Trading",
            "+86 13812345678",
            "zhang.wei@example.com",
            "acct_r1",
            "Manager am1",
        ]
    );
    // Fields the customer does not have reveal as empty; a mobile without a country code
    // reveals only the number.
    let bare = partnerdesk::Mobile::new("", "13812345678")?;
    d.update_customer(&r1, |c| {
        c.email = None;
        c.account_manager = None;
        c.mobile = Some(Personal::new(bare));
    })?;
    assert_eq!(
        d.reveal(&Invocation::new(admin.clone(), now()), &r1, Mobile)?,
        "13812345678"
    );
    assert_eq!(
        d.reveal(&Invocation::new(admin.clone(), now()), &r1, Email)?,
        ""
    );
    assert_eq!(
        d.reveal(&Invocation::new(admin.clone(), now()), &r1, ManagerName)?,
        ""
    );
    d.update_customer(&r1, |c| c.mobile = None)?;
    assert_eq!(
        d.reveal(&Invocation::new(admin.clone(), now()), &r1, Mobile)?,
        ""
    );
    Ok(())
}
