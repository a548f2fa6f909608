//! Paging plans within the API's bounds.
//!
//! Why a plan: `ListSubCustomers` pages by record `offset` (0..=40,000,000) and `limit`
//! (1..=100), and reports the total `count` with every page. A host reads the first page, then
//! asks the plan for the rest; the plan covers every record exactly once and never asks for an
//! offset or a limit the API refuses. A listing too large to reach with offsets is refused
//! up front ([`HuaweiError::PagingOutOfBounds`]): narrow the query (e.g. by association time)
//! and page each part.

use crate::error::{HuaweiError, Result};

/// The largest `limit` `ListSubCustomers` accepts.
pub const MAX_LIMIT: u32 = 100;
/// The largest `offset` `ListSubCustomers` accepts.
pub const MAX_OFFSET: u64 = 40_000_000;
/// The API's default `limit`.
pub const DEFAULT_LIMIT: u32 = 10;
/// The most pages a [`PagePlan`] holds: a million requests, far more than a host makes for
/// one listing, and 16 MB of plan. (Every listing `ListSubCustomers` allows fits at its
/// largest limit, 400,001 pages; a total from a response is not trusted to size the plan:
/// two billion budget records a page each once took 34 GB and aborted the process.)
pub const MAX_PLAN_PAGES: u64 = 1_000_000;

/// The paging bounds of one API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageBounds {
    /// The largest `limit`.
    pub max_limit: u32,
    /// The largest `offset`.
    pub max_offset: u64,
}

impl PageBounds {
    /// `ListSubCustomers`: limit 1..=100, offset 0..=40,000,000.
    pub const SUB_CUSTOMERS: PageBounds = PageBounds {
        max_limit: MAX_LIMIT,
        max_offset: MAX_OFFSET,
    };
    /// `ListSubCustomerBudgetRecords`: limit 1..=100, offset 0..=2,147,483,647.
    pub const BUDGET_RECORDS: PageBounds = PageBounds {
        max_limit: 100,
        max_offset: 2_147_483_647,
    };
}

/// One page to request: `offset` and `limit` as the API takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiPage {
    /// Record offset (0-based).
    pub offset: u64,
    /// Page size (1..=100).
    pub limit: u32,
}

impl ApiPage {
    /// A page, checked against the API's bounds.
    pub fn new(offset: u64, limit: u32) -> Result<Self> {
        check_limit(limit, MAX_LIMIT)?;
        if offset > MAX_OFFSET {
            return Err(HuaweiError::PagingOutOfBounds {
                reason: format!("offset {offset} is over {MAX_OFFSET}"),
            });
        }
        Ok(ApiPage { offset, limit })
    }

    /// The first page of a listing.
    pub fn first(limit: u32) -> Result<Self> {
        ApiPage::new(0, limit)
    }
}

fn check_limit(limit: u32, max: u32) -> Result<()> {
    if limit == 0 || limit > max {
        return Err(HuaweiError::Core(partnerdesk::Error::InvalidPage {
            reason: format!("limit must be 1 to {max}"),
        }));
    }
    Ok(())
}

/// Every page of a listing of `total` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePlan {
    /// The total the API reported.
    pub total: u64,
    /// The pages, in order; together they cover `0..total` exactly once.
    pub pages: Vec<ApiPage>,
}

impl PagePlan {
    /// The pages covering `total` records, `limit` at a time (the last page asks only for what
    /// is left).
    ///
    /// ```
    /// use partnerdesk_huawei::paging::{PagePlan, ApiPage};
    /// let plan = PagePlan::covering(250, 100)?;
    /// assert_eq!(plan.pages, vec![
    ///     ApiPage { offset: 0, limit: 100 },
    ///     ApiPage { offset: 100, limit: 100 },
    ///     ApiPage { offset: 200, limit: 50 },
    /// ]);
    /// assert_eq!(plan.rest().len(), 2);
    /// # Ok::<(), partnerdesk_huawei::HuaweiError>(())
    /// ```
    pub fn covering(total: u64, limit: u32) -> Result<Self> {
        PagePlan::covering_within(total, limit, PageBounds::SUB_CUSTOMERS)
    }

    /// The pages covering `total` records of an API with other bounds.
    pub fn covering_within(total: u64, limit: u32, bounds: PageBounds) -> Result<Self> {
        check_limit(limit, bounds.max_limit)?;
        let step = u64::from(limit);
        if total > 0 && (total - 1) / step * step > bounds.max_offset {
            let max = bounds.max_offset;
            return Err(HuaweiError::PagingOutOfBounds {
                reason: format!("{total} records need offsets over {max}; narrow the query"),
            });
        }
        let count = total.div_ceil(step);
        if count > MAX_PLAN_PAGES {
            return Err(HuaweiError::PagingOutOfBounds {
                reason: format!(
                    "{total} records take {count} pages of {limit}, over {MAX_PLAN_PAGES}; \
                     use a larger limit or narrow the query"
                ),
            });
        }
        // At most MAX_PLAN_PAGES: fits.
        let mut pages = Vec::with_capacity(count as usize);
        let mut offset = 0;
        while offset < total {
            let left = total - offset;
            let n = u32::try_from(left.min(step)).unwrap_or(limit);
            pages.push(ApiPage { offset, limit: n });
            offset += step;
        }
        Ok(PagePlan { total, pages })
    }

    /// The pages after the first (for a host that has already read page one).
    pub fn rest(&self) -> &[ApiPage] {
        self.pages.get(1..).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(PagePlan::covering(10, 0).is_err());
        assert!(PagePlan::covering(10, 101).is_err());
        assert_eq!(
            PagePlan::covering(0, 100).map(|p| p.pages.len()).ok(),
            Some(0)
        );
        assert!(PagePlan::covering(MAX_OFFSET + 100, 100).is_ok());
        assert_eq!(
            PagePlan::covering(MAX_OFFSET + 101, 100)
                .map_err(|e| e.code())
                .err(),
            Some("HUAWEI_PAGING_OUT_OF_BOUNDS")
        );
        assert!(ApiPage::new(MAX_OFFSET + 1, 10).is_err());
        let records =
            PagePlan::covering_within(MAX_OFFSET + 1_000, 100, PageBounds::BUDGET_RECORDS);
        assert_eq!(records.map(|p| p.pages.len()).ok(), Some(400_010));
        assert!(PagePlan::covering_within(10, 101, PageBounds::BUDGET_RECORDS).is_err());
        // A total that would take more than a million pages is refused before any is made
        // (two billion budget records a page each took 34 GB and aborted the process).
        let plan = |total, limit| {
            PagePlan::covering_within(total, limit, PageBounds::BUDGET_RECORDS)
                .map(|p| p.pages.len())
                .map_err(|e| e.code())
        };
        assert_eq!(plan(MAX_PLAN_PAGES, 1), Ok(1_000_000));
        assert_eq!(
            plan(MAX_PLAN_PAGES + 1, 1),
            Err("HUAWEI_PAGING_OUT_OF_BOUNDS")
        );
        assert_eq!(plan(2_147_483_000, 1), Err("HUAWEI_PAGING_OUT_OF_BOUNDS"));
        assert_eq!(plan(100 * MAX_PLAN_PAGES, 100), Ok(1_000_000));
        assert_eq!(plan(2_147_483_000, 100), Err("HUAWEI_PAGING_OUT_OF_BOUNDS"));
        // Every ListSubCustomers listing fits at the largest limit.
        assert_eq!(
            PagePlan::covering(MAX_OFFSET + 100, 100)
                .map(|p| p.pages.len())
                .ok(),
            Some(400_001)
        );
    }
}
