//! The partnerdesk tour: a 10,000-customer demo portfolio through the console's searches, one
//! customer's governed lifecycle with its audit trail, and the privacy features (masked list,
//! audited reveal, anonymised CSV and XLSX exports), one customer's detail pages, all on a desk
//! kept in an embedded SQLite file, closed and opened again at the end.
//!
//! Run: `cargo run --release -p partnerdesk-examples --example tour`
#![allow(clippy::print_stdout)]

use partnerdesk::demo;
use partnerdesk_examples::{
    detail_tour::detail_tour, privacy_tour::privacy_tour, search_tour::search_tour, store_tour,
    walkthrough::walkthrough,
};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (desk, now) = demo::portfolio(10_000, 2026)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "partnerdesk tour: {} ({} site), {} customers, {} operators\n",
        desk.partner().name,
        desk.partner().site,
        desk.len(),
        desk.operators().count()
    )?;
    // The desk lives in an embedded SQLite file in a temporary folder, removed at the end.
    let folder = tempfile::Builder::new()
        .prefix("partnerdesk-tour-store-")
        .tempdir()?;
    let path = folder.path().join("desk.db");
    let durable = store_tour::create(desk, &path, &mut out)?;
    let desk = durable.desk();
    writeln!(
        out,
        "################ 1. Searching the portfolio ################\n"
    )?;
    search_tour(desk, now, &mut out)?;
    writeln!(
        out,
        "\n################ 2. One customer's governed lifecycle ################\n"
    )?;
    walkthrough(&mut out)?;
    writeln!(
        out,
        "\n################ 3. Personal data: masks, reveal, exports ################\n"
    )?;
    privacy_tour(desk, now, &mut out)?;
    writeln!(
        out,
        "\n################ 4. A customer's detail pages ################\n"
    )?;
    detail_tour(desk, now, &mut out)?;
    writeln!(
        out,
        "\n################ 5. The desk is durable ################\n"
    )?;
    store_tour::store_tour(durable, &path, now, &mut out)?;
    folder.close()?;
    Ok(())
}
