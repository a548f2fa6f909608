//! Hardening (issue #13, rows 3 and 7): amounts and personal values are checked by the same
//! function at every door (insert, update, snapshot, event, command), and refused input changes
//! nothing; masks never show more than documented, whatever they are given.

use crate::ops_fixture::{cid, code, desk, monthly, now, op};
use partnerdesk::Invocation;
use partnerdesk::event::{Event, EventKind};
use partnerdesk::order::OrderRequest;
use partnerdesk::privacy::{MaskPolicy, MaskRule, Masker, Personal, SensitiveField};
use partnerdesk::text::SharedText;
use partnerdesk::{
    Currency, Customer, Decimal, Desk, Mobile, Money, Order, OrderId, OrderStatus, OrderType,
};
use proptest::prelude::*;

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// 7.9e28: three of them overflow a `Decimal` sum.
fn huge() -> Money {
    Money::new(
        Decimal::from_i128_with_scale(79_000_000_000_000_000_000_000_000_000, 0),
        Currency::CNY,
    )
}

fn unpaid(n: u32, amount: Money) -> partnerdesk::Result<Order> {
    Ok(Order {
        id: OrderId::new(format!("PD{n:010}"))?,
        status: OrderStatus::PendingPayment,
        kind: OrderType::New,
        amount,
        created_at: now(),
        paid_at: None,
        placed_by: Some(partnerdesk::OperatorId::new("admin")?),
    })
}

/// A desk whose `r1` has a monthly budget of 1000 (one `budget_set` event).
fn budgeted() -> partnerdesk::Result<Desk> {
    let mut d = desk()?;
    d.set_budget(
        &Invocation::new(op("admin"), now()),
        &cid("r1"),
        &monthly(1000, false, false)?,
    )?;
    Ok(d)
}

#[test]
fn huge_unpaid_orders_in_a_snapshot_are_refused_at_load() -> TestResult {
    let d = budgeted()?;
    let mut snap: serde_json::Value = serde_json::from_str(&d.to_snapshot_json()?)?;
    let customers = snap["customers"]
        .as_array_mut()
        .ok_or("snapshot without customers")?;
    let r1 = customers
        .iter_mut()
        .find(|c| c["id"] == "r1")
        .ok_or("no r1")?;
    for n in 1..=3 {
        r1["orders"]
            .as_array_mut()
            .ok_or("no orders")?
            .push(serde_json::to_value(unpaid(n, huge())?)?);
    }
    let err = Desk::from_snapshot_json(&snap.to_string())
        .err()
        .ok_or("loaded")?;
    assert_eq!(err.code(), "INVALID_SNAPSHOT");
    assert!(err.to_string().contains("orders[0].amount"), "{err}");
    Ok(())
}

#[test]
fn huge_order_placed_events_are_refused_and_change_nothing() -> TestResult {
    let mut d = budgeted()?;
    let before = d.clone();
    let seq = d.events().len() as u64;
    // Well sealed (the chain holds), so what refuses them is the amount check.
    let mut previous = d.chain_head().to_owned();
    let mut events: Vec<Event> = Vec::new();
    for n in 1..=3u32 {
        let mut e = Event {
            seq: seq + u64::from(n),
            at: now(),
            actor: op("admin"),
            customer: Some(cid("r1")),
            kind: EventKind::OrderPlaced {
                order: Box::new(unpaid(n, huge())?),
            },
            link: String::new(),
        };
        previous = e.seal(&previous, None)?.to_owned();
        events.push(e);
    }
    let err = d.apply_events(events).err().ok_or("applied")?;
    // Refused by the event check at the first of them, naming the amount's field.
    assert!(
        matches!(&err, partnerdesk::Error::InvalidEvent { sequence, reason }
            if *sequence == seq + 1 && reason.contains("order.amount")),
        "{err}"
    );
    assert_eq!(d, before);
    assert_eq!(d.events().len(), before.events().len());
    // Budget usage still answers (and never panics).
    let usage = d.budget_usage(&cid("r1"), now())?.ok_or("no budget")?;
    assert_eq!(usage.committed.amount, Decimal::ZERO);
    Ok(())
}

#[test]
fn every_door_refuses_out_of_range_order_amounts() -> TestResult {
    let over_precise = Money::new(Decimal::new(1, 9), Currency::CNY);
    let negative = Money::new(Decimal::new(-1, 0), Currency::CNY);
    let over_bound = Money::new(
        Decimal::from(partnerdesk::validate::MAX_ORDER_AMOUNT) + Decimal::ONE,
        Currency::CNY,
    );
    for amount in [huge(), over_precise, negative, over_bound] {
        // Insert and update.
        let mut d = desk()?;
        let before = d.clone();
        let mut c = crate::ops_fixture::fresh_customer()?;
        c.orders.push(unpaid(1, amount)?);
        assert_eq!(code(d.insert_customer(c.clone())), Some("INVALID_MONEY"));
        assert_eq!(code(d.upsert_customer(c)), Some("INVALID_MONEY"));
        let updated = d.update_customer(&cid("r1"), |c| {
            c.orders
                .push(unpaid(1, amount).unwrap_or_else(|_| unreachable!()))
        });
        assert_eq!(code(updated), Some("INVALID_MONEY"));
        assert_eq!(d, before);
        // The command's value type.
        assert_eq!(
            code(OrderRequest::new(cid("r1"), OrderType::New, amount)),
            Some("INVALID_MONEY")
        );
    }
    // An amount in range, with more decimals than a command takes, is still refused by the
    // command, never rounded.
    let cents = Money::new(Decimal::new(1001, 3), Currency::CNY);
    assert_eq!(
        code(OrderRequest::new(cid("r1"), OrderType::New, cents)),
        Some("INVALID_MONEY")
    );
    Ok(())
}

#[test]
fn a_budget_edited_out_of_range_in_a_snapshot_is_refused() -> TestResult {
    let d = budgeted()?;
    for bad in ["100000000000000000000", "-5", "10.001"] {
        let mut snap: serde_json::Value = serde_json::from_str(&d.to_snapshot_json()?)?;
        let customers = snap["customers"].as_array_mut().ok_or("no customers")?;
        let r1 = customers
            .iter_mut()
            .find(|c| c["id"] == "r1")
            .ok_or("no r1")?;
        r1["budget"]["amount"]["amount"] = serde_json::Value::String(bad.to_owned());
        let err = Desk::from_snapshot_json(&snap.to_string())
            .err()
            .ok_or("loaded")?;
        assert_eq!(err.code(), "INVALID_SNAPSHOT", "{bad}");
        assert!(err.to_string().contains("budget.amount"), "{err}");
        // The budget's record in the ledger is held to the same bound.
        let mut snap: serde_json::Value = serde_json::from_str(&d.to_snapshot_json()?)?;
        snap["ledger"]["budget_records"][0]["amount"]["amount"] =
            serde_json::Value::String(bad.to_owned());
        let err = Desk::from_snapshot_json(&snap.to_string())
            .err()
            .ok_or("loaded")?;
        assert_eq!(err.code(), "INVALID_SNAPSHOT", "{bad}");
        assert!(
            err.to_string().contains("budget_records[0].amount"),
            "{err}"
        );
    }
    Ok(())
}

// ---- personal values --------------------------------------------------------------------------

/// Mobiles that held `*` or moved digits into the country code, as the issue found them.
fn forged_mobiles() -> Vec<Mobile> {
    vec![
        Mobile {
            country_code: SharedText::default(),
            number: "13912345678*".into(),
        },
        Mobile {
            country_code: "+86".into(),
            number: "139*12345678".into(),
        },
        Mobile {
            country_code: "13912345678".into(),
            number: "1".into(),
        },
        Mobile {
            country_code: "+8613912345678".into(),
            number: "1".into(),
        },
        Mobile {
            country_code: "+86".into(),
            number: "138 1234 5678".into(),
        },
    ]
}

fn with_mobile(mut c: Customer, m: Mobile) -> Customer {
    c.mobile = Some(Personal::new(m));
    c
}

#[test]
fn forged_mobiles_are_refused_at_every_door() -> TestResult {
    for m in forged_mobiles() {
        let raw = format!("{}{}", m.country_code, m.number);
        let mut d = desk()?;
        let before = d.clone();
        let c = with_mobile(crate::ops_fixture::fresh_customer()?, m.clone());
        for r in [d.insert_customer(c.clone()), d.upsert_customer(c.clone())] {
            let e = r.err().ok_or("accepted")?;
            assert_eq!(e.code(), "INVALID_ARGUMENT");
            assert!(!format!("{e} {e:?}").contains(&raw), "{e}");
        }
        let m2 = m.clone();
        let e = d
            .update_customer(&cid("r1"), move |c| c.mobile = Some(Personal::new(m2)))
            .err()
            .ok_or("accepted")?;
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        assert_eq!(d, before);

        // A snapshot.
        let mut snap: serde_json::Value = serde_json::from_str(&d.to_snapshot_json()?)?;
        let customers = snap["customers"].as_array_mut().ok_or("no customers")?;
        let r1 = customers
            .iter_mut()
            .find(|c| c["id"] == "r1")
            .ok_or("no r1")?;
        r1["mobile"] = serde_json::to_value(&m)?;
        let e = Desk::from_snapshot_json(&snap.to_string())
            .err()
            .ok_or("loaded")?;
        assert_eq!(e.code(), "INVALID_SNAPSHOT");
        assert!(e.to_string().contains("mobile") || e.to_string().contains("country_code"));
        assert!(!format!("{e} {e:?}").contains(&raw));

        // An `associated` event carrying the customer record: a genuine one (from a live
        // association with a valid mobile), its mobile forged and the event sealed again.
        let mut live = d.clone();
        let mut genuine = c.clone();
        genuine.mobile = Some(Personal::new(Mobile::new("+86", "13912345678")?));
        live.associate(&Invocation::new(op("admin"), now()), genuine, None)?;
        let mut event = live.events().last().cloned().ok_or("no event")?;
        match &mut event.kind {
            EventKind::Associated { customer } => customer.mobile = Some(Personal::new(m.clone())),
            _ => return Err("not an associated event".into()),
        }
        event.seal(d.chain_head(), None)?;
        let e = d.apply_events([event]).err().ok_or("applied")?;
        assert_eq!(e.code(), "INVALID_EVENT");
        assert!(
            e.to_string().contains("mobile") || e.to_string().contains("country_code"),
            "{e}"
        );
        assert!(!format!("{e} {e:?}").contains(&raw));
        assert_eq!(d, before);
    }
    Ok(())
}

#[test]
fn masks_of_forged_mobiles_show_no_more_than_documented() -> TestResult {
    let policy = MaskPolicy::console();
    let masker = Masker::new(&policy, None)?;
    let mut out = String::new();
    for (m, want) in [
        (("", "13912345678*"), "139****5678"),
        (("+86", "139*12345678"), "+86 139****5678"),
        (("13912345678", "1"), "***"),
        (("+86", "1*2*3*4*5*6*7*8*9*0*1"), "+86 123****8901"),
        (("", "139****5678"), "139****5678"),
        (("", "1399****5678"), "***78"),
    ] {
        out.clear();
        masker.mask_mobile_into(
            &Mobile {
                country_code: m.0.into(),
                number: m.1.into(),
            },
            &mut out,
        );
        assert_eq!(out, want, "{m:?}");
    }
    assert_eq!(
        partnerdesk::privacy::mask_mobile("13912345678*"),
        "139****5678"
    );
    assert_eq!(
        partnerdesk::privacy::mask_mobile("139*12345678"),
        "139****5678"
    );
    Ok(())
}

/// The national-number digits a mask shows: the digits of the output after the country code.
fn shown_digits(masked: &str, cc: &str) -> String {
    let rest = masked
        .strip_prefix(cc)
        .map(str::trim_start)
        .unwrap_or(masked);
    rest.chars().filter(char::is_ascii_digit).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every mobile the constructor accepts masks to at most the documented digits (3 + 4 of
    /// 11 or more, 2 of 7 to 10, none below), taken from its start and end; every one it
    /// refuses gets a fixed, typed error that cannot hold the value.
    #[test]
    fn mobile_masks_show_at_most_the_documented_digits(
        cc in "[+0-9* ]{0,8}",
        number in "[0-9*\\- ]{0,24}",
        first in 0u8..6,
        last in 0u8..6,
    ) {
        match Mobile::new(&cc, &number) {
            Ok(m) => {
                let n = m.number.len();
                let policy = MaskPolicy::console();
                let masker = Masker::new(&policy, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let mut out = String::new();
                masker.mask_mobile_into(&m, &mut out);
                let shown = shown_digits(&out, &m.country_code);
                let allowed = if n >= 11 { 7 } else if n >= 7 { 2 } else { 0 };
                prop_assert!(shown.len() <= allowed, "{out}");
                if n >= 11 {
                    prop_assert_eq!(&shown[..3], &m.number[..3]);
                    prop_assert_eq!(&shown[3..], &m.number[n - 4..]);
                }
                // A keep rule shows at most `first + last` digits, and at most half of a
                // short number.
                let mut keep = MaskPolicy::console();
                keep.set(SensitiveField::Mobile, MaskRule::Keep { first, last })
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let masker = Masker::new(&keep, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
                out.clear();
                masker.mask_mobile_into(&m, &mut out);
                let shown = shown_digits(&out, &m.country_code);
                let (f, l) = (usize::from(first), usize::from(last));
                let max = if n > f + l { f + l } else { n / 2 };
                prop_assert!(shown.len() <= max, "{out}");
                // The country code shown is the validated one, or nothing.
                prop_assert!(out.starts_with(m.country_code.as_str()));
            }
            Err(e) => {
                prop_assert_eq!(e.code(), "INVALID_ARGUMENT");
                let text = e.to_string();
                prop_assert!(
                    text == "invalid argument mobile: expected 1 to 20 digits"
                        || text == "invalid argument country_code: expected +NNN or 00NNN",
                    "{}", text
                );
            }
        }
    }

    /// Names and e-mails the desk accepts mask to the documented characters: a name its first
    /// character, an e-mail the first character of its local part and its domain.
    #[test]
    fn name_and_email_masks_show_at_most_the_documented_characters(
        name in "[a-z*@. 张]{0,12}",
        local in "[a-z*.]{0,8}",
        domain in "[a-z*.]{0,8}",
    ) {
        let policy = MaskPolicy::console();
        let masker = Masker::new(&policy, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if partnerdesk::validate::name(&name).is_ok() {
            let masked = masker.mask(SensitiveField::Name, &name);
            let kept: String = masked.chars().filter(|c| *c != '*').collect();
            prop_assert!(kept.chars().count() <= 1, "{masked}");
            prop_assert!(name.trim().starts_with(&kept));
        }
        let email = format!("{local}@{domain}");
        if partnerdesk::validate::email(&email).is_ok() {
            let masked = masker.mask(SensitiveField::Email, &email);
            let (m_local, m_domain) = masked.rsplit_once('@').ok_or_else(|| TestCaseError::fail("no @"))?;
            prop_assert_eq!(m_domain, domain.as_str());
            let kept: String = m_local.chars().filter(|c| *c != '*').collect();
            prop_assert!(kept.chars().count() <= 1, "{masked}");
            prop_assert!(local.starts_with(&kept));
        }
    }

    /// Refused names and e-mails get a typed error that does not hold the value.
    #[test]
    fn refused_names_and_emails_do_not_echo_the_value(v in "[a-z]{3,8}[\u{0}-\u{1f}][a-z]{3,8}") {
        let e = partnerdesk::validate::name(&v).err().ok_or_else(|| TestCaseError::fail("accepted"))?;
        prop_assert_eq!(e.code(), "INVALID_ARGUMENT");
        let shown = format!("{e} {e:?}");
        prop_assert!(!shown.contains(&v));
        let e = partnerdesk::validate::email(&v).err().ok_or_else(|| TestCaseError::fail("accepted"))?;
        prop_assert_eq!(e.code(), "INVALID_ARGUMENT");
        let shown = format!("{e} {e:?}");
        prop_assert!(!shown.contains(&v));
    }
}

/// A demo portfolio larger than its bound is refused before any room is reserved: a size from
/// a host's argument (a trillion, say) used to reserve memory that could not be allocated,
/// and the process aborted.
#[test]
fn an_oversized_demo_portfolio_is_refused_not_reserved() -> TestResult {
    use partnerdesk::demo::{MAX_CUSTOMERS, portfolio};
    for n in [MAX_CUSTOMERS + 1, 1_000_000_000_000, usize::MAX] {
        let e = portfolio(n, 1).err().ok_or("refused")?;
        assert_eq!(e.code(), "INVALID_ARGUMENT", "{n}");
        assert!(e.to_string().contains("at most 20000000 customers"), "{e}");
    }
    assert_eq!(portfolio(3, 1)?.0.len(), 3);
    // A `now` outside the model's years is refused too (its dates would not exist).
    let last = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    let e = partnerdesk::demo::portfolio_at(3, 1, last)
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "INVALID_DATE");
    Ok(())
}

/// A snapshot's authorizations are checked as a request is: a duration of 1 to 731 days and
/// instants in the model's years. Before, a duration of four billion days (or a request made
/// in the year 262142) loaded, and approving it (or reading its state) panicked on the date.
#[test]
fn a_snapshots_authorizations_are_checked_like_requests() -> TestResult {
    use partnerdesk::Actor;
    use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
    let mut d = desk()?;
    let req = AuthorizationRequest::new(cid("r1"), [AuthorizationScope::PlaceOrders], 30, true)?;
    let id = d.request_authorization(&Invocation::new(op("ops"), now()), &req)?;
    let json: serde_json::Value = serde_json::from_str(&d.to_snapshot_json()?)?;
    let edited =
        |field: &str, value: serde_json::Value| -> Result<String, Box<dyn std::error::Error>> {
            let mut j = json.clone();
            let auths = j
                .pointer_mut("/ledger/authorizations")
                .ok_or("the snapshot's authorizations")?;
            let a = match auths {
                serde_json::Value::Array(list) => list.first_mut(),
                serde_json::Value::Object(map) => map.values_mut().next(),
                _ => None,
            }
            .ok_or("one authorization")?;
            a[field] = value;
            Ok(j.to_string())
        };
    for (field, value) in [
        ("duration_days", serde_json::json!(4_294_967_295u32)),
        ("duration_days", serde_json::json!(0)),
        ("requested_at", serde_json::json!("+262142-12-31T00:00:00Z")),
    ] {
        let e = Desk::from_snapshot_json(&edited(field, value)?)
            .err()
            .ok_or("refused")?;
        assert_eq!(e.code(), "INVALID_SNAPSHOT", "{field}");
        assert!(e.to_string().contains(field), "{field}: {e}");
    }
    // Unedited, it loads and approves.
    let mut back = Desk::from_snapshot_json(&edited("duration_days", serde_json::json!(30))?)?;
    back.approve_authorization(&Invocation::new(Actor::Customer(cid("r1")), now()), &id)?;
    Ok(())
}

/// A snapshot's counters are at most 2^53 - 1: the desk adds one to each (the next order,
/// authorization, audit record, export job), and a loaded `u64::MAX` overflowed.
#[test]
fn a_snapshots_counters_leave_room_to_count_on() -> TestResult {
    let d = desk()?;
    let json: serde_json::Value = serde_json::from_str(&d.to_snapshot_json()?)?;
    let last = (1u64 << 53) - 1;
    for (pointer, field) in [
        ("/ledger/order_seq", "ledger.order_seq"),
        ("/ledger/auth_seq", "ledger.auth_seq"),
        ("/ledger/audit_seq", "ledger.audit_seq"),
        ("/exports/seq", "exports.seq"),
    ] {
        for (n, refused) in [(u64::MAX, true), (last + 1, true), (last, false)] {
            let mut j = json.clone();
            *j.pointer_mut(pointer).ok_or(pointer)? = serde_json::json!(n);
            let loaded = Desk::from_snapshot_json(&j.to_string());
            match loaded {
                Err(e) if refused => {
                    assert_eq!(e.code(), "INVALID_SNAPSHOT", "{field}");
                    assert!(e.to_string().contains(field), "{field}: {e}");
                }
                Ok(_) if !refused => {}
                other => return Err(format!("{field} = {n}: {:?}", other.map(|d| d.len())).into()),
            }
        }
    }
    Ok(())
}

/// A `now` outside the calendar's years is refused before anything is audited, by every
/// operation that audits its attempts (as the governed commands' runner does). Found by the
/// `ops` fuzz target: a detail export, its download, a reveal and a terminated authorization
/// audited the refused attempt at that `now`, and an audit trail holding it did not load
/// again (`INVALID_EVENT`; a durable desk then refused to open, `STORE_CORRUPT`).
#[test]
fn an_out_of_range_now_is_refused_before_it_is_audited() -> partnerdesk::Result<()> {
    use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
    use partnerdesk::detail::{DetailList, OrderScope};
    use partnerdesk::export::DetailExportRequest;
    use std::ops::ControlFlow;
    let mut d = desk()?;
    let admin = Invocation::new(op("admin"), now());
    let request =
        AuthorizationRequest::new(cid("r1"), [AuthorizationScope::PlaceOrders], 30, true)?;
    let auth = d.request_authorization(&Invocation::new(op("ops"), now()), &request)?;
    let list = DetailList::Orders {
        customer: cid("r1"),
        scope: OrderScope::All,
    };
    let job = d.export_detail(
        &admin,
        &DetailExportRequest::csv(list.clone()),
        Vec::new(),
        |_| ControlFlow::Continue(()),
    )?;
    for bad in [
        chrono::DateTime::<chrono::Utc>::MAX_UTC,
        chrono::DateTime::<chrono::Utc>::MIN_UTC,
    ] {
        let before = d.mark();
        // An actor the operation refuses as well: the date is what is refused first.
        let viewer = Invocation::new(op("viewer"), bad);
        let admin = Invocation::new(op("admin"), bad);
        let refusals = [
            code(d.reveal(&viewer, &cid("r1"), SensitiveField::Name)),
            code(d.reveal(&admin, &cid("r1"), SensitiveField::Name)),
            code(d.terminate_authorization(&viewer, &auth)),
            code(d.export_detail(
                &viewer,
                &DetailExportRequest::csv(list.clone()),
                Vec::new(),
                |_| ControlFlow::Continue(()),
            )),
            code(d.download_export(&viewer, &job.id, Vec::new(), |_| ControlFlow::Continue(()))),
            code(d.download_export(&admin, &job.id, Vec::new(), |_| ControlFlow::Continue(()))),
        ];
        assert_eq!(refusals, [Some("INVALID_DATE"); 6], "{bad}");
        assert_eq!(d.mark(), before, "nothing audited at {bad}");
    }
    // The trail loads again (what a store's open does with it).
    let mut again = partnerdesk::Desk::from_snapshot_json(&d.to_snapshot_json()?)?;
    assert_eq!(again.mark(), d.mark());
    again.append_audit(Vec::new())?;
    Ok(())
}

/// A customer removed from the desk (`remove_customer`, as a Huawei sync does for a customer
/// gone from the partner's list) leaves its authorizations and disassociation requests in the
/// ledger, as history. Found by the `ops` fuzz target: the snapshot loader required every
/// authorization's and request's customer to be on the desk, so the desk refused its own
/// snapshot and checkpoint (`INVALID_SNAPSHOT`, "inconsistent"), and a durable desk could not
/// open from a checkpoint taken after such a removal. Its authorizations then took further
/// steps (a lapse at `tick`, an approval, a termination) whose events the log did not replay
/// ("unknown customer"): they are refused with `CUSTOMER_NOT_FOUND` now, and not lapsed.
#[test]
fn the_history_of_a_removed_customer_saves_and_loads_back() -> partnerdesk::Result<()> {
    use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
    let mut d = desk()?;
    let start = d.to_snapshot_json()?;
    let request =
        AuthorizationRequest::new(cid("r1"), [AuthorizationScope::PlaceOrders], 30, true)?;
    let auth = d.request_authorization(&Invocation::new(op("ops"), now()), &request)?;
    let r2 = cid("r2");
    d.request_disassociation(
        &Invocation::new(partnerdesk::Actor::Customer(r2.clone()), now()),
        &r2,
        "leaving",
    )?;
    d.remove_customer(&cid("r1"))?;
    d.remove_customer(&r2)?;
    assert!(d.authorization(&auth).is_ok(), "the history stays");
    // No step of an authorization of a customer no longer on the desk, and no lapse, is
    // recorded: the log could not replay it (an event names a customer on the desk).
    let customer = Invocation::new(partnerdesk::Actor::Customer(cid("r1")), now());
    let before = d.mark();
    assert_eq!(
        [
            code(d.approve_authorization(&customer, &auth)),
            code(d.terminate_authorization(&Invocation::new(op("admin"), now()), &auth)),
        ],
        [Some("CUSTOMER_NOT_FOUND"); 2]
    );
    assert_eq!(d.mark().events, before.events);
    assert_eq!(
        d.expire_authorizations(now() + chrono::Duration::days(100))?,
        0
    );
    assert_eq!(
        partnerdesk::Desk::replay(&start, d.events().iter().cloned())?,
        d
    );
    let loaded = partnerdesk::Desk::from_snapshot_json(&d.to_snapshot_json()?)?;
    assert_eq!(loaded, d);
    let opened = partnerdesk::Desk::from_checkpoint(&d.to_checkpoint()?)?;
    assert_eq!(opened, d);
    Ok(())
}
