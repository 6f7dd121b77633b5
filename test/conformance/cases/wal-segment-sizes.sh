#!/usr/bin/env bash
# Clusters made with initdb --wal-segsize=64 and --wal-segsize=1 (WAL names and LSNs map through the segment size:
# 64 MB segment ...03 starts at 0/C0000000), each a base backup and its archive. Damaged copies of the archives:
# a hole in the middle (64 MB), a segment truncated by a crashed archive_command (1 MB), and the newest segment's
# second half zeroed (1 MB): each must fail, naming what went wrong, and the intact ones pass with every row.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$CASE/drills"
build() { # build NAME SEGSIZE-MB ROUNDS ROWS-PER-ROUND
  local n=$1 D=$CASE/$1/data A=$CASE/$1-archive B=$CASE/$1-backup P
  own "$A" "$B"
  init "$D" --wal-segsize="$2" --data-checksums
  conf "$D" "wal_level = replica" "archive_mode = on" "$(archive_cmd "$A")" "max_wal_size = 256MB" "min_wal_size = $(( $2 * 4 ))MB"
  P=$(free_port); start "$D" "$P"
  sql "$P" "create table t (id int, pad text)"
  pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$B" -Fp -Xs --checkpoint=fast
  for r in $(seq 1 "$3"); do
    sql "$P" "insert into t select g, repeat('x', 200) from generate_series(1, $4) g"
    switch "$P" "$A"
  done
  ROWS=$(sql "$P" "select count(*) from t")
  # WAL that fills segments to their end and stops there (no switch): the newest archived segment is full of records.
  sql "$P" "insert into t select g, repeat('y', 200) from generate_series(1, $(( $4 * 2 ))) g"
  sleep 1
  stop "$D"
}
build seg64 64 3 20000
ROWS64=$ROWS
build seg1 1 4 3000
cp -a "$CASE/seg64-archive" "$CASE/seg64-holed"
mid=$(ls "$CASE/seg64-holed" | grep -E '^[0-9A-F]{24}$' | sort | sed -n 3p); rm "$CASE/seg64-holed/$mid"
cp -a "$CASE/seg1-archive" "$CASE/seg1-truncated"
cut=$(ls "$CASE/seg1-truncated" | grep -E '^[0-9A-F]{24}$' | sort | sed -n 4p); truncate -s 400000 "$CASE/seg1-truncated/$cut"
cp -a "$CASE/seg1-archive" "$CASE/seg1-zeroed"
newest=$(ls "$CASE/seg1-zeroed" | grep -E '^[0-9A-F]{24}$' | sort | tail -1)
dd if=/dev/zero of="$CASE/seg1-zeroed/$newest" bs=1024 seek=512 count=512 conv=notrunc status=none
drill() { # drill NAME BACKUP ARCHIVE CHECK EXPECT
  cat > "$CASE/drills/$1.yaml" <<YAML
name: $1
objectives: { rto: 5m, rpo: 10m }
source:
  basebackup: { path: $2, walArchive: $3 }
verify:
  - sql: $4
    expect: "$5"
YAML
}
drill seg64-latest "$CASE/seg64-backup" "$CASE/seg64-archive" "select count(*) >= $ROWS64 from t" true
drill seg64-holed "$CASE/seg64-backup" "$CASE/seg64-holed" "select count(*) >= $ROWS64 from t" true
drill seg1-latest "$CASE/seg1-backup" "$CASE/seg1-archive" "select count(*) >= $ROWS from t" true
drill seg1-truncated "$CASE/seg1-backup" "$CASE/seg1-truncated" "select count(*) >= $ROWS from t" true
drill seg1-zeroed "$CASE/seg1-backup" "$CASE/seg1-zeroed" "select count(*) > 0 from t" true
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$CASE/seg64-backup", "$CASE/seg64-archive", "$CASE/seg64-holed", "$CASE/seg1-backup", "$CASE/seg1-archive", "$CASE/seg1-truncated", "$CASE/seg1-zeroed"],
  "drills": {
    "seg64-latest": { "exit": 0, "status": "passed", "rpoMet": true },
    "seg64-holed": { "exit": 1, "status": "failed", "failedCheck": "recovery target reached", "warning": "segment $mid is missing" },
    "seg1-latest": { "exit": 0, "status": "passed", "rpoMet": true },
    "seg1-truncated": { "exit": 1, "status": "failed", "diagnosis": "wrong size" },
    "seg1-zeroed": { "exit": 1, "status": "failed", "failedCheck": "recovery target reached", "diagnosis": "replay stopped inside the archived WAL" }
  }
}
JSON
