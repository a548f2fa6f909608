//! Plain-text tables for terminal output, aligned for CJK and other wide characters.

use partnerdesk::row::CustomerRow;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// The widest a column grows; a longer value is cut with `…` (none of the tour's values is).
const MAX_WIDTH: usize = 48;

/// How many terminal columns `s` takes (a CJK character takes two).
fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Pads `s` to `width` terminal columns, cutting it with `…` when it is wider.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let full = self::width(s);
    let room = if full > width {
        width.saturating_sub(1)
    } else {
        width
    };
    for ch in s.chars() {
        let w = self::width(ch.encode_utf8(&mut [0u8; 4]));
        if used + w > room {
            break;
        }
        out.push(ch);
        used += w;
    }
    if full > width {
        out.push('…');
        used += 1;
    }
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// Writes a table: a header, a rule, and one line per row; each column as wide as its widest
/// value (at most 48 columns), so nothing is cut and wide characters stay aligned.
pub fn write_table(out: &mut dyn Write, headers: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| width(c))
                .chain([width(h)])
                .max()
                .unwrap_or(0)
                .min(MAX_WIDTH)
        })
        .collect();
    let line = |cells: Vec<String>| cells.join("  ").trim_end().to_owned();
    writeln!(
        out,
        "{}",
        line(
            headers
                .iter()
                .zip(&widths)
                .map(|(h, w)| fit(h, *w))
                .collect()
        )
    )?;
    writeln!(
        out,
        "{}",
        line(widths.iter().map(|w| "-".repeat(*w)).collect())
    )?;
    for r in rows {
        writeln!(
            out,
            "{}",
            line(r.iter().zip(&widths).map(|(c, w)| fit(c, *w)).collect())
        )?;
    }
    Ok(())
}

/// The console's list columns for masked customer rows.
pub fn write_rows(out: &mut dyn Write, rows: &[CustomerRow]) -> io::Result<()> {
    let headers = [
        "customer id",
        "name",
        "account",
        "mobile",
        "type",
        "manager",
        "MTD spend",
        "next expiry",
        "frozen",
        "tags",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.name.to_string(),
                r.account_name.to_string(),
                r.mobile.as_deref().unwrap_or_default().to_owned(),
                r.association_type.to_string(),
                r.account_manager
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "-".into()),
                r.month_to_date.to_string(),
                r.next_expiry
                    .map(|e| e.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "-".into()),
                r.freeze_scope
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "no".into()),
                r.tags
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ]
        })
        .collect();
    write_table(out, &headers, &cells)
}
