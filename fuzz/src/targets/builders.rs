//! Query builders, depth and width: a program of builder calls (`and`, `or`, `not`, criteria
//! with edge-case values) builds a query the way a host does through `Expr`; the query is then
//! printed, cloned, compared, run and dropped. Nothing may panic or overflow the stack.

use super::{Fuzz, Target, demo, exercise};
use crate::rng::Rng;
use chrono::{DateTime, Duration, Utc};
use partnerdesk::query::{
    Criterion, ExpiryFilter, Expr, FrozenFilter, MAX_CRITERIA, MAX_DEPTH, MobileMatch, Query,
    Range, TagMatch, TextMatch,
};
use partnerdesk::{CustomerLevel, Decimal, Desk, Tag};
use std::str::FromStr;

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "builders",
    about: "query builders (and/or/not, deep and wide): print, clone, run, drop",
    setup: || Box::new(Builders::new()),
};

/// Amounts at the edges of `Decimal`.
const AMOUNTS: &[&str] = &[
    "0",
    "-1",
    "0.01",
    "1000",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "0.0000000000000000000000000001",
];

/// The codes a criterion with a bad value may be refused with.
const VALUE_REFUSALS: &[&str] = &["INVALID_ARGUMENT", "INVALID_MONEY", "INVALID_DATE"];

/// A combinator's result: the expression, or `None` when it was refused as too complex (a
/// correct outcome); any other refusal is a finding.
fn combined(built: partnerdesk::Result<Expr>) -> Result<Option<Expr>, String> {
    match built {
        Ok(e) if e.depth() > MAX_DEPTH || e.size() > MAX_CRITERIA => Err(format!(
            "a built expression is {} deep with {} terms (limits {MAX_DEPTH}, {MAX_CRITERIA})",
            e.depth(),
            e.size()
        )),
        Ok(e) => Ok(Some(e)),
        Err(e) if e.code() == "QUERY_TOO_COMPLEX" => Ok(None),
        Err(e) => Err(format!("a combinator was refused with {} ({e})", e.code())),
    }
}

struct Builders {
    desk: Desk,
    now: DateTime<Utc>,
}

impl Builders {
    fn new() -> Self {
        let (desk, now) = demo(60, 4);
        Builders { desk, now }
    }

    /// A criterion chosen by `b`, with a value chosen by `v`, built through the checked
    /// constructor: `Ok(None)` when it is refused with a code a bad value may get, `Err` (a
    /// finding) for any other code.
    fn criterion(&self, b: u8, v: u8) -> Result<Option<Expr>, String> {
        let amount = |i: u8| {
            AMOUNTS
                .get(usize::from(i) % AMOUNTS.len())
                .and_then(|a| Decimal::from_str(a).ok())
        };
        let instant = |i: u8| match i % 4 {
            0 => DateTime::<Utc>::MAX_UTC,
            1 => DateTime::<Utc>::MIN_UTC,
            2 => self.now,
            _ => self.now - Duration::days(400),
        };
        let text = ["", " ", "a", "ACME", "é"][usize::from(v) % 5].to_owned();
        let c = match b % 12 {
            0 => Criterion::Name(TextMatch::Contains(text)),
            1 => Criterion::AccountName(TextMatch::Exact(text)),
            2 => Criterion::MonthToDate(Range::between(amount(v), amount(v / 7))),
            3 => Criterion::BudgetUsage(Range::between(amount(v / 3), amount(v))),
            4 => Criterion::NextExpiry(ExpiryFilter::WithinDays(
                [0, 1, 30, 100_000_000, u32::MAX][usize::from(v) % 5],
            )),
            5 => Criterion::NextExpiry(ExpiryFilter::Between(Range::between(
                Some(instant(v)),
                Some(instant(v / 4)),
            ))),
            6 => Criterion::AssociatedAt(Range::between(Some(instant(v)), None)),
            7 => Criterion::Mobile(MobileMatch::EndsWith(
                ["", "5678", "*"][usize::from(v) % 3].into(),
            )),
            8 => match Tag::new(["vip", "gold", "x"][usize::from(v) % 3]) {
                Ok(t) => Criterion::Tags(TagMatch::All([t].into())),
                Err(_) => Criterion::HasManager(true),
            },
            9 => Criterion::Frozen(if v.is_multiple_of(2) {
                FrozenFilter::Frozen
            } else {
                FrozenFilter::NotFrozen
            }),
            10 => Criterion::Level(CustomerLevel::parse(["V0", "V3", "V9"][usize::from(v) % 3])),
            _ => Criterion::HasManager(v.is_multiple_of(2)),
        };
        match Expr::criterion(c) {
            Ok(e) => Ok(Some(e)),
            Err(e) if VALUE_REFUSALS.contains(&e.code()) => Ok(None),
            Err(e) => Err(format!("a criterion was refused with {} ({e})", e.code())),
        }
    }
}

impl Fuzz for Builders {
    fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        // Mostly short programs; sometimes long ones, whose `not` chains and wide `and`s go
        // past any depth or width limit.
        let len = if rng.chance(3) {
            1 + rng.below(4000)
        } else {
            1 + rng.below(48)
        };
        (0..len).map(|_| rng.byte()).collect()
    }

    fn run(&self, input: &[u8]) -> Result<(), String> {
        let mut stack: Vec<Expr> = Vec::new();
        let pop = |stack: &mut Vec<Expr>| stack.pop().unwrap_or_else(Expr::all);
        let mut bytes = input.iter().copied();
        while let Some(op) = bytes.next() {
            let arg = bytes.next().unwrap_or(0);
            match op % 8 {
                0 | 1 => {
                    if let Some(c) = self.criterion(op / 8, arg)? {
                        stack.push(c);
                    }
                }
                2 | 3 => {
                    let b = pop(&mut stack);
                    let a = pop(&mut stack);
                    let built = if op % 8 == 2 {
                        a.clone().and(b)
                    } else {
                        a.clone().or(b)
                    };
                    // Refused: the left operand stays, as a host would keep it.
                    stack.push(combined(built)?.unwrap_or(a));
                }
                4 => {
                    let a = pop(&mut stack);
                    stack.push(combined(a.clone().not())?.unwrap_or(a));
                }
                5 => {
                    // A `not` chain: deep, until the depth limit refuses it.
                    let mut a = pop(&mut stack);
                    for _ in 0..usize::from(arg) * 16 {
                        match combined(a.clone().not())? {
                            Some(deeper) => a = deeper,
                            None => break,
                        }
                    }
                    stack.push(a);
                }
                6 => {
                    // Alternating and/or nesting (one node per level, not flattened): deep
                    // through both, until a limit refuses it.
                    let mut a = pop(&mut stack);
                    for i in 0..usize::from(arg) * 8 {
                        let Some(leaf) = self.criterion(arg.wrapping_add(i as u8), arg)? else {
                            continue;
                        };
                        let items = vec![a.clone(), leaf];
                        let built = if i % 2 == 0 {
                            Expr::all_of(items)
                        } else {
                            Expr::any_of(items)
                        };
                        match combined(built)? {
                            Some(deeper) => a = deeper,
                            None => break,
                        }
                    }
                    stack.push(a);
                }
                _ => {
                    // Wide: many criteria side by side in one `or`, past the term limit for
                    // the larger arguments.
                    if let Some(leaf) = self.criterion(arg, arg.rotate_left(3))?
                        && let Some(wide) =
                            combined(Expr::any_of(vec![leaf; usize::from(arg) * 4]))?
                    {
                        stack.push(wide);
                    }
                }
            }
        }
        let mut filter = Expr::all();
        for e in stack {
            // Refused conjunctions keep what was built so far.
            if let Some(both) = combined(filter.clone().and(e))? {
                filter = both;
            }
        }
        let query = Query::new(filter);
        let copy = query.clone();
        if copy != query {
            return Err("a clone differs from its query".to_owned());
        }
        let text = query.to_string();
        if let Ok(parsed) = Query::parse(&text)
            && parsed.to_string() != text
        {
            return Err("the printed query does not print the same after parsing".to_owned());
        }
        exercise(&self.desk, &query, self.now)
    }
}
