#!/usr/bin/env bash
# Live drills (markers written on the running source, then a simulated loss) against sources whose clock is ahead
# of the drill host's: the markers' default is clock_timestamp() + 10 s. Every marker the source acknowledged was
# written before the loss, whatever its time says: none may be called "after the loss". A second source archives
# every 5 minutes against an RPO objective of 1 minute: one loss measured is no proof, and the objective fails.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$CASE/drills"
source_cluster() { # source_cluster NAME ARCHIVE_TIMEOUT
  local D=$CASE/$1/data A=$CASE/$1-archive B=$CASE/$1-backup P
  own "$A"
  init "$D" --data-checksums
  conf "$D" "wal_level = replica" "archive_mode = on" "$(archive_cmd "$A")" "archive_timeout = $2"
  P=$(free_port); start "$D" "$P"
  sql "$P" "create schema pgdrill; create table pgdrill.marker (drill text not null, seq integer not null, written_at timestamptz not null default clock_timestamp(), primary key (drill, seq))"
  sql "$P" "alter table pgdrill.marker alter column written_at set default clock_timestamp() + interval '10 s'"
  sql "$P" "create table t (id int)"; sql "$P" "insert into t select generate_series(1, 100)"
  own "$B"; pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$B" -Fp -Xs --checkpoint=fast
  switch "$P" "$A"
  head -1 "$D/postmaster.pid" > "$CASE/$1.pid"
  printf 'name: %s\nobjectives: { rto: 5m, rpo: 1m }\nsource:\n  basebackup: { path: %s, walArchive: %s }\n  live: { conninfo: env:%s, runFor: 6s, heartbeat: 1s }\nverify:\n  - sql: select count(*) from t\n    expect: "100"\n  - sql: select sum(id) from t where id <= 50\n    compare: source\n' "$1" "$B" "$A" "SOURCE_$(echo "$1" | tr a-z- A-Z_)" > "$CASE/drills/$1.yaml"
  echo "$P"
}
SKEWED=$(source_cluster skewed 2s)
SLOW=$(source_cluster slow-archive 300s)
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$CASE/skewed-backup", "$CASE/slow-archive-backup"],
  "env": { "SOURCE_SKEWED": "postgresql://postgres@127.0.0.1:$SKEWED/postgres", "SOURCE_SLOW_ARCHIVE": "postgresql://postgres@127.0.0.1:$SLOW/postgres" },
  "drills": {
    "skewed": { "exit": 0, "status": "passed", "rpoMet": true, "discarded": 0, "rpo": [0, 8], "passedChecks": ["select sum(id) from t where id <= 50"] },
    "slow-archive": { "exit": 1, "status": "failed", "failedCheck": "RPO objective", "diagnosis": "not proven", "discarded": 0 }
  }
}
JSON
