# Shared by the conformance cases: build PostgreSQL set-ups the way a DBA does, with the server's own tools only
# (initdb, pg_ctl, psql, pg_basebackup, pg_resetwal, pgbackrest, barman). Nothing of pgdrill is used here.
# Every case script is called as: <case>.sh <case folder> and writes <case folder>/case.json (the drills to run and
# what each must show, known from construction). As root, servers and tools run as the postgres OS user.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
CASE=${1:?case folder}
mkdir -p "$CASE"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CASE"
chmod 755 "$CASE"

if [ "$(id -u)" -eq 0 ]; then AS=(runuser -u postgres --); else AS=(); fi
as_pg() { "${AS[@]}" "$@"; }
own() { mkdir -p "$@"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$@"; chmod 700 "$@"; }
pg() { as_pg "$PG_BIN/$1" "${@:2}"; }

# A free loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# init DATA [initdb args...]: a cluster with data checksums unless told otherwise.
init() { own "$(dirname "$1")"; pg initdb -D "$1" -A trust -U postgres "${@:2}" >/dev/null; }
# conf DATA 'key = value'...: appended to postgresql.conf.
conf() { local d=$1; shift; for l in "$@"; do printf '%s\n' "$l" | as_pg tee -a "$d/postgresql.conf" >/dev/null; done; }
# start DATA PORT: listens on 127.0.0.1 and a socket folder of the case; waits until it accepts connections.
SOCK=$CASE/sock
STARTED=()
start() { own "$SOCK"; chmod 755 "$SOCK"; STARTED+=("$1"); pg pg_ctl -D "$1" -l "$1.log" -o "-p $2 -k $SOCK -c listen_addresses=127.0.0.1" -w -s start; }
# A case that fails half-way stops every server it started (one that succeeds may leave a live source running).
on_exit() { local rc=$?; if [ "$rc" -ne 0 ]; then for d in "${STARTED[@]}"; do pg pg_ctl -D "$d" -m immediate -w -s stop >/dev/null 2>&1 || true; done; fi; }
trap on_exit EXIT
stop() { pg pg_ctl -D "$1" -m fast -w -s stop || true; }
# sql PORT [DB] SQL: one statement, the first column of the answer.
sql() { local port=$1 db=postgres; if [ $# -eq 3 ]; then db=$2; shift; fi; as_pg "$PG_BIN/psql" -X -q -At -h "$SOCK" -p "$port" -d "$db" -v ON_ERROR_STOP=1 -c "$2"; }
# archive_to DIR: an archive_command a DBA writes (test ! -f, then cp).
archive_cmd() { printf "archive_command = 'test ! -f %s/%%f && cp %%p %s/%%f'" "$1" "$1"; }
# switch PORT ARCHIVE: pg_switch_wal() and wait until that segment is in the archive folder.
switch() {
  local seg; seg=$(sql "$1" "select pg_walfile_name(pg_current_wal_lsn())"); sql "$1" "select pg_switch_wal()" >/dev/null
  for _ in $(seq 1 200); do [ -f "$2/$seg" ] || [ -f "$2/$seg.gz" ] && return 0; sleep 0.05; done; echo "segment $seg never archived" >&2; return 1
}
# json KEY=VALUE... : a flat JSON object (values are strings).
json_obj() { python3 -c 'import json,sys; print(json.dumps(dict(a.split("=",1) for a in sys.argv[1:])))' "$@"; }
