//! Short texts that many customers repeat, shared instead of copied; short texts each
//! customer has its own of, kept inside the record.
//!
//! Why: a resource's service and region and a spend record's product are a few dozen distinct
//! codes across a whole portfolio (`ecs`, `cn-north-4`), and each customer held its own copy
//! of each: at a million customers about eight heap blocks a customer, a quarter of a
//! kilobyte (`benches/README.md`, memory). A [`SharedText`] is a reference-counted text; texts
//! made on the same thread from the same short value share one block.
//!
//! How values are found again: each thread keeps the texts it made last in a small table
//! (at most [`POOL_TEXTS`] texts of at most [`POOL_TEXT_BYTES`] bytes). It is bounded on
//! purpose: a snapshot or an import is untrusted, and one full of distinct values must not
//! grow it without end. A value that does not fit gets a block of its own, as before, and
//! compares, hashes and serialises the same: sharing is never visible but in memory.
//!
//! A customer's own texts (its name, account name, e-mail, mobile number, external id) are
//! [`CompactText`]s: at most 24 bytes sit in the record itself, where a `String` takes the
//! same 24 bytes and a heap block besides (32 bytes or more, and an allocation on every load).
//! Most account names and numbers, and many names, fit.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The most texts a thread's table keeps.
pub const POOL_TEXTS: usize = 4096;
/// The longest text (in bytes) the table keeps; longer ones are never shared.
pub const POOL_TEXT_BYTES: usize = 64;

thread_local! {
    /// Hashed with foldhash, randomly seeded like the standard set: every resource and spend
    /// record made from its packed block looks its codes up here, and SipHash was most of a
    /// lookup (the renewals page, which makes 21 resources, 6% faster).
    static POOL: RefCell<HashSet<Arc<str>, foldhash::fast::RandomState>> =
        RefCell::new(HashSet::default());
}

/// A short text shared between the records that hold the same value (see the module).
///
/// ```
/// use partnerdesk::text::SharedText;
/// let a = SharedText::new("cn-north-4");
/// let b = SharedText::from(String::from("cn-north-4"));
/// assert_eq!(a, b);
/// assert_eq!(a, "cn-north-4");
/// assert_eq!(b.len(), 10);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedText(Arc<str>);

impl SharedText {
    /// The text, shared with an equal one made on this thread when there is one.
    pub fn new(value: &str) -> Self {
        if value.len() > POOL_TEXT_BYTES {
            return SharedText(Arc::from(value));
        }
        POOL.with(|pool| {
            let Ok(mut pool) = pool.try_borrow_mut() else {
                return SharedText(Arc::from(value));
            };
            if let Some(shared) = pool.get(value) {
                return SharedText(shared.clone());
            }
            let text: Arc<str> = Arc::from(value);
            if pool.len() < POOL_TEXTS {
                pool.insert(text.clone());
            }
            SharedText(text)
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This holder's share of the text's block (its counts and bytes over its holders, the
    /// thread's table included): what a memory report counts for it.
    pub(crate) fn heap_share(&self) -> usize {
        (16 + self.0.len()) / Arc::strong_count(&self.0).max(1)
    }
}

impl Default for SharedText {
    fn default() -> Self {
        SharedText::new("")
    }
}

impl Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for SharedText {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedText {
    fn from(value: &str) -> Self {
        SharedText::new(value)
    }
}

impl From<String> for SharedText {
    fn from(value: String) -> Self {
        SharedText::new(&value)
    }
}

impl From<SharedText> for String {
    fn from(value: SharedText) -> Self {
        value.0.to_string()
    }
}

impl PartialEq<str> for SharedText {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedText {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SharedText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for SharedText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The text is lent to the table's lookup, not copied unless it is new.
        crate::model::serde_fast::with_str(d, |s| Ok(SharedText::new(s)))
    }
}

/// A text kept inside its holder when it is at most [`CompactText::INLINE`] bytes, in a heap
/// block otherwise (see the module). It reads as a `str`, compares, hashes, orders and
/// serialises as its text, and converts from and into a `String`.
///
/// ```
/// use partnerdesk::text::CompactText;
/// let name = CompactText::from("Acme Ltd.");
/// assert_eq!(name, "Acme Ltd.");
/// assert_eq!(name.len(), 9);
/// assert_eq!(String::from(name.clone()), "Acme Ltd.");
/// assert!(name.starts_with("Acme"));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompactText(compact_str::CompactString);

impl CompactText {
    /// The longest text (in bytes) kept inside the holder: the text's own size (24 bytes
    /// on 64-bit targets).
    pub const INLINE: usize = std::mem::size_of::<compact_str::CompactString>();

    /// A text holding a copy of `value`.
    pub fn new(value: &str) -> Self {
        CompactText(compact_str::CompactString::new(value))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// A text written by `write`, kept inside the holder as long as what is written fits
    /// there ([`CompactText::INLINE`] bytes), and moved to the heap once when it does not.
    pub(crate) fn written(write: impl FnOnce(&mut compact_str::CompactString)) -> Self {
        let mut text = compact_str::CompactString::const_new("");
        write(&mut text);
        CompactText(text)
    }

    /// Heap bytes this text holds (none when it is kept inside its holder).
    pub(crate) fn heap_bytes(&self) -> usize {
        if self.0.is_heap_allocated() {
            self.0.capacity()
        } else {
            0
        }
    }
}

impl Deref for CompactText {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for CompactText {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::borrow::Borrow<str> for CompactText {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl From<&str> for CompactText {
    fn from(value: &str) -> Self {
        CompactText::new(value)
    }
}

impl From<String> for CompactText {
    /// Kept inside when short (the `String`'s block is freed), else the `String`'s block is
    /// kept as it is.
    fn from(value: String) -> Self {
        CompactText(compact_str::CompactString::from(value))
    }
}

impl From<&String> for CompactText {
    fn from(value: &String) -> Self {
        CompactText::new(value)
    }
}

impl From<CompactText> for String {
    fn from(value: CompactText) -> Self {
        value.0.into_string()
    }
}

impl PartialEq<str> for CompactText {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for CompactText {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl PartialEq<String> for CompactText {
    fn eq(&self, other: &String) -> bool {
        self.0.as_str() == other.as_str()
    }
}

impl PartialEq<CompactText> for str {
    fn eq(&self, other: &CompactText) -> bool {
        self == other.0.as_str()
    }
}

impl PartialEq<CompactText> for &str {
    fn eq(&self, other: &CompactText) -> bool {
        *self == other.0.as_str()
    }
}

impl PartialEq<CompactText> for String {
    fn eq(&self, other: &CompactText) -> bool {
        self.as_str() == other.0.as_str()
    }
}

impl fmt::Display for CompactText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for CompactText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CompactText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for CompactText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Lent and copied once, into the record when it fits.
        crate::model::serde_fast::with_str(d, |s| Ok(CompactText::new(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_short_texts_share_one_block() {
        let (a, b) = (SharedText::new("ecs"), SharedText::from("ecs".to_string()));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, b);
        assert_eq!(a, "ecs");
        assert_eq!(format!("{a} {a:?}"), "ecs \"ecs\"");
        let long = "x".repeat(POOL_TEXT_BYTES + 1);
        let (c, d) = (SharedText::new(&long), SharedText::new(&long));
        assert!(!Arc::ptr_eq(&c.0, &d.0));
        assert_eq!(c, d);
    }

    /// A thread fed more distinct values than its table holds keeps at most the bound, and
    /// every value still reads back as itself.
    #[test]
    fn the_table_is_bounded() {
        let made: Vec<SharedText> = (0..POOL_TEXTS + 500)
            .map(|i| SharedText::new(&format!("v{i}")))
            .collect();
        POOL.with(|pool| assert!(pool.borrow().len() <= POOL_TEXTS));
        for (i, t) in made.iter().enumerate() {
            assert_eq!(t.as_str(), format!("v{i}"));
        }
        // Past the bound, values are not shared, but equal all the same.
        let again = SharedText::new(&format!("v{}", POOL_TEXTS + 499));
        assert_eq!(again, made[POOL_TEXTS + 499]);
    }

    /// A text of at most `INLINE` bytes holds no heap block; a longer one holds its own.
    /// Both read, compare and convert as their text.
    #[test]
    fn compact_texts_are_inline_up_to_their_size() {
        let fits = "x".repeat(CompactText::INLINE);
        let long = "x".repeat(CompactText::INLINE + 1);
        let (a, b) = (CompactText::new(&fits), CompactText::from(long.clone()));
        assert_eq!((a.heap_bytes(), a.len()), (0, CompactText::INLINE));
        assert!(b.heap_bytes() > CompactText::INLINE);
        assert_eq!(b, long);
        assert_eq!(String::from(b), long);
        assert_eq!(CompactText::from("张三").as_str(), "张三");
        assert_eq!(format!("{a}"), fits);
    }

    #[cfg(feature = "serde")]
    #[test]
    fn reads_and_writes_as_a_string() {
        let t = SharedText::new("cn-north-4");
        assert_eq!(
            serde_json::to_string(&t).ok(),
            serde_json::to_string("cn-north-4").ok()
        );
        let back: Result<SharedText, _> = serde_json::from_str("\"cn-north-4\"");
        assert_eq!(back.ok(), Some(t));
    }
}
