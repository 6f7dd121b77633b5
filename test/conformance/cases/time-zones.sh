#!/usr/bin/env bash
# A cluster whose server writes its times in America/Los_Angeles (timezone, log_timezone), drilled from a host in
# Asia/Tokyo (the run's TZ): the backup folder is a plain copy (cp -r resets every file time), six seconds after the
# backup. Its age is when the backup ran, not when it was copied: maxBackupAge 1h passes, 3s fails. A time target
# given in Los Angeles time recovers its rows. A pg_dump file, whose header pg_restore prints in the drill host's
# zone, restores and tells its time; a truncated copy fails.
. "$(dirname "$0")/../lib.sh"
D=$CASE/pg/data; A=$CASE/archive; B=$CASE/backup-original
own "$A"
init "$D" --data-checksums
conf "$D" "wal_level = replica" "archive_mode = on" "$(archive_cmd "$A")" "timezone = 'America/Los_Angeles'" "log_timezone = 'America/Los_Angeles'"
P=$(free_port); start "$D" "$P"
sql "$P" "create table t (id int)"; sql "$P" "insert into t select generate_series(1, 100)"
own "$B"; pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$B" -Fp -Xs --checkpoint=fast
sql "$P" "insert into t select generate_series(101, 200)"
AT=$(sql "$P" "select now()::text")
sleep 0.2
sql "$P" "insert into t select generate_series(201, 300)"
switch "$P" "$A"
grep -q ' P[SD]T$' "$B/backup_label" || { echo "backup_label is not in Los Angeles time" >&2; exit 1; }
as_pg "$PG_BIN/pg_dump" -h "$SOCK" -p "$P" -U postgres -Fc -d postgres -f "$CASE/app.dump"
stop "$D"
head -c $(( $(stat -c %s "$CASE/app.dump") / 2 )) "$CASE/app.dump" > "$CASE/app-truncated.dump"
sleep 6
# The copy a DBA makes to another disk: every file time is now.
cp -r "$B" "$CASE/backup"; [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$CASE/backup"
mkdir -p "$CASE/drills"
bb() { printf 'name: %s\nobjectives: { rto: 5m, rpo: 1h, maxBackupAge: %s }\nsource:\n  basebackup: { path: %s, walArchive: %s }\nrecovery: %s\nverify:\n  - sql: select count(*) from t\n    expect: "%s"\n' "$1" "$2" "$CASE/backup" "$A" "$3" "$4" > "$CASE/drills/$1.yaml"; }
bb fresh 1h "{ target: latest }" 300
bb too-old 3s "{ target: latest }" 300
bb at-los-angeles-time 1h "{ target: time, at: \"$AT\" }" 200
for d in app app-truncated; do
  printf 'name: dump-%s\nobjectives: { rto: 5m, rpo: 1h }\nsource:\n  dump: { path: %s }\nverify:\n  - sql: select count(*) from t\n    expect: "300"\n' "$d" "$CASE/$d.dump" > "$CASE/drills/dump-$d.yaml"
done
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$CASE/backup", "$B", "$A", "$CASE/app.dump", "$CASE/app-truncated.dump"],
  "env": { "TZ": "Asia/Tokyo" },
  "drills": {
    "fresh": { "exit": 0, "status": "passed", "passedChecks": ["newest backup age (objectives.maxBackupAge)"] },
    "too-old": { "exit": 1, "status": "failed", "failedCheck": "newest backup age (objectives.maxBackupAge)" },
    "at-los-angeles-time": { "exit": 0, "status": "passed", "rpoMet": null },
    "dump-app": { "exit": 0, "status": "passed", "rpo": [6, 600] },
    "dump-app-truncated": { "exit": 1, "status": "failed" }
  }
}
JSON
