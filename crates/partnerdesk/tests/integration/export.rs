//! Exports: administrator only and audited, always anonymised, CSV and XLSX read back by real
//! readers, progress and cancellation, history and download again, snapshots.

use calamine::{Data, Reader, Xlsx};
use partnerdesk::Invocation;
use partnerdesk::access::Actor;
use partnerdesk::audit::{AuditFilter, AuditOutcome};
use partnerdesk::export::{
    ExportColumn, ExportFormat, ExportProgress, ExportRequest, ExportSelection, ExportStatus,
    RecordedSelection,
};
use partnerdesk::privacy::{MaskPolicy, MaskRule, PseudonymKey, SensitiveField, mask_name};
use partnerdesk::query::{Query, Sort, SortKey};
use partnerdesk::{Customer, Desk, Error, OperatorId, demo};
use proptest::prelude::*;
use std::io::Cursor;
use std::ops::ControlFlow;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn admin() -> Result<Actor, Error> {
    Ok(Actor::Operator(OperatorId::new("admin")?))
}

fn go(_: ExportProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

fn read_csv(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), csv::Error> {
    let bytes = bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(bytes);
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r.headers()?.iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()?;
    Ok((headers, rows))
}

fn read_xlsx(bytes: Vec<u8>) -> Result<Vec<Vec<String>>, Box<dyn std::error::Error>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))?;
    let range = book.worksheet_range("Customers")?;
    Ok(range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

/// Every raw personal value of the desk's customers, long enough to be meaningful.
fn raw_values(c: &Customer) -> Vec<String> {
    let mut v = vec![c.name.expose().to_string()];
    if let Some(m) = &c.mobile {
        v.push(m.expose().number.to_string());
    }
    if let Some(e) = &c.email {
        v.push(e.expose().to_string());
        if let Some((local, _)) = e.expose().split_once('@') {
            v.push(format!("{local}@"));
        }
    }
    v.retain(|s| s.chars().count() >= 2);
    v
}

#[test]
fn csv_export_is_anonymised_with_human_headers() -> TestResult {
    let (mut desk, now) = demo::portfolio(400, 3)?;
    let mut out = Vec::new();
    let req = ExportRequest::csv(ExportSelection::all()).with_bom(true);
    let job = desk.export(&Invocation::new(admin()?, now), &req, &mut out, go)?;
    assert!(out.starts_with("\u{FEFF}".as_bytes()));
    assert!(out.windows(2).any(|w| w == b"\r\n"), "RFC 4180 line ends");
    let (headers, rows) = read_csv(&out)?;
    let expected: Vec<&str> = ExportColumn::DEFAULT.iter().map(|c| c.header()).collect();
    assert_eq!(headers, expected);
    assert_eq!(
        &headers[..5],
        &[
            "Customer ID",
            "Account Name",
            "Customer Name",
            "Mobile Number",
            "Email"
        ]
    );
    assert_eq!(rows.len() as u64, job.rows);
    assert_eq!(rows.len(), desk.count(&Query::all(), now));
    for row in &rows {
        let c = desk.customer(&partnerdesk::CustomerId::new(row[0].as_str())?)?;
        assert_eq!(row[2], mask_name(c.name.expose()));
        for raw in raw_values(c) {
            for cell in row {
                assert!(!cell.contains(&raw), "raw personal value in an export cell");
            }
        }
        if let Some(m) = &c.mobile {
            // A cell starting with '+' is guarded against formula injection.
            assert!(
                row[3].starts_with(&format!("'{}", m.expose().country_code))
                    || !row[3].starts_with('\'')
            );
            assert!(row[3].contains("****") || row[3].contains("***"));
        }
    }
    assert_eq!(job.status, ExportStatus::Completed);
    assert_eq!(job.format, ExportFormat::Csv { bom: true });
    assert_eq!(job.file_name, format!("customers-{}.csv", job.id));
    Ok(())
}

#[test]
fn xlsx_export_is_read_back_by_calamine() -> TestResult {
    let (mut desk, now) = demo::portfolio(300, 4)?;
    let cols = vec![
        ExportColumn::CustomerId,
        ExportColumn::Name,
        ExportColumn::Email,
        ExportColumn::Mobile,
        ExportColumn::MonthToDate,
        ExportColumn::UnpaidOrders,
    ];
    let req = ExportRequest::xlsx(ExportSelection::Query {
        query: Query::parse("assoc=reseller")?,
        sort: Sort::desc(SortKey::MonthToDate),
    })
    .with_columns(cols.clone())
    .named("reseller customers.xlsx");
    let mut out = Vec::new();
    let job = desk.export(&Invocation::new(admin()?, now), &req, &mut out, go)?;
    let rows = read_xlsx(out)?;
    let headers: Vec<&str> = cols.iter().map(|c| c.header()).collect();
    assert_eq!(rows[0], headers);
    let expected = crate::common::select_all(
        &desk,
        &Query::parse("assoc=reseller")?,
        Sort::desc(SortKey::MonthToDate),
        now,
    );
    assert_eq!(rows.len() - 1, expected.len());
    assert_eq!(job.rows as usize, expected.len());
    for (row, c) in rows[1..].iter().zip(&expected) {
        assert_eq!(row[0], c.id.as_str());
        assert_eq!(row[1], mask_name(c.name.expose()));
        assert_eq!(
            row[4],
            c.month_spend(desk.match_context(now).month()).to_string()
        );
        let unpaid = c.orders.iter().filter(|o| o.is_unpaid()).count();
        assert_eq!(row[5], format!("{unpaid}"));
        for raw in raw_values(c) {
            assert!(row.iter().all(|cell| !cell.contains(&raw)));
        }
    }
    assert_eq!(job.file_name, "reseller customers.xlsx");
    Ok(())
}

/// Entries of an archive: name and content.
type Parts = Vec<(String, Vec<u8>)>;

/// The parts of an XLSX export, read with the `zip` crate (which checks each entry's CRC-32
/// as it reads it to the end).
fn zip_parts(bytes: &[u8]) -> Result<Parts, Box<dyn std::error::Error>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        assert_eq!(data.len() as u64, entry.size());
        parts.push((entry.name()?.into_owned(), data));
    }
    Ok(parts)
}

#[test]
fn xlsx_export_is_a_valid_zip_with_the_workbook_parts() -> TestResult {
    let (mut desk, now) = demo::portfolio(3_000, 5)?;
    let mut out = Vec::new();
    let job = desk.export(
        &Invocation::new(admin()?, now),
        &ExportRequest::xlsx(ExportSelection::all()),
        &mut out,
        go,
    )?;
    assert!(out.starts_with(b"PK\x03\x04"));
    // Under 4 GiB: no ZIP64 end record.
    assert!(!out.windows(4).any(|w| w == b"PK\x06\x06"));
    let parts = zip_parts(&out)?;
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/workbook.xml",
            "xl/worksheets/sheet1.xml",
        ]
    );
    let sheet = String::from_utf8(parts[5].1.clone())?;
    // The sheet keeps what the console's export had: name, frozen bold header, widths.
    let workbook = String::from_utf8(parts[4].1.clone())?;
    assert!(workbook.contains("<sheet name=\"Customers\""));
    assert!(sheet.contains("state=\"frozen\""));
    assert!(sheet.contains("<col min=\"1\" max=\"1\" width=\"36.7109375\" customWidth=\"1\"/>"));
    assert!(sheet.contains("<row r=\"1\"><c s=\"1\" t=\"inlineStr\"><is><t>Customer ID</t>"));
    assert_eq!(sheet.matches("<row ").count() as u64, job.rows + 1);
    assert!(sheet.ends_with("</worksheet>"));
    // The same export again gives the same bytes.
    let mut again = Vec::new();
    desk.export(
        &Invocation::new(admin()?, now),
        &ExportRequest::xlsx(ExportSelection::all()),
        &mut again,
        go,
    )?;
    assert_eq!(again, out);
    Ok(())
}

#[test]
fn xlsx_download_again_regenerates_the_same_workbook() -> TestResult {
    let (mut desk, now) = demo::portfolio(200, 8)?;
    let mut first = Vec::new();
    let req = ExportRequest::xlsx(ExportSelection::all()).named("all.xlsx");
    let job = desk.export(&Invocation::new(admin()?, now), &req, &mut first, go)?;
    let mut again = Vec::new();
    let n = desk.download_export(&Invocation::new(admin()?, now), &job.id, &mut again, go)?;
    assert_eq!((n, &again), (job.rows, &first));
    assert_eq!(read_xlsx(again)?.len() as u64, job.rows + 1);
    Ok(())
}

#[test]
fn xlsx_write_failures_are_recorded_as_failed() -> TestResult {
    let (mut desk, now) = demo::portfolio(5_000, 13)?;
    for room in [0, 100, 60_000] {
        let err = desk
            .export(
                &Invocation::new(admin()?, now),
                &ExportRequest::xlsx(ExportSelection::all()),
                Failing(room),
                go,
            )
            .err();
        assert_eq!(err.as_ref().map(|e| e.code()), Some("EXPORT_WRITE_FAILED"));
        assert!(err.is_some_and(|e| e.to_string().contains("storage full")));
        assert!(matches!(
            desk.exports().last().map(|j| &j.status),
            Some(ExportStatus::Failed { .. })
        ));
    }
    Ok(())
}

#[test]
fn only_the_administrator_exports_and_refusals_are_audited() -> TestResult {
    let (mut desk, now) = demo::portfolio(50, 6)?;
    let billing = Actor::Operator(OperatorId::new("ops_billing")?);
    let mut out = Vec::new();
    let err = desk
        .export(
            &Invocation::new(billing.clone(), now),
            &ExportRequest::csv(ExportSelection::all()),
            &mut out,
            go,
        )
        .err();
    assert_eq!(err.map(|e| e.code()), Some("ADMINISTRATOR_ONLY"));
    assert!(out.is_empty(), "nothing written");
    assert!(desk.exports().is_empty(), "no job");
    let log = desk.audit_log(&AuditFilter::default().kind("export"));
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, billing);
    assert_eq!(
        log[0].outcome,
        AuditOutcome::Denied {
            code: "ADMINISTRATOR_ONLY".into()
        }
    );
    // The allowed export is audited too.
    desk.export(
        &Invocation::new(admin()?, now),
        &ExportRequest::csv(ExportSelection::all()),
        &mut out,
        go,
    )?;
    let log = desk.audit_log(&AuditFilter::default().kind("export"));
    assert_eq!(log.len(), 2);
    assert!(log[1].outcome.is_allowed());
    // Download again is governed the same way.
    let id = desk.exports()[0].id.clone();
    let err = desk
        .download_export(&Invocation::new(billing.clone(), now), &id, Vec::new(), go)
        .err();
    assert_eq!(err.map(|e| e.code()), Some("ADMINISTRATOR_ONLY"));
    assert_eq!(
        desk.audit_log(&AuditFilter::default().kind("export_download"))
            .len(),
        1
    );
    Ok(())
}

#[test]
fn exports_cannot_be_turned_clear() -> TestResult {
    let (mut desk, now) = demo::portfolio(20, 6)?;
    let mut clear = MaskPolicy::console();
    // `set` refuses; a hand-built policy is refused by the export as well.
    assert!(clear.set(SensitiveField::Name, MaskRule::Clear).is_err());
    clear.email = MaskRule::Clear;
    let req = ExportRequest::csv(ExportSelection::all()).with_masks(clear.clone());
    let mut out = Vec::new();
    let err = desk
        .export(&Invocation::new(admin()?, now), &req, &mut out, go)
        .err();
    assert_eq!(err.map(|e| e.code()), Some("INVALID_ARGUMENT"));
    assert!(out.is_empty());
    assert!(desk.set_export_policy(clear).is_err());
    Ok(())
}

#[test]
fn pseudonym_exports_join_without_showing_data() -> TestResult {
    let (mut desk, now) = demo::portfolio(200, 8)?;
    let mut masks = MaskPolicy::console();
    masks.set(SensitiveField::Email, MaskRule::Pseudonym)?;
    let req = ExportRequest::csv(ExportSelection::all())
        .with_columns(vec![ExportColumn::CustomerId, ExportColumn::Email])
        .with_masks(masks);
    let err = desk
        .export(&Invocation::new(admin()?, now), &req, Vec::new(), go)
        .err();
    assert_eq!(err.map(|e| e.code()), Some("INVALID_ARGUMENT"), "no key");
    desk.set_pseudonym_key(Some(PseudonymKey::new(
        b"the partner's own secret, 32 b..",
    )?));
    let mut a = Vec::new();
    let mut b = Vec::new();
    desk.export(&Invocation::new(admin()?, now), &req, &mut a, go)?;
    desk.export(&Invocation::new(admin()?, now), &req, &mut b, go)?;
    assert_eq!(a, b, "stable pseudonyms");
    let (_, rows) = read_csv(&a)?;
    for row in rows {
        let c = desk.customer(&partnerdesk::CustomerId::new(row[0].as_str())?)?;
        match &c.email {
            Some(e) => {
                assert!(row[1].starts_with("pn_"));
                assert!(!row[1].contains(e.expose().as_str()));
            }
            None => assert_eq!(row[1], ""),
        }
    }
    Ok(())
}

#[test]
fn progress_reports_rows_done_of_total_and_cancel_is_recorded() -> TestResult {
    let (mut desk, now) = demo::portfolio(10_000, 12)?;
    let total = desk.count(&Query::all(), now) as u64;
    let mut seen = Vec::new();
    let job = desk.export(
        &Invocation::new(admin()?, now),
        &ExportRequest::csv(ExportSelection::all()),
        std::io::sink(),
        |p| {
            seen.push(p);
            ControlFlow::Continue(())
        },
    )?;
    assert_eq!(seen.first().map(|p| (p.done, p.total)), Some((0, total)));
    assert_eq!(seen.last().map(|p| (p.done, p.total)), Some((total, total)));
    assert!(seen.windows(2).all(|w| w[0].done < w[1].done));
    assert_eq!(job.rows, total);

    // Cancel after the first batch.
    let mut out = Vec::new();
    let err = desk
        .export(
            &Invocation::new(admin()?, now),
            &ExportRequest::csv(ExportSelection::all()),
            &mut out,
            |p| {
                if p.done >= 4096 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .err();
    assert_eq!(err.map(|e| e.code()), Some("EXPORT_CANCELLED"));
    let last = desk.exports().last().ok_or("no job")?;
    assert_eq!(last.status, ExportStatus::Cancelled);
    assert_eq!(last.rows, 4096);
    assert_eq!(last.total, total);
    let audited = desk.audit_log(&AuditFilter::default().kind("export"));
    assert!(
        audited
            .last()
            .is_some_and(|r| r.detail.contains("status=cancelled"))
    );

    // A cancelled XLSX leaves a partial archive in the sink (no central directory): to be
    // discarded, as a cancelled CSV.
    let mut out = Vec::new();
    let err = desk
        .export(
            &Invocation::new(admin()?, now),
            &ExportRequest::xlsx(ExportSelection::all()),
            &mut out,
            |p| {
                if p.done >= 4096 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .err();
    assert_eq!(err.map(|e| e.code()), Some("EXPORT_CANCELLED"));
    let last = desk.exports().last().ok_or("no job")?;
    assert_eq!((&last.status, last.rows), (&ExportStatus::Cancelled, 4096));
    assert!(out.starts_with(b"PK\x03\x04"));
    assert!(
        zip::ZipArchive::new(Cursor::new(&out)).is_err(),
        "not a whole archive"
    );
    Ok(())
}

/// A sink that fails after some bytes.
struct Failing(usize);

impl std::io::Write for Failing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0 < buf.len() {
            return Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "full"));
        }
        self.0 -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_sink_is_recorded_as_failed() -> TestResult {
    let (mut desk, now) = demo::portfolio(5_000, 12)?;
    let err = desk
        .export(
            &Invocation::new(admin()?, now),
            &ExportRequest::csv(ExportSelection::all()),
            Failing(100_000),
            go,
        )
        .err();
    assert_eq!(err.as_ref().map(|e| e.code()), Some("EXPORT_WRITE_FAILED"));
    assert!(err.is_some_and(|e| e.to_string().contains("storage full")));
    assert!(matches!(
        desk.exports().last().map(|j| &j.status),
        Some(ExportStatus::Failed { .. })
    ));
    Ok(())
}

#[test]
fn selected_ids_history_and_download_again() -> TestResult {
    let (mut desk, now) = demo::portfolio(100, 21)?;
    let ids: Vec<_> = desk.customers().take(5).map(|c| c.id.clone()).collect();
    let mut with_dup = ids.clone();
    with_dup.push(ids[0].clone());
    let req = ExportRequest::csv(ExportSelection::Ids(with_dup));
    let mut first = Vec::new();
    let job = desk.export(&Invocation::new(admin()?, now), &req, &mut first, go)?;
    assert_eq!(job.rows, 5, "repeated ids once");
    assert_eq!(job.selection, RecordedSelection::Ids(ids.clone()));
    let (_, rows) = read_csv(&first)?;
    let order: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let expect: Vec<&str> = ids.iter().map(|i| i.as_str()).collect();
    assert_eq!(order, expect, "the selection's order");

    // Download again regenerates the same bytes while nothing changed.
    let mut again = Vec::new();
    let n = desk.download_export(&Invocation::new(admin()?, now), &job.id, &mut again, go)?;
    assert_eq!((n, &again), (5, &first));

    // Changed data shows in a new download: a renamed customer, a removed one.
    desk.update_customer(&ids[1], |c| c.name = "Renamed Customer".to_owned().into())?;
    desk.remove_customer(&ids[2])?;
    let mut later = Vec::new();
    let n = desk.download_export(&Invocation::new(admin()?, now), &job.id, &mut later, go)?;
    assert_eq!(n, 4);
    let (_, rows) = read_csv(&later)?;
    assert_eq!(rows[1][2], "R***");
    assert!(rows.iter().all(|r| r[0] != ids[2].as_str()));
    // The history still says what the job was.
    assert_eq!(desk.export_job(&job.id)?.rows, 5);

    // Unknown ids are refused before anything is written; unknown jobs too.
    let ghost = partnerdesk::CustomerId::new("ffffffffffffffffffffffffffffffff")?;
    let mut out = Vec::new();
    let err = desk
        .export(
            &Invocation::new(admin()?, now),
            &ExportRequest::csv(ExportSelection::Ids(vec![ghost])),
            &mut out,
            go,
        )
        .err();
    assert_eq!(err.map(|e| e.code()), Some("CUSTOMER_NOT_FOUND"));
    assert!(out.is_empty());
    let err = desk
        .download_export(
            &Invocation::new(admin()?, now),
            &partnerdesk::ExportId::new("exp_999999")?,
            Vec::new(),
            go,
        )
        .err();
    assert_eq!(err.map(|e| e.code()), Some("EXPORT_NOT_FOUND"));
    Ok(())
}

#[test]
fn query_jobs_download_again_at_their_instant() -> TestResult {
    let (mut desk, now) = demo::portfolio(300, 22)?;
    let q = Query::parse("mtd>=100 and (tag:vip or assoc=reseller)")?;
    let req = ExportRequest::csv(ExportSelection::Query {
        query: q.clone(),
        sort: Sort::desc(SortKey::MonthToDate),
    });
    let mut first = Vec::new();
    let job = desk.export(&Invocation::new(admin()?, now), &req, &mut first, go)?;
    assert_eq!(job.rows as usize, desk.count(&q, now));
    // The recorded filter is personal-data-safe in Debug output.
    assert!(format!("{:?}", job.selection).contains("[redacted]"));
    let later = now + chrono::Duration::days(40);
    let mut again = Vec::new();
    desk.download_export(&Invocation::new(admin()?, later), &job.id, &mut again, go)?;
    assert_eq!(again, first);
    Ok(())
}

#[test]
fn export_history_persists_in_snapshots() -> TestResult {
    let (mut desk, now) = demo::portfolio(60, 23)?;
    desk.export(
        &Invocation::new(admin()?, now),
        &ExportRequest::csv(ExportSelection::all()),
        Vec::new(),
        go,
    )?;
    desk.export(
        &Invocation::new(admin()?, now),
        &ExportRequest::xlsx(ExportSelection::all()),
        Vec::new(),
        go,
    )?;
    let json = desk.to_snapshot_json()?;
    let loaded = Desk::from_snapshot_json(&json)?;
    assert_eq!(loaded.exports(), desk.exports());
    assert_eq!(loaded.exports().len(), 2);
    assert_eq!(loaded, desk);
    // The snapshot names no personal value in the history.
    let c = desk.customers().next().ok_or("empty")?;
    assert!(!json[json.find("\"exports\"").unwrap_or(0)..].contains(c.name.expose().as_str()));
    Ok(())
}

#[test]
fn bad_requests_are_refused_before_writing() -> TestResult {
    let (mut desk, now) = demo::portfolio(20, 24)?;
    let dup = ExportRequest::csv(ExportSelection::all())
        .with_columns(vec![ExportColumn::Name, ExportColumn::Name]);
    let bad_name = ExportRequest::csv(ExportSelection::all()).named("../etc/passwd");
    for req in [dup, bad_name] {
        let mut out = Vec::new();
        let err = desk
            .export(&Invocation::new(admin()?, now), &req, &mut out, go)
            .err();
        assert_eq!(err.map(|e| e.code()), Some("INVALID_ARGUMENT"));
        assert!(out.is_empty());
    }
    assert!(desk.exports().is_empty());
    assert_eq!(
        ExportColumn::parse("month_to_date")?,
        ExportColumn::MonthToDate
    );
    assert!(ExportColumn::parse("password").is_err());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random customers (random scripts and lengths): no cell holds a raw name, mobile or
    /// e-mail, and the row count is the selection's size.
    #[test]
    fn exports_never_hold_raw_values(seed in 0u64..10_000, n in 1usize..120, names in proptest::collection::vec("[\u{4e00}-\u{9fa5}]{2,4}|[A-Z][a-z]{2,12} [A-Z][a-z]{2,12}|[\u{0621}-\u{064a}]{3,9}|[\u{ac00}-\u{d7a3}]{2,4}", 1..120)) {
        let run = || -> Result<(), Box<dyn std::error::Error>> {
            let (mut desk, now) = demo::portfolio(n, seed)?;
            let ids: Vec<_> = desk.customers().map(|c| c.id.clone()).collect();
            // Every customer gets a random name (demo names are real names, which may also be
            // an account manager's name, shown in clear by the console's policy).
            for (id, name) in ids.iter().zip(names.iter().cycle()) {
                desk.update_customer(id, |c| c.name = name.clone().into())?;
            }
            let pick: Vec<_> = ids.iter().step_by(2).cloned().collect();
            let mut out = Vec::new();
            let cols = ExportColumn::ALL.to_vec();
            let job = desk.export(&Invocation::new(admin()?, now), &ExportRequest::csv(ExportSelection::Ids(pick.clone())).with_columns(cols), &mut out, go)?;
            let (_, rows) = read_csv(&out)?;
            if rows.len() != pick.len() || job.rows as usize != pick.len() {
                return Err("row count differs from the selection".into());
            }
            for row in &rows {
                let c = desk.customer(&partnerdesk::CustomerId::new(row[0].as_str())?)?;
                for raw in raw_values(c) {
                    if let Some(cell) = row.iter().find(|cell| cell.contains(&raw)) {
                        return Err(format!("raw value {raw:?} in cell {cell:?}").into());
                    }
                }
                let name = &row[2];
                let expect = mask_name(c.name.expose());
                if name != &expect {
                    return Err(format!("name cell {name} != {expect}").into());
                }
            }
            Ok(())
        };
        run().map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
}

#[test]
fn id_ordered_exports_follow_select_all() -> TestResult {
    let (mut desk, now) = demo::portfolio(1_500, 31)?;
    for sort in [
        Sort::asc(SortKey::Id),
        Sort::desc(SortKey::Id),
        Sort::asc(SortKey::Name),
    ] {
        let query = Query::parse("assoc=reseller or tag:vip")?.including_disassociated(true);
        let req = ExportRequest::csv(ExportSelection::Query {
            query: query.clone(),
            sort,
        })
        .with_columns(vec![ExportColumn::CustomerId]);
        let mut out = Vec::new();
        desk.export(&Invocation::new(admin()?, now), &req, &mut out, go)?;
        let (_, rows) = read_csv(&out)?;
        let got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        let want: Vec<&str> = crate::common::select_all(&desk, &query, sort, now)
            .into_iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(got, want, "{sort}");
    }
    Ok(())
}

#[test]
fn id_order_follows_customers_added_and_removed() -> TestResult {
    let (mut desk, now) = demo::portfolio(800, 32)?;
    let ids_only = |sort: Sort| {
        ExportRequest::csv(ExportSelection::Query {
            query: Query::all(),
            sort,
        })
        .with_columns(vec![ExportColumn::CustomerId])
    };
    let check = |desk: &mut Desk| -> TestResult {
        for sort in [Sort::asc(SortKey::Id), Sort::desc(SortKey::Id)] {
            let mut out = Vec::new();
            let job = desk.export(
                &Invocation::new(admin()?, now),
                &ids_only(sort),
                &mut out,
                go,
            )?;
            let (_, rows) = read_csv(&out)?;
            let got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
            let want: Vec<&str> = crate::common::select_all(desk, &Query::all(), sort, now)
                .into_iter()
                .map(|c| c.id.as_str())
                .collect();
            assert_eq!(got, want, "{sort}");
            assert_eq!(job.total as usize, want.len());
        }
        Ok(())
    };
    check(&mut desk)?;
    // Remove some customers, add new ones (their ids sort among the others, one shares a
    // long prefix with an existing id), put a removed one back: the order follows.
    let ids: Vec<_> = desk.customers().map(|c| c.id.clone()).collect();
    let mut removed = Vec::new();
    for id in ids.iter().step_by(7) {
        removed.push(desk.remove_customer(id)?);
    }
    let since = now - chrono::Duration::days(3);
    let prefix = &ids[1].as_str()[..20];
    for new_id in [
        "0".to_owned(),
        "8".repeat(32),
        format!("{prefix}zzzz"),
        "ffffffffffffffffffffffffffffffffff".to_owned(),
    ] {
        let c = Customer::new(
            partnerdesk::CustomerId::new(new_id)?,
            "new_account",
            "New Customer",
            partnerdesk::Association::new(partnerdesk::AssociationType::Referral, since),
        );
        desk.insert_customer(c)?;
    }
    desk.insert_customer(removed.swap_remove(3))?;
    check(&mut desk)?;
    // Removed again before any export: never listed.
    desk.remove_customer(&ids[1])?;
    check(&mut desk)?;
    Ok(())
}

#[test]
fn awkward_cells_are_written_as_the_csv_crate_writes_them() -> TestResult {
    let (mut desk, now) = demo::portfolio(40, 33)?;
    let awkward = [
        "Say \"Hi\" Ltd.",
        "\"Quoted\" Inc",
        "Smith, Jones & Co",
        "=HYPERLINK(\"http://x\")",
        "张三,李四",
        "-1+1",
        "@home",
        "+86 shop",
        "مرحبا بالعالم",
        "plain",
    ];
    let ids: Vec<_> = desk.customers().map(|c| c.id.clone()).collect();
    for (id, text) in ids.iter().zip(awkward.iter().cycle()) {
        desk.update_customer(id, |c| {
            c.account_name = text.to_string().into();
            c.name = text.to_string().into();
        })?;
    }
    let cols = vec![
        ExportColumn::CustomerId,
        ExportColumn::AccountName,
        ExportColumn::Name,
        ExportColumn::Tags,
    ];
    let req = ExportRequest::csv(ExportSelection::all()).with_columns(cols.clone());
    let mut out = Vec::new();
    desk.export(&Invocation::new(admin()?, now), &req, &mut out, go)?;

    // The cells expected, guarded against formulas, written by the `csv` crate.
    let guard = |s: String| {
        if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{s}")
        } else {
            s
        }
    };
    let mut want = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    want.write_record(cols.iter().map(|c| c.header()))?;
    let mut expected_rows = Vec::new();
    for c in crate::common::select_all(&desk, &Query::all(), Sort::asc(SortKey::Id), now) {
        let tags: Vec<&str> = c.tags.iter().map(|t| t.as_str()).collect();
        let row = vec![
            c.id.as_str().to_owned(),
            guard(c.account_name.expose().to_string()),
            guard(mask_name(c.name.expose())),
            guard(tags.join("; ")),
        ];
        want.write_record(&row)?;
        expected_rows.push(row);
    }
    let want = want.into_inner().map_err(|e| e.to_string())?;
    assert_eq!(String::from_utf8(out.clone())?, String::from_utf8(want)?);

    // Read back: the awkward values survive as cells.
    let (_, rows) = read_csv(&out)?;
    assert_eq!(rows, expected_rows);
    let accounts: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    for text in [
        "Say \"Hi\" Ltd.",
        "Smith, Jones & Co",
        "张三,李四",
        "مرحبا بالعالم",
    ] {
        assert!(accounts.contains(&text), "{text}");
    }
    for text in ["'=HYPERLINK(\"http://x\")", "'-1+1", "'@home", "'+86 shop"] {
        assert!(accounts.contains(&text), "{text}");
    }
    let names: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert!(names.contains(&"\"***") && names.contains(&"'=***") && names.contains(&"张***"));
    Ok(())
}

/// The desk's compact copy of the exported fields follows every kind of change: governed
/// commands (freeze, manager assigned and unassigned, budgets with auto-freeze), spend in this
/// month and the last, customers removed and added, and a roll to the next month. After each
/// batch, an export by id (which reads the copy) writes the same bytes as an export of the same
/// ids listed one by one (which reads the customers), for every column the copy holds and for
/// a mix with columns it does not hold; a download at the job's earlier month too.
#[test]
fn the_compact_copy_follows_commands_spend_and_month_rolls() -> TestResult {
    use partnerdesk::budget::BudgetSetting;
    use partnerdesk::freeze::FreezeRequest;
    use partnerdesk::{BudgetKind, ChargingMode, FreezeScope, Money, SpendRecord};
    let (mut desk, mut now) = demo::portfolio(600, 34)?;
    let every = vec![
        ExportColumn::CustomerId,
        ExportColumn::AccountName,
        ExportColumn::Name,
        ExportColumn::Mobile,
        ExportColumn::Email,
        ExportColumn::Tags,
        ExportColumn::AssociationType,
        ExportColumn::AssociatedAt,
        ExportColumn::AccountManager,
        ExportColumn::AccountManagerName,
        ExportColumn::FreezeStatus,
        ExportColumn::MonthToDate,
        ExportColumn::LastMonth,
        ExportColumn::Currency,
        ExportColumn::NextExpiry,
    ];
    let mixed = vec![
        ExportColumn::CustomerId,
        ExportColumn::Name,
        ExportColumn::Level,
        ExportColumn::BudgetUsage,
        ExportColumn::FreezeOrigin,
    ];
    let check = |desk: &mut Desk, now| -> TestResult {
        for sort in [Sort::asc(SortKey::Id), Sort::desc(SortKey::Id)] {
            for (query, cols) in [
                (Query::all(), every.clone()),
                (
                    Query::parse("assoc=reseller")?,
                    ExportColumn::DEFAULT.to_vec(),
                ),
                (Query::all().including_disassociated(true), mixed.clone()),
            ] {
                let ids: Vec<_> = crate::common::select_all(desk, &query, sort, now)
                    .into_iter()
                    .map(|c| c.id.clone())
                    .collect();
                let by_query = ExportRequest::csv(ExportSelection::Query { query, sort })
                    .with_columns(cols.clone());
                let listed = ExportRequest::csv(ExportSelection::Ids(ids)).with_columns(cols);
                let (mut a, mut b) = (Vec::new(), Vec::new());
                desk.export(&Invocation::new(admin()?, now), &by_query, &mut a, go)?;
                desk.export(&Invocation::new(admin()?, now), &listed, &mut b, go)?;
                assert_eq!(String::from_utf8(a)?, String::from_utf8(b)?, "{sort}");
            }
        }
        Ok(())
    };
    check(&mut desk, now)?;
    let first_job = desk
        .exports()
        .first()
        .map(|j| j.id.clone())
        .ok_or("no job")?;
    let ids: Vec<_> = desk.customers().map(|c| c.id.clone()).collect();
    let resellers: Vec<_> = desk
        .customers()
        .filter(|c| c.is_associated() && c.association.is_reseller_model())
        .map(|c| c.id.clone())
        .collect();
    let admin = admin()?;
    let freeze = FreezeRequest::new(resellers[..5].to_vec(), FreezeScope::Account, "review")?;
    desk.freeze(&Invocation::new(admin.clone(), now), &freeze)?;
    let manager = OperatorId::new("am_001")?;
    desk.assign_manager(&Invocation::new(admin.clone(), now), &ids[10..20], &manager)?;
    desk.unassign_manager(&Invocation::new(admin.clone(), now), &ids[20..25])?;
    let setting = BudgetSetting::new(
        Money::new(partnerdesk::Decimal::from(5), desk.partner().currency),
        BudgetKind::Monthly,
        true,
        false,
    )?;
    for id in &resellers[5..10] {
        desk.set_budget(&Invocation::new(admin.clone(), now), id, &setting)?;
    }
    for (i, id) in ids.iter().step_by(9).enumerate() {
        for days_ago in [1, 35] {
            let spend = SpendRecord {
                day: (now - chrono::Duration::days(days_ago)).date_naive(),
                product: "ecs".into(),
                amount: Money::new(
                    partnerdesk::Decimal::new(1234 + i as i64, 2),
                    desk.partner().currency,
                ),
                mode: ChargingMode::PayPerUse,
            };
            desk.add_spend(id, spend)?;
        }
    }
    check(&mut desk, now)?;
    let removed = desk.remove_customer(&ids[3])?;
    desk.remove_customer(&ids[4])?;
    desk.insert_customer(removed)?;
    check(&mut desk, now)?;
    now += chrono::Duration::days(40);
    desk.roll_to(now)?;
    check(&mut desk, now)?;
    // A download regenerates at the job's instant, a month the copy is not for.
    let (mut again, mut want) = (Vec::new(), Vec::new());
    desk.download_export(
        &Invocation::new(admin.clone(), now),
        &first_job,
        &mut again,
        go,
    )?;
    let job = desk.export_job(&first_job)?.clone();
    let ids: Vec<_> =
        crate::common::select_all(&desk, &Query::all(), Sort::asc(SortKey::Id), job.at)
            .into_iter()
            .map(|c| c.id.clone())
            .collect();
    let listed = ExportRequest::csv(ExportSelection::Ids(ids)).with_columns(job.columns);
    desk.export(
        &Invocation::new(admin.clone(), job.at),
        &listed,
        &mut want,
        go,
    )?;
    assert_eq!(String::from_utf8(again)?, String::from_utf8(want)?);
    Ok(())
}
