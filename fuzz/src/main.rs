//! # partnerdesk-fuzz
//!
//! Fuzzing on stable Rust: every target turns random bytes (fresh, or mutated from a seed
//! corpus taken from the repository's fixtures, demo snapshots and sample filters) into input
//! for one door of the library, runs it under `std::panic::catch_unwind`, and checks a few
//! properties that must hold for any input (a loaded snapshot saves and loads back equal, a
//! parsed filter prints and parses back equal, an exported CSV cell never starts a formula...).
//! A panic or a broken property is a finding: the input is saved to a file and the run exits
//! non-zero. See `docs/fuzzing.md`.
//!
//! ```text
//! cargo run -p partnerdesk-fuzz --release -- <target|all> [--cases N] [--seconds S]
//!     [--seed X] [--start K] [--out DIR] [--save-each]
//! cargo run -p partnerdesk-fuzz --release -- <target> --replay FILE
//! cargo run -p partnerdesk-fuzz --release -- --list
//! ```

mod mutate;
mod rng;
mod targets;

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The last panic's message and location, kept by the quiet panic hook.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Options of one run.
struct Options {
    targets: Vec<&'static targets::Target>,
    cases: u64,
    seconds: Option<u64>,
    seed: u64,
    start: u64,
    out: PathBuf,
    save_each: bool,
    replay: Option<PathBuf>,
}

fn usage() -> String {
    let names: Vec<&str> = targets::ALL.iter().map(|t| t.name).collect();
    format!(
        "usage: partnerdesk-fuzz <target|all> [--cases N] [--seconds S] [--seed X] [--start K] \
         [--out DIR] [--save-each] [--replay FILE]\n       partnerdesk-fuzz --list\ntargets: {}",
        names.join(", ")
    )
}

fn number(flag: &str, value: Option<String>) -> Result<u64, String> {
    let v = value.ok_or_else(|| format!("{flag} needs a value"))?;
    let v = v.replace('_', "");
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    };
    parsed.map_err(|_| format!("{flag}: not a number: {v}"))
}

fn parse_args() -> Result<Option<Options>, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        targets: Vec::new(),
        cases: 10_000,
        seconds: None,
        seed: 0x5eed,
        start: 0,
        out: PathBuf::from("fuzz/findings"),
        save_each: false,
        replay: None,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--list" => {
                for t in targets::ALL {
                    say(&format!("{:10} {}", t.name, t.about));
                }
                return Ok(None);
            }
            "--cases" => o.cases = number("--cases", args.next())?,
            "--seconds" => o.seconds = Some(number("--seconds", args.next())?),
            "--seed" => o.seed = number("--seed", args.next())?,
            "--start" => o.start = number("--start", args.next())?,
            "--out" => o.out = PathBuf::from(args.next().ok_or("--out needs a folder")?),
            "--save-each" => o.save_each = true,
            "--replay" => {
                o.replay = Some(PathBuf::from(args.next().ok_or("--replay needs a file")?))
            }
            "-h" | "--help" => return Err(usage()),
            "all" => o.targets.extend(targets::ALL.iter()),
            name => match targets::ALL.iter().find(|t| t.name == name) {
                Some(t) => o.targets.push(t),
                None => return Err(format!("unknown target or option: {name}\n{}", usage())),
            },
        }
    }
    if o.targets.is_empty() {
        return Err(usage());
    }
    Ok(Some(o))
}

/// Prints a line on stdout (the runner's report).
#[allow(clippy::print_stdout, reason = "the runner's report goes to stdout")]
fn say(line: &str) {
    println!("{line}");
}

/// Runs one input; `Err` is a finding (a panic or a broken property).
fn attempt(fuzz: &dyn targets::Fuzz, input: &[u8]) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| fuzz.run(input))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(property)) => Err(format!("property broken: {property}")),
        Err(payload) => {
            let hooked = LAST_PANIC.lock().ok().and_then(|mut g| g.take());
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Err(format!("panic: {}", hooked.unwrap_or(message)))
        }
    }
}

fn save(dir: &Path, name: &str, input: &[u8], note: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    std::fs::write(&path, input)?;
    let mut n = std::fs::File::create(path.with_extension("txt"))?;
    writeln!(n, "{note}")?;
    Ok(path)
}

/// Runs one target; returns the number of findings.
fn run_target(t: &targets::Target, o: &Options) -> u64 {
    let started = Instant::now();
    let fuzz = (t.setup)();
    if let Some(file) = &o.replay {
        let input = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                say(&format!("{}: cannot read {}: {e}", t.name, file.display()));
                return 1;
            }
        };
        return match attempt(fuzz.as_ref(), &input) {
            Ok(()) => {
                say(&format!("{}: replay of {} passes", t.name, file.display()));
                0
            }
            Err(f) => {
                say(&format!(
                    "{}: replay of {} fails: {f}",
                    t.name,
                    file.display()
                ));
                1
            }
        };
    }
    let budget = o.seconds.map(Duration::from_secs);
    let mut done = 0u64;
    let mut findings = 0u64;
    for index in o.start..o.start.saturating_add(o.cases) {
        if budget.is_some_and(|b| started.elapsed() >= b) {
            break;
        }
        let mut rng = rng::Rng::for_input(o.seed, t.name, index);
        let input = fuzz.generate(&mut rng);
        if o.save_each
            && let Err(e) = save(&o.out, &format!("{}.current", t.name), &input, "")
        {
            say(&format!("{}: cannot save the current input: {e}", t.name));
        }
        if let Err(finding) = attempt(fuzz.as_ref(), &input) {
            findings += 1;
            let name = format!("{}-seed{:x}-{index}.input", t.name, o.seed);
            let note = format!(
                "target {}\nseed {:#x}\ninput {index}\n{finding}\nreplay: cargo run -p partnerdesk-fuzz --release -- {} --replay {}",
                t.name,
                o.seed,
                t.name,
                o.out.join(&name).display()
            );
            match save(&o.out, &name, &input, &note) {
                Ok(p) => say(&format!(
                    "{}: FINDING at input {index}: {finding}\n  saved to {}",
                    t.name,
                    p.display()
                )),
                Err(e) => say(&format!(
                    "{}: FINDING at input {index}: {finding} (not saved: {e})",
                    t.name
                )),
            }
            if findings >= 20 {
                say(&format!("{}: stopping after 20 findings", t.name));
                done += 1;
                break;
            }
        }
        done += 1;
    }
    say(&format!(
        "{:10} inputs {:>9}  findings {:>3}  seed {:#x}  start {}  {:.1}s",
        t.name,
        done,
        findings,
        o.seed,
        o.start,
        started.elapsed().as_secs_f64()
    ));
    findings
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(Some(o)) => o,
        Ok(None) => return ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    // Quiet panics: the message is kept for the finding's note instead of printed per input.
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut g) = LAST_PANIC.lock() {
            *g = Some(info.to_string());
        }
    }));
    let mut findings = 0;
    for t in &o.targets {
        findings += run_target(t, &o);
    }
    if findings > 0 {
        say(&format!(
            "{findings} finding(s); inputs saved under {}",
            o.out.display()
        ));
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
