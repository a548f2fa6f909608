//! How each kind of record packs (see [`super`]), and the light readers that read part of a
//! record without making its texts: the expiry indexes, the month-to-date column and a row's
//! count of unpaid orders read a customer's lists this way on every load and every page.

use super::{
    Pack, Packed, Reader, get_code, get_day, get_day_number, get_instant, get_money,
    get_opt_instant, put_code, put_day, put_instant, put_money, put_opt_instant, put_str,
    skip_code, skip_instant, skip_money, skip_opt_instant,
};
use crate::model::ids::{OperatorId, OrderId, ResourceId};
use crate::model::money::Money;
use crate::model::order::{Order, OrderStatus};
use crate::model::resource::{ExpiryPolicy, Resource, ResourceKind, ResourceStatus};
use crate::model::spend::SpendRecord;
use crate::model::text::SharedText;
use chrono::{DateTime, Utc};

impl Pack for Resource {
    fn pack(&self, out: &mut Vec<u8>) {
        put_str(out, self.id.as_str());
        put_code(out, &self.kind);
        put_str(out, &self.service);
        put_str(out, &self.region);
        put_str(out, &self.name);
        put_code(out, &self.status);
        put_instant(out, &self.starts_at);
        put_opt_instant(out, &self.expires_at);
        put_code(out, &self.expiry_policy);
    }

    fn unpack(r: &mut Reader<'_>) -> Option<Self> {
        Some(Resource {
            id: ResourceId::from_packed(r.str()?)?,
            kind: get_code(r)?,
            service: SharedText::new(r.str()?),
            region: SharedText::new(r.str()?),
            name: r.str()?.to_owned(),
            status: get_code(r)?,
            starts_at: get_instant(r)?,
            expires_at: get_opt_instant(r)?,
            expiry_policy: get_code(r)?,
        })
    }

    fn skip(r: &mut Reader<'_>) -> Option<()> {
        skip_resource(r)
    }

    fn check(r: &mut Reader<'_>) -> Option<()> {
        super::check::resource(r)
    }
}

/// What the expiry indexes and the checks read of a resource, read without making its texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResourceFacts<'a> {
    /// The id's bytes (the checks compare them for repeats).
    pub(crate) id: &'a [u8],
    /// It counts for the customer's next expiry ([`Resource::counts_for_expiry`]).
    pub(crate) counts: bool,
    /// It renews itself.
    pub(crate) auto_renew: bool,
    /// When it started.
    pub(crate) starts_at: DateTime<Utc>,
    /// When it expires.
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

fn unpack_resource_facts<'a>(r: &mut Reader<'a>) -> Option<ResourceFacts<'a>> {
    let id = r.text_bytes()?;
    let kind: ResourceKind = get_code(r)?;
    r.skip_str()?;
    r.skip_str()?;
    r.skip_str()?;
    let status: ResourceStatus = get_code(r)?;
    let starts_at = get_instant(r)?;
    let expires_at = get_opt_instant(r)?;
    let policy: ExpiryPolicy = get_code(r)?;
    Some(ResourceFacts {
        id,
        counts: Resource::counts(&kind, &status, expires_at),
        auto_renew: policy == ExpiryPolicy::AutoRenew,
        starts_at,
        expires_at,
    })
}

/// Steps over a resource's fields without reading their values (the block's bytes were
/// written by `pack` or checked when they came in).
fn skip_resource(r: &mut Reader<'_>) -> Option<()> {
    r.skip_str()?;
    skip_code(r)?;
    r.skip_str()?;
    r.skip_str()?;
    r.skip_str()?;
    skip_code(r)?;
    skip_instant(r)?;
    skip_opt_instant(r)?;
    skip_code(r)
}

impl Packed<Resource> {
    /// Each resource's facts (id, expiry, renewal), in order, without making its texts.
    pub(crate) fn facts(&self) -> impl Iterator<Item = ResourceFacts<'_>> + '_ {
        self.read_with(unpack_resource_facts)
    }

    /// The id's bytes of the resource at `index`, the records before it stepped over (the
    /// renewals page orders a customer's resources of one instant by id).
    pub(crate) fn id_at(&self, index: usize) -> Option<&[u8]> {
        let (n, mut r) = self.split();
        if index >= n {
            return None;
        }
        for _ in 0..index {
            skip_resource(&mut r)?;
        }
        r.text_bytes()
    }
}

fn unpack_amount(r: &mut Reader<'_>) -> Option<(i32, Money)> {
    let day = get_day_number(r)?;
    r.skip_str()?;
    let amount = get_money(r)?;
    skip_code(r)?;
    Some((day, amount))
}

fn unpack_day(r: &mut Reader<'_>) -> Option<i32> {
    let day = get_day_number(r)?;
    r.skip_str()?;
    skip_money(r)?;
    skip_code(r)?;
    Some(day)
}

impl Packed<SpendRecord> {
    /// The sum of the amounts of the records dated from day `from` to day `to` (numbers from
    /// the common era), both included, saturating at the decimal range; only those records'
    /// amounts are read (a row's last month, the month-to-date column).
    pub(crate) fn sum_between(&self, from: i32, to: i32) -> rust_decimal::Decimal {
        let (n, mut r) = self.split();
        let mut sum = rust_decimal::Decimal::ZERO;
        for _ in 0..n {
            let Some(day) = get_day_number(&mut r) else {
                break;
            };
            if day > to || r.skip_str().is_none() {
                break;
            }
            let read = if day < from {
                skip_money(&mut r)
            } else {
                get_money(&mut r).map(|m| sum = sum.saturating_add(m.amount))
            };
            if read.and_then(|()| skip_code(&mut r)).is_none() {
                break;
            }
        }
        sum
    }

    /// Each record's day (its number from the common era, as
    /// [`chrono::Datelike::num_days_from_ce`] gives it) and amount, in order, without making
    /// its product's text or its date.
    pub(crate) fn amounts(&self) -> impl Iterator<Item = (i32, Money)> + '_ {
        self.read_with(unpack_amount)
    }

    /// Each record's day, in order, without reading its amount (the load's check that the
    /// records are in day order).
    pub(crate) fn days(&self) -> impl Iterator<Item = i32> + '_ {
        self.read_with(unpack_day)
    }
}

/// What a row and the checks read of an order, read without making its texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OrderFacts {
    /// It awaits payment ([`Order::is_unpaid`]).
    pub(crate) unpaid: bool,
    /// Its amount.
    pub(crate) amount: Money,
    /// When it was created.
    pub(crate) created_at: DateTime<Utc>,
    /// When it was paid.
    pub(crate) paid_at: Option<DateTime<Utc>>,
    /// It was placed by an operator on the customer's behalf (it has `placed_by`).
    pub(crate) placed: bool,
}

fn unpack_facts(r: &mut Reader<'_>) -> Option<OrderFacts> {
    r.skip_str()?;
    let status: OrderStatus = get_code(r)?;
    skip_code(r)?;
    let amount = get_money(r)?;
    let created_at = get_instant(r)?;
    let paid_at = get_opt_instant(r)?;
    let placed = match r.byte()? {
        0 => false,
        1 => r.skip_str().map(|()| true)?,
        _ => return None,
    };
    Some(OrderFacts {
        unpaid: status == OrderStatus::PendingPayment,
        amount,
        created_at,
        paid_at,
        placed,
    })
}

/// Whether an order awaits payment, its other fields stepped over.
fn unpack_unpaid(r: &mut Reader<'_>) -> Option<bool> {
    r.skip_str()?;
    let unpaid = match r.byte()? {
        0 => r.skip_str().map(|()| false)?,
        n => OrderStatus::KNOWN.get(usize::from(n) - 1) == Some(&OrderStatus::PendingPayment),
    };
    skip_order_rest(r).map(|()| unpaid)
}

/// Steps over an order's fields after its status: kind, amount, times and who placed it.
fn skip_order_rest(r: &mut Reader<'_>) -> Option<()> {
    skip_code(r)?;
    skip_money(r)?;
    skip_instant(r)?;
    skip_opt_instant(r)?;
    match r.byte()? {
        0 => Some(()),
        1 => r.skip_str(),
        _ => None,
    }
}

/// An order's id, its other fields stepped over.
fn unpack_order_id<'a>(r: &mut Reader<'a>) -> Option<&'a [u8]> {
    let id = r.text_bytes()?;
    skip_code(r)?;
    skip_order_rest(r).map(|()| id)
}

impl Packed<Order> {
    /// Whether an order has the id `id`, read without making the orders (the check of a new
    /// order on behalf).
    pub(crate) fn has_id(&self, id: &str) -> bool {
        self.read_with(unpack_order_id).any(|o| o == id.as_bytes())
    }

    /// How many orders await payment ([`Order::is_unpaid`]), read without making their texts.
    pub fn unpaid(&self) -> usize {
        self.read_with(unpack_unpaid)
            .filter(|unpaid| *unpaid)
            .count()
    }

    /// Each order's facts, in order, without making its texts.
    pub(crate) fn facts(&self) -> impl Iterator<Item = OrderFacts> + '_ {
        self.read_with(unpack_facts)
    }
}

impl Pack for Order {
    fn pack(&self, out: &mut Vec<u8>) {
        put_str(out, self.id.as_str());
        put_code(out, &self.status);
        put_code(out, &self.kind);
        put_money(out, &self.amount);
        put_instant(out, &self.created_at);
        put_opt_instant(out, &self.paid_at);
        match &self.placed_by {
            None => out.push(0),
            Some(by) => {
                out.push(1);
                put_str(out, by.as_str());
            }
        }
    }

    fn unpack(r: &mut Reader<'_>) -> Option<Self> {
        Some(Order {
            id: OrderId::from_packed(r.str()?)?,
            status: get_code(r)?,
            kind: get_code(r)?,
            amount: get_money(r)?,
            created_at: get_instant(r)?,
            paid_at: get_opt_instant(r)?,
            placed_by: match r.byte()? {
                0 => None,
                1 => Some(OperatorId::from_packed(r.str()?)?),
                _ => return None,
            },
        })
    }

    fn skip(r: &mut Reader<'_>) -> Option<()> {
        unpack_order_id(r).map(drop)
    }

    fn check(r: &mut Reader<'_>) -> Option<()> {
        super::check::order(r)
    }
}

impl Pack for SpendRecord {
    fn pack(&self, out: &mut Vec<u8>) {
        put_day(out, &self.day);
        put_str(out, &self.product);
        put_money(out, &self.amount);
        put_code(out, &self.mode);
    }

    fn unpack(r: &mut Reader<'_>) -> Option<Self> {
        Some(SpendRecord {
            day: get_day(r)?,
            product: SharedText::new(r.str()?),
            amount: get_money(r)?,
            mode: get_code(r)?,
        })
    }

    fn skip(r: &mut Reader<'_>) -> Option<()> {
        unpack_amount(r).map(drop)
    }

    fn check(r: &mut Reader<'_>) -> Option<()> {
        super::check::spend(r)
    }
}
