#!/usr/bin/env bash
# Barman streaming-only, the set-up Barman's guide recommends without ssh: backup_method = postgres,
# streaming_archiver = on, archiver = off, a replication slot; the cluster itself has archive_mode = off and
# archive_timeout = 0 (nothing leaves it through archive_command). The server lives in a barman.d file, Barman's
# home is the DBA's. A live drill must not call this pipeline broken (no archive_command is needed, segment
# switches do not bound the loss), must recover every streamed row and measure the loss of the markers written
# after Barman stopped receiving. Barman's own receive-wal check cannot be seen from the drill host: a warning,
# not a failure. Damaged: a copy of Barman's home missing one streamed segment after the backup; a copy without
# its WAL catalog (xlog.db), which barman would create in the archive: refused, nothing created.
. "$(dirname "$0")/../lib.sh"
D=$CASE/pg/data; HOME_B=$CASE/barman-home; ETC=$CASE/etc
own "$HOME_B" "$ETC" "$ETC/barman.d"
chmod 755 "$ETC" "$ETC/barman.d"
init "$D" --data-checksums
P=$(free_port)
conf "$D" "wal_level = replica" "archive_mode = off" "archive_timeout = 0" "track_commit_timestamp = on"
start "$D" "$P"
user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)
printf '[barman]\nbarman_home = %s\nbarman_user = %s\nlog_file = %s/barman.log\nlog_level = INFO\nconfiguration_files_directory = %s/barman.d\n' \
  "$HOME_B" "$user" "$HOME_B" "$ETC" > "$ETC/barman.conf"
ci="host=127.0.0.1 port=$P user=postgres dbname=postgres"
printf '[streamed]\ndescription = streaming-only production server\nconninfo = %s\nstreaming_conninfo = %s\nbackup_method = postgres\nstreaming_archiver = on\narchiver = off\nslot_name = barman_streamed\npath_prefix = %s\nimmediate_checkpoint = true\n' \
  "$ci" "$ci" "$PG_BIN" > "$ETC/barman.d/streamed.conf"
chmod 644 "$ETC/barman.conf" "$ETC/barman.d/streamed.conf"
barman() { as_pg env PATH="$PG_BIN:$PATH" /usr/bin/barman -c "$ETC/barman.conf" "$@"; }

# The marker table of a live drill, as the README gives it (in the database the marker role connects to).
sql "$P" "create schema pgdrill; create table pgdrill.marker (drill text not null, seq integer not null, written_at timestamptz not null default clock_timestamp(), primary key (drill, seq))"
sql "$P" "create database shop"
sql "$P" shop "create table orders (id int primary key, amount numeric)"
sql "$P" shop "insert into orders select g, g * 1.5 from generate_series(1, 1000) g"
barman receive-wal --create-slot streamed >/dev/null
# receive-wal as barman cron starts it: in the background, pg_receivewal its child (a process group of its own).
setsid "${AS[@]}" env PATH="$PG_BIN:$PATH" /usr/bin/barman -c "$ETC/barman.conf" receive-wal streamed >"$CASE/receive-wal.log" 2>&1 &
RECEIVER=$!
stop_receiver() { kill -TERM -- "-$RECEIVER" 2>/dev/null || true; wait "$RECEIVER" 2>/dev/null || true; }
trap 'stop_receiver; on_exit' EXIT
for _ in $(seq 1 300); do
  [ "$(sql "$P" "select count(*) from pg_replication_slots where slot_name = 'barman_streamed' and active")" = 1 ] && break; sleep 0.1
done
barman switch-wal --force --archive --archive-timeout 60 streamed >/dev/null
barman backup --wait --wait-timeout 60 streamed >/dev/null
# Life goes on after the backup: these rows exist only in the streamed WAL.
sql "$P" shop "insert into orders select g, g * 1.5 from generate_series(1001, 1500) g"
mid=$(sql "$P" "select pg_walfile_name(pg_current_wal_lsn())"); sql "$P" "select pg_switch_wal()" >/dev/null
sql "$P" shop "insert into orders select g, g * 1.5 from generate_series(1501, 2000) g"
seg=$(sql "$P" "select pg_walfile_name(pg_current_wal_lsn())"); sql "$P" "select pg_switch_wal()" >/dev/null
# pg_receivewal closes a segment once WAL of the next arrives; barman cron (here archive-wal, by hand) files it.
wals=$HOME_B/streamed/wals
for _ in $(seq 1 300); do
  sql "$P" "select pg_logical_emit_message(false, 'case', 'nudge')" >/dev/null
  barman archive-wal streamed >/dev/null
  [ -f "$wals/${seg:0:16}/$seg" ] && break; sleep 0.1
done
[ -f "$wals/${seg:0:16}/$seg" ] || { echo "barman never archived $seg" >&2; exit 1; }
# Barman's home holds still from here on (it is hashed): receiving stops, the slot stays, the cluster runs on.
stop_receiver
trap on_exit EXIT
head -1 "$D/postmaster.pid" > "$CASE/source.pid"

# The damaged copy: Barman's home without one streamed segment after the backup, its own barman.conf.
cp -a "$HOME_B" "$CASE/barman-broken"
rm "$CASE/barman-broken/streamed/wals/${mid:0:16}/$mid"
mkdir -p "$CASE/etc-broken/barman.d"
sed "s#$HOME_B#$CASE/barman-broken#g; s#$ETC/barman.d#$CASE/etc-broken/barman.d#" "$ETC/barman.conf" > "$CASE/etc-broken/barman.conf"
cp "$ETC/barman.d/streamed.conf" "$CASE/etc-broken/barman.d/"
chmod -R a+rX "$CASE/etc-broken"

# A copy whose WAL catalog (xlog.db) is missing: barman would create it in the archive; the drill must refuse.
cp -a "$HOME_B" "$CASE/barman-nocatalog"; rm "$CASE/barman-nocatalog/streamed/wals/xlog.db"
mkdir -p "$CASE/etc-nocatalog/barman.d"
sed "s#$HOME_B#$CASE/barman-nocatalog#g; s#$ETC/barman.d#$CASE/etc-nocatalog/barman.d#" "$ETC/barman.conf" > "$CASE/etc-nocatalog/barman.conf"
cp "$ETC/barman.d/streamed.conf" "$CASE/etc-nocatalog/barman.d/"
chmod -R a+rX "$CASE/etc-nocatalog"

mkdir -p "$CASE/drills"
drill() { # drill NAME BARMAN-CONF [LIVE-LINE]
  printf 'name: %s\nobjectives: { rto: 5m, rpo: 1h }\nsource:\n  barman: { server: streamed, config: %s }\n%bverify:\n  database: shop\n  checks:\n    - sql: select count(*) from orders\n      expect: "2000"\n' \
    "$1" "$2" "${3:+  $3\n}" > "$CASE/drills/$1.yaml"
}
drill streamed "$ETC/barman.conf" "live: { conninfo: env:SOURCE_STREAMED, runFor: 3s, heartbeat: 1s }"
drill broken "$CASE/etc-broken/barman.conf"
drill no-catalog "$CASE/etc-nocatalog/barman.conf"
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$HOME_B", "$ETC", "$CASE/barman-broken", "$CASE/etc-broken", "$CASE/barman-nocatalog", "$CASE/etc-nocatalog"],
  "env": { "SOURCE_STREAMED": "postgresql://postgres@127.0.0.1:$P/postgres" },
  "drills": {
    "streamed": { "exit": 0, "status": "passed", "rpoMet": true, "rpo": [2, 600], "warning": "receive-wal running", "noWarning": "archive_mode", "passedChecks": ["select count(*) from orders"] },
    "broken": { "exit": 1, "status": "failed", "failedCheck": "recovery target reached" },
    "no-catalog": { "exit": 3, "status": "error", "diagnosis": "xlog.db is missing" }
  }
}
JSON
