//! Crash safety: a child process applies random commands to a desk in a SQLite store and is
//! killed with SIGKILL at a random moment, again and again (at least 200 times) on the same
//! file. After each kill the store is reopened: every command the child acknowledged (printed
//! after `execute` returned) is there, none is half there (the head is the last acknowledged
//! mark or the mark of the one command after it, whose events and audit records are all there
//! or all absent), and the reopened desk equals the replay of the whole log from the desk's
//! first checkpoint. Checkpoints are taken every few events, so kills land in them too.
//!
//! The child is this very test binary, run again with `PD_KILL_CHILD` naming the store file
//! (`std::env::current_exe()`): its test `child` does the work only then.

mod common;

use common::*;
use partnerdesk::Mark;
use partnerdesk_store::sqlite::SqliteStore;
use partnerdesk_store::{DurableDesk, Policy};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How many times the child is killed.
const KILLS: usize = 200;

/// A small deterministic generator (xorshift), seeded per child.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn parse_ack(line: &str) -> Option<Mark> {
    let mut parts = line.strip_prefix("ACK ")?.split(' ');
    let events = parts.next()?.parse().ok()?;
    let audit = parts.next()?.parse().ok()?;
    Some(Mark { events, audit })
}

/// The child: opens (or creates) the desk and runs random commands until it is killed,
/// printing `ACK <events> <audit>` after each one the store acknowledged.
#[test]
fn child() -> TestResult {
    let (Some(path), Some(seed)) = (
        std::env::var_os("PD_KILL_CHILD"),
        std::env::var("PD_KILL_SEED").ok(),
    ) else {
        return Ok(()); // run as an ordinary test: nothing to do
    };
    let mut rng = Rng(seed.parse::<u64>()? | 1);
    let (desk, now) = small_desk()?;
    let policy = Policy {
        checkpoint_every: Some(5),
        ..Policy::default()
    };
    let mut durable = DurableDesk::create_with(SqliteStore::open(&path)?, desk, policy)?;
    let ids = resellers(durable.desk());
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "ACK {} {}",
        durable.desk().mark().events,
        durable.desk().mark().audit
    )?;
    out.flush()?;
    loop {
        let id = &ids[rng.below(ids.len() as u64) as usize];
        let r = match rng.below(6) {
            0 | 1 => durable
                .execute(|d| d.freeze(&admin(now)?, &freeze_request(id)?))
                .map(drop),
            2 | 3 => durable
                .execute(|d| d.unfreeze(&admin(now)?, &freeze_request(id)?))
                .map(drop),
            4 => durable.execute(|d| grant(d, now)),
            _ => durable.execute(|d| refused_grant(d, now)),
        };
        // A refusal is acknowledged too (its audit record is committed); a store failure is
        // not, and ends the child.
        match r {
            Ok(()) | Err(partnerdesk_store::StoreError::Desk(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let m = durable.desk().mark();
        writeln!(out, "ACK {} {}", m.events, m.audit)?;
        out.flush()?;
    }
}

#[test]
fn acknowledged_commands_survive_sigkill_and_none_is_half_applied() -> TestResult {
    if std::env::var_os("PD_KILL_CHILD").is_some() {
        return Ok(()); // in the child, only `child` runs
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("desk.db");
    let exe = std::env::current_exe()?;
    let (desk, _) = small_desk()?;
    let partner = desk.partner().id.clone();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let started = Instant::now();
    let mut acknowledged_total = 0usize;
    let mut one_after = 0usize;
    let mut last_seen: Option<Mark> = None;
    for kill in 0..KILLS {
        let mut child = Command::new(&exe)
            .args(["--exact", "child", "--nocapture", "--test-threads=1"])
            .env("PD_KILL_CHILD", &path)
            .env("PD_KILL_SEED", (rng.next() >> 1).to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut printed = String::new();
        let mut stdout = std::io::BufReader::new(child.stdout.take().ok_or("no stdout")?);
        if kill % 5 == 0 {
            // While the child starts: opening, creating, catching up.
            std::thread::sleep(Duration::from_micros(rng.below(120_000)));
        } else {
            // Once it runs commands: wait for 1 to 6 acknowledgements (the first is the open),
            // then up to a few milliseconds, so that the kill lands inside a command, its
            // commit or the checkpoint after it, whatever the machine's speed.
            let want = 2 + rng.below(6) as usize;
            while printed.matches("ACK ").count() < want {
                if std::io::BufRead::read_line(&mut stdout, &mut printed)? == 0 {
                    break;
                }
            }
            std::thread::sleep(Duration::from_micros(rng.below(8_000)));
        }
        child.kill()?; // SIGKILL
        child.wait()?;
        stdout.read_to_string(&mut printed)?;
        let acks: Vec<Mark> = printed.lines().filter_map(parse_ack).collect();
        acknowledged_total += acks.len().saturating_sub(1);

        // Reopen: the desk opens (unless the child died before creating it).
        let mut store = SqliteStore::open(&path)?;
        let Some(head) = partnerdesk_store::Store::head(&mut store, &partner)? else {
            assert!(acks.is_empty(), "kill {kill}: acknowledged, yet no desk");
            continue;
        };
        let mut durable = DurableDesk::open(store, &partner)?;
        assert_eq!(durable.desk().mark(), head, "kill {kill}");
        if let Some(&last) = acks.last() {
            // Every acknowledged command is there ...
            assert!(
                head.events >= last.events && head.audit >= last.audit,
                "kill {kill}: head {head:?} behind the acknowledged {last:?}"
            );
            // ... and at most the one command after it, whole: a command that adds an event
            // adds its audit record in the same transaction.
            if head != last {
                one_after += 1;
                assert!(
                    head.audit > last.audit,
                    "kill {kill}: events without their audit: {head:?} after {last:?}"
                );
                assert!(
                    head.events - last.events <= 1 && head.audit - last.audit <= 2,
                    "kill {kill}: more than one command after the acknowledged {last:?}: {head:?}"
                );
            }
        }
        if let Some(prev) = last_seen {
            assert!(head >= prev, "kill {kill}: the store went back");
        }
        last_seen = Some(head);
        // The reopened desk is the replay of the whole log from the first checkpoint.
        let replayed = replay_from_first(durable.store_mut(), &partner)?;
        assert_eq!(&replayed, durable.desk(), "kill {kill}");
    }
    let head = last_seen.ok_or("the desk was never created")?;
    // Four kills in five land while commands run (not only at start-up).
    assert!(
        acknowledged_total >= KILLS,
        "only {acknowledged_total} commands acknowledged over {KILLS} kills"
    );
    assert!(head.events > 0);
    // Visible with --nocapture; a passing run prints nothing otherwise.
    eprintln!(
        "{KILLS} kills in {:?}: {acknowledged_total} acknowledged commands, {one_after} kills \
         between a commit and its acknowledgement, head {head:?}",
        started.elapsed()
    );
    Ok(())
}
