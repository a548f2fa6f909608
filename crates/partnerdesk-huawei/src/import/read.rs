//! Reading response pages: the error envelope, times, amounts, required members, and the page
//! loop every listing import runs.

use super::ImportReport;
use crate::error::{ApiError, HuaweiError, Result};
use crate::field::Field;
use crate::wire::{self, Code};
use chrono::{DateTime, NaiveDateTime, Utc};
use partnerdesk::{Currency, CustomerId, Money};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;

/// Parses one response page: an error envelope (a `CBC.*` code other than `CBC.0000`) becomes
/// [`HuaweiError::Api`]; malformed JSON the core's `MALFORMED_JSON`.
pub fn parse_response<T: DeserializeOwned>(json: &str) -> Result<T> {
    if let Some(err) = error_of(json)? {
        return Err(HuaweiError::Api(err));
    }
    Ok(serde_json::from_str(json)?)
}

/// The API error of a response body, if it is an error envelope.
pub fn error_of(json: &str) -> Result<Option<ApiError>> {
    let env: wire::ErrorEnvelope = serde_json::from_str(json)?;
    Ok(match env.error_code {
        Field::Value(code) if !code.trim().is_empty() && code.trim() != "CBC.0000" => Some(
            ApiError::new(code, env.error_msg.into_option().unwrap_or_default()),
        ),
        _ => None,
    })
}

/// Parses a Huawei time: `2024-03-18T02:15:40Z` (any RFC 3339), or `2024-03-18 02:15:40` /
/// `2024-03-18T02:15:40` read as UTC.
///
/// The time must lie in the years the desk accepts (1970 to 9999, the core's
/// [`partnerdesk::calendar::check_instant`]), else it is invalid data naming the field.
pub fn parse_time(field: &str, text: &str) -> Result<DateTime<Utc>> {
    let t = text.trim();
    let parsed = DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M:%S%.fZ",
            ]
            .into_iter()
            .find_map(|fmt| NaiveDateTime::parse_from_str(t, fmt).ok())
            .map(|n| n.and_utc())
        });
    match parsed {
        Some(at) if partnerdesk::calendar::check_instant(field, at).is_ok() => Ok(at),
        Some(_) => Err(HuaweiError::data(
            field,
            "a time outside the years 1970 to 9999",
        )),
        None => Err(HuaweiError::data(
            field,
            "not a UTC time like 2024-03-18T02:15:40Z",
        )),
    }
}

/// The trimmed text of a member, `None` when absent, `null` or blank.
pub(super) fn text(f: &Field<String>) -> Option<&str> {
    f.value().map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// The text of a required member, else invalid data naming `path`.
pub(super) fn required<'a>(f: &'a Field<String>, path: &str) -> Result<&'a str> {
    text(f).ok_or_else(|| HuaweiError::data(path, "missing"))
}

/// The value of the required member `member` of the item at `path`.
pub(super) fn need<'a, T>(f: &'a Field<T>, path: &str, member: &str) -> Result<&'a T> {
    f.value()
        .ok_or_else(|| HuaweiError::data(format!("{path}.{member}"), "missing"))
}

/// A required id member that `new` accepts, else invalid data saying `invalid`.
pub(super) fn id<T, E>(
    f: &Field<String>,
    path: String,
    new: impl FnOnce(String) -> std::result::Result<T, E>,
    invalid: &str,
) -> Result<T> {
    new(required(f, &path)?.to_owned()).map_err(|_| HuaweiError::data(path, invalid))
}

/// The `customer_id` member of the item at `path`.
pub(super) fn customer_id(f: &Field<String>, path: &str) -> Result<CustomerId> {
    id(
        f,
        format!("{path}.customer_id"),
        CustomerId::new,
        "not a valid customer id",
    )
}

/// The time in the member `member` of the item at `path`, if the member has text.
pub(super) fn opt_time(
    f: &Field<String>,
    path: &str,
    member: &str,
) -> Result<Option<DateTime<Utc>>> {
    let field = format!("{path}.{member}");
    text(f).map(|t| parse_time(&field, t)).transpose()
}

/// The time in the required member `member` of the item at `path`.
pub(super) fn required_time(f: &Field<String>, path: &str, member: &str) -> Result<DateTime<Utc>> {
    let field = format!("{path}.{member}");
    parse_time(&field, required(f, &field)?)
}

/// Scales an amount by `measure_id` (`1` unit, `2` tenth, `3` hundredth) and checks the currency.
pub(super) fn money(
    amount: Decimal,
    measure: &Field<Code>,
    currency: &Field<String>,
    partner: Currency,
    path: &str,
) -> Result<Money> {
    let scaled = match measure.value().map(Code::text).as_deref() {
        None | Some("1") => Some(amount),
        Some("2") => amount.checked_div(Decimal::TEN),
        Some("3") => amount.checked_div(Decimal::ONE_HUNDRED),
        Some(_) => return Err(HuaweiError::data(path, "unknown measure_id")),
    }
    .ok_or_else(|| HuaweiError::data(path, "amount out of range"))?;
    let currency = match text(currency) {
        None => partner,
        Some(c) => Currency::new(c)?,
    };
    let m = Money::new(scaled, currency);
    m.require_currency(partner)?;
    Ok(m)
}

/// Whether `s` has at most `max` characters and no control character.
pub(super) fn control_free(s: &str, max: usize) -> bool {
    s.chars().count() <= max && !s.chars().any(char::is_control)
}

/// The total a page reported (`count` / `total_count`), if it is one.
pub(super) fn total(f: &Field<i64>) -> Option<u64> {
    f.value().and_then(|v| u64::try_from(*v).ok())
}

/// A listing response: one page of items under one member, and the total it reports.
pub(super) trait Listing: DeserializeOwned {
    /// One item of the listing.
    type Item;
    /// The member that holds the items (for the items' JSON paths).
    const MEMBER: &'static str;
    /// The items of this page (none when the member is absent or `null`).
    fn items(&self) -> &Field<Vec<Self::Item>>;
    /// The total the page reports (`count` / `total_count`), if it reports one.
    fn total(&self) -> Option<u64> {
        None
    }
}

/// `listing!(Page, Item, member[, total])`: the [`Listing`] of a wire response.
macro_rules! listing {
    ($($page:ident, $item:ident, $member:ident $(, $total:ident)?;)*) => {$(
        impl Listing for wire::$page {
            type Item = wire::$item;
            const MEMBER: &'static str = stringify!($member);
            fn items(&self) -> &Field<Vec<wire::$item>> {
                &self.$member
            }
            $(fn total(&self) -> Option<u64> {
                total(&self.$total)
            })?
        }
    )*};
}

listing! {
    ListSubCustomersResponse, CustomerInformation, customer_infos, count;
    ListSubCustomerBudgetResponse, BudgetInfo, budget_infos;
    ListSubCustomerBudgetRecordsResponse, BudgetRecordInfo, record_list, total_count;
    ListCustomerOnDemandResourcesResponse, CustomerOnDemandResource, resources, total_count;
    ListPayPerUseCustomerResourcesResponse, OrderInstanceV2, data, total_count;
    ListCustomerOrdersResponse, CustomerOrderV2, order_infos, total_count;
    ListSubCustomerBillDetailResponse, SubCustomerMonthlyBillDetail, fee_records, total_count;
    ListSubcustomerMonthlyBillsResponse, BillSumInfoV2, bill_sums, count;
}

/// Parses every page of one listing and starts its report with the total the first page
/// reported.
pub(super) fn read<P: Listing>(json_pages: &[&str]) -> Result<(Vec<P>, ImportReport)> {
    let parsed: Vec<P> = json_pages
        .iter()
        .map(|p| parse_response(p))
        .collect::<Result<_>>()?;
    let report = ImportReport {
        reported_total: parsed.first().and_then(P::total),
        ..ImportReport::default()
    };
    Ok((parsed, report))
}

/// Runs `f` on every item of every page, in order, counting each in [`ImportReport::items`]
/// and giving it its JSON path (`pages[p].member[i]`).
pub(super) fn each_item<P: Listing>(
    pages: &[P],
    report: &mut ImportReport,
    mut f: impl FnMut(&P, &P::Item, &str, &mut ImportReport) -> Result<()>,
) -> Result<()> {
    for (p, page) in pages.iter().enumerate() {
        for (i, item) in page.items().value().into_iter().flatten().enumerate() {
            report.items += 1;
            f(
                page,
                item,
                &format!("pages[{p}].{}[{i}]", P::MEMBER),
                report,
            )?;
        }
    }
    Ok(())
}
