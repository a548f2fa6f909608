//! Every operation the bindings expose, with any arguments: a program of calls of the shared
//! host layer's declared operations (`partnerdesk_host::ops`, the one list every binding
//! expands) and of the exports, detail exports and downloads that each binding builds from its
//! own options and runs through the host layer's export steps, each argument drawn from the
//! desk's own ids and logins, valid texts and edge cases. What must hold for any program:
//!
//! - nothing panics (a panic here would cross into Python, Node, Kotlin or Swift);
//! - on a durable desk (one input in eight, a SQLite file), what the calls committed opens
//!   again as the desk that made it, audit trail included; with two instances on the file
//!   (half of those), both are equal once caught up;
//! - a change that is refused changes nothing but the audit trail (its denied attempt);
//! - whatever the calls did, the desk saves and loads back equal, as a JSON snapshot and as a
//!   checkpoint, and its log replays from the first snapshot to the same desk (unless the
//!   program gave it an event key part-way).
//!
//! Why through the host layer and not the core: it is the door every host's arguments come in
//! by (texts for ids, amounts, months, options), and a new operation declared there is fuzzed
//! without a line written here.

use super::{Fuzz, Target, demo};
use crate::rng::Rng;
use chrono::{DateTime, Duration, Utc};
use partnerdesk::export::ExportProgress;
use partnerdesk_host::detail::DetailArgs;
use partnerdesk_host::ops::association::{AssociationType, CustomerLevel, CustomerType};
use partnerdesk_host::ops::authorizations::{AuthorizationAction, AuthorizationScope};
use partnerdesk_host::ops::customers::{CustomerArg, Role};
use partnerdesk_host::ops::governed::{BudgetKind, FreezeScope, Thresholds};
use partnerdesk_host::ops::huawei::{FilterText, ImportKind, Pages, Site};
use partnerdesk_host::ops::privacy::{MaskKind, MaskPolicy, MaskRule, Secret, SensitiveField};
use partnerdesk_host::ops::{ActorArg, analysis::HostDay};
use partnerdesk_host::setup::NewCustomer;
use partnerdesk_host::{Actor, DeskLock, HostDecimal, HostDesk, HostInstant, StoreOptions};
use rust_decimal::Decimal;
use std::ops::ControlFlow;

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "ops",
    about: "every host operation with drawn arguments: no panic, refusals change nothing, the desk saves and replays",
    setup: || Box::new(Ops::new()),
};

/// Draws values from an input's bytes (zero once they run out), with the desk's own ids and
/// logins at hand so that many calls get past the argument checks.
pub(crate) struct Draw<'a> {
    bytes: std::slice::Iter<'a, u8>,
    pool: &'a Pool,
}

/// Texts an argument is drawn from besides the edge cases.
struct Pool {
    customers: Vec<String>,
    logins: Vec<String>,
    now: DateTime<Utc>,
}

impl Draw<'_> {
    fn byte(&mut self) -> u8 {
        self.bytes.next().copied().unwrap_or(0)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::from(self.byte()) % n
        }
    }

    fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }

    /// One of the desk's customer ids.
    fn customer(&mut self) -> String {
        let i = self.below(self.pool.customers.len());
        self.pool.customers.get(i).cloned().unwrap_or_default()
    }

    /// One of the desk's operator logins.
    fn login(&mut self) -> String {
        let i = self.below(self.pool.logins.len());
        self.pool.logins.get(i).cloned().unwrap_or_default()
    }

    fn done(&self) -> bool {
        self.bytes.len() == 0
    }
}

/// A value of an argument's type, drawn.
pub(crate) trait Arb: Sized {
    fn arb(d: &mut Draw<'_>) -> Self;
}

/// Texts that mean something to some argument: months, days, amounts, currencies, instants,
/// codes of the host enumerations, filters, reasons.
const TEXTS: &[&str] = &[
    "2026-11",
    "2026-12",
    "1969-12",
    "10000-01",
    "2026-11-30",
    "2026-02-29",
    "100",
    "0.01",
    "-5",
    "2147483647",
    "2147483648.001",
    "USD",
    "CNY",
    "usd",
    "XXX",
    "overdue payment",
    "name~cloud",
    "assoc=reseller and mtd>=100",
    "tag:vip or tag:gold",
    "(((((((((((((((((((((((((((((((((x",
    "reseller",
    "referral",
    "account",
    "account_and_resources",
    "monthly",
    "one_off",
    "place_orders",
    "view_spend",
    "mobile",
    "email",
    "name",
    "partial",
    "full",
    "list_sub_customers",
    "monthly_bills",
    "budget_records",
    "{}",
    "[]",
    "{\"total_count\": 1, \"customer_infos\": [{}]}",
];

impl Arb for String {
    fn arb(d: &mut Draw<'_>) -> Self {
        match d.below(8) {
            0 | 1 => d.customer(),
            2 | 3 => d.login(),
            4 | 5 => d.pick(TEXTS).to_owned(),
            6 => match d.below(3) {
                0 => {
                    let all = partnerdesk_huawei::fixtures::ALL;
                    all.get(d.below(all.len())).map_or("", |f| f.1).to_owned()
                }
                _ => d.pick(crate::mutate::STRINGS).to_owned(),
            },
            _ => {
                let n = d.below(40);
                let bytes: Vec<u8> = (0..n).map(|_| d.byte()).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
        }
    }
}

impl<T: Arb> Arb for Option<T> {
    fn arb(d: &mut Draw<'_>) -> Self {
        if d.below(3) == 0 {
            None
        } else {
            Some(T::arb(d))
        }
    }
}

impl<T: Arb> Arb for Vec<T> {
    fn arb(d: &mut Draw<'_>) -> Self {
        let n = match d.below(10) {
            9 => 100 + d.below(60),
            n => n,
        };
        (0..n).map(|_| T::arb(d)).collect()
    }
}

impl Arb for bool {
    fn arb(d: &mut Draw<'_>) -> Self {
        d.byte().is_multiple_of(2)
    }
}

macro_rules! arb_int {
    ($($t:ty),*) => {$(
        impl Arb for $t {
            fn arb(d: &mut Draw<'_>) -> Self {
                match d.below(6) {
                    0 => <$t>::MAX,
                    1 => <$t>::MIN,
                    2 => 0,
                    _ => <$t>::try_from(d.byte()).unwrap_or(0),
                }
            }
        }
    )*};
}
arb_int!(u8, u16, u32, u64, i32, i64, usize);

/// The host enumerations: one of their values.
macro_rules! arb_enum {
    ($($t:ty),*) => {$(
        impl Arb for $t {
            fn arb(d: &mut Draw<'_>) -> Self {
                let all = <$t>::ALL;
                all[d.below(all.len())]
            }
        }
    )*};
}
arb_enum!(
    AssociationType,
    CustomerLevel,
    CustomerType,
    AuthorizationAction,
    AuthorizationScope,
    Role,
    BudgetKind,
    FreezeScope,
    ImportKind,
    Site,
    MaskKind,
    SensitiveField,
    partnerdesk_host::ops::authorizations::OrderKind
);

impl Arb for HostInstant {
    fn arb(d: &mut Draw<'_>) -> Self {
        let now = d.pool.now;
        HostInstant(match d.below(8) {
            0 => DateTime::<Utc>::MAX_UTC,
            1 => DateTime::<Utc>::MIN_UTC,
            2 => DateTime::<Utc>::UNIX_EPOCH,
            3 => now - Duration::days(i64::from(d.byte()) * 40),
            4 => now + Duration::days(i64::from(d.byte()) * 40),
            _ => now + Duration::hours(i64::from(d.byte()) - 128),
        })
    }
}

impl Arb for HostDecimal {
    fn arb(d: &mut Draw<'_>) -> Self {
        HostDecimal(match d.below(7) {
            0 => Decimal::MAX,
            1 => Decimal::MIN,
            2 => Decimal::new(1, 28),
            3 => Decimal::new(-i64::from(d.byte()), 2),
            4 => Decimal::new(2_147_483_647, 0),
            _ => Decimal::new(i64::from(d.byte()) * 1000 + i64::from(d.byte()), 2),
        })
    }
}

impl Arb for HostDay {
    fn arb(d: &mut Draw<'_>) -> Self {
        HostDay(match d.below(3) {
            0 => String::arb(d),
            _ => (d.pool.now - Duration::days(i64::from(d.byte())))
                .format("%Y-%m-%d")
                .to_string(),
        })
    }
}

impl Arb for Actor {
    fn arb(d: &mut Draw<'_>) -> Self {
        match d.below(4) {
            0 => Actor::System,
            1 => Actor::Customer { id: String::arb(d) },
            _ => Actor::Operator {
                login: String::arb(d),
            },
        }
    }
}

impl Arb for ActorArg {
    fn arb(d: &mut Draw<'_>) -> Self {
        match d.below(6) {
            0 => ActorArg::Parts {
                kind: d
                    .pick(&["operator", "customer", "system", "Operator", ""])
                    .to_owned(),
                id: Option::arb(d),
            },
            1 => ActorArg::Value(Actor::arb(d)),
            // Mostly the administrator or another operator of the desk, whose calls get past
            // the permission check to the rules behind it.
            2 | 3 => ActorArg::Login("admin".to_owned()),
            _ => ActorArg::Login(d.login()),
        }
    }
}

impl Arb for Thresholds {
    fn arb(d: &mut Draw<'_>) -> Self {
        let n = d.below(6);
        Thresholds(
            (0..n)
                .map(|_| match d.below(3) {
                    0 => String::arb(d),
                    _ => d
                        .pick(&["50", "80", "95.5", "100", "0", "101", "-1", "80.123"])
                        .to_owned(),
                })
                .collect(),
        )
    }
}

impl Arb for FilterText {
    fn arb(d: &mut Draw<'_>) -> Self {
        FilterText(String::arb(d))
    }
}

impl Arb for Pages {
    fn arb(d: &mut Draw<'_>) -> Self {
        Pages(Vec::arb(d))
    }
}

impl Arb for Secret {
    fn arb(d: &mut Draw<'_>) -> Self {
        let n = match d.below(4) {
            0 => 0,
            1 => 300,
            _ => 32,
        };
        Secret((0..n).map(|_| d.byte()).collect())
    }
}

impl Arb for MaskRule {
    fn arb(d: &mut Draw<'_>) -> Self {
        MaskRule {
            kind: MaskKind::arb(d),
            first: Option::arb(d),
            last: Option::arb(d),
            text: Option::arb(d),
        }
    }
}

impl Arb for MaskPolicy {
    fn arb(d: &mut Draw<'_>) -> Self {
        MaskPolicy {
            name: MaskRule::arb(d),
            mobile: MaskRule::arb(d),
            email: MaskRule::arb(d),
            account_name: MaskRule::arb(d),
            manager_name: MaskRule::arb(d),
        }
    }
}

impl Arb for CustomerArg {
    fn arb(d: &mut Draw<'_>) -> Self {
        if d.below(4) == 0 {
            return CustomerArg::Json {
                json: String::arb(d),
            };
        }
        let id = match d.below(3) {
            0 => String::arb(d),
            _ => format!("{:032x}", u128::from(d.byte()) << 64 | u128::from(d.byte())),
        };
        CustomerArg::New {
            customer: NewCustomer {
                id,
                account_name: String::arb(d),
                name: String::arb(d),
                association: d.pick(&["reseller", "referral", "x"]).to_owned(),
                associated_at: HostInstant::arb(d),
                customer_type: Option::arb(d),
                verification: Option::arb(d),
                level: Option::arb(d),
                mobile: Option::arb(d),
                country_code: Option::arb(d),
                email: Option::arb(d),
                tags: Vec::arb(d),
                reseller: Option::arb(d),
                account_manager: Option::arb(d),
            },
        }
    }
}

/// One declared operation: its name, whether it changes the desk, and its call with drawn
/// arguments (`Err` the refusal's code).
struct Op {
    name: &'static str,
    write: bool,
    call: fn(&DeskLock, &mut Draw<'_>) -> Result<(), &'static str>,
}

/// Expands a batch of declarations (the grammar of `partnerdesk_host::ops`) into `Op`s.
macro_rules! fuzz_operations {
    ($( $(#[doc = $doc:literal])* $kind:ident fn $name:ident ( $($arg:ident : $ty:ty),* )
        $([ $opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* } ])?
        -> $ret:ty => $body:path ; )*) => {
        &[$(
            Op {
                name: stringify!($name),
                write: fuzz_operations!(@is_write $kind),
                call: |desk, d| {
                    let _ = &d;
                    $(let $arg = <$ty as Arb>::arb(d);)*
                    $($(let $opt = <$oty as Arb>::arb(d);)*)?
                    fuzz_operations!(@$kind desk, $body, $($arg,)* $($($opt,)*)?)
                        .map(drop)
                        .map_err(|e| e.code())
                },
            },
        )*]
    };
    (@is_write read) => { false };
    (@is_write write) => { true };
    (@read $desk:ident, $body:path, $($a:ident,)*) => {
        $body(&$desk.read(), $($a),*)
    };
    (@write $desk:ident, $body:path, $($a:ident,)*) => {
        $body(&mut $desk.write(), $($a),*)
    };
}

/// Expands a batch of declared package functions (no desk) into `Op`s that leave the desk
/// alone.
macro_rules! fuzz_functions {
    ($( $(#[doc = $doc:literal])* fn $name:ident ( $($arg:ident : $ty:ty),* )
        $([ $opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* } ])?
        -> $ret:ty => $body:path ; )*) => {
        &[$(
            Op {
                name: stringify!($name),
                write: false,
                call: |_desk, d| {
                    let _ = &d;
                    $(let $arg = <$ty as Arb>::arb(d);)*
                    $($(let $opt = <$oty as Arb>::arb(d);)*)?
                    $body($($arg,)* $($($opt,)*)?).map(drop).map_err(|e| e.code())
                },
            },
        )*]
    };
}

/// Texts an export option may be: formats, columns, list kinds and options.
const EXPORT_TEXTS: &[&str] = &[
    "customer_id",
    "account_name",
    "name",
    "mobile",
    "email",
    "customer_type",
    "verification",
    "level",
    "tags",
    "association_type",
    "associated_at",
    "disassociated_at",
    "reseller",
    "account_manager",
    "account_manager_name",
    "freeze_status",
    "freeze_origin",
    "budget_type",
    "budget",
    "budget_used",
    "budget_usage",
    "month_to_date",
    "last_month",
    "json",
    "CSV",
    "",
    "all",
    "unpaid",
    "yearly_monthly",
    "pay_per_use",
    "expiry",
    "newest_first",
    "kind",
    "record",
    "product",
    "day",
    "charging_mode",
];

/// A format: mostly one the exports know.
fn format(d: &mut Draw<'_>) -> String {
    match d.below(8) {
        0 => export_text(d),
        1..=4 => "csv".to_owned(),
        _ => "xlsx".to_owned(),
    }
}

/// A detail list's kind: mostly one the exports know.
fn list_kind(d: &mut Draw<'_>) -> String {
    match d.below(8) {
        0 => export_text(d),
        n => ["orders", "resources", "spend"][usize::from(n > 2) + usize::from(n > 5)].to_owned(),
    }
}

/// A customer of the desk, mostly.
fn customer_id(d: &mut Draw<'_>) -> String {
    if d.below(6) == 0 {
        String::arb(d)
    } else {
        d.customer()
    }
}

fn export_text(d: &mut Draw<'_>) -> String {
    if d.below(4) == 0 {
        String::arb(d)
    } else {
        d.pick(EXPORT_TEXTS).to_owned()
    }
}

/// Progress that sometimes cancels part-way.
fn progress(d: &mut Draw<'_>) -> impl FnMut(ExportProgress) -> ControlFlow<()> + use<> {
    let stop_after = match d.below(4) {
        0 => Some(u64::from(d.byte() % 8)),
        _ => None,
    };
    move |p: ExportProgress| match stop_after {
        Some(n) if p.done >= n => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    }
}

fn invocation(d: &mut Draw<'_>) -> Result<partnerdesk::Invocation, &'static str> {
    let actor = ActorArg::arb(d);
    let now = Option::<HostInstant>::arb(d);
    let key = Option::<String>::arb(d);
    partnerdesk_host::ops::invocation(&actor, now, key).map_err(|e| e.code())
}

/// A customer list exported through the host layer's three phases, as every binding runs it.
fn export_customers(desk: &DeskLock, d: &mut Draw<'_>) -> Result<(), &'static str> {
    use partnerdesk::export::ExportSelection;
    let inv = invocation(d)?;
    let selection = if d.below(3) == 0 {
        let ids: Vec<String> = Vec::arb(d);
        ExportSelection::Ids(partnerdesk_host::ops::customers(&ids).map_err(|e| e.code())?)
    } else {
        let text = String::arb(d);
        let query = partnerdesk::query::Query::parse(&text)
            .unwrap_or_else(|_| partnerdesk::query::Query::all());
        ExportSelection::Query {
            query,
            sort: partnerdesk::query::Sort::default(),
        }
    };
    let format = format(d);
    let bom = d.below(4) == 0;
    let columns: Option<Vec<String>> = if d.below(2) == 0 {
        Some((0..d.below(6)).map(|_| export_text(d)).collect())
    } else {
        None
    };
    let file_name = Option::<String>::arb(d);
    let request =
        partnerdesk_host::export::request(selection, &format, bom, columns.as_deref(), file_name)
            .map_err(|e| e.code())?;
    let mut out = Vec::new();
    partnerdesk_host::export::phases(
        desk,
        inv.actor(),
        |desk| desk.prepare_export(&inv, &request),
        &mut out,
        progress(d),
        partnerdesk::Desk::record_export,
    )
    .map(drop)
    .map_err(|e| e.code())
}

/// A customer's detail list exported, as the bindings run it (one change that runs once).
fn export_detail(desk: &DeskLock, d: &mut Draw<'_>) -> Result<(), &'static str> {
    let inv = invocation(d)?;
    let args = DetailArgs {
        list: list_kind(d),
        customer_id: customer_id(d),
        scope: Option::arb(d).map(|_: bool| export_text(d)),
        kinds: Option::arb(d).map(|_: bool| (0..d.below(3)).map(|_| export_text(d)).collect()),
        statuses: Option::arb(d),
        expiring_within_days: Option::arb(d),
        sort: Option::arb(d).map(|_: bool| export_text(d)),
        month: Option::arb(d).map(|_: bool| {
            (d.pool.now - Duration::days(31 * i64::from(d.byte() % 4)))
                .format("%Y-%m")
                .to_string()
        }),
        group: Option::arb(d).map(|_: bool| export_text(d)),
    };
    let format = format(d);
    let bom = d.below(4) == 0;
    let request = partnerdesk_host::detail::export_request(&args, &format, bom, Option::arb(d))
        .map_err(|e| e.code())?;
    let mut go_on = progress(d);
    desk.write()
        .change_once(|desk| desk.export_detail(&inv, &request, Vec::new(), &mut go_on))
        .map(drop)
        .map_err(|e| e.code())
}

/// A recorded export downloaded again (one of the desk's jobs, or any id).
fn download(desk: &DeskLock, d: &mut Draw<'_>) -> Result<(), &'static str> {
    let inv = invocation(d)?;
    let jobs: Vec<String> = desk
        .read()
        .exports()
        .iter()
        .map(|j| j.id.to_string())
        .collect();
    let id = match d.below(4) {
        0 => String::arb(d),
        _ => jobs.get(d.below(jobs.len())).cloned().unwrap_or_default(),
    };
    let id = partnerdesk::ExportId::new(id.as_str()).map_err(|e| e.code())?;
    let mut out = Vec::new();
    partnerdesk_host::export::download(desk, &inv, &id, &mut out, progress(d))
        .map(drop)
        .map_err(|e| e.code())
}

/// The exports, which every binding builds from its own options and runs through the host
/// layer's export steps.
const EXPORTS: &[Op] = &[
    Op {
        name: "export",
        write: true,
        call: export_customers,
    },
    Op {
        name: "export_detail",
        write: true,
        call: export_detail,
    },
    Op {
        name: "download_export",
        write: true,
        call: download,
    },
];

/// Every batch of declared operations.
const BATCHES: &[&[Op]] = &[
    partnerdesk_host::analysis_operations!(fuzz_operations),
    partnerdesk_host::association_operations!(fuzz_operations),
    partnerdesk_host::authorization_operations!(fuzz_operations),
    partnerdesk_host::governed_operations!(fuzz_operations),
    partnerdesk_host::privacy_operations!(fuzz_operations),
    partnerdesk_host::detail_operations!(fuzz_operations),
    partnerdesk_host::huawei_operations!(fuzz_operations),
    partnerdesk_host::customer_operations!(fuzz_operations),
    partnerdesk_host::operator_operations!(fuzz_operations),
    partnerdesk_host::huawei_functions!(fuzz_functions),
    partnerdesk_host::package_functions!(fuzz_functions),
    EXPORTS,
];

struct Ops {
    /// `PD_FUZZ_TRACE` set: each call's name and outcome code is printed (no argument, as
    /// arguments may be personal data), to read a finding's program when replaying it.
    trace: bool,
    desk: partnerdesk::Desk,
    /// The desk's snapshot, which its log replays from.
    start: String,
    pool: Pool,
    ops: Vec<&'static Op>,
}

impl Ops {
    fn new() -> Self {
        let (desk, now) = demo(30, 7);
        let customers = desk.customers().map(|c| c.id.as_str().to_owned()).collect();
        let logins = desk.operators().map(|o| o.id.as_str().to_owned()).collect();
        let ops = BATCHES.iter().flat_map(|b| b.iter()).collect();
        let start = match desk.to_snapshot_json() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("setup: the demo desk's snapshot failed: {e}");
                std::process::exit(2);
            }
        };
        Ops {
            trace: std::env::var_os("PD_FUZZ_TRACE").is_some(),
            desk,
            start,
            pool: Pool {
                customers,
                logins,
                now,
            },
            ops,
        }
    }
}

impl Fuzz for Ops {
    fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        let most = if rng.chance(10) { 2000 } else { 200 };
        let len = 1 + rng.below(most);
        (0..len).map(|_| rng.byte()).collect()
    }

    fn run(&self, input: &[u8]) -> Result<(), String> {
        // One input in eight runs on a durable desk (a SQLite file, a checkpoint every few
        // events): what its calls committed must open again as the desk that made it.
        let durable = input.first().is_some_and(|b| b % 8 == 0);
        let dir = tempfile::tempdir().map_err(|e| format!("setup: a temporary folder: {e}"))?;
        let location = dir.path().join("desk.db").to_string_lossy().into_owned();
        let options = || StoreOptions {
            checkpoint_every: Some(5),
            ..StoreOptions::default()
        };
        let desk = DeskLock::new(if durable {
            HostDesk::create(&location, self.desk.clone(), options())
                .map_err(|e| format!("setup: the durable desk: {}", e.code()))?
        } else {
            HostDesk::new(self.desk.clone())
        });
        // Half the durable inputs run a second instance on the same file: each call goes to
        // one of the two (a byte decides), which catch up with each other's commits.
        let other = if durable && input.get(1).is_some_and(|b| b.is_multiple_of(2)) {
            Some(DeskLock::new(
                HostDesk::open(&location, None, options())
                    .map_err(|e| format!("setup: the second instance: {}", e.code()))?,
            ))
        } else {
            None
        };
        let mut d = Draw {
            bytes: input.iter(),
            pool: &self.pool,
        };
        // Set when the program gave the desk an event key: its log is then sealed with more
        // than one key (none before), and a replay needs each.
        let mut keyed = false;
        while !d.done() {
            let i = usize::from(d.byte()) << 8 | usize::from(d.byte());
            let Some(op) = self.ops.get(i % self.ops.len()) else {
                continue;
            };
            // With two instances: the one the call goes to, and whether it caught up first
            // (a call on an instance behind the other catches up itself, after a
            // `CONCURRENT_CHANGE`, so a refusal may change it: its state is compared only
            // when it caught up first).
            let (target, fresh) = match &other {
                None => (&desk, true),
                Some(second) => {
                    let target = if d.byte().is_multiple_of(2) {
                        &desk
                    } else {
                        second
                    };
                    let fresh = d.byte().is_multiple_of(2);
                    if fresh {
                        target.write().refresh().map_err(|e| {
                            format!("an instance did not catch up: {} ({e})", e.code())
                        })?;
                    }
                    (target, fresh)
                }
            };
            let before = (op.write && fresh)
                .then(|| state(&target.read()))
                .transpose()?;
            let outcome = (op.call)(target, &mut d);
            if op.write && durable {
                // As each binding does after a change: a due checkpoint, beside reads.
                target
                    .read()
                    .checkpoint_if_due()
                    .map_err(|e| format!("a due checkpoint failed: {} ({e})", e.code()))?;
            }
            if self.trace {
                eprintln!("ops: {} -> {:?}", op.name, outcome);
            }
            keyed |= op.name == "set_event_key" && outcome.is_ok();
            // A cancelled or failed export is not a refusal: it ran, and its job is recorded
            // with that status (the error names the job).
            let ran = matches!(outcome, Err("EXPORT_CANCELLED" | "EXPORT_WRITE_FAILED"));
            if let (Some(before), Err(code), false) = (before, outcome, ran) {
                let after = state(&target.read())?;
                if after != before {
                    return Err(format!(
                        "`{}` was refused with {code} and changed the desk ({})",
                        op.name,
                        changed_keys(&before, &after)
                    ));
                }
            }
        }
        if let Some(second) = other {
            let mut second = second.into_inner();
            second
                .refresh()
                .map_err(|e| format!("an instance did not catch up: {} ({e})", e.code()))?;
            desk.write()
                .refresh()
                .map_err(|e| format!("an instance did not catch up: {} ({e})", e.code()))?;
            if unsealed(&second, "the second instance")? != unsealed(&desk.read(), "the desk")? {
                return Err("two instances on one store differ once caught up".to_owned());
            }
        }
        let desk = desk.into_inner();
        round_trips(&desk)?;
        if durable {
            let reopened = HostDesk::open(&location, None, options())
                .map_err(|e| format!("the durable desk did not open again: {} ({e})", e.code()))?;
            if unsealed(&reopened, "the reopened desk")? != unsealed(&desk, "the desk")? {
                return Err("the durable desk opened again differs".to_owned());
            }
        }
        if !keyed {
            let replayed = partnerdesk::Desk::replay(&self.start, desk.events().iter().cloned())
                .map_err(|e| format!("the desk's own log was refused: {} ({e})", e.code()))?;
            if replayed != *desk {
                return Err("the log replays to another desk".to_owned());
            }
        }
        Ok(())
    }
}

/// The desk's state as a JSON value, without the ledger's audit trail and its counter (a
/// refused change records its denied attempt there).
fn state(desk: &partnerdesk::Desk) -> Result<serde_json::Value, String> {
    let (_, mut value) = snapshot(desk, "the snapshot")?;
    if let Some(ledger) = value.get_mut("ledger").and_then(|l| l.as_object_mut()) {
        ledger.remove("audit");
        ledger.remove("audit_seq");
    }
    Ok(value)
}

/// The top-level parts of a snapshot that differ (names only: values may be personal data).
fn changed_keys(before: &serde_json::Value, after: &serde_json::Value) -> String {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return "not an object".to_owned();
    };
    let mut keys: Vec<&str> = b
        .keys()
        .chain(a.keys())
        .filter(|k| b.get(*k) != a.get(*k))
        .map(String::as_str)
        .collect();
    keys.dedup();
    keys.join(", ")
}

/// Where two JSON texts first differ, as a path of keys and indexes (no values).
fn first_difference(a: &str, b: &str) -> String {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, path: &mut Vec<String>) -> bool {
        use serde_json::Value;
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    path.push(k.clone());
                    if walk(v, y.get(k).unwrap_or(&Value::Null), path) {
                        return true;
                    }
                    path.pop();
                }
                x.len() != y.len()
            }
            (Value::Array(x), Value::Array(y)) => {
                for (i, v) in x.iter().enumerate() {
                    path.push(i.to_string());
                    if walk(v, y.get(i).unwrap_or(&Value::Null), path) {
                        return true;
                    }
                    path.pop();
                }
                x.len() != y.len()
            }
            _ => a != b,
        }
    }
    let parse = |t: &str| serde_json::from_str(t).unwrap_or(serde_json::Value::Null);
    let mut path = Vec::new();
    if walk(&parse(a), &parse(b), &mut path) {
        path.join(".")
    } else {
        "the text only (key order or number form)".to_owned()
    }
}

/// A snapshot's text without its event seal record: the event key is never saved (a host
/// sets it again after a load, `Desk::set_event_key`), so a desk loaded without it records
/// none.
fn unsealed(desk: &partnerdesk::Desk, what: &str) -> Result<String, String> {
    Ok(without_seal(snapshot(desk, what)?.1))
}

/// A snapshot's value without its event seal record, as text.
fn without_seal(mut value: serde_json::Value) -> String {
    if let Some(map) = value.as_object_mut() {
        map.remove("event_seal");
    }
    value.to_string()
}

/// The desk's snapshot, as text and as a JSON value.
fn snapshot(desk: &partnerdesk::Desk, what: &str) -> Result<(String, serde_json::Value), String> {
    let text = desk
        .to_snapshot_json()
        .map_err(|e| format!("{what} failed: {}", e.code()))?;
    let value = serde_json::from_str(&text).map_err(|e| format!("{what} is not JSON: {e}"))?;
    Ok((text, value))
}

/// The desk saves and loads back equal, as a snapshot and as a checkpoint.
fn round_trips(desk: &partnerdesk::Desk) -> Result<(), String> {
    let (text, value) = snapshot(desk, "the snapshot")?;
    let json = without_seal(value);
    let loaded = partnerdesk::Desk::from_snapshot_json(&text)
        .map_err(|e| format!("the desk's own snapshot was refused: {} ({e})", e.code()))?;
    let again = unsealed(&loaded, "the loaded snapshot")?;
    if again != json {
        return Err(format!(
            "the snapshot loaded back differs at {}",
            first_difference(&json, &again)
        ));
    }
    let bytes = desk
        .to_checkpoint()
        .map_err(|e| format!("the checkpoint failed: {}", e.code()))?;
    let opened = partnerdesk::Desk::from_checkpoint(&bytes)
        .map_err(|e| format!("the desk's own checkpoint was refused: {} ({e})", e.code()))?;
    let from_checkpoint = unsealed(&opened, "the opened checkpoint")?;
    if from_checkpoint != json {
        return Err("the checkpoint opened back differs".to_owned());
    }
    Ok(())
}
