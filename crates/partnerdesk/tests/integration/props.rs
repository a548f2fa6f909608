//! Property tests: the indexed search equals a naive filter-and-sort for random portfolios and
//! random queries (built and as text); snapshots round-trip; the parser never panics.

use crate::common::{naive, same_as_naive};
use crate::fixtures::{customer, day, mobile, money, now, partner, resource, spend};
use chrono::Duration;
use partnerdesk::Invocation;
use partnerdesk::query::*;
use partnerdesk::*;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::ops::Bound;

const NAMES: &[&str] = &[
    "Acme",
    "acme cloud",
    "ACME",
    "张三",
    "张伟科技",
    "Müller",
    "MÜLLER AG",
    "Иван",
    "ivan",
    "",
    "a",
];
const TAGS: &[&str] = &["vip", "gold", "VIP", "重点"];
const MANAGERS: &[&str] = &["am_a", "am_b", "am_c"];
const AMOUNTS: &[&str] = &["0", "10", "10.00", "99.99", "-5", "1000"];
/// Mobile numbers of every length, some the ends of others (the index keys them by their
/// reversed digits: a shorter number sorts before the longer ones it ends).
const MOBILES: &[&str] = &[
    "8",
    "78",
    "678",
    "5678",
    "13800005678",
    "00000000000000005678",
    "99999999999999999999",
    "10",
];
/// Suffixes of the mobile criteria: the empty one, the numbers above and their ends, a digit
/// 9 (the largest packed), more than 20 digits and a non-digit (nothing ends so).
const SUFFIXES: &[&str] = &[
    "",
    "8",
    "78",
    "5678",
    "05678",
    "0",
    "9",
    "99999999999999999999",
    "999999999999999999999",
    "5a78",
];

/// The mobile number of a spec's value: one of [`MOBILES`], or one of a hundred 11-digit ones.
fn mobile_number(m: u32) -> String {
    match MOBILES.get(m as usize) {
        Some(n) => (*n).to_owned(),
        None => format!("1380000{m:04}"),
    }
}

#[derive(Debug, Clone)]
struct Spec {
    name: usize,
    account: usize,
    tags: Vec<usize>,
    manager: Option<usize>,
    spend: Vec<(u32, usize)>,
    expiries: Vec<i64>,
    mobile: Option<u32>,
    reseller_model: bool,
    frozen: Option<bool>,
    budget: Option<u32>,
    ended: bool,
    level: usize,
    since_days: i64,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (
            0..NAMES.len(),
            0..NAMES.len(),
            prop::collection::vec(0..TAGS.len(), 0..3),
            prop::option::of(0..MANAGERS.len()),
        ),
        (
            prop::collection::vec((1u32..=28, 0..AMOUNTS.len()), 0..4),
            prop::collection::vec(-5i64..40, 0..3),
        ),
        (
            prop::option::of(0u32..100),
            any::<bool>(),
            prop::option::of(any::<bool>()),
            prop::option::of(1u32..3000),
        ),
        (prop::bool::weighted(0.1), 0..6usize, 0i64..30),
    )
        .prop_map(
            |(
                (name, account, tags, manager),
                (spend, expiries),
                (mobile, reseller_model, frozen, budget),
                (ended, level, since_days),
            )| Spec {
                name,
                account,
                tags,
                manager,
                spend,
                expiries,
                mobile,
                reseller_model,
                frozen,
                budget,
                ended,
                level,
                since_days,
            },
        )
}

fn build(specs: &[Spec]) -> Result<Desk> {
    let mut desk = Desk::new(partner()?, now());
    for m in MANAGERS {
        desk.add_operator(
            Operator::new(OperatorId::new(*m)?, m.to_uppercase(), Role::Operator)
                .with_account_manager(true),
        )?;
    }
    for (i, s) in specs.iter().enumerate() {
        desk.insert_customer(make_customer(&format!("c{i:03}"), s)?)?;
    }
    Ok(desk)
}

/// The customer a spec describes.
fn make_customer(id: &str, s: &Spec) -> Result<Customer> {
    {
        let mut c = customer(id, &format!("acct_{}", s.account), NAMES[s.name])?;
        for t in &s.tags {
            c.tags.insert(Tag::new(TAGS[*t])?);
        }
        c.account_manager = s
            .manager
            .map(|m| OperatorId::new(MANAGERS[m]))
            .transpose()?;
        for (d, a) in &s.spend {
            // Half the records this month (November), half last month.
            let m = if d % 2 == 0 { 11 } else { 10 };
            spend(&mut c, day(2026, m, *d), AMOUNTS[*a])?;
        }
        for (k, e) in s.expiries.iter().enumerate() {
            resource(&mut c, &format!("r{k}"), Some(*e), ExpiryPolicy::Manual)?;
        }
        if let Some(m) = s.mobile {
            mobile(&mut c, &mobile_number(m))?;
        }
        c.association.since = now() - Duration::days(s.since_days);
        if s.reseller_model {
            c.association.kind = AssociationType::Reseller;
            if let Some(b) = s.budget {
                c.budget = Some(Box::new(Budget {
                    kind: BudgetKind::Monthly,
                    amount: money(&b.to_string())?,
                    set_at: now() - Duration::days(40),
                    set_by: "admin".into(),
                    auto_freeze: false,
                    thresholds: partnerdesk::budget::default_thresholds(),
                }));
            }
        }
        if let Some(scope_acct) = s.frozen {
            c.freeze = FreezeState::Frozen(Box::new(Freeze {
                scope: if scope_acct {
                    FreezeScope::Account
                } else {
                    FreezeScope::AccountAndResources
                },
                origin: FreezeOrigin::Manual,
                reason: "r".into(),
                by: "admin".into(),
                at: now() - Duration::days(1),
            }));
        }
        if s.ended {
            c.association.ended = Some(now());
        }
        c.level = CustomerLevel::KNOWN[s.level].clone();
        Ok(c)
    }
}

/// A change to a built desk, to show the indexes stay right.
#[derive(Debug, Clone)]
enum Change {
    Spend(usize, usize, u32),
    Manager(usize, Option<usize>),
    ToggleAssociation(usize),
    Expiry(usize, i64),
    Remove(usize),
    Add(Spec),
    /// A new mobile number (see [`mobile_number`]) or none.
    Mobile(usize, Option<u32>),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0usize..40, 0..AMOUNTS.len(), 1u32..=28).prop_map(|(i, a, d)| Change::Spend(i, a, d)),
        (0usize..40, prop::option::of(0..MANAGERS.len())).prop_map(|(i, m)| Change::Manager(i, m)),
        (0usize..40).prop_map(Change::ToggleAssociation),
        (0usize..40, -5i64..40).prop_map(|(i, d)| Change::Expiry(i, d)),
        (0usize..40).prop_map(Change::Remove),
        spec().prop_map(Change::Add),
        (0usize..40, prop::option::of(0u32..20)).prop_map(|(i, m)| Change::Mobile(i, m)),
    ]
}

/// Applies a change; changes to customers that do not exist are skipped.
fn apply(desk: &mut Desk, n: usize, ch: &Change) -> Result<()> {
    let id = |i: usize| CustomerId::new(format!("c{i:03}"));
    let exists = |desk: &Desk, id: &CustomerId| desk.customer(id).is_ok();
    match ch {
        Change::Spend(i, a, d) => {
            let id = id(*i)?;
            if exists(desk, &id) {
                desk.add_spend(
                    &id,
                    SpendRecord {
                        day: day(2026, 11, *d),
                        product: "ecs".into(),
                        amount: money(AMOUNTS[*a])?,
                        mode: ChargingMode::PayPerUse,
                    },
                )?;
            }
        }
        Change::Manager(i, m) => {
            let id = id(*i)?;
            if exists(desk, &id) {
                let m = m.map(|m| OperatorId::new(MANAGERS[m])).transpose()?;
                desk.update_customer(&id, |c| c.account_manager = m)?;
            }
        }
        Change::ToggleAssociation(i) => {
            let id = id(*i)?;
            if exists(desk, &id) {
                desk.update_customer(&id, |c| {
                    c.association.ended = match c.association.ended {
                        Some(_) => None,
                        None => Some(now()),
                    }
                })?;
            }
        }
        Change::Expiry(i, d) => {
            let id = id(*i)?;
            if exists(desk, &id) {
                desk.update_customer(&id, |c| {
                    let k = c.resources.len();
                    resource(c, &format!("x{k}"), Some(*d), ExpiryPolicy::Manual)
                })??;
            }
        }
        Change::Remove(i) => {
            let id = id(*i)?;
            if exists(desk, &id) {
                desk.remove_customer(&id)?;
            }
        }
        Change::Add(s) => desk.insert_customer(make_customer(&format!("c{n:03}"), s)?)?,
        Change::Mobile(i, m) => {
            let id = id(*i)?;
            if exists(desk, &id) {
                desk.update_customer(&id, |c| match m {
                    Some(m) => mobile(c, &mobile_number(*m)),
                    None => {
                        c.mobile = None;
                        Ok(())
                    }
                })??;
            }
        }
    }
    Ok(())
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

fn bound(kind: u8, v: Decimal) -> Bound<Decimal> {
    match kind % 3 {
        0 => Bound::Included(v),
        1 => Bound::Excluded(v),
        _ => Bound::Unbounded,
    }
}

fn criterion() -> impl Strategy<Value = Criterion> {
    let t = now();
    prop_oneof![
        (0..NAMES.len(), any::<bool>()).prop_map(|(i, exact)| {
            let n = NAMES[i].to_lowercase();
            Criterion::Name(if exact {
                TextMatch::Exact(n)
            } else {
                TextMatch::Contains(n.chars().take(2).collect())
            })
        }),
        (0..NAMES.len()).prop_map(|i| Criterion::AccountName(TextMatch::Contains(format!("_{i}")))),
        (0..40usize).prop_map(|i| Criterion::CustomerId(
            CustomerId::new(format!("c{i:03}")).unwrap_or_else(|_| unreachable!())
        )),
        (0..MANAGERS.len()).prop_map(|i| Criterion::Manager(
            OperatorId::new(MANAGERS[i]).unwrap_or_else(|_| unreachable!())
        )),
        (0..MANAGERS.len()).prop_map(|i| Criterion::ManagerName(TextMatch::Contains(
            MANAGERS[i][3..].to_string()
        ))),
        any::<bool>().prop_map(Criterion::HasManager),
        (0..AMOUNTS.len(), 0..AMOUNTS.len(), any::<u8>(), any::<u8>()).prop_map(
            |(a, b, ka, kb)| {
                Criterion::MonthToDate(Range {
                    lower: bound(ka, dec(AMOUNTS[a])),
                    upper: bound(kb, dec(AMOUNTS[b]) * Decimal::from(3)),
                })
            }
        ),
        (0u32..45).prop_map(|d| Criterion::NextExpiry(ExpiryFilter::WithinDays(d))),
        Just(Criterion::NextExpiry(ExpiryFilter::None)),
        (-10i64..45, 0i64..30).prop_map(move |(a, w)| Criterion::NextExpiry(
            ExpiryFilter::Between(Range {
                lower: Bound::Included(t + Duration::days(a)),
                upper: Bound::Excluded(t + Duration::days(a + w)),
            })
        )),
        (0u32..100, any::<bool>()).prop_map(|(m, exact)| Criterion::Mobile(if exact {
            MobileMatch::Exact(mobile_number(m % 20))
        } else {
            MobileMatch::EndsWith(match SUFFIXES.get(m as usize) {
                Some(s) => (*s).to_owned(),
                None => format!("{}", m % 10),
            })
        })),
        (
            prop::collection::btree_set(0..TAGS.len(), 0..3),
            any::<bool>()
        )
            .prop_map(|(s, all)| {
                let tags: BTreeSet<Tag> = s
                    .into_iter()
                    .filter_map(|i| Tag::new(TAGS[i]).ok())
                    .collect();
                Criterion::Tags(if all {
                    TagMatch::All(tags)
                } else {
                    TagMatch::Any(tags)
                })
            }),
        any::<bool>().prop_map(|r| Criterion::AssociationType(if r {
            AssociationType::Reseller
        } else {
            AssociationType::Referral
        })),
        (0i64..30)
            .prop_map(move |d| Criterion::AssociatedAt(Range::at_least(t - Duration::days(d)))),
        prop_oneof![
            Just(FrozenFilter::Frozen),
            Just(FrozenFilter::NotFrozen),
            Just(FrozenFilter::Scope(FreezeScope::Account)),
            Just(FrozenFilter::Origin(FreezeOrigin::Manual)),
        ]
        .prop_map(Criterion::Frozen),
        (0u32..150).prop_map(|p| Criterion::BudgetUsage(Range::at_least(Decimal::from(p)))),
        (0..6usize).prop_map(|l| Criterion::Level(CustomerLevel::KNOWN[l].clone())),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![9 => criterion().prop_filter_map("a valid criterion", |c| Expr::criterion(c).ok()), 1 => Just(Expr::all())];
    // Three levels at most: always within the library's limits, so the builders never refuse.
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3)
                .prop_filter_map("within limits", |v| Expr::all_of(v).ok()),
            prop::collection::vec(inner.clone(), 0..3)
                .prop_filter_map("within limits", |v| Expr::any_of(v).ok()),
            inner.prop_filter_map("within limits", |e| e.not().ok()),
        ]
    })
}

/// Every keyed path (each manager by spend, what expires soonest), and a query sorted every
/// way, against the naive scan of the desk.
fn check_every_path(
    desk: &Desk,
    e: &Expr,
    desc: bool,
    incl: bool,
    limit: u32,
) -> std::result::Result<(), TestCaseError> {
    let fail = |e: Error| TestCaseError::fail(e.to_string());
    let mut queries = Vec::new();
    for m in MANAGERS {
        let m = OperatorId::new(*m).map_err(fail)?;
        queries.push((
            Expr::criterion(Criterion::Manager(m.clone())).map_err(fail)?,
            SortKey::MonthToDate,
        ));
        queries.push((
            Expr::all_of(vec![
                Expr::criterion(Criterion::Manager(m)).map_err(fail)?,
                Expr::criterion(Criterion::MonthToDate(Range {
                    lower: Bound::Included(dec("10")),
                    upper: Bound::Unbounded,
                }))
                .map_err(fail)?,
            ])
            .map_err(fail)?,
            SortKey::MonthToDate,
        ));
    }
    queries.push((
        Expr::criterion(Criterion::NextExpiry(ExpiryFilter::WithinDays(20))).map_err(fail)?,
        SortKey::NextExpiry,
    ));
    for key in [
        SortKey::Id,
        SortKey::Name,
        SortKey::MonthToDate,
        SortKey::NextExpiry,
        SortKey::AssociatedAt,
    ] {
        queries.push((e.clone(), key));
    }
    for (filter, key) in queries {
        let q = Query {
            filter,
            include_disassociated: incl,
        };
        same_as_naive(
            desk,
            &q,
            Sort {
                key,
                descending: desc,
            },
            now(),
            limit,
        )
        .map_err(TestCaseError::fail)?;
    }
    Ok(())
}

fn sort() -> impl Strategy<Value = Sort> {
    (0..6usize, any::<bool>()).prop_map(|(k, d)| {
        let key = SortKey::ALL[k];
        Sort { key, descending: d }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn indexed_search_equals_naive(specs in prop::collection::vec(spec(), 0..40), e in expr(), s in sort(), incl in any::<bool>(), limit in 1u32..7) {
        let desk = build(&specs).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let q = Query { filter: e, include_disassociated: incl };
        let want = same_as_naive(&desk, &q, s, now(), limit).map_err(TestCaseError::fail)?;
        // The same query written as text gives the same result.
        let text = q.filter.to_string();
        let parsed = Query { filter: parse_filter(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?, include_disassociated: incl };
        prop_assert_eq!(parsed.filter.to_string(), text.clone());
        prop_assert_eq!(naive(&desk, &parsed, s, now()), want);
    }

    #[test]
    fn keyed_access_paths_equal_naive(
        specs in prop::collection::vec(spec(), 0..40),
        m in 0..MANAGERS.len(),
        mtd in prop::collection::vec(criterion(), 0..3),
        days in 0u32..45,
        extra in prop::option::of(expr()),
        desc in any::<bool>(),
        limit in 1u32..7,
    ) {
        let desk = build(&specs).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let manager = OperatorId::new(MANAGERS[m]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // A manager's customers by spend (with any spend ranges and more), and what expires
        // soonest (with more): the two shapes answered by keyed index scans.
        let crit = |c: Criterion| Expr::criterion(c).map_err(|e| TestCaseError::fail(e.to_string()));
        let mut by_spend = vec![crit(Criterion::Manager(manager))?];
        for c in mtd.into_iter().filter(|c| matches!(c, Criterion::MonthToDate(_))) {
            by_spend.push(crit(c)?);
        }
        let mut expiring = vec![crit(Criterion::NextExpiry(ExpiryFilter::WithinDays(days)))?];
        if let Some(e) = extra {
            by_spend.push(e.clone());
            expiring.push(e);
        }
        let fail = |e: partnerdesk::Error| TestCaseError::fail(e.to_string());
        for (filter, key) in [(Expr::all_of(by_spend).map_err(fail)?, SortKey::MonthToDate), (Expr::all_of(expiring).map_err(fail)?, SortKey::NextExpiry)] {
            let q = Query::new(filter);
            let s = Sort { key, descending: desc };
            same_as_naive(&desk, &q, s, now(), limit).map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn indexes_stay_right_after_changes(
        specs in prop::collection::vec(spec(), 0..30),
        changes in prop::collection::vec(change(), 0..30),
        e in expr(),
        desc in any::<bool>(),
        incl in any::<bool>(),
        limit in 1u32..7,
    ) {
        let fail = |e: Error| TestCaseError::fail(e.to_string());
        let mut desk = build(&specs).map_err(fail)?;
        for (k, ch) in changes.iter().enumerate() {
            apply(&mut desk, specs.len() + k, ch).map_err(fail)?;
        }
        check_every_path(&desk, &e, desc, incl, limit)?;
    }

    /// A desk loaded from a checkpoint or a JSON snapshot has its indexes built in bulk (the
    /// ordered sets sorted once, the trigram lists from one sorted run, the names on a second
    /// thread): it searches as the naive scan says, before and after further changes.
    #[test]
    fn a_loaded_desk_searches_as_naive(
        specs in prop::collection::vec(spec(), 0..30),
        before in prop::collection::vec(change(), 0..15),
        after in prop::collection::vec(change(), 0..15),
        e in expr(),
        desc in any::<bool>(),
        incl in any::<bool>(),
        limit in 1u32..7,
        json in any::<bool>(),
    ) {
        let fail = |e: Error| TestCaseError::fail(e.to_string());
        let mut desk = build(&specs).map_err(fail)?;
        for (k, ch) in before.iter().enumerate() {
            apply(&mut desk, specs.len() + k, ch).map_err(fail)?;
        }
        let mut loaded = if json {
            Desk::from_snapshot_json(&desk.to_snapshot_json().map_err(fail)?).map_err(fail)?
        } else {
            Desk::from_checkpoint(&desk.to_checkpoint().map_err(fail)?).map_err(fail)?
        };
        prop_assert!(loaded == desk);
        check_every_path(&loaded, &e, desc, incl, limit)?;
        for (k, ch) in after.iter().enumerate() {
            apply(&mut loaded, specs.len() + before.len() + k, ch).map_err(fail)?;
        }
        check_every_path(&loaded, &e, desc, incl, limit)?;
    }

    /// A query exported in id order walks the search's bitmap of the selection through the
    /// desk's id order (no list of slots) and reads the desk's compact copy of the exported
    /// fields: after random changes (spend, managers, associations, expiries, slots freed and
    /// reused; the copy merged after each batch), its rows are the naive scan's, in both
    /// directions; the count agrees; and the bytes equal an export of the same ids listed one
    /// by one (the listed-slots path, which reads the customers), default columns.
    #[test]
    fn filtered_exports_by_id_equal_naive(
        specs in prop::collection::vec(spec(), 0..30),
        changes in prop::collection::vec(change(), 0..20),
        e in expr(),
        desc in any::<bool>(),
        incl in any::<bool>(),
    ) {
        let fail = |e: Error| TestCaseError::fail(e.to_string());
        let mut desk = build(&specs).map_err(fail)?;
        let admin = OperatorId::new("admin").map_err(fail)?;
        desk.add_operator(Operator::new(admin.clone(), "Admin", Role::Administrator)).map_err(fail)?;
        let admin = access::Actor::Operator(admin);
        // An export before the changes, so that the id order is refreshed over them.
        let go = |_| std::ops::ControlFlow::Continue(());
        desk.export(&Invocation::new(admin.clone(), now()), &export::ExportRequest::csv(export::ExportSelection::all()), std::io::sink(), go).map_err(fail)?;
        for (k, ch) in changes.iter().enumerate() {
            apply(&mut desk, specs.len() + k, ch).map_err(fail)?;
            // An export halfway, so that the copy of the exported fields is merged twice.
            if k == changes.len() / 2 {
                desk.export(&Invocation::new(admin.clone(), now()), &export::ExportRequest::csv(export::ExportSelection::all()), std::io::sink(), go).map_err(fail)?;
            }
        }
        let q = Query { filter: e, include_disassociated: incl };
        let sort = Sort { key: SortKey::Id, descending: desc };
        let want = naive(&desk, &q, sort, now());
        prop_assert_eq!(desk.count(&q, now()), want.len());
        let by_query = export::ExportRequest::csv(export::ExportSelection::Query { query: q.clone(), sort });
        let mut out = Vec::new();
        let job = desk.export(&Invocation::new(admin.clone(), now()), &by_query.clone().with_columns(vec![export::ExportColumn::CustomerId]), &mut out, go).map_err(fail)?;
        prop_assert_eq!(job.total as usize, want.len());
        let text = String::from_utf8(out).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got: Vec<&str> = text.split("\r\n").skip(1).filter(|l| !l.is_empty()).collect();
        let want_ids: Vec<&str> = want.iter().map(|id| id.as_str()).collect();
        prop_assert_eq!(got, want_ids);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        desk.export(&Invocation::new(admin.clone(), now()), &by_query, &mut a, go).map_err(fail)?;
        desk.export(&Invocation::new(admin.clone(), now()), &export::ExportRequest::csv(export::ExportSelection::Ids(want)), &mut b, go).map_err(fail)?;
        prop_assert!(a == b, "the bitmap path and the listed path wrote different bytes");
    }

    #[test]
    fn snapshot_round_trips(specs in prop::collection::vec(spec(), 0..25)) {
        let desk = build(&specs).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let json = desk.to_snapshot_json().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let again = Desk::from_snapshot_json(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(again == desk);
        prop_assert_eq!(again.to_snapshot_json().map_err(|e| TestCaseError::fail(e.to_string()))?, json);
    }

    #[test]
    fn the_parser_never_panics(text in "[a-z_~=!<>:()\", 0-9.*\\-张]{0,40}") {
        let _ = parse_filter(&text);
    }

    #[test]
    fn the_parser_never_panics_on_any_text(text in any::<String>()) {
        let _ = parse_filter(&text);
    }
}
