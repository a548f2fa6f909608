//! `ListSubCustomers`: customers, their managers (operators made for unknown logins), freeze
//! states and personal fields.

use super::commit::commit;
use super::read::{control_free, customer_id, each_item, opt_time, read, text};
use super::{ImportOptions, ImportReport, SYSTEM};
use crate::codes;
use crate::error::{HuaweiError, Result};
use crate::field::Field;
use crate::wire;
use partnerdesk::{
    Association, Customer, CustomerId, Desk, ExternalAccount, Freeze, FreezeOrigin, FreezeScope,
    FreezeState, Mobile, Operator, OperatorId, Role, Site, Tag,
};
use std::collections::{BTreeMap, HashMap};

/// Imports `ListSubCustomers` pages (either site; the desk's partner decides the codes).
///
/// ```
/// use partnerdesk::{Desk, Partner, PartnerId, Site, Tier, CustomerId, FreezeScope};
/// use partnerdesk_huawei::{fixtures, import::{import_list_sub_customers, ImportOptions}};
/// use chrono::{TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).single().ok_or(partnerdesk::Error::InvalidCursor)?;
/// let partner = Partner::new(PartnerId::new("p-1")?, "Example Partner", Site::China, Tier::SolutionProvider);
/// let mut desk = Desk::new(partner, now);
/// let report = import_list_sub_customers(&mut desk, &ImportOptions::at(now), &[fixtures::LIST_SUB_CUSTOMERS_CN])?;
/// assert_eq!(report.added.len(), 2);
/// let zs = desk.customer(&CustomerId::new("9f8e7d6c5b4a39281706f5e4d3c2b1a0")?)?;
/// assert_eq!(zs.freeze.scope(), Some(&FreezeScope::AccountAndResources));
/// # Ok::<(), partnerdesk_huawei::HuaweiError>(())
/// ```
pub fn import_list_sub_customers(
    desk: &mut Desk,
    options: &ImportOptions,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let (parsed, mut report) = read::<wire::ListSubCustomersResponse>(json_pages)?;
    let site = desk.partner().site.clone();
    let mut order: Vec<CustomerId> = Vec::new();
    let mut built: HashMap<CustomerId, Customer> = HashMap::new();
    let mut new_ops: BTreeMap<OperatorId, Operator> = BTreeMap::new();
    each_item(&parsed, &mut report, |_, info, path, report| {
        let id = customer_id(&info.customer_id, path)?;
        let existing = built.get(&id).or_else(|| desk.customer(&id).ok());
        let c = customer_from_info(&site, info, existing, options, path, report)?;
        if let Some(m) = &c.account_manager
            && desk.operator(m).is_err()
            && !new_ops.contains_key(m)
        {
            let op =
                Operator::new(m.clone(), m.as_str(), Role::Operator).with_account_manager(true);
            new_ops.insert(m.clone(), op);
        }
        if built.insert(id.clone(), c).is_none() {
            order.push(id);
        }
        Ok(())
    })?;
    let customers = order.iter().filter_map(|id| built.remove(id)).collect();
    commit(
        desk,
        customers,
        new_ops.into_values().collect(),
        &mut report,
    )?;
    Ok(report)
}

/// A member the customer list may leave out for a customer the desk knows: what the response
/// reported, else what the desk holds (`known`), else (a new customer) a missing member.
fn reported_or_known<T>(
    reported: Option<T>,
    existing: Option<&Customer>,
    known: impl FnOnce(&Customer) -> T,
    field: String,
) -> Result<T> {
    match (reported, existing) {
        (Some(v), _) => Ok(v),
        (None, Some(e)) => Ok(known(e)),
        (None, None) => Err(HuaweiError::data(field, "missing")),
    }
}

/// What a clearable member reports: `None` when absent (keep what the desk knows), `Some(None)`
/// when `null` or blank (clear it), else `Some(Some(text))`.
fn clearable(f: &Field<String>) -> Option<Option<&str>> {
    match f {
        Field::Absent => None,
        Field::Null => Some(None),
        Field::Value(v) => Some(Some(v.as_str()).filter(|v| !v.trim().is_empty())),
    }
}

fn customer_from_info(
    site: &Site,
    info: &wire::CustomerInformation,
    existing: Option<&Customer>,
    options: &ImportOptions,
    path: &str,
    report: &mut ImportReport,
) -> Result<Customer> {
    let id = customer_id(&info.customer_id, path)?;
    let account = reported_or_known(
        text(&info.account_name).map(str::to_owned),
        existing,
        |e| e.account_name.expose().to_string(),
        format!("{path}.account_name"),
    )?;
    if !control_free(&account, 64) {
        return Err(HuaweiError::data(
            format!("{path}.account_name"),
            "longer than 64 characters or has control characters",
        ));
    }
    let kind = reported_or_known(
        info.association_type
            .value()
            .map(|code| codes::association_type(site.clone(), &code.text())),
        existing,
        |e| e.association.kind.clone(),
        format!("{path}.association_type"),
    )?;
    let since = reported_or_known(
        opt_time(&info.associated_on, path, "associated_on")?,
        existing,
        |e| e.association.since,
        format!("{path}.associated_on"),
    )?;
    let name = match (&info.customer, existing) {
        (Field::Value(n), _) => n.trim().to_owned(),
        (Field::Null, _) | (Field::Absent, None) => String::new(),
        (Field::Absent, Some(e)) => e.name.expose().to_string(),
    };
    if partnerdesk::validate::name(&name).is_err() {
        return Err(HuaweiError::data(
            format!("{path}.customer"),
            "longer than 256 characters or has control characters",
        ));
    }

    let mut association = Association::new(kind, since);
    if let Some(e) = existing {
        association.reseller = e.association.reseller.clone();
        association.invited_by = e.association.invited_by.clone();
    }
    if let Some(r) = &options.reseller {
        association.reseller = Some(r.clone());
    }

    let mut c = match existing {
        Some(e) => {
            let mut c = e.clone();
            c.account_name = account.into();
            c.name = name.into();
            c.association = association;
            c
        }
        None => Customer::new(id.clone(), account, name, association),
    };
    if c.budget.is_some() && !c.association.is_reseller_model() {
        // Huawei keeps budgets for reseller-model customers only.
        c.budget = None;
        report.warn(
            &id,
            format!("{path}.association_type"),
            "no longer reseller-model; its budget was removed",
        );
    }

    // A new customer starts from `Customer::new`'s unset type, not verified, level V0.
    if let Some(code) = info.customer_type.value() {
        c.customer_type = codes::customer_type(code);
    }
    if let Some(code) = info.verified_status.value() {
        c.verification = codes::verification(code);
    }
    if let Some(l) = text(&info.customer_level) {
        c.level = codes::level(l);
    }

    // label -> tags
    if let Some(label) = clearable(&info.label) {
        c.tags.clear();
        match label.map(|l| Tag::new(l.trim())) {
            None => {}
            Some(Ok(t)) => {
                c.tags.insert(t);
            }
            Some(Err(_)) => report.warn(
                &id,
                format!("{path}.label"),
                "not a valid tag (over 64 characters or control characters); left out",
            ),
        }
    }

    // telephone + country_code -> mobile
    if let Some(telephone) = clearable(&info.telephone) {
        let cc = text(&info.country_code).unwrap_or("");
        c.mobile = telephone.and_then(|t| match Mobile::new(cc, t) {
            Ok(m) => Some(m.into()),
            Err(_) => {
                report.warn(
                    &id,
                    format!("{path}.telephone"),
                    "not a phone number of digits (masked?); left out",
                );
                None
            }
        });
    }

    // email
    if let Some(email) = clearable(&info.email) {
        c.email = email.map(str::trim).and_then(|e| {
            if partnerdesk::validate::email(e).is_ok() {
                Some(e.to_owned().into())
            } else {
                report.warn(
                    &id,
                    format!("{path}.email"),
                    "not an e-mail address; left out",
                );
                None
            }
        });
    }

    // xaccount_id / xaccount_type -> external account
    if !(info.xaccount_id.is_absent() && info.xaccount_type.is_absent()) {
        let xid = text(&info.xaccount_id).unwrap_or("");
        let xkind = text(&info.xaccount_type).unwrap_or("");
        c.external = (!xid.is_empty() || !xkind.is_empty()).then(|| ExternalAccount {
            id: xid.into(),
            kind: xkind.into(),
        });
    }

    // is_frozen -> freeze state
    if let Some(code) = info.is_frozen.value() {
        c.freeze = match codes::freeze_scope(site.clone(), code) {
            None => FreezeState::NotFrozen,
            Some(scope) => {
                let known = existing.and_then(|e| e.freeze.freeze()).filter(|f| {
                    f.scope == scope
                        || (scope == FreezeScope::Unknown
                            && matches!(
                                f.scope,
                                FreezeScope::Account | FreezeScope::AccountAndResources
                            ))
                });
                match known {
                    Some(f) => FreezeState::Frozen(Box::new(f.clone())),
                    None => FreezeState::Frozen(Box::new(Freeze {
                        scope,
                        origin: FreezeOrigin::Imported,
                        reason: String::new(),
                        by: SYSTEM.to_owned(),
                        at: options.now,
                    })),
                }
            }
        };
    }

    // account_managers -> account manager
    match &info.account_managers {
        Field::Absent => {}
        Field::Null => c.account_manager = None,
        Field::Value(list) => {
            if list.len() > 1 {
                report.warn(
                    &id,
                    format!("{path}.account_managers"),
                    "more than one account manager; the first is kept",
                );
            }
            c.account_manager = match list.first().map(|m| text(&m.account_name)) {
                None | Some(None) => None,
                Some(Some(login)) => match OperatorId::new(login) {
                    Ok(op) => Some(op),
                    Err(_) => {
                        report.warn(
                            &id,
                            format!("{path}.account_managers[0].account_name"),
                            "not a valid login; no manager assigned",
                        );
                        None
                    }
                },
            };
        }
    }
    Ok(c)
}
