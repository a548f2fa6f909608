//! The five queries of the search benchmark (Q1 to Q5), on partnerdesk's side: each one's name,
//! filter and sort. `benches/search.rs` pairs them with their SQL; `examples/scale.rs` runs
//! them at every portfolio size.

use partnerdesk::query::{Sort, SortKey};

/// One query: its name in the tables, its filter (the filter language of `docs/filter.md`)
/// and its sort.
pub struct Named {
    /// `Q1_manager_mtd_range` and so on.
    pub name: &'static str,
    /// The filter.
    pub filter: &'static str,
    /// The sort of its first page.
    pub sort: Sort,
}

/// Q1 to Q5, in order.
pub fn q1_to_q5() -> [Named; 5] {
    [
        Named {
            name: "Q1_manager_mtd_range",
            filter: "manager=am_001 and mtd>=100 and mtd<=5000",
            sort: Sort::desc(SortKey::MonthToDate),
        },
        Named {
            name: "Q2_expiring_7d",
            filter: "expires<=7d",
            sort: Sort::asc(SortKey::NextExpiry),
        },
        Named {
            name: "Q3_name_substring",
            filter: "name~cloud",
            sort: Sort::asc(SortKey::Name),
        },
        Named {
            name: "Q4_tag_any_mobile_suffix",
            filter: "tag in (vip, gold) and mobile~678",
            sort: Sort::asc(SortKey::Id),
        },
        Named {
            name: "Q5_text_filter_4_criteria",
            filter: "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold) and expires<=30d",
            sort: Sort::desc(SortKey::MonthToDate),
        },
    ]
}
