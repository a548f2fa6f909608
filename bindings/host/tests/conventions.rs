//! The host conventions and the shared records (docs/conventions.md), host-neutral.

use partnerdesk_host::records::{CustomerRow, Page};
use partnerdesk_host::{Actor, HostDecimal, HostInstant, at, now_or_clock, operator};

#[test]
fn now_defaults_to_the_wall_clock_and_a_given_now_wins() {
    let before: chrono::DateTime<chrono::Utc> = std::time::SystemTime::now().into();
    let clock = now_or_clock(None);
    let after: chrono::DateTime<chrono::Utc> = std::time::SystemTime::now().into();
    assert!(before <= clock && clock <= after);
    let demo = partnerdesk::demo::demo_now();
    assert_eq!(now_or_clock(Some(demo)), demo);
    assert_eq!(at(Some(HostInstant(demo))), demo);
}

#[test]
fn an_actor_is_a_login_or_a_value() -> Result<(), partnerdesk::Error> {
    use partnerdesk::access::Actor as Core;
    let login = operator("ops_billing")?;
    let value = Actor::Operator {
        login: "ops_billing".into(),
    }
    .to_core()?;
    assert_eq!(login, value);
    assert_eq!(Actor::System.to_core()?, Core::System);
    let customer = Actor::Customer { id: "c-1".into() }.to_core()?;
    assert_eq!(Actor::from(&customer), Actor::Customer { id: "c-1".into() });
    assert_eq!(operator("").err().map(|e| e.code()), Some("INVALID_ID"));
    let bad = Actor::Customer { id: String::new() }.to_core();
    assert_eq!(bad.err().map(|e| e.code()), Some("INVALID_ID"));
    Ok(())
}

#[test]
fn records_carry_exact_amounts_and_instants() -> Result<(), partnerdesk::Error> {
    let (desk, now) = partnerdesk::demo::portfolio(100, 7)?;
    let all = partnerdesk::query::Query::all();
    let core = desk.search(
        &all,
        partnerdesk::query::Sort::default(),
        &partnerdesk::query::PageRequest::first(10),
        now,
    )?;
    let page = Page::from(core.clone());
    assert_eq!(page.total as usize, core.total);
    assert_eq!(page.next_cursor, core.next_cursor);
    for (row, core) in page.rows.iter().zip(&core.rows) {
        assert_eq!(row, &CustomerRow::from(core.clone()));
        assert_eq!(
            row.month_to_date.amount,
            HostDecimal(core.month_to_date.amount)
        );
        assert_eq!(
            row.month_to_date.currency,
            core.month_to_date.currency.as_str()
        );
        assert_eq!(row.associated_at, HostInstant(core.associated_at));
        assert_eq!(row.next_expiry, core.next_expiry.map(HostInstant));
    }
    Ok(())
}
