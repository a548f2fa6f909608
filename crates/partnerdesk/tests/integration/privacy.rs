//! Personal data: masks (rules, scripts, short values, idempotency), masked rows, audited reveal,
//! no leaks in Debug output.

use partnerdesk::Invocation;
use partnerdesk::access::Actor;
use partnerdesk::audit::{AuditFilter, AuditOutcome};
use partnerdesk::privacy::{
    MASK, MaskPolicy, MaskRule, Masker, PseudonymKey, SensitiveField, mask_email, mask_mobile,
    mask_name,
};
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::{Customer, Error, Mobile, OperatorId, demo};
use proptest::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn admin() -> Result<Actor, Error> {
    Ok(Actor::Operator(OperatorId::new("admin")?))
}

#[test]
fn console_defaults_are_kept() {
    assert_eq!(mask_name("Zhang Wei"), "Z***");
    assert_eq!(mask_name("张伟"), "张***");
    assert_eq!(mask_mobile("13812345678"), "138****5678");
    assert_eq!(mask_email("alice@example.com"), "a***@example.com");
    // Short values show at most half of their characters.
    assert_eq!(mask_name("李"), "***");
    assert_eq!(mask_email("a@example.com"), "***@example.com");
    assert_eq!(mask_mobile("12345"), "***");
    assert_eq!(mask_mobile("1234567"), "***67");
}

#[test]
fn masks_in_every_script() {
    let cases = [
        ("山田太郎", "山***"),
        ("김민준", "김***"),
        ("Иван Петров", "И***"),
        ("محمد علي", "م***"),
        ("สมชาย ใจดี", "ส***"),
        ("Élodie Müller", "É***"),
    ];
    for (raw, masked) in cases {
        assert_eq!(mask_name(raw), masked, "{masked}");
    }
}

#[test]
fn configurable_rules_per_field() -> TestResult {
    let mut policy = MaskPolicy::strict();
    policy.set(SensitiveField::Name, MaskRule::Keep { first: 2, last: 1 })?;
    policy.set(SensitiveField::Mobile, MaskRule::Keep { first: 0, last: 4 })?;
    policy.set(SensitiveField::Email, MaskRule::Fixed("(hidden)".into()))?;
    policy.set(SensitiveField::AccountName, MaskRule::Hidden)?;
    let m = Masker::new(&policy, None)?;
    assert_eq!(m.mask(SensitiveField::Name, "Alexander"), "Al***r");
    assert_eq!(m.mask(SensitiveField::Name, "Bob"), "B***");
    assert_eq!(m.mask(SensitiveField::Mobile, "138 1234 5678"), "***5678");
    assert_eq!(m.mask(SensitiveField::Email, "a@b.c"), "(hidden)");
    assert_eq!(m.mask(SensitiveField::AccountName, "acme"), "");
    assert_eq!(m.mask(SensitiveField::ManagerName, "Wang Fang"), "W***");
    let mut out = String::new();
    m.mask_mobile_into(&Mobile::new("+86", "13812345678")?, &mut out);
    assert_eq!(out, "+86 ***5678");

    // Name, mobile and e-mail can never be shown in clear; fixed texts are bounded.
    for f in [
        SensitiveField::Name,
        SensitiveField::Mobile,
        SensitiveField::Email,
    ] {
        let err = policy.set(f, MaskRule::Clear).err().map(|e| e.code());
        assert_eq!(err, Some("INVALID_ARGUMENT"));
    }
    assert!(
        policy
            .set(SensitiveField::Name, MaskRule::Fixed("a*b".into()))
            .is_err()
    );
    assert_eq!(policy.name, MaskRule::Keep { first: 2, last: 1 });
    Ok(())
}

#[test]
fn pseudonyms_are_keyed_stable_and_need_a_key() -> TestResult {
    let mut policy = MaskPolicy::console();
    policy.set(SensitiveField::Email, MaskRule::Pseudonym)?;
    assert_eq!(
        Masker::new(&policy, None).err().map(|e| e.code()),
        Some("INVALID_ARGUMENT")
    );
    let k1 = PseudonymKey::new(b"partner secret number one.......")?;
    let k2 = PseudonymKey::new(b"partner secret number two.......")?;
    let m1 = Masker::new(&policy, Some(&k1))?;
    let m2 = Masker::new(&policy, Some(&k2))?;
    let a = m1.mask(SensitiveField::Email, "Alice@Example.com");
    assert_eq!(a, m1.mask(SensitiveField::Email, "alice@example.com"));
    assert_ne!(a, m2.mask(SensitiveField::Email, "alice@example.com"));
    assert_ne!(a, m1.mask(SensitiveField::Email, "bob@example.com"));
    assert!(a.starts_with("pn_") && a.len() == 23, "{a}");
    assert!(!a.contains("alice") && !a.contains("example"));
    assert_eq!(m1.mask(SensitiveField::Email, &a), a, "idempotent");
    assert_eq!(format!("{k1:?}"), "PseudonymKey([redacted])");
    assert!(PseudonymKey::new(b"too short").is_err());
    Ok(())
}

#[test]
fn rows_are_masked_by_default_and_by_policy() -> TestResult {
    let (mut desk, now) = demo::portfolio(300, 11)?;
    let page = desk.search(
        &Query::all(),
        Sort::asc(SortKey::Id),
        &PageRequest::first(200),
        now,
    )?;
    for row in &page.rows {
        let c = desk.customer(&row.id)?;
        assert_eq!(row.name, mask_name(c.name.expose()));
        assert_ne!(&row.name, c.name.expose());
        if let (Some(m), Some(raw)) = (&row.mobile, &c.mobile) {
            assert!(!m.contains(raw.expose().number.as_str()), "mobile leaked");
        }
        if let (Some(e), Some(raw)) = (&row.email, &c.email) {
            assert_ne!(e, raw.expose());
            assert!(e.contains(MASK));
        }
        // The console shows account names unless the partner masks them.
        assert_eq!(&row.account_name, c.account_name.expose());
    }
    let mut policy = desk.row_policy().clone();
    policy.set(SensitiveField::AccountName, MaskRule::Default)?;
    policy.set(SensitiveField::ManagerName, MaskRule::Default)?;
    desk.set_row_policy(policy)?;
    let first = &page.rows[0];
    let row = desk.customer_row(&first.id, now)?;
    assert_eq!(
        row.account_name,
        mask_name(desk.customer(&first.id)?.account_name.expose())
    );
    let managed = page
        .rows
        .iter()
        .find(|r| r.account_manager_name.is_some())
        .ok_or("no managed customer")?;
    let row = desk.customer_row(&managed.id, now)?;
    assert!(row.account_manager_name.is_some_and(|n| n.ends_with(MASK)));

    // Pseudonyms are for exports only.
    let mut bad = desk.row_policy().clone();
    bad.set(SensitiveField::Name, MaskRule::Pseudonym)?;
    assert_eq!(
        desk.set_row_policy(bad).err().map(|e| e.code()),
        Some("INVALID_ARGUMENT")
    );
    assert_eq!(desk.row_policy().name, MaskRule::Default);
    Ok(())
}

#[test]
fn reveal_needs_the_item_and_every_attempt_is_audited() -> TestResult {
    let (mut desk, now) = demo::portfolio(50, 5)?;
    let c = desk
        .customers()
        .find(|c| c.email.is_some() && c.mobile.is_some())
        .cloned()
        .ok_or("no customer with e-mail and mobile")?;
    let admin = admin()?;
    assert_eq!(
        desk.reveal(
            &Invocation::new(admin.clone(), now),
            &c.id,
            SensitiveField::Email
        )?,
        c.email
            .as_ref()
            .map(|e| e.expose().clone())
            .unwrap_or_default()
    );
    let mobile = desk.reveal(
        &Invocation::new(admin.clone(), now),
        &c.id,
        SensitiveField::Mobile,
    )?;
    assert!(
        mobile.ends_with(
            &c.mobile
                .as_ref()
                .map(|m| m.expose().number.to_string())
                .unwrap_or_default()
        )
    );

    // An operator without the item is refused, and the refusal is audited too.
    let am = desk
        .operators()
        .find(|o| !o.holds(&partnerdesk::Permission::RevealSensitive))
        .map(|o| Actor::Operator(o.id.clone()))
        .ok_or("every operator may reveal")?;
    let err = desk
        .reveal(
            &Invocation::new(am.clone(), now),
            &c.id,
            SensitiveField::Name,
        )
        .err();
    assert_eq!(err.as_ref().map(|e| e.code()), Some("PERMISSION_DENIED"));
    // No personal data in the error.
    let text = format!(
        "{:?} {}",
        err,
        err.as_ref().map(|e| e.to_string()).unwrap_or_default()
    );
    assert!(!text.contains(c.name.expose().as_str()));

    let log = desk.audit_log(&AuditFilter::default().customer(c.id.clone()).kind("reveal"));
    assert_eq!(log.len(), 3);
    assert!(log[0].outcome.is_allowed() && log[0].detail == "field=email");
    assert_eq!(log[1].detail, "field=mobile");
    assert_eq!(log[2].actor, am);
    assert_eq!(
        log[2].outcome,
        AuditOutcome::Denied {
            code: "PERMISSION_DENIED".into()
        }
    );
    assert_eq!(log[2].at, now);
    for r in &log {
        let shown = format!("{r} {r:?}");
        assert!(!shown.contains(c.name.expose().as_str()));
        assert!(
            !shown.contains(
                c.email
                    .as_ref()
                    .map(|e| e.expose().as_str())
                    .unwrap_or("@@")
            )
        );
    }

    // An unknown customer is refused with its code, and audited.
    let ghost = partnerdesk::CustomerId::new("ffffffffffffffffffffffffffffffff")?;
    let err = desk
        .reveal(
            &Invocation::new(admin.clone(), now),
            &ghost,
            SensitiveField::Name,
        )
        .err();
    assert_eq!(err.map(|e| e.code()), Some("CUSTOMER_NOT_FOUND"));
    assert_eq!(
        desk.audit_log(&AuditFilter::default().customer(ghost))
            .len(),
        1
    );
    Ok(())
}

#[test]
fn no_personal_data_in_debug_output() -> TestResult {
    let (desk, _now) = demo::portfolio(30, 9)?;
    for c in desk.customers() {
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(c.name.expose().as_str()), "name in Debug");
        if let Some(e) = &c.email {
            assert!(!dbg.contains(e.expose().as_str()), "e-mail in Debug");
        }
        if let Some(m) = &c.mobile {
            assert!(!dbg.contains(m.expose().number.as_str()), "mobile in Debug");
        }
    }
    Ok(())
}

#[test]
fn masked_rows_snapshot() -> TestResult {
    let (desk, now) = demo::portfolio(12, 2024)?;
    let page = desk.search(
        &Query::all(),
        Sort::asc(SortKey::Id),
        &PageRequest::first(8),
        now,
    )?;
    let lines: Vec<String> = page
        .rows
        .iter()
        .map(|r| {
            format!(
                "{} | {} | {} | {}",
                r.id,
                r.name,
                r.mobile.as_deref().unwrap_or("-"),
                r.email.as_deref().unwrap_or("-")
            )
        })
        .collect();
    insta::assert_snapshot!("masked_rows", lines.join("\n"));
    Ok(())
}

// ---- property tests ---------------------------------------------------------------------

/// Random text in one of several scripts (no `*`, which is the mask's own character).
fn script_text(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::string::string_regex(&format!(
            "[A-Za-z][A-Za-z .'-]{{{},{}}}",
            min.saturating_sub(1),
            max
        ))
        .unwrap_or_else(|_| unreachable!()),
        proptest::string::string_regex(&format!("[\u{4e00}-\u{9fa5}]{{{min},{max}}}"))
            .unwrap_or_else(|_| unreachable!()),
        proptest::string::string_regex(&format!(
            "[\u{3041}-\u{3096}\u{30a1}-\u{30fa}]{{{min},{max}}}"
        ))
        .unwrap_or_else(|_| unreachable!()),
        proptest::string::string_regex(&format!("[\u{ac00}-\u{d7a3}]{{{min},{max}}}"))
            .unwrap_or_else(|_| unreachable!()),
        proptest::string::string_regex(&format!("[\u{0410}-\u{044f}]{{{min},{max}}}"))
            .unwrap_or_else(|_| unreachable!()),
        proptest::string::string_regex(&format!("[\u{0621}-\u{064a}]{{{min},{max}}}"))
            .unwrap_or_else(|_| unreachable!()),
        proptest::string::string_regex(&format!("[\u{0e01}-\u{0e2e}]{{{min},{max}}}"))
            .unwrap_or_else(|_| unreachable!()),
        proptest::string::string_regex(&format!("[a-zà-ÿ]{{{min},{max}}}"))
            .unwrap_or_else(|_| unreachable!()),
    ]
}

fn rule() -> impl Strategy<Value = MaskRule> {
    prop_oneof![
        Just(MaskRule::Default),
        (0u8..5, 0u8..5).prop_map(|(first, last)| MaskRule::Keep { first, last }),
        Just(MaskRule::Hidden),
        Just(MaskRule::Fixed("(anonymised)".into())),
        Just(MaskRule::Pseudonym),
    ]
}

/// The characters a mask shows (everything but the asterisks), and whether they are a prefix
/// and a suffix of `raw` of at most `first` and `last` characters.
fn shows_at_most(masked: &str, raw: &str, first: usize, last: usize) -> bool {
    let Some((head, tail)) = masked.split_once(MASK) else {
        return masked.is_empty();
    };
    let tail = tail.trim_start_matches('*');
    let n = raw.chars().count();
    let shown = head.chars().count() + tail.chars().count();
    raw.starts_with(head)
        && raw.ends_with(tail)
        && head.chars().count() <= first
        && tail.chars().count() <= last
        && (shown < n || n == 0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn names_never_leak_and_masks_are_idempotent(raw in script_text(1, 24), r in rule()) {
        let key = PseudonymKey::new(b"a partner secret of enough bytes").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut policy = MaskPolicy::console();
        policy.set(SensitiveField::Name, r.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let m = Masker::new(&policy, Some(&key)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let raw = raw.trim().to_owned();
        prop_assume!(!raw.is_empty());
        let masked = m.mask(SensitiveField::Name, &raw);
        // Never the raw value, never its length.
        prop_assert_ne!(&masked, &raw);
        // (A pseudonym is hex; a short raw value may occur in it by chance.)
        prop_assert!(raw.chars().count() < 3 || r == MaskRule::Pseudonym || !masked.contains(&raw));
        match &r {
            MaskRule::Default => prop_assert!(shows_at_most(&masked, &raw, 1, 0), "{masked}"),
            MaskRule::Keep { first, last } => prop_assert!(shows_at_most(&masked, &raw, usize::from(*first), usize::from(*last)), "{masked}"),
            MaskRule::Hidden => prop_assert_eq!(&masked, ""),
            MaskRule::Fixed(t) => prop_assert_eq!(&masked, t),
            MaskRule::Pseudonym => prop_assert!(masked.starts_with("pn_") && masked.len() == 23),
            MaskRule::Clear => prop_assert!(false),
        }
        // Idempotent.
        prop_assert_eq!(m.mask(SensitiveField::Name, &masked), masked.clone());
    }

    #[test]
    fn mobiles_never_leak_and_masks_are_idempotent(digits in "[0-9]{1,20}", cc in prop_oneof![Just(""), Just("+86"), Just("0086"), Just("+1"), Just("+971")], r in rule()) {
        let key = PseudonymKey::new(b"a partner secret of enough bytes").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut policy = MaskPolicy::console();
        policy.set(SensitiveField::Mobile, r.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let m = Masker::new(&policy, Some(&key)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mobile = Mobile::new(cc, &digits).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut masked = String::new();
        m.mask_mobile_into(&mobile, &mut masked);
        let national = masked.strip_prefix(cc).map(str::trim_start).unwrap_or(&masked).to_owned();
        prop_assert!(!national.contains(digits.as_str()) || digits.len() < 3 || r == MaskRule::Pseudonym, "{masked}");
        let shown: usize = national.chars().filter(char::is_ascii_digit).count();
        match &r {
            MaskRule::Default => prop_assert!(shown <= 7 && (shown < digits.len()), "{masked}"),
            MaskRule::Keep { first, last } => prop_assert!(shown <= usize::from(*first + *last) && shown < digits.len(), "{masked}"),
            MaskRule::Hidden => prop_assert_eq!(&masked, ""),
            MaskRule::Fixed(t) => prop_assert_eq!(&masked, t),
            MaskRule::Pseudonym => prop_assert!(masked.starts_with("pn_")),
            MaskRule::Clear => prop_assert!(false),
        }
        let national_again = m.mask(SensitiveField::Mobile, &national);
        prop_assert_eq!(national_again, national.clone());
    }

    #[test]
    fn emails_never_leak_and_masks_are_idempotent(local in script_text(1, 16), domain in "[a-z]{1,10}\\.(com|cn|io)", r in rule()) {
        let key = PseudonymKey::new(b"a partner secret of enough bytes").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let local = local.replace([' ', '@'], "");
        prop_assume!(!local.is_empty());
        let raw = format!("{local}@{domain}");
        let mut policy = MaskPolicy::console();
        policy.set(SensitiveField::Email, r.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let m = Masker::new(&policy, Some(&key)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let masked = m.mask(SensitiveField::Email, &raw);
        prop_assert!(!masked.contains(&raw));
        match &r {
            MaskRule::Default | MaskRule::Keep { .. } => {
                let (first, last) = match r { MaskRule::Keep { first, last } => (usize::from(first), usize::from(last)), _ => (1, 0) };
                let (ml, md) = masked.rsplit_once('@').ok_or_else(|| TestCaseError::fail("no @"))?;
                prop_assert_eq!(md, domain.as_str());
                prop_assert!(shows_at_most(ml, &local, first, last), "{masked}");
            }
            MaskRule::Hidden => prop_assert_eq!(&masked, ""),
            MaskRule::Fixed(t) => prop_assert_eq!(&masked, t),
            MaskRule::Pseudonym => prop_assert!(masked.starts_with("pn_") && !masked.contains('@')),
            MaskRule::Clear => prop_assert!(false),
        }
        prop_assert_eq!(m.mask(SensitiveField::Email, &masked), masked.clone());
    }

    #[test]
    fn rows_of_random_customers_never_show_raw_values(name in script_text(1, 20), local in "[a-z]{1,12}", number in "1[0-9]{10}") {
        row_shows_no_raw_value(&name, &local, &number)?;
    }
}

/// The oracle of `rows_of_random_customers_never_show_raw_values`: each field of the row is
/// checked against its own raw value and its own documented mask. (Checking the name against
/// the three fields joined was wrong: a name such as `e.` is part of the e-mail domain
/// `example.com`, which the console shows in clear.)
fn row_shows_no_raw_value(name: &str, local: &str, number: &str) -> Result<(), TestCaseError> {
    let fail = |e: Error| TestCaseError::fail(e.to_string());
    let (mut desk, now) = demo::portfolio(0, 1).map_err(fail)?;
    let since = now - chrono::Duration::days(3);
    let id = partnerdesk::CustomerId::new("0123456789abcdef0123456789abcdef").map_err(fail)?;
    let mut c = Customer::new(
        id.clone(),
        "acct_x",
        name.to_owned(),
        partnerdesk::Association::new(partnerdesk::AssociationType::Referral, since),
    );
    c.email = Some(format!("{local}@example.com").into());
    c.mobile = Some(Mobile::new("+86", number).map_err(fail)?.into());
    prop_assume!(!name.trim().is_empty());
    desk.insert_customer(c).map_err(fail)?;
    let row = desk.customer_row(&id, now).map_err(fail)?;
    let trimmed = name.trim();
    // The name: at most its first character, never the whole name.
    prop_assert!(
        shows_at_most(&row.name, trimmed, 1, 0),
        "name shown as {}",
        row.name
    );
    prop_assert!(trimmed.chars().count() < 2 || !row.name.contains(trimmed));
    // The mobile: the country code, the first three and the last four digits at most.
    let mobile = row.mobile.as_deref().unwrap_or_default();
    prop_assert!(!mobile.contains(number), "mobile shown in clear");
    let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
    prop_assert!(
        digits.len() <= 2 + 3 + 4,
        "mobile shows {} digits",
        digits.len()
    );
    // The e-mail: the domain in clear, at most the first character of the local part.
    let email = row.email.as_deref().unwrap_or_default();
    let (shown_local, domain) = email
        .rsplit_once('@')
        .ok_or_else(|| TestCaseError::fail("e-mail without @"))?;
    prop_assert_eq!(domain, "example.com");
    prop_assert!(
        shows_at_most(shown_local, local, 1, 0),
        "e-mail local part shown as {}",
        shown_local
    );
    Ok(())
}

#[test]
fn a_name_that_is_part_of_the_email_domain_is_still_masked() -> Result<(), TestCaseError> {
    // Found by the property test above: "e." appears in "example.com", which is shown.
    row_shows_no_raw_value("e.", "alice", "13912345678")?;
    row_shows_no_raw_value("Un", "a", "10000000000")
}
