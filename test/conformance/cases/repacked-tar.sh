#!/usr/bin/env bash
# A compressed tar base backup (pg_basebackup -Ft -z) that the shop's own script re-packs before shipping it, the
# way `tar -C dir -czf base.tar.gz .` writes it: every member now starts with ./ (./PG_VERSION, ./global/...), and
# the backup carries a tablespace (<oid>.tar.gz) and a data folder without checksums. The drill must read it with the
# prefix, recover every archived row (in the tablespace too), and a copy cut short must fail as a backup that does
# not restore (a finding, exit 1), not pass and not read as pgdrill unable to run.
. "$(dirname "$0")/../lib.sh"
D=$CASE/pg/data; A=$CASE/archive; B=$CASE/backup; TS=$CASE/tablespace
own "$A" "$B" "$TS"
init "$D"
conf "$D" "wal_level = replica" "archive_mode = on" "$(archive_cmd "$A")"
P=$(free_port); start "$D" "$P"
sql "$P" "create tablespace fast location '$TS'"
sql "$P" "create table t (id int) tablespace fast"
sql "$P" "insert into t select generate_series(1, 1000)"
pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$B" -Ft -z -Xf --checkpoint=fast
sql "$P" "insert into t select generate_series(1001, 1500)"
switch "$P" "$A"
stop "$D"
# The shop's re-pack: each tarball extracted and packed again from inside its folder (members start with ./).
for f in "$B"/*.tar.gz; do
  x=$(mktemp -d); tar -C "$x" -xzf "$f"; tar -C "$x" -czf "$f" .; rm -rf "$x"
done
chmod -R a+rX "$B"; [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$B"
members=$(tar -tzf "$B/base.tar.gz"); grep -qx "./PG_VERSION" <<<"$members" || { echo "the re-pack did not write ./ members" >&2; exit 1; }
# Damaged: the same folder with base.tar.gz cut to half its length.
cp -a "$B" "$CASE/backup-cut"
size=$(stat -c %s "$CASE/backup-cut/base.tar.gz"); truncate -s $(( size / 2 )) "$CASE/backup-cut/base.tar.gz"
mkdir -p "$CASE/drills"
tb() { printf 'name: %s\nobjectives: { rto: 5m, rpo: 1h }\nsource:\n  basebackup: { path: %s, walArchive: %s }\nverify:\n  - sql: select count(*) from t\n    expect: "1500"\n' "$1" "$2" "$A" > "$CASE/drills/$1.yaml"; }
tb repacked "$B"
tb cut "$CASE/backup-cut"
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$B", "$CASE/backup-cut", "$A", "$TS"],
  "drills": {
    "repacked": { "exit": 0, "status": "passed", "rpoMet": true, "passedChecks": ["select count(*) from t"] },
    "cut": { "exit": 1, "status": "failed", "diagnosis": "cannot be read to its end" }
  }
}
JSON
