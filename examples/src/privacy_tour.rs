//! The privacy part of the tour: a masked list, a reveal (audited, and a refused one), and an
//! anonymised CSV and XLSX export of the whole portfolio to a temporary folder, with a progress
//! bar driven by the export's progress callback.

use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use partnerdesk::Invocation;
use partnerdesk::access::Actor;
use partnerdesk::audit::AuditFilter;
use partnerdesk::export::{ExportProgress, ExportRequest, ExportSelection};
use partnerdesk::privacy::SensitiveField;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::{Desk, OperatorId, Permission};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::Path;

use crate::table::write_table;

/// Runs the privacy tour on a copy of `desk` (reveals and exports are recorded in the copy's
/// audit trail and export history). The exports go to a temporary folder, read back, and
/// removed when the tour ends.
pub fn privacy_tour(
    desk: &Desk,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut desk = desk.clone();
    let admin = Actor::Operator(OperatorId::new("admin")?);

    writeln!(out, "== Personal data: masked by default ==")?;
    let page = desk.search(
        &Query::all(),
        Sort::desc(SortKey::MonthToDate),
        &PageRequest::first(6),
        now,
    )?;
    writeln!(
        out,
        "Names keep their first character, mobiles their country code, first three and last \
         four digits, e-mails their first character and domain, as the console shows them."
    )?;
    let cells: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.name.to_string(),
                r.mobile.as_deref().unwrap_or("-").to_owned(),
                r.email.as_deref().unwrap_or("-").to_owned(),
                r.account_manager_name.as_deref().unwrap_or("-").to_owned(),
            ]
        })
        .collect();
    write_table(
        out,
        &["customer id", "name", "mobile", "e-mail", "account manager"],
        &cells,
    )?;

    writeln!(out, "\n== The eye icon: reveal one field, audited ==")?;
    let target = page
        .rows
        .iter()
        .find(|r| r.email.is_some())
        .or(page.rows.first())
        .map(|r| r.id.clone())
        .ok_or("the portfolio is empty")?;
    let email = desk.reveal(
        &Invocation::new(admin.clone(), now),
        &target,
        SensitiveField::Email,
    )?;
    writeln!(out, "admin reveals the e-mail of {target}: {email}")?;
    let without_item = desk
        .operators()
        .find(|o| !o.holds(&Permission::RevealSensitive))
        .map(|o| Actor::Operator(o.id.clone()));
    if let Some(op) = without_item {
        match desk.reveal(
            &Invocation::new(op.clone(), now),
            &target,
            SensitiveField::Mobile,
        ) {
            Ok(_) => writeln!(out, "{op} revealed the mobile number")?,
            Err(e) => writeln!(
                out,
                "{op} tries to reveal the mobile number: refused, {}",
                e.code()
            )?,
        }
    }
    for record in desk.audit_log(
        &AuditFilter::default()
            .customer(target.clone())
            .kind("reveal"),
    ) {
        writeln!(out, "  audit: {record}")?;
    }

    writeln!(out, "\n== Anonymised exports of the whole portfolio ==")?;
    // The files live in a temporary folder that is removed when the tour ends.
    let temp = tempfile::Builder::new()
        .prefix("partnerdesk-tour-")
        .tempdir()?;
    let folder = temp.path();
    let csv_path = folder.join("customers.csv");
    let xlsx_path = folder.join("customers.xlsx");
    let csv_job = export_with_bar(
        &mut desk,
        &admin,
        &ExportRequest::csv(ExportSelection::all())
            .with_bom(true)
            .named("customers.csv"),
        &csv_path,
        now,
    )?;
    writeln!(
        out,
        "CSV:  {} ({} rows, job {})",
        csv_path.display(),
        csv_job.rows,
        csv_job.id
    )?;
    let xlsx_job = export_with_bar(
        &mut desk,
        &admin,
        &ExportRequest::xlsx(ExportSelection::all()).named("customers.xlsx"),
        &xlsx_path,
        now,
    )?;
    writeln!(
        out,
        "XLSX: {} ({} rows, job {})",
        xlsx_path.display(),
        xlsx_job.rows,
        xlsx_job.id
    )?;

    writeln!(out, "\nFirst rows of the CSV:")?;
    let file = BufReader::new(std::fs::File::open(&csv_path)?);
    for line in file.lines().take(4) {
        writeln!(out, "  {}", line?.trim_start_matches('\u{FEFF}'))?;
    }
    writeln!(out, "\nFirst rows of the XLSX (read back with calamine):")?;
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx_path)?;
    let sheet = book.worksheet_range("Customers")?;
    for row in sheet.rows().take(4) {
        let cells: Vec<String> = row
            .iter()
            .take(6)
            .map(|c| match c {
                Data::Empty => String::new(),
                other => other.to_string(),
            })
            .collect();
        writeln!(out, "  {}", cells.join(" | "))?;
    }

    writeln!(out, "\nExport history:")?;
    for job in desk.exports() {
        writeln!(
            out,
            "  {} {} by {} at {}: {} of {} rows, {:?}, file {}",
            job.id, job.format, job.actor, job.at, job.rows, job.total, job.status, job.file_name
        )?;
    }
    let shown = folder.display().to_string();
    temp.close()?;
    writeln!(
        out,
        "(the folder {shown} is removed now that the files were read back)"
    )?;
    Ok(())
}

/// Runs one export into a file, with a terminal progress bar fed by the progress callback.
fn export_with_bar(
    desk: &mut Desk,
    admin: &Actor,
    request: &ExportRequest,
    path: &Path,
    now: DateTime<Utc>,
) -> Result<partnerdesk::export::ExportJob, Box<dyn std::error::Error>> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>6} [{bar:40}] {pos}/{len} rows ({per_sec})")?
            .progress_chars("=> "),
    );
    bar.set_message(request.format.extension());
    let mut file = BufWriter::new(std::fs::File::create(path)?);
    let job = desk.export(
        &Invocation::new(admin.clone(), now),
        request,
        &mut file,
        |p: ExportProgress| {
            bar.set_length(p.total);
            bar.set_position(p.done);
            ControlFlow::Continue(())
        },
    )?;
    file.flush()?;
    bar.finish();
    Ok(job)
}
