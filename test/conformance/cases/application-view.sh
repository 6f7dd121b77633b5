#!/usr/bin/env bash
# The application's view of a restore: the same cluster backed up clean, then again after what breaks real
# restores was done to it: a grant revoked, a role dropped, a sequence set back behind its column (setval), an
# extension whose library is not on the drill machine, the shop database's recorded collation version changed
# (a stand-in for another glibc), the schema drifted from the committed snapshot. The clean backup passes every
# check; the damaged one fails each, naming it. An afterRestore step replays an erasure ledger and an expect: empty
# check proves the erased customer is gone.
. "$(dirname "$0")/../lib.sh"
D=$CASE/pg/data; CLEAN=$CASE/backup-clean; BAD=$CASE/backup-damaged; EXT=$(as_pg "$PG_BIN/pg_config" --sharedir 2>/dev/null || echo /usr/share/postgresql/15)/extension
init "$D" --data-checksums --locale=C.UTF-8
P=$(free_port); start "$D" "$P"
sql "$P" "create database shop"
sql "$P" shop "create extension pg_trgm"
sql "$P" shop "create table customers (id serial primary key, email text not null)"
sql "$P" shop "create index customers_email on customers (email)"
sql "$P" shop "insert into customers (email) select 'c' || g || '@shop.example' from generate_series(1, 200) g"
sql "$P" shop "create table orders (id bigserial primary key, customer int references customers, total numeric)"
sql "$P" shop "insert into orders (customer, total) select 1 + g % 200, g from generate_series(1, 1000) g"
sql "$P" "create role app_rw login"; sql "$P" "create role reporting login"
sql "$P" shop "grant select, insert on customers, orders to app_rw; grant usage on sequence customers_id_seq, orders_id_seq to app_rw"
sql "$P" shop "grant select on orders to reporting"
own "$CASE/schema" "$CASE/ops"
chmod 755 "$CASE/schema" "$CASE/ops"
# The snapshot a team commits, written from the live database as a user does (pgdrill schema snapshot; the one
# place this corpus calls pgdrill, to make the user's file).
PGHOST=$SOCK PGPORT=$P PGUSER=postgres node "${PGDRILL_BIN:?the pgdrill CLI}" schema snapshot --database shop --out "$CASE/schema/shop.snapshot" 2>/dev/null
own "$CLEAN"; pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$CLEAN" -Fp -Xs --checkpoint=fast
# What breaks restores, done to the same cluster, then the damaged backup.
sql "$P" shop "revoke select on orders from reporting"
sql "$P" shop "drop owned by app_rw"; sql "$P" "drop role app_rw"
sql "$P" shop "select setval('orders_id_seq', 10)"
sql "$P" shop "update pg_database set datcollversion = '0.0' where datname = 'shop'"
sql "$P" shop "alter table customers add column phone text"
if [ "$(id -u)" -eq 0 ] && [ -d "$EXT" ]; then
  printf "comment = 'pgdrill conformance: a library the drill machine lacks'\ndefault_version = '1.0'\nmodule_pathname = '\$libdir/pgdrill_absent'\nrelocatable = true\n" > "$EXT/pgdrill_absent.control"
  printf "create function pgdrill_absent_f(text) returns text[] as 'MODULE_PATHNAME', 'show_trgm' language c strict;\n" > "$EXT/pgdrill_absent--1.0.sql"
  # The library is there when the extension is created (a copy of pg_trgm's), and gone by the time of the drill.
  LIB=$(as_pg "$PG_BIN/pg_config" --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)
  cp "$LIB/pg_trgm.so" "$LIB/pgdrill_absent.so"
  sql "$P" shop "create extension pgdrill_absent"
  rm -f "$LIB/pgdrill_absent.so"
  ABSENT=yes
fi
own "$BAD"; pg pg_basebackup -h "$SOCK" -p "$P" -U postgres -D "$BAD" -Fp -Xs --checkpoint=fast
stop "$D"
# The erasure ledger the runbook replays after a restore (a GDPR deletion made after the backup).
printf "delete from orders where customer = 42;\ndelete from customers where id = 42;\n" > "$CASE/ops/erasure-replay.sql"
mkdir -p "$CASE/drills"
checks() { cat <<YAML
verify:
  database: shop
  checks:
    - sql: select count(*) from orders
      expect: { min: 990, max: 1000 }
    - sql: select email from customers where id = 42
      expect: empty
    - sql: select count(*) from orders
      as: reporting
      expect: { matches: "^[0-9]+\$" }
    - sequences
    - extensions
    - collations
    - roles: [app_rw, reporting]
    - schema: ../schema/shop.snapshot
afterRestore:
  - sql: ../ops/erasure-replay.sql
    database: shop
YAML
}
for b in clean:"$CLEAN" damaged:"$BAD"; do
  { printf 'name: %s\nobjectives: { rto: 5m, rpo: 1h }\nsource:\n  basebackup: { path: %s }\n' "${b%%:*}" "${b#*:}"; checks; } > "$CASE/drills/${b%%:*}.yaml"
done
# The same clean backup without the runbook's erasure replay: the erased customer is back, and the check says so.
sed -e 's/^name: clean$/name: no-erasure/' -e '/^afterRestore:/,$d' "$CASE/drills/clean.yaml" > "$CASE/drills/no-erasure.yaml"
cat > "$CASE/expect.json" <<JSON
{
  "userPaths": ["$CLEAN", "$BAD", "$CASE/schema", "$CASE/ops"],
  "drills": {
    "clean": { "exit": 0, "status": "passed", "passedChecks": ["sequences not behind their data", "extensions load", "collation versions match this machine", "role app_rw", "role reporting", "select email from customers where id = 42"] },
    "no-erasure": { "exit": 1, "status": "failed", "failedCheck": "select email from customers where id = 42", "failedCodes": ["sql-mismatch"] },
    "damaged": { "exit": 1, "status": "failed", "failedCodes": ["sequence-behind", "collation-mismatch", "role-missing", "schema-drift", "sql-failed"${ABSENT:+, \"extension-missing\"}] }
  }
}
JSON
# After the drills: the extension files this case put into the machine's share folder go again.
if [ -n "${ABSENT:-}" ]; then printf 'rm -f "%s/pgdrill_absent.control" "%s/pgdrill_absent--1.0.sql"\n' "$EXT" "$EXT" > "$CASE/cleanup.sh"; fi
