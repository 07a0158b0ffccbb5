#!/usr/bin/env bash
# Drill: back up while writes continue, restore into a fresh place, check counts and the audit
# chain. Usage: drills/backup_restore.sh [sqlite|postgres|all]   (default: all; PostgreSQL only
# where its server binaries are found). Results are summarised on stdout for docs/drills.md.
#
# For each database: a temporary data directory gets the demo (migrate, seed-demo, an audit
# anchor); a writer (`gentle shell -c`) adds life events, each with its audit row, in a loop;
# `gentle backup` runs while it writes; the writer goes on a little, then stops. A second, fresh
# data directory (and, on PostgreSQL, a new database of a throwaway cluster with a password,
# reached over TCP so that pg_dump and pg_restore need PGPASSWORD) gets `gentle restore`, then
# `gentle audit verify`. The drill checks that writes landed before and after the backup, that
# the restore's counts and head are the manifest's (restore itself fails otherwise) and that
# the backup's rows are a prefix of the live chain.
set -euo pipefail
cd "$(dirname "$0")/.."
gentle_extras= . bin/_setup >/dev/null
gentle=$PWD/.venv/bin/gentle
which=${1:-all}
work=$(mktemp -d /tmp/gentle-drill.XXXXXX)
pg_bin=""
for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && pg_bin=$dir; done
if [ -z "$pg_bin" ] && command -v initdb >/dev/null; then pg_bin=$(dirname "$(command -v initdb)"); fi
pg_dir=""
writer=""
cleanup() {
  [ -n "$writer" ] && kill "$writer" 2>/dev/null || true
  if [ -n "$pg_dir" ]; then as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work" "$pg_dir"
}
trap cleanup EXIT
as_pg() { "$@"; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

WRITER='
import os
from gentle.accounts.models import User
from gentle.clients.models import Client
from gentle.timeline.actions import event_add
from gentle.timeline.models import Category
stop, out = os.environ["DRILL_STOP"], os.environ["DRILL_COUNT"]
client = Client.objects.order_by("pk").first()
by = User.objects.get(email="clinician@demo.gentle.test")
data = {"category": Category.values[0], "description": "drill write", "impact": "",
        "planned": False, "when": None}
n = 0
while not os.path.exists(stop):
    event_add(by=by, client=client, data=data, people=[])
    n += 1
    with open(out + ".new", "w") as f:
        f.write(str(n))
    os.replace(out + ".new", out)
'

drill() {  # $1: vendor; $2, $3: DATABASE_URL of the source and of the restore (empty: SQLite)
  local vendor=$1 src_url=$2 dst_url=$3 base=$work/$1
  mkdir -p "$base/live" "$base/restored" "$base/backups"
  export GENTLE_ENV=demo
  if [ -n "$src_url" ]; then
    live() { GENTLE_DATA_DIR=$base/live DATABASE_URL=$src_url "$gentle" "$@"; }
    fresh() { GENTLE_DATA_DIR=$base/restored DATABASE_URL=$dst_url "$gentle" "$@"; }
  else
    live() { env -u DATABASE_URL GENTLE_DATA_DIR=$base/live "$gentle" "$@"; }
    fresh() { env -u DATABASE_URL GENTLE_DATA_DIR=$base/restored "$gentle" "$@"; }
  fi
  echo "== $vendor"
  local t0 t1 t2 t3 t4
  t0=$(now)
  live migrate -v0
  live seed-demo >/dev/null
  live audit anchor >/dev/null 2>&1
  t1=$(now)
  echo "seeded the demo in $(secs "$t0" "$t1") s"
  DRILL_STOP=$base/stop DRILL_COUNT=$base/count live shell -v 0 -c "$WRITER" &
  writer=$!
  while [ ! -s "$base/count" ]; do
    kill -0 "$writer" 2>/dev/null || { echo "FAIL: the writer stopped" >&2; exit 1; }
    sleep 0.2
  done
  sleep 2
  local before; before=$(cat "$base/count")
  t2=$(now)
  live backup --to "$base/backups" > "$base/backup.out"
  t3=$(now)
  local during; during=$(cat "$base/count")
  sleep 2
  touch "$base/stop"; wait "$writer"; writer=""
  local total; total=$(cat "$base/count")
  echo "backup took $(secs "$t2" "$t3") s while the writer ran ($before writes before it, $((during - before)) during it, $total in all)"
  head -1 "$base/backup.out"
  local file="" found
  for found in "$base"/backups/gentle-*.sqlite3 "$base"/backups/gentle-*.pgdump; do
    [ -f "$found" ] && file=$found
  done
  [ "$total" -gt "$during" ] || { echo "FAIL: the writer stopped during the backup" >&2; exit 1; }
  t3=$(now)
  fresh restore "$file" > "$base/restore.out"
  t4=$(now)
  echo "restore into a fresh $vendor database took $(secs "$t3" "$t4") s"
  tail -2 "$base/restore.out" | head -1
  fresh audit verify
  live audit verify >/dev/null
  # The manifest's head is a row the live chain still holds with the same hash, and its
  # life-event count lies between the writes before and after the backup.
  python3 - "$base" "$file" "$before" "$total" <<'PY'
import json, pathlib, sys
file = pathlib.Path(sys.argv[2])
manifest = json.loads(file.with_suffix(".json").read_text())
events = manifest["tables"]["timeline_lifeevent"]
print(f"manifest: {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
      f"audit head #{manifest['audit_head']['seq']}, life events {events}")
PY
  local live_events backed_events
  backed_events=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['tables']['timeline_lifeevent'])" "${file%.*}.json")
  live_events=$(live shell -v 0 -c "from gentle.timeline.models import LifeEvent; print(LifeEvent.objects.count())")
  [ "$live_events" -gt "$backed_events" ] || { echo "FAIL: no writes after the backup" >&2; exit 1; }
  local seq hash held
  seq=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['audit_head']['seq'])" "${file%.*}.json")
  hash=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['audit_head']['hash'])" "${file%.*}.json")
  held=$(live shell -v 0 -c "from gentle.audit.models import AuditEvent; print(AuditEvent.objects.get(seq=$seq).hash)")
  [ "$held" = "$hash" ] || { echo "FAIL: the backup's audit head is not the live chain's row #$seq" >&2; exit 1; }
  echo "live database now: $live_events life events (backup: $backed_events); the backup's head #$seq is the live chain's row #$seq"
  echo "OK ($vendor)"
}

if [ "$which" = sqlite ] || [ "$which" = all ]; then
  drill sqlite "" ""
fi
if [ "$which" = postgres ] || { [ "$which" = all ] && [ -n "$pg_bin" ]; }; then
  [ -n "$pg_bin" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }
  pg_dir=$(mktemp -d /tmp/gentle-drill-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then
    pg_user=postgres
    id "$pg_user" >/dev/null 2>&1 || pg_user=nobody
    chown "$pg_user" "$pg_dir"
    as_pg() { runuser -u "$pg_user" -- "$@"; }
  fi
  password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
  printf '%s\n' "$password" > "$pg_dir/pw"; chmod 600 "$pg_dir/pw"
  [ "$(id -u)" = 0 ] && chown "$pg_user" "$pg_dir/pw"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U gentle --pwfile="$pg_dir/pw" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null
  as_pg "$pg_bin/psql" -h "$pg_dir" -p "$port" -U gentle -d postgres -q \
    -c "CREATE DATABASE gentle_live" -c "CREATE DATABASE gentle_restored"
  url="postgres://gentle:$password@127.0.0.1:$port"
  drill postgres "$url/gentle_live" "$url/gentle_restored"
fi
