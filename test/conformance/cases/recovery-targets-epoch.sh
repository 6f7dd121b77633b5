#!/usr/bin/env bash
# PostgreSQL's own recovery-target test (src/test/recovery/t/003_recovery_targets.pl) rebuilt as a base-backup folder
# and its WAL archive: the xid epoch bumped with pg_resetwal --epoch 1 (a cluster past 4 billion transactions),
# 1000 rows before each target, data checksums off (initdb's default). Each target must recover exactly its rows.
. "$(dirname "$0")/../lib.sh"
D=$CASE/pg/data; A=$CASE/archive; B=$CASE/backup
own "$A"
init "$D"
pg pg_resetwal --epoch 1 "$D" >/dev/null
conf "$D" "wal_level = replica" "archive_mode = on" "$(archive_cmd "$A")"
P=$(free_port); start "$D" "$P"
sql "$P" "create table tab_int as select generate_series(1, 1000) as a"
own "$B"; pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$B" -Fp -Xs --checkpoint=fast
# Each step in a segment of its own (a switch after it), so a hole can be made between two of them.
sql "$P" "insert into tab_int values (generate_series(1001, 2000))"
XID=$(sql "$P" "select pg_current_xact_id()")
switch "$P" "$A"
MIDDLE=$(sql "$P" "select pg_walfile_name(pg_current_wal_lsn())")
sql "$P" "insert into tab_int values (generate_series(2001, 3000))"
TIME=$(sql "$P" "select now()::text")
switch "$P" "$A"
sql "$P" "insert into tab_int values (generate_series(3001, 4000))"
sql "$P" "select pg_create_restore_point('my_target')" >/dev/null
switch "$P" "$A"
sql "$P" "insert into tab_int values (generate_series(4001, 5000))"
LSN=$(sql "$P" "select pg_current_wal_lsn()")
sql "$P" "insert into tab_int values (generate_series(5001, 6000))"
switch "$P" "$A"
stop "$D"
[ "$XID" -gt 4294967295 ] || { echo "the epoch did not move: xid $XID" >&2; exit 1; }
# The damaged direction: the same backup, an archive with a hole (a copy: the user's archive stays whole).
cp -a "$A" "$CASE/archive-holed"
rm "$CASE/archive-holed/$MIDDLE"
mkdir -p "$CASE/drills"
drill() { # drill NAME RECOVERY EXPECTED-ROWS [ARCHIVE]
  cat > "$CASE/drills/$1.yaml" <<YAML
name: $1
objectives: { rto: 5m, rpo: 5m }
source:
  basebackup: { path: $B, walArchive: ${4:-$A} }
recovery: $2
verify:
  - sql: select count(*) from tab_int
    expect: "$3"
YAML
}
drill immediate "{ target: immediate }" 1000
drill xid "{ target: xid, xid: \"$XID\" }" 2000
drill time "{ target: time, at: \"$TIME\" }" 3000
drill name "{ target: name, name: my_target }" 4000
drill lsn "{ target: lsn, lsn: $LSN }" 5000
drill latest "{ target: latest }" 6000
drill latest-holed "{ target: latest }" 6000 "$CASE/archive-holed"
drill xid-never "{ target: xid, xid: \"$((XID + 100000))\" }" 2000
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$B", "$A", "$CASE/archive-holed"],
  "drills": {
    "immediate": { "exit": 0, "status": "passed", "rpoMet": null },
    "xid": { "exit": 0, "status": "passed", "evidence": "recovery stopping before commit of transaction $((XID % 4294967296))", "rpoMet": null },
    "time": { "exit": 0, "status": "passed", "rpoMet": null },
    "name": { "exit": 0, "status": "passed", "evidence": "recovery stopping at restore point \"my_target\"", "rpoMet": null },
    "lsn": { "exit": 0, "status": "passed", "rpoMet": null },
    "latest": { "exit": 0, "status": "passed", "rpoMet": true },
    "latest-holed": { "exit": 1, "status": "failed", "failedCheck": "recovery target reached", "diagnosis": "the start of the newest archived segment", "warning": "segment $MIDDLE is missing" },
    "xid-never": { "exit": 1, "status": "failed", "diagnosis": "recovery ended before configured recovery target was reached" }
  }
}
JSON
