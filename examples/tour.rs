//! The partnerdesk tour: a 10,000-customer demo portfolio through the console's searches,
//! governed operations and privacy features.
//!
//! Run: `cargo run -p partnerdesk-examples --example tour`
#![allow(clippy::print_stdout)]

use partnerdesk::demo;
use partnerdesk_examples::search_tour::search_tour;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (desk, now) = demo::portfolio(10_000, 2026)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "partnerdesk tour: {} ({}), {} customers, {} operators", desk.partner().name, desk.partner().site, desk.len(), desk.operators().count())?;
    search_tour(&desk, now, &mut out)?;
    Ok(())
}
