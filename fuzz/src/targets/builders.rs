//! Query builders, depth and width: a program of builder calls (`and`, `or`, `not`, criteria
//! with edge-case values) builds a query the way a host does through `Expr`; the query is then
//! printed, cloned, compared, run and dropped. Nothing may panic or overflow the stack.

use super::{Fuzz, Target, demo, exercise};
use crate::rng::Rng;
use chrono::{DateTime, Duration, Utc};
use partnerdesk::query::{
    Criterion, ExpiryFilter, Expr, FrozenFilter, MobileMatch, Query, Range, TagMatch, TextMatch,
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

struct Builders {
    desk: Desk,
    now: DateTime<Utc>,
}

impl Builders {
    fn new() -> Self {
        let (desk, now) = demo(60, 4);
        Builders { desk, now }
    }

    /// A criterion chosen by `b`, with a value chosen by `v`.
    fn criterion(&self, b: u8, v: u8) -> Expr {
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
        Expr::Criterion(c)
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
        let mut bytes = input.iter().copied();
        while let Some(op) = bytes.next() {
            let arg = bytes.next().unwrap_or(0);
            match op % 8 {
                0 | 1 => stack.push(self.criterion(op / 8, arg)),
                2 => {
                    let b = stack.pop().unwrap_or(Expr::All);
                    let a = stack.pop().unwrap_or(Expr::All);
                    stack.push(a.and(b));
                }
                3 => {
                    let b = stack.pop().unwrap_or(Expr::All);
                    let a = stack.pop().unwrap_or(Expr::All);
                    stack.push(a.or(b));
                }
                4 => {
                    let a = stack.pop().unwrap_or(Expr::All);
                    stack.push(a.not());
                }
                5 => {
                    // A `not` chain: deep.
                    let mut a = stack.pop().unwrap_or(Expr::All);
                    for _ in 0..usize::from(arg) * 16 {
                        a = a.not();
                    }
                    stack.push(a);
                }
                6 => {
                    // Alternating and/or nesting: deep through both.
                    let mut a = stack.pop().unwrap_or(Expr::All);
                    for i in 0..usize::from(arg) * 8 {
                        let leaf = self.criterion(arg.wrapping_add(i as u8), arg);
                        a = if i % 2 == 0 {
                            Expr::And(vec![a, leaf])
                        } else {
                            Expr::Or(vec![a, leaf])
                        };
                    }
                    stack.push(a);
                }
                _ => {
                    // Wide: many criteria side by side (leaves, so that the size grows
                    // linearly with the program, never exponentially).
                    let leaf = self.criterion(arg, arg.rotate_left(3));
                    stack.push(Expr::Or(vec![leaf; usize::from(arg) * 4]));
                }
            }
        }
        let filter = stack.into_iter().fold(Expr::All, Expr::and);
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
