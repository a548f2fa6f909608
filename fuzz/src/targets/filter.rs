//! The text filter parser: any text gives a query or `FILTER_SYNTAX`/`QUERY_TOO_COMPLEX`/...,
//! never a panic; a parsed filter prints as text that parses back, prints the same and
//! selects the same customers, and the query runs.

use super::{Fuzz, Target, demo, exercise};
use crate::mutate;
use crate::rng::Rng;
use chrono::{DateTime, Utc};
use partnerdesk::Desk;
use partnerdesk::query::Query;

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "filter",
    about: "text filter parser: parse, print, parse back to the same selection, run",
    setup: || Box::new(Filter::new()),
};

/// Sample filters: the README's and the tests', one per criterion.
const SAMPLES: &[&str] = &[
    "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)",
    "*",
    "name~acme",
    "name=\"Acme Ltd\"",
    "account~ac",
    "id=0123456789abcdef0123456789abcdef",
    "manager=am_001",
    "has_manager=false",
    "mtd>=100 and mtd<=2000.50",
    "budget>=80",
    "expires<=30d",
    "expires=none",
    "mobile=13812345678",
    "mobile$5678",
    "tag:vip",
    "assoc=referral",
    "associated>=2026-01-01",
    "frozen=account",
    "frozen=false",
    "level=V3",
    "reseller=r-001",
    "not (tag:vip or level=V5) and mtd>0",
    "mtd>=0.0000000000000000000000000000001",
];

/// Tokens of the grammar, for insertion.
const TOKENS: &[&str] = &[
    " and ",
    " or ",
    "not ",
    "(",
    ")",
    "((((((((",
    "))))))))",
    "=",
    ">=",
    "<=",
    "~",
    ":",
    "$",
    "\"",
    "mtd",
    "budget",
    "expires",
    "associated",
    "name",
    "tag",
    "level",
    "frozen",
    "assoc",
    "id",
    "*",
    "d",
    "-",
    ".",
    "0",
    "9999999999999999999999999999",
    "2026-01-01",
    "not not not not ",
];

struct Filter {
    desk: Desk,
    now: DateTime<Utc>,
}

impl Filter {
    fn new() -> Self {
        let (desk, now) = demo(60, 3);
        Filter { desk, now }
    }
}

impl Fuzz for Filter {
    fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        let base = rng.pick(SAMPLES).copied().unwrap_or("*");
        if rng.chance(5) {
            // Deep nesting, the way an attacker writes it.
            let n = 1 + rng.below(200);
            return format!("{}{base}{}", "(".repeat(n), ")".repeat(n)).into_bytes();
        }
        let others: Vec<&[u8]> = SAMPLES.iter().map(|s| s.as_bytes()).collect();
        mutate::bytes(rng, base.as_bytes(), TOKENS, &others)
    }

    fn run(&self, input: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(input);
        let Ok(query) = Query::parse(&text) else {
            return Ok(());
        };
        // The printed form may differ in shape (`budget=80` prints as a range), but it
        // parses, prints the same again, and selects the same customers.
        let printed = query.to_string();
        let again = Query::parse(&printed)
            .map_err(|e| format!("printed filter does not parse: {printed:?}: {e}"))?;
        if again.to_string() != printed {
            return Err(format!(
                "printed filter prints differently once parsed: {printed:?}"
            ));
        }
        if self.desk.count(&again, self.now) != self.desk.count(&query, self.now) {
            return Err(format!(
                "printed filter selects other customers: {printed:?}"
            ));
        }
        exercise(&self.desk, &query, self.now)
    }
}
