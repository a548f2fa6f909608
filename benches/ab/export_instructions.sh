#!/usr/bin/env bash
# Instructions of one CSV export of every associated customer (98,012 rows of the 100k demo
# desk), counted by callgrind for an older commit and for the working tree, side by side.
# Instruction counts repeat exactly for the same binary and input, whatever else the machine
# is doing, so this A/B holds on a loaded machine where wall-clock figures do not.
#
#   benches/ab/export_instructions.sh [OLD_REV] [ROWS]     (defaults: 05c0ad4 100000)
#
# Each side is a small program built in release (thin LTO, as the benches) against that
# side's `partnerdesk` crate and Cargo.lock; only the export call is counted
# (`--toggle-collect` on `measured`), after an empty export has brought the desk's id order
# and export copy up to date. Prints each side's total and its top functions. Needs valgrind.
# The old side uses the export API before issue 14's `Invocation` (05c0ad4 and its time).
set -euo pipefail
# Each side builds in its own target folder under the scratch folder (never a shared one).
unset CARGO_TARGET_DIR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
old_rev="${1:-05c0ad4}"
rows="${2:-100000}"
work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/old-tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/old-tree" "$old_rev" >/dev/null

program() { # program NAME CRATE_DIR LOCKFILE CALL_OLD_OR_NEW
  local dir="$work/$1"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<EOF
[package]
name = "ab_$1"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
partnerdesk = { path = "$2" }
chrono = "0.4"
[profile.release]
lto = "thin"
debug = "line-tables-only"
[workspace]
EOF
  cp "$3" "$dir/Cargo.lock"
  local inv call empty
  if [[ $4 == old ]]; then
    inv=""
    call='desk.export(&admin(), req, std::io::sink(), go, now)'
    empty='desk.export(&admin(), &empty, std::io::sink(), go, now)'
  else
    inv="use partnerdesk::Invocation;"
    call='desk.export(&Invocation::new(admin(), now), req, std::io::sink(), go)'
    empty='desk.export(&Invocation::new(admin(), now), &empty, std::io::sink(), go)'
  fi
  cat >"$dir/src/main.rs" <<EOF
use partnerdesk::access::Actor;
use partnerdesk::export::{ExportProgress, ExportRequest, ExportSelection};
use partnerdesk::{demo, Desk, OperatorId};
$inv
use std::ops::ControlFlow;
fn go(_: ExportProgress) -> ControlFlow<()> { ControlFlow::Continue(()) }
fn admin() -> Actor { Actor::Operator(OperatorId::new("admin").unwrap()) }
#[inline(never)]
fn measured(desk: &mut Desk, now: chrono::DateTime<chrono::Utc>, req: &ExportRequest) -> u64 {
    $call.unwrap().rows
}
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let (mut desk, now): (Desk, _) = demo::portfolio(n, 42).unwrap();
    let empty = ExportRequest::csv(ExportSelection::Ids(Vec::new()));
    $empty.unwrap();
    let req = ExportRequest::csv(ExportSelection::all());
    println!("rows={}", measured(&mut desk, now, &req));
}
EOF
  (cd "$dir" && cargo build --release --quiet)
}

program old "$work/old-tree/crates/partnerdesk" "$work/old-tree/Cargo.lock" old
program new "$root/crates/partnerdesk" "$root/Cargo.lock" new
for side in old new; do
  out="$work/callgrind.$side"
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*' \
    --callgrind-out-file="$out" "$work/$side/target/release/ab_$side" "$rows" 2>"$out.log"
  total="$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out.log")"
  label="$side"; [[ $side == old ]] && label="old ($old_rev)"; [[ $side == new ]] && label="new (working tree)"
  printf '\n%s: %s instructions\n' "$label" "$total"
  callgrind_annotate --threshold=90 "$out" 2>/dev/null | sed -n '/file:function/,$p' | sed -n 3,10p |
    sed -E 's#^ *([0-9,]+) \( *([0-9.]+%)\) +[^:]*:([^ ]*).*#  \1  \2  \3#'
done
