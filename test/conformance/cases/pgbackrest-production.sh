#!/usr/bin/env bash
# pgBackRest as production runs it: two posix repositories, archive-async with a spool folder, link-all (the
# cluster's pg_hba.conf is a link into an /etc-like folder), process-max 2. Drilled through the user's own
# pgbackrest.conf: from each repository, every archived row back, and not one byte written into either repository,
# the spool, the configuration or the linked file. Damaged: a copy of a repository missing one archived segment.
. "$(dirname "$0")/../lib.sh"
D=$CASE/pg/data; R1=$CASE/repo1; R2=$CASE/repo2; SPOOL=$CASE/spool; ETC=$CASE/etc; CONF=$CASE/pgbackrest.conf; STATE=$CASE/pgbackrest-state
own "$R1" "$R2" "$SPOOL" "$ETC" "$STATE"
init "$D" --data-checksums
as_pg mv "$D/pg_hba.conf" "$ETC/pg_hba.conf"; as_pg ln -s "$ETC/pg_hba.conf" "$D/pg_hba.conf"
P=$(free_port)
cat > "$CONF" <<INI
[global]
repo1-path=$R1
repo1-retention-full=2
repo2-path=$R2
repo2-retention-full=2
archive-async=y
spool-path=$SPOOL
link-all=y
process-max=2
start-fast=y
lock-path=$STATE
log-path=$STATE
log-level-console=warn

[prod]
pg1-path=$D
pg1-port=$P
pg1-socket-path=$SOCK
INI
chmod 644 "$CONF"
conf "$D" "wal_level = replica" "archive_mode = on" "archive_command = 'pgbackrest --config=$CONF --stanza=prod archive-push %p'"
start "$D" "$P"
br() { as_pg pgbackrest --config="$CONF" --stanza=prod "$@"; }
br stanza-create
sql "$P" "create table t (id int)"; sql "$P" "insert into t select generate_series(1, 1000)"
br --repo=1 --type=full backup; br --repo=2 --type=full backup
sql "$P" "insert into t select generate_series(1001, 1500)"
mid=$(sql "$P" "select pg_walfile_name(pg_current_wal_lsn())"); sql "$P" "select pg_switch_wal()" >/dev/null
sql "$P" "insert into t select generate_series(1501, 2000)"
seg=$(sql "$P" "select pg_walfile_name(pg_current_wal_lsn())"); sql "$P" "select pg_switch_wal()" >/dev/null
for _ in $(seq 1 200); do
  max=$(br --output=json info | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]; print(min(a["max"][8:] for a in s["archive"] if a.get("max")))')
  [[ "$max" > "${seg:8}" || "$max" == "${seg:8}" ]] && break; sleep 0.1
done
stop "$D"
# The damaged copy: repository 1 without one archived segment after the backup, its own configuration.
cp -a "$R1" "$CASE/repo-broken"
gone=$(find "$CASE/repo-broken/archive" -name "${mid}-*" | head -1); rm "$gone"
sed -e "s#$R1#$CASE/repo-broken#" -e '/^repo2-/d' -e '/^archive-async/d' -e '/^spool-path/d' "$CONF" > "$CASE/pgbackrest-broken.conf"; chmod 644 "$CASE/pgbackrest-broken.conf"
mkdir -p "$CASE/drills"
pb() { printf 'name: %s\nobjectives: { rto: 5m, rpo: 1h }\nsource:\n  pgbackrest: { stanza: prod, config: %s%s }\nverify:\n  - sql: select count(*) from t\n    expect: "2000"\n' "$1" "$2" "$3" > "$CASE/drills/$1.yaml"; }
pb repo1 "$CONF" ", repo: 1"
pb repo2 "$CONF" ", repo: 2"
pb newest "$CONF" ""
pb broken "$CASE/pgbackrest-broken.conf" ""
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$R1", "$R2", "$SPOOL", "$ETC", "$CONF", "$CASE/repo-broken", "$CASE/pgbackrest-broken.conf"],
  "drills": {
    "repo1": { "exit": 0, "status": "passed", "rpoMet": true },
    "repo2": { "exit": 0, "status": "passed", "rpoMet": true },
    "newest": { "exit": 0, "status": "passed", "rpoMet": true },
    "broken": { "exit": 1, "status": "failed", "failedCheck": "recovery target reached" }
  }
}
JSON
