#!/usr/bin/env bash
# The quickstart drill done by hand, as a DBA would script it: the same Postgres steps (initdb with checksums
# and scram, archive_command, fixture, pg_basebackup -Xs fast, pg_verifybackup, 200ms markers, DROP TABLE,
# 500ms before declaring, switch + wait for the archive, cp -a restore, exclusive xid target, wait for
# promotion in the log, the same verification queries). npm run bench times it against pgdrill. It must be the
# fastest honest script doing that work: disposable servers stop with -m immediate (no shutdown checkpoint), ports
# are found by bash alone (no interpreter started per port).
# Prints one JSON line: {"seconds":..,"cpSeconds":..,"cpBytes":..}
set -euo pipefail
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/pgdrill-baseline-XXXXXX)
chmod 755 "$W"
AS=()
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$W"; AS=(runuser -u postgres --); fi
now() { date +%s.%N; }
T0=$(now)
cleanup() {
  cd /

  "${AS[@]}" "$BIN/pg_ctl" stop -D "$W/restore" -m immediate -s >/dev/null 2>&1 || true
  "${AS[@]}" "$BIN/pg_ctl" stop -D "$W/primary" -m immediate -s >/dev/null 2>&1 || true
  [ -n "${HB:-}" ] && kill "$HB" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
cd "$W"
PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
echo "$PW" > "$W/pw"; [ ${#AS[@]} -gt 0 ] && chown postgres: "$W/pw"
export PGPASSWORD=$PW PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=postgres
# A port nothing listens on: connecting fails (bash's /dev/tcp, no child process).
free_port() { local p; while :; do p=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
P1=$(free_port); P2=$(free_port)
"${AS[@]}" mkdir -p "$W/archive"
"${AS[@]}" "$BIN/initdb" -D "$W/primary" -U postgres --pwfile="$W/pw" --auth=scram-sha-256 --data-checksums -E UTF8 --locale=C -N >/dev/null
cat >> "$W/primary/postgresql.auto.conf" <<CONF
wal_level = replica
track_commit_timestamp = on
archive_mode = on
archive_command = 'test ! -f $W/archive/%f && cp %p $W/archive/%f'
port = $P1
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
archive_timeout = 60
CONF
"${AS[@]}" "$BIN/pg_ctl" start -D "$W/primary" -l "$W/primary.log" -w -s >/dev/null
Q() { "$BIN/psql" -X -qAt -p "$1" -c "$2"; }
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$P1" -f "$ROOT/fixtures/shop.sql" >/dev/null
"${AS[@]}" env PGPASSWORD="$PW" "$BIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$W/backup" -Fp -Xs --checkpoint=fast
"${AS[@]}" "$BIN/pg_verifybackup" "$W/backup" >/dev/null
Q "$P1" "create schema pgdrill; create table pgdrill.heartbeat (id bigint generated always as identity primary key, written_at timestamptz not null default clock_timestamp())"
( while true; do Q "$P1" "insert into pgdrill.heartbeat default values" >/dev/null 2>&1 || exit 0; sleep 0.2; done ) &
HB=$!
until [ "$(Q "$P1" 'select count(*) from pgdrill.heartbeat')" -ge 3 ]; do sleep 0.02; done
FP="select count(*)::text || ':' || coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0)::text from orders t"
BEFORE=$(Q "$P1" "$FP"); SUM=$(Q "$P1" "select sum(total) from orders")
XID=$("$BIN/psql" -X -qAt -p "$P1" -c "begin" -c "drop table orders" -c "select pg_current_xact_id()" -c "commit" | grep -E '^[0-9]+$')
sleep 0.5
kill "$HB"; HB=
SEG=$(Q "$P1" "select pg_walfile_name(pg_current_wal_lsn()) from (select pg_switch_wal()) s")
until [ -f "$W/archive/$SEG" ]; do sleep 0.01; done
C0=$(now)
"${AS[@]}" cp -a "$W/backup" "$W/restore"
C1=$(now)
"${AS[@]}" touch "$W/restore/recovery.signal"
cat >> "$W/restore/postgresql.auto.conf" <<CONF
restore_command = 'cp $W/archive/%f %p'
recovery_target_xid = '$XID'
recovery_target_inclusive = off
recovery_target_action = promote
archive_mode = off
port = $P2
CONF
"${AS[@]}" "$BIN/pg_ctl" start -D "$W/restore" -l "$W/restore.log" -s >/dev/null
until grep -q 'database system is ready to accept connections' "$W/restore.log" 2>/dev/null; do sleep 0.01; done
[ "$(Q "$P2" 'select pg_is_in_recovery()')" = "f" ]
[ "$(Q "$P2" "$FP")" = "$BEFORE" ]
[ "$(Q "$P2" 'select sum(total) from orders')" = "$SUM" ]
[ "$(Q "$P2" 'select count(*) from customers')" = "100" ]
Q "$P2" "select count(*) from orders o left join customers c on c.id = o.customer_id where c.id is null" >/dev/null
Q "$P2" "select max(id) from pgdrill.heartbeat" >/dev/null
BYTES=$(du -sb "$W/backup" | cut -f1)
cleanup; trap - EXIT
T1=$(now)
awk -v t0="$T0" -v t1="$T1" -v c0="$C0" -v c1="$C1" -v n="$BYTES" 'BEGIN { printf "{\"seconds\": %.4f, \"cpSeconds\": %.4f, \"cpBytes\": %d}\n", t1 - t0, c1 - c0, n }'
