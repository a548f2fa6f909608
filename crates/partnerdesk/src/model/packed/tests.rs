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
        }
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
        let facts: Vec<_> = packed.facts().map(|f| (f.unpaid, f.amount, f.created_at, f.paid_at)).collect();
        let want: Vec<_> = v.iter().map(|o| (o.is_unpaid(), o.amount, o.created_at, o.paid_at)).collect();
        prop_assert_eq!(facts, want);
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

#[test]
fn equal_lists_compare_equal_even_when_their_decimals_are_written_apart() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap_or_default();
    let record = |amount: Decimal| SpendRecord {
        day,
        product: SharedText::new("ecs"),
        amount: Money::new(amount, Currency::CNY),
        mode: ChargingMode::PayPerUse,
    };
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
/// writes them); reading them does not panic.
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
