#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: Debian's binaries (15 on Debian 12, installed
# with apt-get when missing and run as root), an unprivileged user, a
# temporary folder, a free loopback port, fsync on.
#
#   scripts/pg.sh start [--quiet]  initdb (first time) and start; prints `export PARTNERDESK_PG_URL=...`
#   scripts/pg.sh env              prints the export line of a running server (exit 1 if none)
#   scripts/pg.sh stop [--immediate]  stops it, keeps its data (start again reopens it on the same port)
#   scripts/pg.sh clean            stops it (immediate) and removes its folder
#
# Usage: eval "$(scripts/pg.sh start)". The server's folder is $PARTNERDESK_PG_DIR, by default
# one per checkout under /tmp (so two checkouts on one machine do not share a server); every
# folder above it must be traversable by the server's user. Idempotent: start on a running
# server only prints its URL. PostgreSQL refuses to run as root: as root the server runs as the
# system user `pdtest` (created when missing); otherwise as the calling user.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${PARTNERDESK_PG_DIR:-/tmp/partnerdesk-pg-$(printf '%s' "$repo" | cksum | cut -d' ' -f1)}"
data="$dir/data"
db=partnerdesk
# Debian 12's PostgreSQL 15; another Debian's own version when 15 is not there.
bin=/usr/lib/postgresql/15/bin
pick_bin() {
  [[ -x "$bin/postgres" ]] && return 0
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$newest" && -x "$newest/postgres" ]] && bin="$newest"
  return 0
}
pick_bin

say() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

need_binaries() {
  [[ -x "$bin/postgres" ]] && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "PostgreSQL is missing: installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq postgresql >&2 || die "apt-get install postgresql failed"
    # The package's own cluster is not ours: stop it if the installer started one.
    if command -v pg_lsclusters >/dev/null; then
      pg_lsclusters -h 2>/dev/null | while read -r version cluster _; do
        pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 || true
      done
    fi
    pick_bin
  fi
  [[ -x "$bin/postgres" ]] ||
    die "no PostgreSQL server binaries in /usr/lib/postgresql: install Debian's postgresql package (apt-get install postgresql) as root"
}

# Runs a command as the server's user.
as_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u pdtest -- "$@"
  else
    "$@"
  fi
}

ensure_user() {
  [[ $(id -u) -eq 0 ]] || return 0
  id pdtest >/dev/null 2>&1 && return 0
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pdtest ||
    id pdtest >/dev/null 2>&1 || die "could not create the system user pdtest"
}

port() { cat "$dir/port" 2>/dev/null; }
url() { printf 'postgresql://postgres@127.0.0.1:%s/%s' "$(port)" "$db"; }
running() { [[ -f "$data/PG_VERSION" ]] && as_user "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }
print_env() { printf 'export PARTNERDESK_PG_URL=%q\n' "$(url)"; }

# A port nothing listens on now (the server's bind is the real test: start retries on failure).
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
      echo "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}

init_cluster() {
  mkdir -p "$dir"
  chmod 0755 "$dir"
  [[ $(id -u) -eq 0 ]] && chown pdtest: "$dir"
  as_user "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  cat >>"$data/postgresql.conf" <<EOF
# scripts/pg.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
max_connections = 60
logging_collector = off
EOF
}

start() {
  need_binaries
  ensure_user
  if running; then
    print_env
    return 0
  fi
  [[ -f "$data/PG_VERSION" ]] || init_cluster
  local p tries=0
  p="$(port || true)"
  while :; do
    [[ -n "$p" ]] || p="$(free_port)"
    echo "$p" >"$dir/port"
    if as_user "$bin/pg_ctl" start -w -t 30 -D "$data" -l "$dir/server.log" -o "-p $p" >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if grep -q 'could not bind\|could not create any TCP/IP sockets' "$dir/server.log" 2>/dev/null &&
      [[ $tries -lt 10 ]]; then
      say "port $p is taken: trying another"
      p=""
      continue
    fi
    tail -n 20 "$dir/server.log" >&2 || true
    die "the server did not start (log: $dir/server.log)"
  done
  if ! as_user "$bin/psql" -h 127.0.0.1 -p "$p" -U postgres -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    as_user "$bin/createdb" -h 127.0.0.1 -p "$p" -U postgres "$db" || die "createdb failed"
  fi
  [[ "${1:-}" == --quiet ]] || say "PostgreSQL $(cat "$data/PG_VERSION") on 127.0.0.1:$p, folder $dir"
  print_env
}

stop() {
  local mode=fast
  [[ "${1:-}" == --immediate ]] && mode=immediate
  [[ -x "$bin/pg_ctl" ]] || return 0
  if running; then
    as_user "$bin/pg_ctl" stop -w -t 30 -D "$data" -m "$mode" >/dev/null
  fi
}

case "${1:-}" in
  start) start "${2:-}" ;;
  env)
    running || die "no server running in $dir (scripts/pg.sh start)"
    print_env
    ;;
  stop) stop "${2:-}" ;;
  clean)
    stop --immediate
    rm -rf "$dir"
    ;;
  *) die "usage: scripts/pg.sh start [--quiet] | env | stop [--immediate] | clean" ;;
esac
