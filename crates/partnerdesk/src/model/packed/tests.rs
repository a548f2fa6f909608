//! The packed lists give back exactly what was packed: every field, a decimal bit for bit,
//! an unknown enumeration value as its text, an instant to the nanosecond.

use super::*;
use crate::model::ids::{OperatorId, OrderId, ResourceId};
use crate::model::order::OrderType;
use crate::model::order::{Order, OrderStatus};
use crate::model::resource::{ExpiryPolicy, Resource, ResourceKind, ResourceStatus};
use crate::model::spend::SpendRecord;
use crate::model::text::SharedText;

use crate::model::spend::ChargingMode;
use proptest::prelude::*;

fn decimal() -> impl Strategy<Value = Decimal> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        0u32..=28,
        any::<bool>(),
    )
        .prop_map(|(lo, mid, hi, scale, negative)| {
            let mut d = Decimal::from_parts(lo, mid, hi, negative, scale);
            if negative && d.is_zero() {
                // `from_parts` keeps a negative zero's sign: pack it too.
                d.set_sign_negative(true);
            }
            d
        })
}

fn money() -> impl Strategy<Value = Money> {
    (
        decimal(),
        prop::sample::select(vec!["CNY", "USD", "EUR", "ZZZ"]),
    )
        .prop_map(|(d, c)| Money::new(d, Currency::new(c).unwrap_or(Currency::CNY)))
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // From before 1970 to the year 9999, with nanoseconds, leap seconds included.
    (-2_000_000_000i64..253_402_300_799, 0u32..2_000_000_000).prop_map(|(s, n)| {
        DateTime::from_timestamp(s, n)
            .or_else(|| DateTime::from_timestamp(s, n % 1_000_000_000))
            .unwrap_or_default()
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[a-z0-9-]{1,12}", "\\PC{0,40}"]
}

fn code<E: OpenCode + std::fmt::Debug>() -> impl Strategy<Value = E> {
    prop_oneof![
        prop::sample::select(E::known().to_vec()),
        text().prop_map(E::from_other),
    ]
}

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{1,64}"
}

fn resource() -> impl Strategy<Value = Resource> {
    (
        id(),
        code::<ResourceKind>(),
        (text(), text(), text()),
        code::<ResourceStatus>(),
        instant(),
        prop::option::of(instant()),
        code::<ExpiryPolicy>(),
    )
        .prop_filter_map(
            "a valid id",
            |(id, kind, (service, region, name), status, starts_at, expires_at, expiry_policy)| {
                Some(Resource {
                    id: ResourceId::new(id).ok()?,
                    kind,
                    service: SharedText::new(&service),
                    region: SharedText::new(&region),
                    name,
                    status,
                    starts_at,
                    expires_at,
                    expiry_policy,
                })
            },
        )
}

fn order() -> impl Strategy<Value = Order> {
    (
        id(),
        code::<OrderStatus>(),
        code::<OrderType>(),
        money(),
        instant(),
        prop::option::of(instant()),
        prop::option::of(id()),
    )
        .prop_filter_map(
            "valid ids",
            |(id, status, kind, amount, created_at, paid_at, by)| {
                Some(Order {
                    id: OrderId::new(id).ok()?,
                    status,
                    kind,
                    amount,
                    created_at,
                    paid_at,
                    placed_by: match by {
                        Some(by) => Some(OperatorId::new(by).ok()?),
                        None => None,
                    },
                })
            },
        )
}

fn spend() -> impl Strategy<Value = SpendRecord> {
    (
        -700_000i32..3_652_059,
        text(),
        money(),
        code::<ChargingMode>(),
    )
        .prop_filter_map("a valid day", |(days, product, amount, mode)| {
            Some(SpendRecord {
                day: NaiveDate::from_num_days_from_ce_opt(days)?,
                product: SharedText::new(&product),
                amount,
                mode,
            })
        })
}

/// Every amount of both lists, bit for bit.
fn bits(amounts: impl Iterator<Item = Money>) -> Vec<([u8; 16], Currency)> {
    amounts
        .map(|m| (m.amount.serialize(), m.currency))
        .collect()
}

proptest! {
    #[test]
    fn resources_come_back_as_they_went_in(v in prop::collection::vec(resource(), 0..6)) {
        let packed = Packed::from_records(&v);
        prop_assert_eq!(packed.len(), v.len());
        prop_assert_eq!(packed.is_empty(), v.is_empty());
        prop_assert_eq!(&packed.to_vec(), &v);
        for (i, r) in v.iter().enumerate() {
            prop_assert_eq!(packed.get(i), Some(r.clone()));
            prop_assert_eq!(packed.id_at(i), Some(r.id.as_str().as_bytes()));
        }
        prop_assert_eq!(packed.get(v.len()), None);
        prop_assert_eq!(packed.id_at(v.len()), None);
        let facts: Vec<ResourceFacts> = packed.facts().collect();
        let want: Vec<ResourceFacts> = v
            .iter()
            .map(|r| ResourceFacts {
                id: r.id.as_str().as_bytes(),
                counts: r.counts_for_expiry(),
                auto_renew: r.expiry_policy == ExpiryPolicy::AutoRenew,
                starts_at: r.starts_at,
                expires_at: r.expires_at,
            })
            .collect();
        prop_assert_eq!(facts, want);
    }

    #[test]
    fn orders_come_back_bit_for_bit(v in prop::collection::vec(order(), 0..6)) {
        let packed: Packed<Order> = v.iter().cloned().collect();
        prop_assert_eq!(packed.unpaid(), v.iter().filter(|o| o.is_unpaid()).count());
        let facts: Vec<_> = packed.facts().map(|f| (f.unpaid, f.amount, f.created_at, f.paid_at, f.placed)).collect();
        let want: Vec<_> = v.iter().map(|o| (o.is_unpaid(), o.amount, o.created_at, o.paid_at, o.placed_by.is_some())).collect();
        prop_assert_eq!(facts, want);
        for o in &v {
            prop_assert!(packed.has_id(o.id.as_str()));
            prop_assert_eq!(packed.has_id(&format!("{}x", o.id)), v.iter().any(|x| x.id.as_str() == format!("{}x", o.id)));
        }
        prop_assert!(!packed.has_id(""));
        let back = packed.to_vec();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(bits(back.iter().map(|o| o.amount)), bits(v.iter().map(|o| o.amount)));
        let by_index: Vec<Order> = (0..v.len()).filter_map(|i| packed.get(i)).collect();
        prop_assert_eq!(&by_index, &v);
        prop_assert_eq!(packed.get(v.len()), None);
    }

    /// The sum over a range of days reads what the records say (sorted by day, as a
    /// customer keeps them).
    #[test]
    fn sums_between_days_match_the_records(
        mut v in prop::collection::vec(spend(), 0..10),
        a in -700_000i32..3_652_059,
        b in -700_000i32..3_652_059,
    ) {
        v.sort_by_key(|s| s.day);
        let (from, to) = (a.min(b), a.max(b));
        let want = v
            .iter()
            .filter(|s| (from..=to).contains(&s.day.num_days_from_ce()))
            .fold(Decimal::ZERO, |sum, s| sum.saturating_add(s.amount.amount));
        prop_assert_eq!(Packed::from_records(&v).sum_between(from, to), want);
        // A range inside the records' own days, where the interesting cases are.
        if let (Some(first), Some(last)) = (v.first(), v.last()) {
            let (f, l) = (first.day.num_days_from_ce(), last.day.num_days_from_ce());
            let mid = f + (l - f) / 2;
            let want = v
                .iter()
                .filter(|s| (mid..=l).contains(&s.day.num_days_from_ce()))
                .fold(Decimal::ZERO, |sum, s| sum.saturating_add(s.amount.amount));
            prop_assert_eq!(Packed::from_records(&v).sum_between(mid, l), want);
        }
    }

    #[test]
    fn spend_comes_back_bit_for_bit(v in prop::collection::vec(spend(), 0..8)) {
        let packed = Packed::from(v.clone());
        let by_index: Vec<SpendRecord> = (0..v.len()).filter_map(|i| packed.get(i)).collect();
        prop_assert_eq!(&by_index, &v);
        prop_assert_eq!(packed.last(), v.last().cloned());
        let back = packed.to_vec();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(bits(back.iter().map(|s| s.amount)), bits(v.iter().map(|s| s.amount)));
        let amounts: Vec<(i32, [u8; 16])> =
            packed.amounts().map(|(d, a)| (d, a.amount.serialize())).collect();
        let want: Vec<(i32, [u8; 16])> =
            v.iter().map(|s| (s.day.num_days_from_ce(), s.amount.amount.serialize())).collect();
        prop_assert_eq!(amounts, want);
    }

    /// Pushing one by one and editing give the same list as a vector would.
    #[test]
    fn push_and_edit_act_as_on_a_vector(
        v in prop::collection::vec(spend(), 0..8),
        extra in spend(),
        cut in 0usize..8,
    ) {
        let mut packed = Packed::new();
        for s in &v {
            packed.push(s.clone());
        }
        prop_assert_eq!(&packed, &Packed::from_records(&v));
        let mut want = v.clone();
        want.push(extra.clone());
        want.truncate(cut);
        let removed = packed.edit(|records| {
            records.push(extra);
            let n = records.len();
            records.truncate(cut);
            n - records.len()
        });
        prop_assert_eq!(removed, v.len() + 1 - want.len());
        prop_assert_eq!(packed.to_vec(), want);
    }
}

#[cfg(feature = "serde")]
proptest! {
    /// A packed list reads and writes as the list of its records: snapshots and checkpoints
    /// hold what they held before.
    #[test]
    fn serialises_as_the_list(v in prop::collection::vec(order(), 0..5)) {
        let packed = Packed::from_records(&v);
        let json = serde_json::to_string(&packed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let want = serde_json::to_string(&v).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&json, &want);
        let back: Packed<Order> = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.to_vec(), v.clone());
        let msgpack = rmp_serde::to_vec(&packed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&msgpack, &rmp_serde::to_vec(&v).map_err(|e| TestCaseError::fail(e.to_string()))?);
    }
}

/// A spend record of 2026-11-03 for `ecs`, in CNY.
fn ecs_spend(amount: Decimal, mode: ChargingMode) -> SpendRecord {
    SpendRecord {
        day: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap_or_default(),
        product: SharedText::new("ecs"),
        amount: Money::new(amount, Currency::CNY),
        mode,
    }
}

#[test]
fn equal_lists_compare_equal_even_when_their_decimals_are_written_apart() {
    let record = |amount: Decimal| ecs_spend(amount, ChargingMode::PayPerUse);
    let a = Packed::from_records(&[record(Decimal::new(10, 1))]);
    let b = Packed::from_records(&[record(Decimal::new(100, 2))]);
    assert_eq!(a, b);
    assert_ne!(a, Packed::from_records(&[record(Decimal::new(101, 2))]));
    assert_ne!(a, Packed::new());
    assert_eq!(
        format!("{a:?}"),
        format!("{:?}", vec![record(Decimal::new(10, 1))])
    );
}

#[test]
fn an_empty_list_holds_no_block() {
    let p: Packed<Resource> = Packed::new();
    assert_eq!((p.len(), p.heap_bytes()), (0, 0));
    assert_eq!(Packed::<Resource>::from_records(&[]).heap_bytes(), 0);
    assert!(p.iter().next().is_none());
}

/// Bytes this module did not write end the list (they never reach a desk: only `Packed`
/// writes them, and a block read from outside is checked first); reading them does not
/// panic.
#[test]
fn foreign_bytes_end_the_list_without_a_panic() {
    for bytes in [
        vec![5u8],
        vec![1, 0xff],
        vec![2, 3, b'a', b'b'],
        vec![0x80; 40],
    ] {
        let p: Packed<Order> = Packed {
            bytes: bytes.into_boxed_slice(),
            marker: PhantomData,
        };
        assert!(p.to_vec().len() <= 2);
        let q: Packed<Resource> = Packed {
            bytes: p.bytes.clone(),
            marker: PhantomData,
        };
        assert!(q.facts().count() <= 2);
    }
}

/// What [`Packed::from_checked_bytes`] must accept, computed the slow way: the bytes decode
/// to records (`valid` for each: its ids as their doors check them, no unknown value whose
/// text is a known one), and packing those records again gives the same bytes.
fn accepted_the_slow_way<T: Pack>(bytes: &[u8], valid: impl Fn(&T) -> bool) -> bool {
    if bytes.is_empty() {
        return true;
    }
    let p: Packed<T> = Packed {
        bytes: bytes.into(),
        marker: PhantomData,
    };
    let n = p.len();
    let records = p.to_vec();
    n > 0
        && records.len() == n
        && records.iter().all(valid)
        && Packed::from_records(&records).bytes[..] == *bytes
}

/// An unknown value's text is not a known value's.
fn canonical<E: OpenCode>(e: &E) -> bool {
    e.other_text()
        .is_none_or(|t| !E::known().iter().any(|k| k.text() == t))
}

fn valid_resource(r: &Resource) -> bool {
    ResourceId::new(r.id.as_str()).is_ok()
        && canonical(&r.kind)
        && canonical(&r.status)
        && canonical(&r.expiry_policy)
}

fn valid_order(o: &Order) -> bool {
    OrderId::new(o.id.as_str()).is_ok()
        && o.placed_by
            .as_ref()
            .is_none_or(|by| OperatorId::new(by.as_str()).is_ok())
        && canonical(&o.status)
        && canonical(&o.kind)
}

fn valid_spend(s: &SpendRecord) -> bool {
    canonical(&s.mode)
}

/// An edit of packed bytes: a byte changed, inserted or removed, or the bytes cut short.
#[derive(Debug, Clone)]
enum Edit {
    Xor(usize, u8),
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Cut(usize),
    /// A one-byte integer (if the byte is one) written in two bytes: the same value, not in
    /// its shortest form.
    Widen(usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, b)| Edit::Xor(i, b)),
        (
            any::<usize>(),
            prop::sample::select(vec![0u8, 1, 2, 0x7f, 0x80, 0xff, b' ', b'a'])
        )
            .prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Remove),
        any::<usize>().prop_map(Edit::Cut),
        any::<usize>().prop_map(Edit::Widen),
    ];
    prop::collection::vec(edit, 1..4)
}

fn apply(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for e in edits {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *e {
            Edit::Xor(i, x) if !b.is_empty() => {
                let i = at(i, b.len());
                b[i] ^= x;
            }
            Edit::Set(i, x) if !b.is_empty() => {
                let i = at(i, b.len());
                b[i] = x;
            }
            Edit::Insert(i, x) => b.insert(at(i, b.len() + 1), x),
            Edit::Remove(i) if !b.is_empty() => {
                b.remove(at(i, b.len()));
            }
            Edit::Cut(i) => b.truncate(at(i, b.len() + 1)),
            Edit::Widen(i) if !b.is_empty() => {
                let i = at(i, b.len());
                if b[i] < 0x80 {
                    b[i] |= 0x80;
                    b.insert(i + 1, 0);
                }
            }
            _ => {}
        }
    }
    b
}

/// A known value written as the text of an unknown one (decodes, but packing never writes it).
fn spelled<E: OpenCode>(e: &mut E, spell: bool) {
    if spell && e.other_text().is_none() {
        *e = E::from_other(e.text().to_owned());
    }
}

/// The check accepts exactly what the slow way does, and what it accepts reads back to
/// records that pack to the same bytes.
fn checks_as_the_slow_way<T: Pack + PartialEq + std::fmt::Debug>(
    bytes: &[u8],
    valid: impl Fn(&T) -> bool,
) -> Result<(), TestCaseError> {
    let checked = Packed::<T>::from_checked_bytes(bytes);
    prop_assert_eq!(checked.is_some(), accepted_the_slow_way(bytes, valid));
    if let Some(p) = checked {
        prop_assert_eq!(&p.bytes[..], bytes);
        prop_assert_eq!(&Packed::from_records(&p.to_vec()).bytes[..], bytes);
    }
    Ok(())
}

proptest! {
    /// Every list this module packs passes the check, as it is.
    #[test]
    fn packed_lists_pass_the_check(
        r in prop::collection::vec(resource(), 0..5),
        o in prop::collection::vec(order(), 0..5),
        s in prop::collection::vec(spend(), 0..5),
    ) {
        let (r, o, s) = (Packed::from_records(&r), Packed::from_records(&o), Packed::from_records(&s));
        prop_assert_eq!(Packed::from_checked_bytes(&r.bytes), Some(r));
        prop_assert_eq!(Packed::from_checked_bytes(&o.bytes), Some(o));
        prop_assert_eq!(Packed::from_checked_bytes(&s.bytes), Some(s));
    }

    /// Edited bytes of each kind of list: accepted exactly when they are what packing valid
    /// records writes (a known value spelled as an unknown one's text in half the cases).
    #[test]
    fn edited_lists_are_checked_as_the_slow_way(
        mut r in prop::collection::vec(resource(), 1..4),
        mut o in prop::collection::vec(order(), 1..4),
        mut s in prop::collection::vec(spend(), 1..4),
        e in edits(),
        spell in any::<bool>(),
    ) {
        spelled(&mut r[0].kind, spell);
        spelled(&mut o[0].status, spell);
        spelled(&mut s[0].mode, spell);
        checks_as_the_slow_way::<Resource>(&apply(&Packed::from_records(&r).bytes, &e), valid_resource)?;
        checks_as_the_slow_way::<Order>(&apply(&Packed::from_records(&o).bytes, &e), valid_order)?;
        checks_as_the_slow_way::<SpendRecord>(&apply(&Packed::from_records(&s).bytes, &e), valid_spend)?;
    }

    /// Any bytes at all: no panic, and the same verdict.
    #[test]
    fn any_bytes_are_checked_as_the_slow_way(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        checks_as_the_slow_way::<Resource>(&bytes, valid_resource)?;
        checks_as_the_slow_way::<Order>(&bytes, valid_order)?;
        checks_as_the_slow_way::<SpendRecord>(&bytes, valid_spend)?;
    }
}

/// What the check refuses that decodes: a known value written as its text, an invalid id,
/// an integer longer than its shortest form, an empty block, a byte after the last record.
#[test]
fn the_check_refuses_what_packing_never_writes() {
    let record = |mode: ChargingMode| ecs_spend(Decimal::new(1250, 2), mode);
    let good = Packed::from_records(&[record(ChargingMode::PayPerUse)]);
    assert!(Packed::<SpendRecord>::from_checked_bytes(&good.bytes).is_some());
    let text = ChargingMode::PayPerUse.as_str().to_owned();
    let spelled = Packed::from_records(&[record(ChargingMode::Other(text))]);
    assert!(Packed::<SpendRecord>::from_checked_bytes(&spelled.bytes).is_none());
    let unknown = Packed::from_records(&[record(ChargingMode::Other("BARTER".into()))]);
    assert!(Packed::<SpendRecord>::from_checked_bytes(&unknown.bytes).is_some());
    // The count 1 written in two bytes; the count 0; a byte after the record.
    let mut long = vec![0x81, 0x00];
    long.extend_from_slice(&good.bytes[1..]);
    assert!(Packed::<SpendRecord>::from_checked_bytes(&long).is_none());
    assert!(Packed::<SpendRecord>::from_checked_bytes(&[0]).is_none());
    let mut more = good.bytes.to_vec();
    more.push(0);
    assert!(Packed::<SpendRecord>::from_checked_bytes(&more).is_none());
    // A resource id with a space in it.
    let r = Resource {
        id: ResourceId::from_packed("a b").unwrap_or_else(|| unreachable!()),
        kind: ResourceKind::PayPerUse,
        service: SharedText::new("ecs"),
        region: SharedText::new("cn-north-4"),
        name: "web".into(),
        status: ResourceStatus::Active,
        starts_at: DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default(),
        expires_at: None,
        expiry_policy: ExpiryPolicy::AutoRenew,
    };
    let bad = Packed::from_records(&[r]);
    assert!(Packed::<Resource>::from_checked_bytes(&bad.bytes).is_none());
}
