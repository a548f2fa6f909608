//! Open enumerations: known values as variants, anything else kept verbatim.
//!
//! Why: a snapshot written by a newer partnerdesk, or a Huawei response carrying a code that did
//! not exist when this library was built, must load without losing the value. So every
//! enumeration that travels in data has an `Other(String)` variant; it round-trips unchanged and
//! matches only itself in searches.

/// Declares an open enum with a stable text form (`as_str`/`parse`) and serde as a string.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every known variant, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The stable text form of this value (e.g. for filters, snapshots and bindings).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Parses the stable text form; an unknown text becomes [`Self::Other`].
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Parses the stable text form and refuses values this version does not know.
            pub fn parse_known(text: &str) -> Option<Self> {
                match Self::parse(text) {
                    $name::Other(_) => None,
                    known => Some(known),
                }
            }

            /// Whether this is a value this version does not know.
            pub fn is_other(&self) -> bool {
                matches!(self, $name::Other(_))
            }
        }

        impl $crate::model::packed::OpenCode for $name {
            fn known() -> &'static [Self] {
                Self::KNOWN
            }

            fn text(&self) -> &str {
                self.as_str()
            }

            fn other_text(&self) -> Option<&str> {
                match self {
                    $name::Other(s) => Some(s),
                    _ => None,
                }
            }

            fn from_other(text: String) -> Self {
                $name::Other(text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                // The text is lent to the parse, not copied (it copies only an unknown value).
                $crate::model::serde_fast::with_str(d, |s| Ok(Self::parse(s)))
            }
        }
    };
}

pub(crate) use open_enum;
