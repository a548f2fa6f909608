//! Responses of the operations: outcomes per customer.
//!
//! Why: `FreezeSubCustomers` and `UnfreezeSubCustomers` answer a batch in three shapes (reference
//! §6, §13): an empty body (all done), an error envelope (all failed with one code), or HTTP 200
//! with `error_details` listing the customers that failed, each with its own code. A host needs
//! one answer per customer it asked about, in its own vocabulary. [`batch_outcome`] gives it:
//! every requested customer gets `Ok(())` or an [`ApiError`] (Huawei's code and text kept, the
//! domain meaning in [`ApiError::kind`], retry advice in [`ApiError::retry_after`]).
//! [`RemoteOutcome::to_batch_outcome`] turns it into the core's
//! [`partnerdesk::command::BatchOutcome`], with the core's errors where the core has the same
//! notion (`WRONG_ASSOCIATION_TYPE`, `CUSTOMER_NOT_FOUND`, `PERMISSION_DENIED`,
//! `CUSTOMER_FROZEN`, `INVALID_ARGUMENT`).

use crate::error::{ApiError, ApiErrorKind, HuaweiError, Result};
use crate::field::Field;
use crate::wire::BatchOperationResponse;
use partnerdesk::CustomerId;
use partnerdesk::command::{BatchOutcome, ItemOutcome};

/// The outcome for one customer of a remote operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteItem {
    /// The customer.
    pub customer: CustomerId,
    /// Done, or what Huawei answered.
    pub result: std::result::Result<(), ApiError>,
}

/// The outcome of a remote batch operation: one item per requested customer, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteOutcome {
    /// One per requested customer.
    pub items: Vec<RemoteItem>,
    /// Failures Huawei reported for ids that were not requested (kept, never dropped).
    pub unexpected: Vec<(String, ApiError)>,
}

impl RemoteOutcome {
    /// How many succeeded.
    pub fn succeeded(&self) -> usize {
        self.items.iter().filter(|i| i.result.is_ok()).count()
    }

    /// How many failed.
    pub fn failed(&self) -> usize {
        self.items.len() - self.succeeded()
    }

    /// The outcome for a customer.
    pub fn get(&self, id: &CustomerId) -> Option<&std::result::Result<(), ApiError>> {
        self.items
            .iter()
            .find(|i| &i.customer == id)
            .map(|i| &i.result)
    }

    /// Whether every failure may succeed on a retry (and there is at least one failure).
    pub fn is_retryable(&self) -> bool {
        self.failed() > 0
            && self
                .items
                .iter()
                .filter_map(|i| i.result.as_ref().err())
                .all(|e| e.kind.is_retryable())
    }

    /// The outcome as JSON, for bindings: `{"items": [{"customer", "ok", "code",
    /// "huawei_code", "message", "retry_after_ms"}], "unexpected": [...]}` (error members only
    /// on failures; `retry_after_ms` only when a first retry is advised).
    pub fn to_json(&self) -> serde_json::Value {
        fn err(e: &ApiError) -> serde_json::Map<String, serde_json::Value> {
            let mut m = serde_json::Map::new();
            m.insert("ok".into(), false.into());
            m.insert("code".into(), e.code().into());
            m.insert("huawei_code".into(), e.huawei_code.clone().into());
            m.insert("message".into(), e.message.expose().clone().into());
            if let Some(d) = e.retry_after(0) {
                let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
                m.insert("retry_after_ms".into(), ms.into());
            }
            m
        }
        let items: Vec<serde_json::Value> = self
            .items
            .iter()
            .map(|i| {
                let mut m = match &i.result {
                    Ok(()) => {
                        let mut m = serde_json::Map::new();
                        m.insert("ok".into(), true.into());
                        m
                    }
                    Err(e) => err(e),
                };
                m.insert("customer".into(), i.customer.to_string().into());
                serde_json::Value::Object(m)
            })
            .collect();
        let unexpected: Vec<serde_json::Value> = self
            .unexpected
            .iter()
            .map(|(id, e)| {
                let mut m = err(e);
                m.insert("customer".into(), id.clone().into());
                serde_json::Value::Object(m)
            })
            .collect();
        serde_json::json!({ "items": items, "unexpected": unexpected })
    }

    /// The core's batch outcome: each failure as the core's error where one has the same
    /// meaning, else `INVALID_ARGUMENT` with the field `huawei` and Huawei's code as the reason.
    pub fn to_batch_outcome(&self) -> BatchOutcome {
        BatchOutcome::from_items(
            self.items
                .iter()
                .map(|i| {
                    let result = i
                        .result
                        .as_ref()
                        .map_err(|e| to_core(e, &i.customer))
                        .copied();
                    ItemOutcome::new(i.customer.clone(), result)
                })
                .collect(),
        )
    }
}

/// The core error closest to a Huawei error about one customer.
pub fn to_core(e: &ApiError, customer: &CustomerId) -> partnerdesk::Error {
    let id = customer.to_string();
    match e.kind {
        ApiErrorKind::WrongAssociationType => partnerdesk::Error::WrongAssociationType { id },
        ApiErrorKind::CustomerNotFound => partnerdesk::Error::CustomerNotFound { id },
        ApiErrorKind::CustomerFrozen => partnerdesk::Error::CustomerFrozen { id },
        ApiErrorKind::PermissionDenied | ApiErrorKind::ResellerDenied => {
            partnerdesk::Error::PermissionDenied {
                item: format!("huawei:{}", e.huawei_code),
                actor: "partner".to_owned(),
            }
        }
        _ => partnerdesk::Error::InvalidArgument {
            field: "huawei".to_owned(),
            reason: format!("{} ({})", e.huawei_code, e.kind.code()),
        },
    }
}

/// Reads the response of a batch operation (`FreezeSubCustomers`, `UnfreezeSubCustomers`)
/// for the customers that were requested. `http_status` is the status the host received, if it
/// has one; `body` may be empty.
///
/// ```
/// use partnerdesk::CustomerId;
/// use partnerdesk_huawei::{fixtures, response::batch_outcome};
/// let ok = CustomerId::new("06ffbcd46880d3f30f62c001a49be460")?;
/// let bad = CustomerId::new("0a1b2c3d4e5f60718293a4b5c6d7e8f9")?;
/// let out = batch_outcome(&[ok.clone(), bad.clone()], Some(200), fixtures::FREEZE_PARTIAL_FAILURE)?;
/// assert_eq!(out.get(&ok), Some(&Ok(())));
/// assert_eq!(out.get(&bad).and_then(|r| r.as_ref().err()).map(|e| e.code()), Some("WRONG_ASSOCIATION_TYPE"));
/// # Ok::<(), partnerdesk_huawei::HuaweiError>(())
/// ```
pub fn batch_outcome(
    requested: &[CustomerId],
    http_status: Option<u16>,
    body: &str,
) -> Result<RemoteOutcome> {
    let parsed: BatchOperationResponse = if body.trim().is_empty() {
        BatchOperationResponse::default()
    } else {
        serde_json::from_str(body)?
    };
    let status_error = http_status
        .filter(|s| !(200..300).contains(s))
        .map(|s| ApiError::new(format!("HTTP {s}"), String::new()).with_status(s));
    let total = match &parsed.error_code {
        Field::Value(c) if !c.trim().is_empty() && c.trim() != "CBC.0000" => {
            let e = ApiError::new(
                c.clone(),
                parsed.error_msg.value().cloned().unwrap_or_default(),
            );
            Some(match http_status {
                Some(s) => e.with_status(s),
                None => e,
            })
        }
        _ => status_error,
    };
    let mut out = RemoteOutcome::default();
    let details = parsed.error_details.into_option().unwrap_or_default();
    let mut per_id: Vec<(String, ApiError)> = Vec::new();
    for (i, d) in details.into_iter().enumerate() {
        let id =
            d.id.into_option()
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| HuaweiError::data(format!("error_details[{i}].id"), "missing"))?;
        let code = d.error_code.into_option().unwrap_or_default();
        let e = ApiError::new(code, d.error_msg.into_option().unwrap_or_default());
        per_id.push((id, e));
    }
    for id in requested {
        let result = match (&total, per_id.iter().find(|(d, _)| d == id.as_str())) {
            (_, Some((_, e))) => Err(e.clone()),
            (Some(e), None) => Err(e.clone()),
            (None, None) => Ok(()),
        };
        out.items.push(RemoteItem {
            customer: id.clone(),
            result,
        });
    }
    out.unexpected = per_id
        .into_iter()
        .filter(|(d, _)| !requested.iter().any(|r| r.as_str() == d))
        .collect();
    Ok(out)
}

/// Reads the response of a single-customer operation (`UpdateSubCustomerBudget`: empty body on
/// success, an error envelope on failure).
pub fn single_outcome(
    customer: &CustomerId,
    http_status: Option<u16>,
    body: &str,
) -> Result<RemoteItem> {
    let mut out = batch_outcome(std::slice::from_ref(customer), http_status, body)?;
    out.items
        .pop()
        .ok_or_else(|| HuaweiError::data("customer_id", "no outcome"))
}
