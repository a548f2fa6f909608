//! Listing customers: which part of a query Huawei filters, which part the desk applies.
//!
//! Why split: `ListSubCustomers` filters on a few fields only (account name, customer name,
//! label, customer id, association type and time, reseller; reference §3), while a partnerdesk
//! [`Query`] has every console criterion and `and`/`or`/`not`. Fetching everything and filtering
//! locally is always correct but slow for a large portfolio; sending what the API can filter
//! cuts the pages to fetch. [`split_query`] returns both parts, and the rule is exact:
//! **a customer matches the query if and only if the API returns it for [`ApiFilter`] and it
//! matches [`QuerySplit::local`]**.
//!
//! How it stays exact:
//! - only the query's top-level `and` is split; an `or`, a `not` or anything nested stays local
//!   whole;
//! - a criterion whose API semantics equal the desk's moves to the API and leaves the local
//!   part: customer id (exact), association type (referral/reseller; an unknown type stays
//!   local), reseller (the importer records it from the request's `indirect_partner_id`), and
//!   "contains" on the customer name or account name (Huawei's fuzzy match, which is
//!   case-insensitive; the reference singles out `label` as the case-sensitive one);
//! - a criterion the API can only narrow *to a superset* is sent **and** kept locally: an exact
//!   name (sent as fuzzy), a tag (sent as the `label` substring, Huawei's one label being the
//!   customer's tag), an association-time range (sent widened to whole seconds, as Huawei's
//!   window bounds are whole seconds and their inclusiveness is not documented);
//! - a value the API would refuse (empty, over 64 characters, or with spaces, which fuzzy search
//!   does not allow) stays local, and so does a second criterion of a kind already sent.
//!
//! Huawei lists associated customers only: the rule holds over them, and a query that includes
//! disassociated customers finds those on the desk alone (the local part keeps the flag).
//!
//! [`ApiFilter::matches`] is the API's filter as documented, checked on a desk customer: hosts
//! and tests use it to simulate a listing.

use crate::codes;
use crate::error::{HuaweiError, Result};
use crate::field::Field;
use crate::paging::{ApiPage, PagePlan};
use crate::wire::QuerySubCustomerListReq;
use chrono::{DateTime, Datelike, DurationRound, TimeDelta, Utc};
use partnerdesk::query::{Criterion, Expr, ExprKind, Query, TagMatch, TextMatch};
use partnerdesk::{AssociationType, Customer, CustomerId, ResellerId, Site};
use std::ops::Bound;

/// The longest text the fuzzy filters take.
pub const MAX_FILTER_CHARS: usize = 64;

/// The part of a query `ListSubCustomers` filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiFilter {
    /// `account_name`: login contains (case-insensitive).
    pub account_name: Option<String>,
    /// `customer`: real-name contains (case-insensitive).
    pub customer: Option<String>,
    /// `label`: the tag contains (case-sensitive).
    pub label: Option<String>,
    /// `customer_id`: exact.
    pub customer_id: Option<CustomerId>,
    /// `association_type`: referral or reseller.
    pub association_type: Option<AssociationType>,
    /// `associated_on_begin`: associated at or after (whole seconds).
    pub associated_on_begin: Option<DateTime<Utc>>,
    /// `associated_on_end`: associated at or before (whole seconds).
    pub associated_on_end: Option<DateTime<Utc>>,
    /// `indirect_partner_id`: the reseller's customers.
    pub reseller: Option<ResellerId>,
}

/// A query split into what the API filters and what the desk applies to the imported result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySplit {
    /// Sent to `ListSubCustomers`.
    pub api: ApiFilter,
    /// Applied locally to what the API returns.
    pub local: Query,
}

fn api_text(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && s.chars().count() <= MAX_FILTER_CHARS
        && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then(|| s.to_owned())
}

fn floor_second(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    t.duration_trunc(TimeDelta::seconds(1)).ok()
}

fn ceil_second(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let f = floor_second(t)?;
    if f == t {
        Some(f)
    } else {
        f.checked_add_signed(TimeDelta::seconds(1))
    }
}

fn in_wire_range(t: DateTime<Utc>) -> bool {
    (0..=9999).contains(&t.year())
}

/// Splits a query (see the module docs for the rules).
///
/// ```
/// use partnerdesk::query::Query;
/// use partnerdesk_huawei::listing::split_query;
/// let q = Query::parse("account~acme and assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)")?;
/// let split = split_query(&q);
/// assert_eq!(split.api.account_name.as_deref(), Some("acme"));
/// assert_eq!(split.local.to_string(), "mtd>=1000 and (tag:vip or tag:gold)");
/// # Ok::<(), partnerdesk::Error>(())
/// ```
pub fn split_query(query: &Query) -> QuerySplit {
    let conjuncts: Vec<Expr> = match query.filter.kind() {
        ExprKind::All => Vec::new(),
        ExprKind::And(v) => v.to_vec(),
        _ => vec![query.filter.clone()],
    };
    let mut api = ApiFilter::default();
    let mut local: Vec<Expr> = Vec::new();
    for e in conjuncts {
        let keep = match e.kind() {
            ExprKind::Criterion(c) => !api.take(c),
            _ => true,
        };
        if keep {
            local.push(e);
        }
    }
    let filter = match local.len() {
        0 => Expr::all(),
        1 => local.pop().unwrap_or_else(Expr::all),
        // Some of the query's own conjuncts: never deeper or wider than the query, so always
        // within the limits. Were it refused, the whole filter, checked locally, is still exact.
        _ => Expr::all_of(local).unwrap_or_else(|_| query.filter.clone()),
    };
    QuerySplit {
        api,
        local: Query {
            filter,
            include_disassociated: query.include_disassociated,
        },
    }
}

impl ApiFilter {
    /// Sends what the API can filter of one criterion; returns whether the criterion is fully
    /// answered by the API (and so leaves the local part).
    fn take(&mut self, c: &Criterion) -> bool {
        match c {
            Criterion::CustomerId(id) if self.customer_id.is_none() => {
                self.customer_id = Some(id.clone());
                true
            }
            Criterion::AssociationType(
                t @ (AssociationType::Referral | AssociationType::Reseller),
            ) if self.association_type.is_none() => {
                self.association_type = Some(t.clone());
                true
            }
            Criterion::Reseller(r) if self.reseller.is_none() => {
                self.reseller = Some(r.clone());
                true
            }
            Criterion::Name(m) if self.customer.is_none() => take_text(&mut self.customer, m),
            Criterion::AccountName(m) if self.account_name.is_none() => {
                take_text(&mut self.account_name, m)
            }
            Criterion::Tags(TagMatch::Any(tags)) if tags.len() == 1 && self.label.is_none() => {
                self.label = tags.iter().next().and_then(|t| api_text(t.as_str()));
                false
            }
            Criterion::Tags(TagMatch::All(tags)) if self.label.is_none() => {
                self.label = tags.iter().find_map(|t| api_text(t.as_str()));
                false
            }
            Criterion::AssociatedAt(r) => {
                // Several windows intersect; each stays local, so the tightest widened bounds
                // still return a superset of their intersection.
                if let Some(lo) = match &r.lower {
                    Bound::Included(t) | Bound::Excluded(t) => floor_second(*t),
                    Bound::Unbounded => None,
                }
                .filter(|t| in_wire_range(*t))
                {
                    self.associated_on_begin =
                        Some(self.associated_on_begin.map_or(lo, |b| b.max(lo)));
                }
                if let Some(hi) = match &r.upper {
                    Bound::Included(t) | Bound::Excluded(t) => ceil_second(*t),
                    Bound::Unbounded => None,
                }
                .filter(|t| in_wire_range(*t))
                {
                    self.associated_on_end = Some(self.associated_on_end.map_or(hi, |e| e.min(hi)));
                }
                false
            }
            _ => false,
        }
    }

    /// Whether nothing is filtered by the API.
    pub fn is_empty(&self) -> bool {
        self == &ApiFilter::default()
    }

    /// The `ListSubCustomers` request body for one page of this filter on a site.
    ///
    /// ```
    /// use partnerdesk::{Site, query::Query};
    /// use partnerdesk_huawei::{listing::split_query, paging::ApiPage};
    /// let split = split_query(&Query::parse("assoc=reseller and name~Acme")?);
    /// let body = split.api.body(Site::International, ApiPage::first(100)?)?;
    /// assert_eq!(
    ///     serde_json::to_string(&body).map_err(partnerdesk::Error::from)?,
    ///     r#"{"customer":"Acme","offset":0,"limit":100,"association_type":"3"}"#,
    /// );
    /// # Ok::<(), partnerdesk_huawei::HuaweiError>(())
    /// ```
    pub fn body(&self, site: Site, page: ApiPage) -> Result<QuerySubCustomerListReq> {
        let page = ApiPage::new(page.offset, page.limit)?;
        let text = |field: &str, v: &Option<String>| -> Result<Field<String>> {
            match v {
                None => Ok(Field::Absent),
                Some(s) => api_text(s).map(Field::Value).ok_or_else(|| {
                    HuaweiError::Core(partnerdesk::Error::InvalidArgument {
                        field: field.to_owned(),
                        reason: "must be 1 to 64 characters without spaces".to_owned(),
                    })
                }),
            }
        };
        let time = |t: &Option<DateTime<Utc>>| match t {
            Some(t) if in_wire_range(*t) => {
                Field::Value(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            }
            _ => Field::Absent,
        };
        Ok(QuerySubCustomerListReq {
            account_name: text("account_name", &self.account_name)?,
            customer: text("customer", &self.customer)?,
            offset: Field::Value(i64::try_from(page.offset).unwrap_or(0)),
            limit: Field::Value(i64::from(page.limit)),
            label: text("label", &self.label)?,
            association_type: self
                .association_type
                .as_ref()
                .map(|t| codes::association_code(site.clone(), t))
                .into(),
            associated_on_begin: time(&self.associated_on_begin),
            associated_on_end: time(&self.associated_on_end),
            customer_id: self.customer_id.as_ref().map(|i| i.to_string()).into(),
            indirect_partner_id: self.reseller.as_ref().map(|r| r.to_string()).into(),
        })
    }

    /// The bodies of every page of a listing of `total` customers.
    pub fn bodies(
        &self,
        site: Site,
        total: u64,
        limit: u32,
    ) -> Result<Vec<QuerySubCustomerListReq>> {
        PagePlan::covering(total, limit)?
            .pages
            .into_iter()
            .map(|p| self.body(site.clone(), p))
            .collect()
    }

    /// Whether the API, as documented, returns this customer for the filter: fuzzy
    /// case-insensitive account and customer name, case-sensitive label substring of one of
    /// its tags, exact id, type and reseller, association time within the (inclusive) window;
    /// only associated customers.
    pub fn matches(&self, c: &Customer) -> bool {
        let contains = |value: &str, needle: &Option<String>| {
            needle
                .as_ref()
                .is_none_or(|n| value.to_lowercase().contains(&n.to_lowercase()))
        };
        c.is_associated()
            && contains(c.account_name.expose(), &self.account_name)
            && contains(c.name.expose(), &self.customer)
            && self
                .label
                .as_ref()
                .is_none_or(|l| c.tags.iter().any(|t| t.as_str().contains(l.as_str())))
            && self.customer_id.as_ref().is_none_or(|id| &c.id == id)
            && self
                .association_type
                .as_ref()
                .is_none_or(|t| &c.association.kind == t)
            && self
                .associated_on_begin
                .is_none_or(|b| c.association.since >= b)
            && self
                .associated_on_end
                .is_none_or(|e| c.association.since <= e)
            && self
                .reseller
                .as_ref()
                .is_none_or(|r| c.association.reseller.as_ref() == Some(r))
    }
}

/// Sends a text match the API can filter (a contains match, which the API answers fully, or an
/// exact one, which stays in the local part too) to `slot`; whether the API answers it fully.
fn take_text(slot: &mut Option<String>, m: &TextMatch) -> bool {
    let (text, exact) = text_of(m);
    match api_text(text) {
        Some(t) => {
            *slot = Some(t);
            !exact
        }
        None => false,
    }
}

fn text_of(m: &TextMatch) -> (&str, bool) {
    match m {
        TextMatch::Exact(s) => (s.as_str(), true),
        TextMatch::Contains(s) => (s.as_str(), false),
    }
}
