//! `PartnerDeskError`: the core's one error enum, mirrored variant by variant, and the Huawei
//! adapter's three codes of its own.
//!
//! Why a mirror and not a string: Kotlin catches `PartnerDeskException.FilterSyntax` and reads
//! its properties, Swift matches `PartnerDeskError.FilterSyntax` with its associated values, and
//! both read the stable machine code with `code()`. The mirror is not a copy of the core's list:
//! [`mirror_errors!`] is called with the core's own list by `partnerdesk::error_table!`, so a
//! variant added to the core reaches Kotlin and Swift with its fields and no edit here, and the
//! conversion is an exhaustive `match` with no `_` arm. Like the core's, no field carries
//! personal data: only ids, field names, positions and reasons.
//!
//! The Huawei adapter's `HuaweiError` maps through one `From` as well: a core error it wraps
//! becomes that error's own variant, and `HUAWEI_API_ERROR`, `HUAWEI_INVALID_DATA` and
//! `HUAWEI_PAGING_OUT_OF_BOUNDS` are variants of the same enum, so a host catches one type.

use partnerdesk::{Error, IdKind};
use partnerdesk_huawei::HuaweiError;

/// How a core error field crosses to Kotlin and Swift: counts as `u64` (a `ULong`/`UInt64`),
/// texts and the identifier kind as `String`.
pub trait Mirror {
    /// The field's type in the mirror.
    type Out;
    /// The field's value in the mirror.
    fn mirror(self) -> Self::Out;
}

impl Mirror for String {
    type Out = String;
    fn mirror(self) -> String {
        self
    }
}

impl Mirror for &'static str {
    type Out = String;
    fn mirror(self) -> String {
        self.to_owned()
    }
}

impl Mirror for IdKind {
    type Out = String;
    fn mirror(self) -> String {
        self.to_string()
    }
}

impl Mirror for u64 {
    type Out = u64;
    fn mirror(self) -> u64 {
        self
    }
}

impl Mirror for u32 {
    type Out = u64;
    fn mirror(self) -> u64 {
        u64::from(self)
    }
}

impl Mirror for usize {
    type Out = u64;
    fn mirror(self) -> u64 {
        crate::types::to_u64(self)
    }
}

/// Declares [`PartnerDeskError`], its `From<partnerdesk::Error>` (exhaustive, no `_` arm) and
/// its codes from the core's list (given by `partnerdesk::error_table!`) followed by the Huawei
/// adapter's three variants, written here. Every variant also gets `detail`, the core's English
/// message.
macro_rules! mirror_errors {
    (
        $(
            $(#[$meta:meta])*
            $variant:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* } = $code:literal;
        )+
    ) => {
        /// Every error partnerdesk returns to a Kotlin or Swift host.
        ///
        /// Each variant carries the core's structured fields and `detail`, the English message
        /// (never personal data). Branch on `code()`, which never changes once released.
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        pub enum PartnerDeskError {
            $(
                $(#[$meta])*
                #[error("{detail}")]
                $variant {
                    $( $(#[$fmeta])* $field: <$ty as Mirror>::Out, )*
                    /// The whole message (English; ids only, never personal data).
                    detail: String,
                },
            )+
            /// Huawei answered with its error envelope (a `CBC.*` code other than `CBC.0000`)
            /// where a response page was expected.
            #[error("{detail}")]
            HuaweiApiError {
                /// Huawei's code, verbatim (`CBC.0151`, or one this version does not know).
                huawei_code: String,
                /// What the code means, as a stable code (`PERMISSION_DENIED`, `THROTTLED`,
                /// `HUAWEI_UNKNOWN_ERROR`, ...; see `huaweiApiKinds()`).
                kind: String,
                /// The HTTP status it came with, when known.
                http_status: Option<u16>,
                /// Whether the same request may succeed later (throttling, a Huawei-side error).
                retryable: bool,
                /// The whole message (English; codes only, never Huawei's own text).
                detail: String,
            },
            /// A Huawei response is valid JSON but breaks the documented shape (a required
            /// member is missing or holds a value the domain cannot keep).
            #[error("{detail}")]
            HuaweiInvalidData {
                /// The JSON path, e.g. `customer_infos[3].customer_id`.
                field: String,
                /// Why (never the value).
                reason: String,
                /// The whole message (English; paths only, never a value).
                detail: String,
            },
            /// A listing is larger than the API can page (offsets over 40,000,000): narrow the
            /// query.
            #[error("{detail}")]
            HuaweiPagingOutOfBounds {
                /// Why.
                reason: String,
                /// The whole message (English).
                detail: String,
            },
        }

        impl PartnerDeskError {
            /// The stable machine code as a static string (the core's `Error::code()`, or the
            /// Huawei adapter's `HuaweiError::code()`).
            pub fn code_str(&self) -> &'static str {
                match self {
                    $( PartnerDeskError::$variant { .. } => $code, )+
                    PartnerDeskError::HuaweiApiError { .. } => "HUAWEI_API_ERROR",
                    PartnerDeskError::HuaweiInvalidData { .. } => "HUAWEI_INVALID_DATA",
                    PartnerDeskError::HuaweiPagingOutOfBounds { .. } => {
                        "HUAWEI_PAGING_OUT_OF_BOUNDS"
                    }
                }
            }

            /// Every code a variant carries: the core's, then the Huawei adapter's.
            pub const CODES: &'static [&'static str] = &[
                $( $code, )+
                "HUAWEI_API_ERROR",
                "HUAWEI_INVALID_DATA",
                "HUAWEI_PAGING_OUT_OF_BOUNDS",
            ];
        }

        /// One value of every core variant (fields filled with samples), for the tests that
        /// check the mapping and the codes.
        #[cfg(test)]
        pub(crate) fn every_core_error() -> Vec<Error> {
            vec![ $( Error::$variant { $( $field: tests::Sample::sample(), )* }, )+ ]
        }

        impl From<Error> for PartnerDeskError {
            fn from(e: Error) -> Self {
                let detail = e.to_string();
                match e {
                    $(
                        Error::$variant { $( $field, )* } => PartnerDeskError::$variant {
                            $( $field: Mirror::mirror($field), )*
                            detail,
                        },
                    )+
                }
            }
        }
    };
}

partnerdesk::error_table!(mirror_errors);

impl From<HuaweiError> for PartnerDeskError {
    /// The adapter's errors: a core error inside [`HuaweiError::Core`] becomes its own variant
    /// (same code as from the core); the adapter's three get theirs. Exhaustive, no `_` arm.
    /// Huawei's `error_msg` text never enters the error (it may echo personal data).
    fn from(e: HuaweiError) -> Self {
        let detail = e.to_string();
        match e {
            HuaweiError::Core(core) => core.into(),
            HuaweiError::Api(api) => PartnerDeskError::HuaweiApiError {
                kind: api.code().to_owned(),
                retryable: api.kind.is_retryable(),
                http_status: api.http_status,
                huawei_code: api.huawei_code,
                detail,
            },
            HuaweiError::InvalidData { field, reason } => PartnerDeskError::HuaweiInvalidData {
                field,
                reason,
                detail,
            },
            HuaweiError::PagingOutOfBounds { reason } => {
                PartnerDeskError::HuaweiPagingOutOfBounds { reason, detail }
            }
        }
    }
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl PartnerDeskError {
    /// The stable machine code, e.g. `"CUSTOMER_NOT_FOUND"` (the core's `Error::code()`).
    pub fn code(&self) -> String {
        self.code_str().to_owned()
    }
}

/// The result type of every exported function.
pub type Result<T, E = PartnerDeskError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::{Error, PartnerDeskError, every_core_error};
    use std::collections::BTreeSet;

    /// A value of a core error field's type.
    pub(crate) trait Sample {
        fn sample() -> Self;
    }
    impl Sample for String {
        fn sample() -> Self {
            "c-1".to_owned()
        }
    }
    impl Sample for &'static str {
        fn sample() -> Self {
            "sample"
        }
    }
    impl Sample for usize {
        fn sample() -> Self {
            7
        }
    }
    impl Sample for u32 {
        fn sample() -> Self {
            3
        }
    }
    impl Sample for u64 {
        fn sample() -> Self {
            5
        }
    }
    impl Sample for partnerdesk::IdKind {
        fn sample() -> Self {
            partnerdesk::IdKind::Customer
        }
    }

    #[test]
    fn every_variant_keeps_its_code_and_message() {
        let all = every_core_error();
        assert_eq!(all.len(), Error::CODES.len(), "one sample per core variant");
        let mut codes = BTreeSet::new();
        for e in all {
            let mirrored = PartnerDeskError::from(e.clone());
            assert_eq!(mirrored.code_str(), e.code());
            assert_eq!(mirrored.code(), e.code());
            assert_eq!(mirrored.to_string(), e.to_string());
            codes.insert(e.code());
        }
        let expected: BTreeSet<&str> = Error::CODES.iter().copied().collect();
        assert_eq!(codes, expected, "every code reached, none twice");
    }

    #[test]
    fn every_code_is_the_core_s_then_the_adapter_s() {
        let expected: Vec<&str> = Error::CODES
            .iter()
            .chain(partnerdesk_huawei::HuaweiError::CODES)
            .copied()
            .collect();
        assert_eq!(PartnerDeskError::CODES, expected.as_slice());
    }

    #[test]
    fn adapter_errors_keep_their_code_message_and_fields() {
        use partnerdesk_huawei::{ApiError, HuaweiError};
        let api =
            HuaweiError::Api(ApiError::new("CBC.0250", "slow down, Zhang San").with_status(429));
        let data = HuaweiError::InvalidData {
            field: "customer_infos[3].customer_id".to_owned(),
            reason: "missing".to_owned(),
        };
        let paging = HuaweiError::PagingOutOfBounds {
            reason: "too many".to_owned(),
        };
        for e in every_core_error()
            .into_iter()
            .map(HuaweiError::Core)
            .chain([api.clone(), data.clone(), paging.clone()])
        {
            let mirrored = PartnerDeskError::from(e.clone());
            assert_eq!(mirrored.code_str(), e.code());
            assert_eq!(mirrored.to_string(), e.to_string());
            assert!(!format!("{mirrored:?}").contains("Zhang"), "no Huawei text");
        }
        assert_eq!(
            PartnerDeskError::from(api),
            PartnerDeskError::HuaweiApiError {
                huawei_code: "CBC.0250".to_owned(),
                kind: "THROTTLED".to_owned(),
                http_status: Some(429),
                retryable: true,
                detail: "Huawei answered CBC.0250 (THROTTLED)".to_owned(),
            }
        );
        assert!(matches!(
            PartnerDeskError::from(data),
            PartnerDeskError::HuaweiInvalidData { ref field, .. } if field == "customer_infos[3].customer_id"
        ));
        assert!(matches!(
            PartnerDeskError::from(paging),
            PartnerDeskError::HuaweiPagingOutOfBounds { ref reason, .. } if reason == "too many"
        ));
    }

    #[test]
    fn structured_fields_cross() {
        let e = PartnerDeskError::from(Error::FilterSyntax {
            position: 5,
            expected: "a value".to_owned(),
            found: "end of input".to_owned(),
        });
        assert_eq!(
            e,
            PartnerDeskError::FilterSyntax {
                position: 5,
                expected: "a value".to_owned(),
                found: "end of input".to_owned(),
                detail: "filter syntax error at position 5: expected a value, found end of input"
                    .to_owned(),
            }
        );
    }
}
