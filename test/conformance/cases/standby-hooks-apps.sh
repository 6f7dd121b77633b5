#!/usr/bin/env bash
# A base backup taken from a standby, the way many shops do (off the primary): it carries standby.signal, the
# standby's primary_conninfo, archive_cleanup_command = 'pg_archivecleanup <archive> %r' (PostgreSQL runs it at
# every restartpoint of archive recovery), a recovery_end_command that writes outside, and a logical subscription
# to another cluster. Its pg_hba.conf and postgresql.conf are links into an /etc-like folder (a cluster copied with
# cp -a keeps them). The application's data lives in shop and crm, none in postgres; a reporting role may not
# connect to crm. The drill must recover every row, run none of the hooks, start no apply worker, and write nowhere.
. "$(dirname "$0")/../lib.sh"
P_D=$CASE/primary/data; S_D=$CASE/standby/data; Q_D=$CASE/publisher/data; A=$CASE/archive; B=$CASE/backup; OUT=$CASE/outside; ETC=$CASE/etc
own "$A" "$OUT" "$ETC"; chmod 777 "$OUT"
# The publisher a subscription of the primary's points at.
init "$Q_D"; conf "$Q_D" "wal_level = logical"
Q=$(free_port); start "$Q_D" "$Q"
sql "$Q" "create table feed (id int primary key, v text)"
sql "$Q" "insert into feed select g, 'f' || g from generate_series(1, 50) g"
sql "$Q" "create publication pub for table feed"
# The primary: application databases, a subscription, archiving.
init "$P_D"; conf "$P_D" "wal_level = logical" "archive_mode = on" "$(archive_cmd "$A")"
P=$(free_port); start "$P_D" "$P"
sql "$P" "create database shop"; sql "$P" "create database crm"
sql "$P" shop "create table orders (id serial primary key, total numeric)"
sql "$P" shop "insert into orders (total) select g from generate_series(1, 300) g"
sql "$P" crm "create table customers (id int primary key, name text)"
sql "$P" crm "insert into customers select g, 'c' || g from generate_series(1, 120) g"
sql "$P" "create role reporting login"; sql "$P" "revoke connect on database crm from public"
sql "$P" shop "grant select on orders to reporting"
sql "$P" shop "create table feed (id int primary key, v text)"
sql "$P" shop "create subscription sub connection 'host=127.0.0.1 port=$Q dbname=postgres user=postgres' publication pub"
for _ in $(seq 1 100); do [ "$(sql "$P" shop "select count(*) from feed")" = 50 ] && break; sleep 0.1; done
# The standby, with the hooks a DBA gives a standby of a shared archive.
own "$(dirname "$S_D")" "$S_D"; pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$S_D" -Fp -Xs -R --checkpoint=fast
conf "$S_D" "restore_command = 'cp $A/%f %p'" "archive_cleanup_command = 'pg_archivecleanup $A %r'" "recovery_end_command = 'touch $OUT/RECOVERY_END_RAN'" "archive_mode = off"
S=$(free_port); start "$S_D" "$S"
# The backup, taken from the standby.
own "$B"; pg pg_basebackup -h "$SOCK" -p "$S" -U postgres -D "$B" -Fp -Xs --checkpoint=fast
for f in pg_hba.conf postgresql.conf; do as_pg mv "$B/$f" "$ETC/$f"; as_pg ln -s "$ETC/$f" "$B/$f"; done
# More application writes after the backup, archived.
sql "$P" shop "insert into orders (total) select g from generate_series(301, 500) g"
switch "$P" "$A"
CRMSEG=$(sql "$P" "select pg_walfile_name(pg_current_wal_lsn())")
sql "$P" crm "insert into customers select g, 'c' || g from generate_series(121, 200) g"
switch "$P" "$A"
sql "$P" "create table after_all (x int)"
switch "$P" "$A"
SLOT=$(sql "$Q" "select confirmed_flush_lsn from pg_replication_slots where slot_name = 'sub'")
stop "$S_D"; stop "$P_D"
echo "$SLOT" > "$CASE/slot-before"
# The publisher stays up: a restored subscription that started would connect to it and move its slot.
pg pg_ctl -D "$Q_D" status >/dev/null
echo "$(head -1 "$Q_D/postmaster.pid")" > "$CASE/publisher.pid"
cp -a "$A" "$CASE/archive-holed"
# The segment holding crm's new customers, lost: recovery cannot get past it.
rm "$CASE/archive-holed/$CRMSEG"
mkdir -p "$CASE/drills"
drill() { # drill NAME ARCHIVE VERIFY
  printf 'name: %s\nobjectives: { rto: 5m, rpo: 10m }\nsource:\n  basebackup: { path: %s, walArchive: %s }\nverify:\n%s\n' "$1" "$B" "$2" "$3" > "$CASE/drills/$1.yaml"
}
drill apps "$A" "  database: shop
  checks:
    - sql: select count(*) from orders
      expect: \"500\"
    - sql: select count(*) from customers
      database: crm
      expect: \"200\"
    - table: customers
      database: crm
    - sql: select count(*) from orders
      as: reporting
      expect: \"500\"
    - sql: select count(*) from feed
      expect: \"50\""
drill wrong-database "$A" "  - sql: select count(*) from orders
    expect: \"500\""
drill revoked-connect "$A" "  - sql: select count(*) from customers
    database: crm
    as: reporting
    expect: \"200\""
drill missing-role "$A" "  - sql: select 1
    database: shop
    as: app_rw"
drill holed "$A" "  database: crm
  checks:
    - sql: select count(*) from customers
      expect: \"200\""
sed -i "s#walArchive: $A }#walArchive: $CASE/archive-holed }#" "$CASE/drills/holed.yaml"
# After the drills: the publisher's slot did not move (no apply worker connected), the hook never ran.
cat > "$CASE/after.sh" <<SH
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh" "$CASE"
now=\$(sql $Q "select confirmed_flush_lsn from pg_replication_slots where slot_name = 'sub'")
[ "\$now" = "$SLOT" ] || { echo "the publisher's slot moved: $SLOT -> \$now" >&2; exit 1; }
[ ! -e "$OUT/RECOVERY_END_RAN" ] || { echo "recovery_end_command ran" >&2; exit 1; }
SH
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$B", "$A", "$CASE/archive-holed", "$ETC", "$OUT"],
  "drills": {
    "apps": { "exit": 0, "status": "passed", "rpoMet": true, "sandbox": "archive_cleanup_command" },
    "wrong-database": { "exit": 1, "status": "failed", "diagnosis": "not in postgres, but found in shop: add database: shop" },
    "revoked-connect": { "exit": 1, "status": "failed", "diagnosis": "role reporting may not connect to database crm" },
    "missing-role": { "exit": 1, "status": "failed", "diagnosis": "role app_rw does not exist in the restored cluster" },
    "holed": { "exit": 1, "status": "failed", "failedCheck": "recovery target reached" }
  }
}
JSON
