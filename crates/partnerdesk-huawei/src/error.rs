//! Errors of the Huawei adapter, and what Huawei's `CBC.*` codes mean for the domain.
//!
//! Why a second error type: the adapter fails in ways the core cannot (Huawei answered with an
//! error envelope, a response breaks the documented shape, a listing is too large to page), and
//! it must pass the core's own errors through unchanged. [`HuaweiError`] wraps
//! [`partnerdesk::Error`] (its code is the core's code) and adds three variants with their own
//! stable codes. Like the core, no message carries personal data: Huawei's `error_msg` text is
//! kept in [`ApiError::message`] for the operator, never in `Display`.
//!
//! [`ApiErrorKind`] is the translation of Huawei's codes (reference §13) into the domain's
//! vocabulary, with a stable [`ApiErrorKind::code`] (`WRONG_ASSOCIATION_TYPE`,
//! `PERMISSION_DENIED`, `THROTTLED`, ...) and retry advice ([`ApiError::retry_after`]). A code
//! this version does not know is [`ApiErrorKind::Unknown`], with Huawei's code and text kept.

use partnerdesk::privacy::Personal;
use std::time::Duration;

/// The result type of the adapter.
pub type Result<T, E = HuaweiError> = std::result::Result<T, E>;

/// What a Huawei `CBC.*` code means for the domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiErrorKind {
    /// `CBC.0100`, `CBC.0101`: a parameter was refused.
    InvalidArgument,
    /// `CBC.0151`, `CBC.5004`, `CBC.18000016`: the partner or operator may not do this.
    PermissionDenied,
    /// `CBC.99000037`: no permission on this reseller (bad `indirect_partner_id`).
    ResellerDenied,
    /// `CBC.0150`, `CBC.0156`: the account belongs to the other site.
    WrongSite,
    /// `CBC.0154`: token invalid or expired.
    Unauthenticated,
    /// `CBC.0155`: the request is not allowed now.
    NotAllowed,
    /// `CBC.0250`: flow control; retry later.
    Throttled,
    /// `CBC.0999`: an error on Huawei's side; retry later.
    HuaweiInternal,
    /// `CBC.5024`: the customer's association type does not allow the operation (e.g. freezing a
    /// referral customer).
    WrongAssociationType,
    /// `CBC.5006`: wrong customer type (individual/enterprise) for the operation.
    WrongCustomerType,
    /// `CBC.5002`, `CBC.99000047`: the customer or account does not exist.
    CustomerNotFound,
    /// `CBC.99003626`, `CBC.99003656`: the account is frozen.
    CustomerFrozen,
    /// `CBC.99005003`, `CBC.99000049`: not enough balance.
    InsufficientBalance,
    /// A code this version does not know (kept in [`ApiError::huawei_code`]).
    Unknown,
}

impl ApiErrorKind {
    /// The kind of a Huawei code.
    ///
    /// ```
    /// use partnerdesk_huawei::ApiErrorKind;
    /// assert_eq!(ApiErrorKind::of("CBC.5024").code(), "WRONG_ASSOCIATION_TYPE");
    /// assert_eq!(ApiErrorKind::of("CBC.0151").code(), "PERMISSION_DENIED");
    /// assert_eq!(ApiErrorKind::of("CBC.0250").code(), "THROTTLED");
    /// assert_eq!(ApiErrorKind::of("CBC.4711").code(), "HUAWEI_UNKNOWN_ERROR");
    /// ```
    pub fn of(huawei_code: &str) -> Self {
        match huawei_code.trim() {
            "CBC.0100" | "CBC.0101" => ApiErrorKind::InvalidArgument,
            "CBC.0151" | "CBC.5004" | "CBC.18000016" => ApiErrorKind::PermissionDenied,
            "CBC.99000037" => ApiErrorKind::ResellerDenied,
            "CBC.0150" | "CBC.0156" => ApiErrorKind::WrongSite,
            "CBC.0154" => ApiErrorKind::Unauthenticated,
            "CBC.0155" => ApiErrorKind::NotAllowed,
            "CBC.0250" => ApiErrorKind::Throttled,
            "CBC.0999" => ApiErrorKind::HuaweiInternal,
            "CBC.5024" => ApiErrorKind::WrongAssociationType,
            "CBC.5006" => ApiErrorKind::WrongCustomerType,
            "CBC.5002" | "CBC.99000047" => ApiErrorKind::CustomerNotFound,
            "CBC.99003626" | "CBC.99003656" => ApiErrorKind::CustomerFrozen,
            "CBC.99005003" | "CBC.99000049" => ApiErrorKind::InsufficientBalance,
            _ => ApiErrorKind::Unknown,
        }
    }

    /// The stable domain code. Where the core has the same notion, it is the core's code
    /// (`INVALID_ARGUMENT`, `CUSTOMER_NOT_FOUND`).
    pub fn code(self) -> &'static str {
        match self {
            ApiErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ApiErrorKind::PermissionDenied => "PERMISSION_DENIED",
            ApiErrorKind::ResellerDenied => "RESELLER_DENIED",
            ApiErrorKind::WrongSite => "WRONG_SITE",
            ApiErrorKind::Unauthenticated => "UNAUTHENTICATED",
            ApiErrorKind::NotAllowed => "NOT_ALLOWED",
            ApiErrorKind::Throttled => "THROTTLED",
            ApiErrorKind::HuaweiInternal => "HUAWEI_INTERNAL_ERROR",
            ApiErrorKind::WrongAssociationType => "WRONG_ASSOCIATION_TYPE",
            ApiErrorKind::WrongCustomerType => "WRONG_CUSTOMER_TYPE",
            ApiErrorKind::CustomerNotFound => "CUSTOMER_NOT_FOUND",
            ApiErrorKind::CustomerFrozen => "CUSTOMER_FROZEN",
            ApiErrorKind::InsufficientBalance => "INSUFFICIENT_BALANCE",
            ApiErrorKind::Unknown => "HUAWEI_UNKNOWN_ERROR",
        }
    }

    /// Every kind's stable code, in declaration order.
    pub const CODES: &'static [&'static str] = &[
        "INVALID_ARGUMENT",
        "PERMISSION_DENIED",
        "RESELLER_DENIED",
        "WRONG_SITE",
        "UNAUTHENTICATED",
        "NOT_ALLOWED",
        "THROTTLED",
        "HUAWEI_INTERNAL_ERROR",
        "WRONG_ASSOCIATION_TYPE",
        "WRONG_CUSTOMER_TYPE",
        "CUSTOMER_NOT_FOUND",
        "CUSTOMER_FROZEN",
        "INSUFFICIENT_BALANCE",
        "HUAWEI_UNKNOWN_ERROR",
    ];

    /// Whether a later retry of the same request can succeed.
    pub fn is_retryable(self) -> bool {
        matches!(self, ApiErrorKind::Throttled | ApiErrorKind::HuaweiInternal)
    }
}

/// An error Huawei answered with: its code, its text and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Huawei's code, verbatim (`CBC.5024`, or one this version does not know).
    pub huawei_code: String,
    /// Huawei's text, verbatim (for the operator). Wrapped because Huawei may echo a parameter
    /// value: `Debug` and `Display` print `[redacted]`; read it with `expose()`.
    pub message: Personal<String>,
    /// What the code means.
    pub kind: ApiErrorKind,
    /// The HTTP status it came with, when the host passed it.
    pub http_status: Option<u16>,
}

/// The most retries advised for a throttled request.
pub const MAX_THROTTLE_RETRIES: u32 = 5;
/// The most retries advised after a Huawei-side error.
pub const MAX_INTERNAL_RETRIES: u32 = 3;

impl ApiError {
    /// An error from Huawei's code and text.
    pub fn new(huawei_code: impl Into<String>, message: impl Into<String>) -> Self {
        let huawei_code = huawei_code.into();
        ApiError {
            kind: ApiErrorKind::of(&huawei_code),
            huawei_code,
            message: Personal::new(message.into()),
            http_status: None,
        }
    }

    /// The same error with its HTTP status; a 429 without a known code counts as throttled and
    /// a 5xx as a Huawei-side error.
    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        if self.kind == ApiErrorKind::Unknown {
            if status == 429 {
                self.kind = ApiErrorKind::Throttled;
            } else if (500..600).contains(&status) {
                self.kind = ApiErrorKind::HuaweiInternal;
            }
        }
        self
    }

    /// The stable domain code ([`ApiErrorKind::code`]).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// How long to wait before retry number `attempt` (0-based), or `None` when retrying will
    /// not help or the attempts are used up. Throttling: 1 s doubling to at most 32 s, 5 times;
    /// a Huawei-side error: 2 s doubling, 3 times.
    ///
    /// ```
    /// use partnerdesk_huawei::ApiError;
    /// use std::time::Duration;
    /// let throttled = ApiError::new("CBC.0250", "flow control");
    /// assert_eq!(throttled.retry_after(0), Some(Duration::from_secs(1)));
    /// assert_eq!(throttled.retry_after(3), Some(Duration::from_secs(8)));
    /// assert_eq!(throttled.retry_after(5), None);
    /// assert_eq!(ApiError::new("CBC.5024", "wrong type").retry_after(0), None);
    /// ```
    pub fn retry_after(&self, attempt: u32) -> Option<Duration> {
        let (base, max) = match self.kind {
            ApiErrorKind::Throttled => (1u64, MAX_THROTTLE_RETRIES),
            ApiErrorKind::HuaweiInternal => (2u64, MAX_INTERNAL_RETRIES),
            _ => return None,
        };
        (attempt < max).then(|| Duration::from_secs(base << attempt.min(5)))
    }
}

/// Every error of the adapter. [`HuaweiError::code`] is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HuaweiError {
    /// An error of the core (bad value, unknown customer, malformed JSON, ...), unchanged.
    #[error(transparent)]
    Core(#[from] partnerdesk::Error),
    /// Huawei answered with an error envelope.
    #[error("Huawei answered {} ({})", .0.huawei_code, .0.kind.code())]
    Api(ApiError),
    /// A response is valid JSON but breaks the documented shape (a required member is missing
    /// or has a value the domain cannot hold). `field` is a path like `customer_infos[3].customer_id`.
    #[error("invalid Huawei data at {field}: {reason}")]
    InvalidData {
        /// Where.
        field: String,
        /// Why (never the value).
        reason: String,
    },
    /// A listing is larger than the API can page (offset over 40,000,000): narrow the query.
    #[error("paging out of the API's bounds: {reason}")]
    PagingOutOfBounds {
        /// Why.
        reason: String,
    },
}

impl HuaweiError {
    /// The stable machine code: the core's code for [`HuaweiError::Core`], else
    /// `HUAWEI_API_ERROR`, `HUAWEI_INVALID_DATA` or `HUAWEI_PAGING_OUT_OF_BOUNDS`.
    pub fn code(&self) -> &'static str {
        match self {
            HuaweiError::Core(e) => e.code(),
            HuaweiError::Api(_) => "HUAWEI_API_ERROR",
            HuaweiError::InvalidData { .. } => "HUAWEI_INVALID_DATA",
            HuaweiError::PagingOutOfBounds { .. } => "HUAWEI_PAGING_OUT_OF_BOUNDS",
        }
    }

    /// The adapter's own codes (the core's are in [`partnerdesk::Error::CODES`]).
    pub const CODES: &'static [&'static str] = &[
        "HUAWEI_API_ERROR",
        "HUAWEI_INVALID_DATA",
        "HUAWEI_PAGING_OUT_OF_BOUNDS",
    ];

    pub(crate) fn data(field: impl Into<String>, reason: impl Into<String>) -> Self {
        HuaweiError::InvalidData {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<serde_json::Error> for HuaweiError {
    /// Through the core's conversion, which keeps only the category and position.
    fn from(e: serde_json::Error) -> Self {
        HuaweiError::Core(partnerdesk::Error::from(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_listed_codes() {
        for k in [
            ApiErrorKind::InvalidArgument,
            ApiErrorKind::PermissionDenied,
            ApiErrorKind::ResellerDenied,
            ApiErrorKind::WrongSite,
            ApiErrorKind::Unauthenticated,
            ApiErrorKind::NotAllowed,
            ApiErrorKind::Throttled,
            ApiErrorKind::HuaweiInternal,
            ApiErrorKind::WrongAssociationType,
            ApiErrorKind::WrongCustomerType,
            ApiErrorKind::CustomerNotFound,
            ApiErrorKind::CustomerFrozen,
            ApiErrorKind::InsufficientBalance,
            ApiErrorKind::Unknown,
        ] {
            assert!(ApiErrorKind::CODES.contains(&k.code()));
        }
    }

    #[test]
    fn every_documented_code_maps() {
        let table = [
            ("CBC.0100", "INVALID_ARGUMENT"),
            ("CBC.0101", "INVALID_ARGUMENT"),
            ("CBC.0150", "WRONG_SITE"),
            ("CBC.0156", "WRONG_SITE"),
            ("CBC.0151", "PERMISSION_DENIED"),
            ("CBC.5004", "PERMISSION_DENIED"),
            ("CBC.18000016", "PERMISSION_DENIED"),
            ("CBC.99000037", "RESELLER_DENIED"),
            ("CBC.0154", "UNAUTHENTICATED"),
            ("CBC.0155", "NOT_ALLOWED"),
            ("CBC.0250", "THROTTLED"),
            ("CBC.0999", "HUAWEI_INTERNAL_ERROR"),
            ("CBC.5024", "WRONG_ASSOCIATION_TYPE"),
            ("CBC.5006", "WRONG_CUSTOMER_TYPE"),
            ("CBC.5002", "CUSTOMER_NOT_FOUND"),
            ("CBC.99000047", "CUSTOMER_NOT_FOUND"),
            ("CBC.99003626", "CUSTOMER_FROZEN"),
            ("CBC.99003656", "CUSTOMER_FROZEN"),
            ("CBC.99005003", "INSUFFICIENT_BALANCE"),
            ("CBC.99000049", "INSUFFICIENT_BALANCE"),
            (" CBC.5024 ", "WRONG_ASSOCIATION_TYPE"),
            ("CBC.99000050", "HUAWEI_UNKNOWN_ERROR"),
            ("", "HUAWEI_UNKNOWN_ERROR"),
        ];
        for (huawei, code) in table {
            assert_eq!(ApiErrorKind::of(huawei).code(), code, "{huawei}");
        }
        assert!(ApiErrorKind::of("CBC.0250").is_retryable());
        assert!(!ApiErrorKind::of("CBC.0151").is_retryable());
        // A 429 or 5xx without a known code is throttling or a Huawei-side error; a known
        // code keeps its meaning whatever the status.
        assert_eq!(
            ApiError::new("X", "").with_status(429).kind,
            ApiErrorKind::Throttled
        );
        assert_eq!(
            ApiError::new("CBC.5024", "").with_status(500).kind,
            ApiErrorKind::WrongAssociationType
        );
        assert_eq!(
            ApiError::new("X", "").with_status(404).kind,
            ApiErrorKind::Unknown
        );
    }

    #[test]
    fn display_never_shows_huawei_text() {
        let e = HuaweiError::Api(ApiError::new("CBC.0100", "Invalid parameter: Zhang San"));
        assert_eq!(e.to_string(), "Huawei answered CBC.0100 (INVALID_ARGUMENT)");
        assert!(!format!("{e:?}").contains("Zhang"));
        assert_eq!(e.code(), "HUAWEI_API_ERROR");
        let s = ApiError::new("CBC.9", "x").with_status(503);
        assert_eq!(s.kind, ApiErrorKind::HuaweiInternal);
        assert_eq!(s.retry_after(2), Some(Duration::from_secs(8)));
        assert_eq!(s.retry_after(3), None);
    }
}
