//! Operation responses: total failure, partial failure, success, unknown codes, retry advice.

use crate::common::{TestResult, id, nid};
use partnerdesk::CustomerId;
use partnerdesk_huawei::response::{batch_outcome, single_outcome};
use partnerdesk_huawei::{ApiErrorKind, fixtures};
use std::time::Duration;

fn requested() -> Result<Vec<CustomerId>, partnerdesk::Error> {
    Ok(vec![
        id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")?,
        nid(0x1002)?,
        nid(0x2003)?,
        id("06ffbcd46880d3f30f62c001a49be460")?,
    ])
}

#[test]
fn partial_failures_per_customer() -> TestResult {
    let ids = requested()?;
    let out = batch_outcome(&ids, Some(200), fixtures::FREEZE_PARTIAL_FAILURE_MIXED)?;
    assert_eq!((out.succeeded(), out.failed()), (1, 3));
    let err = |i: usize| out.items[i].result.as_ref().err().cloned().ok_or("failed");
    assert_eq!(err(0)?.kind, ApiErrorKind::WrongAssociationType);
    assert_eq!(err(1)?.kind, ApiErrorKind::PermissionDenied);
    let unknown = err(2)?;
    assert_eq!(
        (unknown.kind, unknown.huawei_code.as_str()),
        (ApiErrorKind::Unknown, "CBC.7777")
    );
    assert_eq!(
        unknown.message.expose(),
        "A code nobody knows.",
        "unknown codes keep their text"
    );
    assert_eq!(unknown.code(), "HUAWEI_UNKNOWN_ERROR");
    assert!(out.items[3].result.is_ok());
    // A failure for an id that was not requested is kept, not dropped.
    assert_eq!(out.unexpected.len(), 1);
    assert_eq!(out.unexpected[0].1.kind, ApiErrorKind::Throttled);

    // JSON for bindings.
    let j = out.to_json();
    assert_eq!(j["items"][0]["code"], "WRONG_ASSOCIATION_TYPE");
    assert_eq!(j["items"][0]["huawei_code"], "CBC.5024");
    assert_eq!(j["items"][2]["message"], "A code nobody knows.");
    assert_eq!(
        j["items"][3],
        serde_json::json!({"ok": true, "customer": "06ffbcd46880d3f30f62c001a49be460"})
    );
    assert_eq!(j["unexpected"][0]["retry_after_ms"], 1000);

    // The core's batch outcome: the core's codes where the core has the notion.
    let core = out.to_batch_outcome();
    let codes: Vec<Option<&str>> = core
        .items
        .iter()
        .map(|i| i.result.as_ref().err().map(|e| e.code()))
        .collect();
    assert_eq!(
        codes,
        [
            Some("WRONG_ASSOCIATION_TYPE"),
            Some("PERMISSION_DENIED"),
            Some("INVALID_ARGUMENT"),
            None
        ]
    );
    Ok(())
}

#[test]
fn starting_fixture_partial_failure() -> TestResult {
    let ids = requested()?;
    let out = batch_outcome(&ids, Some(200), fixtures::FREEZE_PARTIAL_FAILURE)?;
    assert_eq!((out.succeeded(), out.failed()), (3, 1));
    assert_eq!(
        out.get(&ids[0])
            .and_then(|r| r.as_ref().err())
            .map(|e| e.code()),
        Some("WRONG_ASSOCIATION_TYPE")
    );
    Ok(())
}

#[test]
fn success_shapes() -> TestResult {
    let ids = requested()?;
    for body in [
        "",
        "  ",
        fixtures::FREEZE_SUCCESS,
        r#"{"error_details":[]}"#,
        r#"{"error_code":"CBC.0000","error_msg":"success"}"#,
    ] {
        let out = batch_outcome(&ids, Some(200), body)?;
        assert_eq!(out.succeeded(), 4, "{body:?}");
    }
    Ok(())
}

#[test]
fn total_failures_and_retry_advice() -> TestResult {
    let ids = requested()?;
    let out = batch_outcome(&ids, Some(429), fixtures::ERROR_THROTTLED)?;
    assert_eq!(out.failed(), 4);
    assert!(out.is_retryable());
    let e = out.items[0].result.as_ref().err().ok_or("failed")?;
    assert_eq!((e.code(), e.http_status), ("THROTTLED", Some(429)));
    assert_eq!(e.retry_after(0), Some(Duration::from_secs(1)));
    assert_eq!(e.retry_after(4), Some(Duration::from_secs(16)));
    assert_eq!(e.retry_after(5), None);

    let out = batch_outcome(&ids, Some(400), fixtures::ERROR_WRONG_ASSOCIATION)?;
    assert!(!out.is_retryable());
    assert!(
        out.items
            .iter()
            .all(|i| i.result.as_ref().err().map(|e| e.code()) == Some("WRONG_ASSOCIATION_TYPE"))
    );

    let out = batch_outcome(&ids, Some(400), fixtures::ERROR_INVALID_PARAMETER)?;
    assert_eq!(
        out.items[0].result.as_ref().err().map(|e| e.code()),
        Some("INVALID_ARGUMENT")
    );
    let out = batch_outcome(&ids, Some(403), fixtures::ERROR_DENIED)?;
    assert_eq!(
        out.to_batch_outcome().items[0]
            .result
            .as_ref()
            .err()
            .map(|e| e.code()),
        Some("PERMISSION_DENIED")
    );

    // An HTTP error without a body: the status decides.
    let out = batch_outcome(&ids, Some(503), "")?;
    let e = out.items[0].result.as_ref().err().ok_or("failed")?;
    assert_eq!(
        (e.kind, e.huawei_code.as_str()),
        (ApiErrorKind::HuaweiInternal, "HTTP 503")
    );
    assert_eq!(e.retry_after(0), Some(Duration::from_secs(2)));

    let e = batch_outcome(&ids, Some(200), fixtures::ERROR_UNKNOWN_CODE)?;
    let err = e.items[0].result.as_ref().err().ok_or("failed")?;
    assert_eq!(
        (
            err.kind,
            err.huawei_code.as_str(),
            err.message.expose().as_str()
        ),
        (ApiErrorKind::Unknown, "CBC.4711", "Something new.")
    );
    Ok(())
}

#[test]
fn single_operations_and_malformed_bodies() -> TestResult {
    let cid = id("06ffbcd46880d3f30f62c001a49be460")?;
    assert!(single_outcome(&cid, Some(200), "")?.result.is_ok());
    let r = single_outcome(
        &cid,
        Some(400),
        r#"{"error_code":"CBC.5024","error_msg":"wrong"}"#,
    )?;
    assert_eq!(
        r.result.err().map(|e| e.code()),
        Some("WRONG_ASSOCIATION_TYPE")
    );
    assert_eq!(
        batch_outcome(std::slice::from_ref(&cid), Some(200), "{oops")
            .err()
            .map(|e| e.code()),
        Some("MALFORMED_JSON")
    );
    let missing_id = r#"{"error_details":[{"error_code":"CBC.5024","error_msg":"x"}]}"#;
    assert_eq!(
        batch_outcome(&[cid], Some(200), missing_id)
            .err()
            .map(|e| e.code()),
        Some("HUAWEI_INVALID_DATA")
    );
    // Debug of an outcome never prints Huawei's text (it may echo a parameter value).
    let out = batch_outcome(
        &requested()?,
        Some(200),
        fixtures::FREEZE_PARTIAL_FAILURE_MIXED,
    )?;
    assert!(!format!("{out:?}").contains("nobody knows"));
    Ok(())
}
