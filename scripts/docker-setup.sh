#!/usr/bin/env bash
# Docker for the docker provider on a machine without a registry: installs docker.io and debootstrap when
# missing, starts dockerd (published ports bound to 127.0.0.1 only) when no engine answers, and builds the base
# of the pgdrill image (scripts/pgdrill-image.sh): PostgreSQL 15 from Debian packages (debootstrap bookworm,
# chroot apt-get install postgresql-15, docker import), with an entrypoint that behaves like the official
# image's. The image is kept: later runs skip it.
set -euo pipefail
LOCAL_IMAGE=pgdrill/postgres:15
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export DEBIAN_FRONTEND=noninteractive

# Check for what is really used: a client alone (some images ship one) is not an engine.
need=()
if ! command -v docker >/dev/null 2>&1 || { ! command -v dockerd >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; }; then
  need+=(docker.io)
fi
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "docker-setup: starting dockerd" >&2
  nohup dockerd --ip 127.0.0.1 >/var/log/pgdrill-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "docker-setup: dockerd did not start; see /var/log/pgdrill-dockerd.log" >&2; exit 3; }
fi

if docker image inspect "$LOCAL_IMAGE" >/dev/null 2>&1; then
  echo "docker-setup: $LOCAL_IMAGE present" >&2
  exit 0
fi

echo "docker-setup: building $LOCAL_IMAGE from Debian packages (about 60 s)" >&2
ROOTFS=$(mktemp -d /var/tmp/pgdrill-rootfs-XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/dev/null
printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"
chmod +x "$ROOTFS/usr/sbin/policy-rc.d"
# uid/gid 999 as in the official image; no system cluster: the container's PGDATA is the only one.
chroot "$ROOTFS" groupadd -r -g 999 postgres
chroot "$ROOTFS" useradd -r -u 999 -g postgres -d /var/lib/postgresql -s /bin/bash postgres
mkdir -p "$ROOTFS/etc/postgresql-common"
echo 'create_main_cluster = false' > "$ROOTFS/etc/postgresql-common/createcluster.conf"
chroot "$ROOTFS" apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold postgresql-15 >/dev/null
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS/var/lib/apt/lists/"*
mkdir -p "$ROOTFS/var/lib/postgresql/data" "$ROOTFS/var/run/postgresql"
chroot "$ROOTFS" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
cat > "$ROOTFS/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/bash
# Like the official postgres image: initdb from POSTGRES_* on an empty PGDATA, then run the command.
set -e
if [ "${1:-}" = "postgres" ] && [ $# -eq 1 ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  pw=$(mktemp)
  echo "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > "$pw"
  initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile="$pw" --auth=scram-sha-256 ${POSTGRES_INITDB_ARGS:-} >/dev/null
  rm -f "$pw"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.auto.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  # As the official image does: a temporary server (socket only) for POSTGRES_DB and init scripts, then stop.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
    PGPASSWORD="$POSTGRES_PASSWORD" psql -X -q -U "${POSTGRES_USER:-postgres}" -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  for f in /docker-entrypoint-initdb.d/*.sql; do
    if [ -f "$f" ]; then
      PGPASSWORD="$POSTGRES_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d "${POSTGRES_DB:-postgres}" -f "$f"
    fi
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
fi
exec "$@"
ENTRY
chmod +x "$ROOTFS/usr/local/bin/docker-entrypoint.sh"
tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV PGDATA=/var/lib/postgresql/data' \
  --change 'USER postgres' \
  --change 'EXPOSE 5432' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' \
  - "$LOCAL_IMAGE" >/dev/null
echo "docker-setup: built $LOCAL_IMAGE" >&2
