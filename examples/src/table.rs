//! Plain-text tables for terminal output, aligned for CJK and other wide characters.

use partnerdesk::row::CustomerRow;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// Pads or cuts `s` to `width` terminal columns.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = UnicodeWidthStr::width(ch.encode_utf8(&mut [0u8; 4]) as &str);
        if used + w > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push_str(&" ".repeat(width - used));
    out
}

/// Writes a table: a header, a rule, and one line per row.
pub fn write_table(
    out: &mut dyn Write,
    headers: &[(&str, usize)],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let line = |cells: Vec<String>| cells.join("  ");
    writeln!(
        out,
        "{}",
        line(headers.iter().map(|(h, w)| fit(h, *w)).collect())
    )?;
    writeln!(
        out,
        "{}",
        line(headers.iter().map(|(_, w)| "-".repeat(*w)).collect())
    )?;
    for r in rows {
        writeln!(
            out,
            "{}",
            line(
                r.iter()
                    .zip(headers)
                    .map(|(c, (_, w))| fit(c, *w))
                    .collect()
            )
        )?;
    }
    Ok(())
}

/// The console's list columns for masked customer rows.
pub fn write_rows(out: &mut dyn Write, rows: &[CustomerRow]) -> io::Result<()> {
    let headers = [
        ("customer id", 12),
        ("name", 8),
        ("account", 16),
        ("mobile", 18),
        ("type", 8),
        ("manager", 8),
        ("MTD spend", 14),
        ("next expiry", 10),
        ("frozen", 10),
        ("tags", 18),
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.as_str().chars().take(12).collect(),
                r.name.clone(),
                r.account_name.clone(),
                r.mobile.clone().unwrap_or_default(),
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
