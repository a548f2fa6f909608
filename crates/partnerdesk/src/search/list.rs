//! Paging of the lists other than the customer list: a customer's orders, resources and spend
//! details, and the portfolio's resources to renew.
//!
//! Why the same paging as search: a host pages every list the same way ([`PageRequest`] by
//! offset or by cursor, at most [`crate::query::MAX_PAGE_LIMIT`] items, a total and a signed next cursor),
//! and a cursor of one list is refused by another (`CURSOR_MISMATCH`) or by another desk
//! (`INVALID_CURSOR`). A cursor carries the last item's key, so the next page starts after it
//! even when items were added or removed in between; when that item is gone, its position.

use super::cursor::{decode_cursor, encode_cursor};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::query::PageRequest;

/// One page of a list: its items, how many the list holds in all and the cursor of the next
/// page (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListPage<T> {
    /// The items of the page, in the list's order.
    pub items: Vec<T>,
    /// How many items the whole list holds.
    pub total: usize,
    /// The cursor for the next page, if there are more items.
    pub next_cursor: Option<String>,
}

impl<T> ListPage<T> {
    /// The same page with each item converted (e.g. to a host's own record).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> ListPage<U> {
        ListPage {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            next_cursor: self.next_cursor,
        }
    }
}

/// Where a page starts: after the item with this key (when the cursor's item is still in the
/// list), else at this position.
pub(crate) struct Start {
    /// The key of the last item of the previous page.
    pub(crate) after: Option<String>,
    /// The position to start at when `after` is gone or absent.
    pub(crate) position: usize,
    /// The number of items to return.
    pub(crate) limit: usize,
}

impl Desk {
    /// Reads a page request of the list whose parameters' canonical text is `what`.
    pub(crate) fn list_start(&self, what: &str, page: &PageRequest) -> Result<Start> {
        let limit = Self::validate_limit(page.limit())?;
        Ok(match page {
            PageRequest::Offset { offset, .. } => Start {
                after: None,
                position: *offset,
                limit,
            },
            PageRequest::Cursor { cursor: None, .. } => Start {
                after: None,
                position: 0,
                limit,
            },
            PageRequest::Cursor {
                cursor: Some(c), ..
            } => {
                let (fp, position, last) = decode_cursor(&self.cursor_key, c)?;
                if fp != list_fingerprint(what) {
                    return Err(Error::CursorMismatch);
                }
                Start {
                    after: Some(last),
                    position,
                    limit,
                }
            }
        })
    }

    /// The cursor after an item with key `last` at `position` (the position after it).
    pub(crate) fn list_cursor(&self, what: &str, position: usize, last: &str) -> String {
        encode_cursor(&self.cursor_key, list_fingerprint(what), position, last)
    }

    /// One page of a whole list already in its order, whose items have unique keys.
    pub(crate) fn page_of<T>(
        &self,
        what: &str,
        items: Vec<T>,
        key: impl Fn(&T) -> String,
        page: &PageRequest,
    ) -> Result<ListPage<T>> {
        let start = self.list_start(what, page)?;
        let total = items.len();
        let from = start
            .after
            .as_deref()
            .and_then(|last| items.iter().position(|t| key(t) == last))
            .map_or(start.position, |i| i + 1)
            .min(total);
        let end = from.saturating_add(start.limit).min(total);
        let mut items: Vec<T> = items.into_iter().skip(from).take(end - from).collect();
        let next_cursor = (end < total)
            .then(|| items.last().map(|t| self.list_cursor(what, end, &key(t))))
            .flatten();
        items.shrink_to_fit();
        Ok(ListPage {
            items,
            total,
            next_cursor,
        })
    }
}

/// A list's fingerprint: the first 8 bytes of the SHA-256 of its parameters' text.
fn list_fingerprint(what: &str) -> u64 {
    let d = crate::hash::sha256(&[b"list|", what.as_bytes()]);
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_be_bytes(b)
}
