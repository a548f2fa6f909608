//! Mutators: bytes (flips, dictionary tokens, splices, repeats) and JSON (values replaced by
//! edge cases, keys dropped, elements duplicated or reordered).

use crate::rng::Rng;
use serde_json::Value;

/// Strings that have broken parsers, masks and exports elsewhere: formula starters, control
/// characters, quotes, separators, masks' own `*`, huge and over-precise numbers, extreme
/// dates, long and non-ASCII text.
pub(crate) const STRINGS: &[&str] = &[
    "",
    " ",
    "  ",
    "=1+2",
    "=HYPERLINK(\"http://x\")",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\"",
    "\",\"",
    ",",
    ";",
    "\n",
    "\r\n",
    "\u{0}",
    "*",
    "13912345678*",
    "139*12345678",
    "+8613912345678",
    "0086",
    "a@b",
    "@",
    "é",
    "漢字",
    "😀",
    "\u{202e}",
    "\u{feff}",
    "79228162514264337593543950335",
    "7.9e28",
    "0.0000000000000000000000000001",
    "0.0000000000000000000000000000001",
    "-0",
    "1e400",
    "NaN",
    "9999-12-31T23:59:59Z",
    "+262142-12-31T23:59:59Z",
    "-262143-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-13",
    "V9",
    "reseller",
    "referral",
    "admin",
    "intern",
];

/// Numbers at the edges of `u64`, `i64`, `Decimal` and `f64`.
pub(crate) const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "1e308",
    "1e-30",
    "0.1",
    "-0.0",
    "1.00000000000000000000000000001",
];

/// A long text of `n` copies of `unit`.
fn repeated(unit: &str, n: usize) -> String {
    unit.repeat(n)
}

/// An edge-case string (sometimes a long one).
pub(crate) fn string(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => repeated(
            rng.pick(&["a", "é", "(", "9", "*"]).copied().unwrap_or("a"),
            1 + rng.below(5000),
        ),
        1 => {
            let n = 1 + rng.below(12);
            (0..n)
                .map(|_| char::from(rng.byte() % 0x60 + 0x20))
                .collect()
        }
        _ => rng.pick(STRINGS).copied().unwrap_or("").to_owned(),
    }
}

/// An edge-case JSON value.
fn value(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 | 3 => {
            let text = rng.pick(NUMBERS).copied().unwrap_or("0");
            serde_json::from_str(text).unwrap_or(Value::Null)
        }
        4 => Value::Array(Vec::new()),
        5 => Value::Object(serde_json::Map::new()),
        _ => Value::String(string(rng)),
    }
}

/// Replaces every decimal string and number under `v` with `edge`: many large amounts at
/// once, so that sums over them overflow.
fn flood(v: &mut Value, edge: &str) {
    match v {
        Value::String(s) if !s.is_empty() && s.parse::<f64>().is_ok() => *s = edge.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(|x| flood(x, edge)),
        Value::Object(map) => map.values_mut().for_each(|x| flood(x, edge)),
        _ => {}
    }
}

/// Picks a random node of `v` (depth-first, choosing a child at each level) and changes it.
fn mutate_node(rng: &mut Rng, v: &mut Value, depth: usize) {
    if depth > 0 && rng.chance(2) {
        let edge = rng
            .pick(&[
                "79228162514264337593543950335",
                "7.9e28",
                "-79228162514264337593543950335",
                "0.0000000000000000000000000001",
            ])
            .copied()
            .unwrap_or("0");
        flood(v, edge);
        return;
    }
    let descend = depth < 12 && rng.chance(80);
    match v {
        Value::Object(map) if descend && !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let Some(key) = rng.pick(&keys).cloned() else {
                return;
            };
            match rng.below(10) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    if let Some(x) = map.get(&key).cloned() {
                        map.insert(format!("{key}_"), x);
                    }
                }
                _ => {
                    if let Some(child) = map.get_mut(&key) {
                        mutate_node(rng, child, depth + 1);
                    }
                }
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(10) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    if let Some(x) = items.get(i).cloned() {
                        items.insert(i, x);
                    }
                }
                2 => {
                    let j = rng.below(items.len());
                    items.swap(i, j);
                }
                _ => {
                    if let Some(child) = items.get_mut(i) {
                        mutate_node(rng, child, depth + 1);
                    }
                }
            }
        }
        Value::String(s) if rng.chance(30) => {
            // Keep the value's shape, change its edge: a prefix, a suffix, or one character.
            match rng.below(3) {
                0 => s.insert_str(0, &string(rng)),
                1 => s.push_str(&string(rng)),
                _ => *s = string(rng),
            }
        }
        Value::Number(_) if rng.chance(50) => {
            let text = rng.pick(NUMBERS).copied().unwrap_or("0");
            *v = serde_json::from_str(text).unwrap_or(Value::Null);
        }
        _ => *v = value(rng),
    }
}

/// Applies 1..=`max` structural mutations to a JSON document.
pub(crate) fn json(rng: &mut Rng, doc: &Value, max: usize) -> Value {
    let mut v = doc.clone();
    for _ in 0..1 + rng.below(max) {
        mutate_node(rng, &mut v, 0);
    }
    v
}

/// Applies 1..=4 byte-level mutations, drawing tokens from `dict` and splices from `others`.
pub(crate) fn bytes(rng: &mut Rng, input: &[u8], dict: &[&str], others: &[&[u8]]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = b.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << rng.below(8);
                }
            }
            1 if len > 0 => {
                let i = rng.below(len);
                let r = rng.byte();
                if let Some(x) = b.get_mut(i) {
                    *x = r;
                }
            }
            2 | 3 => {
                let token = rng.pick(dict).copied().unwrap_or(" ");
                b.splice(at..at, token.bytes());
            }
            4 if len > 0 => {
                let end = (at + 1 + rng.below(16)).min(len);
                let start = at.min(end);
                b.drain(start..end);
            }
            5 => b.truncate(at),
            6 if len > 0 => {
                // Repeat a chunk: deep nesting, long lists.
                let end = (at + 1 + rng.below(8)).min(len);
                let start = at.min(end);
                let chunk: Vec<u8> = b.get(start..end).map(<[u8]>::to_vec).unwrap_or_default();
                let cap = if rng.chance(10) { 3000 } else { 8 };
                let times = 1 + rng.below(cap);
                let rep: Vec<u8> = chunk
                    .iter()
                    .copied()
                    .cycle()
                    .take(chunk.len() * times)
                    .collect();
                b.splice(end..end, rep);
            }
            7 => {
                if let Some(other) = rng.pick(others) {
                    let from = rng.below(other.len() + 1);
                    let to = (from + rng.below(64)).min(other.len());
                    b.splice(
                        at..at,
                        other.get(from..to).unwrap_or_default().iter().copied(),
                    );
                }
            }
            _ => {
                let s = string(rng);
                b.splice(at..at, s.bytes());
            }
        }
    }
    b
}
