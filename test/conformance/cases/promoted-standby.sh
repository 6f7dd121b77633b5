#!/usr/bin/env bash
# A primary and its standby share one archive; the primary is lost, the standby is promoted (timeline 2) and takes
# writes, archiving them and 00000002.history into the same archive. A backup of the old primary, drilled to the end
# of the archive, must follow the switch to timeline 2 and recover every row, and the archive's continuity check must
# not call timeline 1's segments missing. Damaged: a copy of the archive without the history file.
. "$(dirname "$0")/../lib.sh"
P_D=$CASE/primary/data; S_D=$CASE/standby/data; A=$CASE/archive; B=$CASE/backup
own "$A"
init "$P_D" --data-checksums; conf "$P_D" "wal_level = replica" "archive_mode = on" "$(archive_cmd "$A")"
P=$(free_port); start "$P_D" "$P"
sql "$P" "create table t (id int, tl int)"
sql "$P" "insert into t select g, 1 from generate_series(1, 500) g"
own "$B"; pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$B" -Fp -Xs --checkpoint=fast
own "$(dirname "$S_D")" "$S_D"; pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$S_D" -Fp -Xs --checkpoint=fast
sql "$P" "insert into t select g, 1 from generate_series(501, 1000) g"
switch "$P" "$A"
stop "$P_D"
conf "$S_D" "restore_command = 'cp $A/%f %p'" "archive_mode = on" "$(archive_cmd "$A")"
as_pg touch "$S_D/standby.signal"
S=$(free_port); start "$S_D" "$S"
for _ in $(seq 1 200); do [ "$(sql "$S" "select count(*) from t")" = 1000 ] && break; sleep 0.1; done
pg pg_ctl -D "$S_D" -w -s promote
for _ in $(seq 1 100); do [ "$(sql "$S" "select pg_is_in_recovery()")" = f ] && break; sleep 0.1; done
sql "$S" "insert into t select g, 2 from generate_series(1001, 1600) g"
switch "$S" "$A"
for _ in $(seq 1 100); do [ -f "$A/00000002.history" ] && break; sleep 0.1; done
stop "$S_D"
cp -a "$A" "$CASE/archive-no-history"; rm "$CASE/archive-no-history/00000002.history"
mkdir -p "$CASE/drills"
for v in latest:"$A" no-history:"$CASE/archive-no-history"; do
  cat > "$CASE/drills/${v%%:*}.yaml" <<YAML
name: ${v%%:*}
objectives: { rto: 5m, rpo: 10m }
source:
  basebackup: { path: $B, walArchive: ${v#*:} }
verify:
  - sql: select count(*) from t
    expect: "1600"
  - sql: select count(*) from t where tl = 2
    expect: "600"
YAML
done
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$B", "$A", "$CASE/archive-no-history"],
  "drills": {
    "latest": { "exit": 0, "status": "passed", "rpoMet": true, "evidence": "selected new timeline ID: 3", "noWarning": "WAL archive continuous failed" },
    "no-history": { "exit": 1, "status": "failed", "failedCheck": "recovery target reached" }
  }
}
JSON
