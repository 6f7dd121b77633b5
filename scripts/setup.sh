#!/usr/bin/env bash
# Sets up everything pgdrill and its tests need on a fresh Debian/Ubuntu machine, then installs the npm
# packages (which builds pgdrill). Safe to run again: it installs only what is missing.
#   bash scripts/setup.sh            PostgreSQL 15 server binaries, pgBackRest, Barman + npm ci
#   bash scripts/setup.sh --browser  also Chromium, for the report's browser tests (npm test needs it)
#   bash scripts/setup.sh --prometheus  also prometheus, promtool, prometheus-pushgateway and
#                                    prometheus-node-exporter (the metrics tests run the real ones)
#   bash scripts/setup.sh --docker   also a Docker engine, the local PostgreSQL 15 image (scripts/docker-setup.sh) and
#                                    the pgdrill image (scripts/pgdrill-image.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=false
want_docker=false
want_prometheus=false
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=true ;;
    --docker) want_docker=true ;;
    --prometheus) want_prometheus=true ;;
    *) echo "setup.sh: unknown option $arg (known: --browser, --docker, --prometheus)" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); fi
fi

pkgs=()
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_basebackup" ]; then
  pkgs+=(postgresql-15 postgresql-client-15)
fi
# The backup tools drills can use (backup.method: pgbackrest | barman). --no-install-recommends keeps Barman
# from pulling in an ssh server.
command -v pgbackrest >/dev/null 2>&1 || pkgs+=(pgbackrest)
command -v barman >/dev/null 2>&1 || pkgs+=(barman barman-cli)
# Object storage (S3): barman-cloud-* with its boto3, and openssl for the tests' self-signed S3 endpoint.
command -v barman-cloud-restore >/dev/null 2>&1 || pkgs+=(barman-cli-cloud)
command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
# Evidence stores on a git branch (pgdrill evidence push git+...#branch) run git.
command -v git >/dev/null 2>&1 || pkgs+=(git)
# A drill of an existing backup holds the user's paths read-only for every child it starts: as root in a mount
# namespace (util-linux's unshare and setpriv, always on Debian), as another user with bubblewrap.
command -v bwrap >/dev/null 2>&1 || pkgs+=(bubblewrap)
if $want_browser && [ ! -x /usr/bin/chromium ]; then
  pkgs+=(chromium)
fi

if $want_prometheus; then
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || pkgs+=(prometheus)
  command -v prometheus-pushgateway >/dev/null 2>&1 || pkgs+=(prometheus-pushgateway)
  command -v prometheus-node-exporter >/dev/null 2>&1 || pkgs+=(prometheus-node-exporter)
fi

if [ ${#pkgs[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup.sh: please install ${pkgs[*]} with your package manager (apt-get not found)" >&2
    exit 3
  fi
  if [ "$(id -u)" -ne 0 ] && [ ${#sudo_cmd[@]} -eq 0 ]; then
    echo "setup.sh: need root or sudo to install ${pkgs[*]}" >&2
    exit 3
  fi
  echo "setup.sh: installing ${pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  # pgdrill starts its own disposable servers: keep Debian from creating and starting a system cluster.
  if [[ " ${pkgs[*]} " == *" postgresql-15 "* ]]; then
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends postgresql-common >/dev/null
    "${sudo_cmd[@]}" sed -i 's/^#\?\s*create_main_cluster.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
  fi
  # Debian starts a service for prometheus, its exporters (on every interface) and postgresql: the tests start
  # their own on loopback, so no package may start one while installing (policy-rc.d 101: "action forbidden").
  own_policy=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo_cmd[@]}" chmod 755 /usr/sbin/policy-rc.d
    own_policy=true
  fi
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  if $own_policy; then "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d; fi
fi

# pgdrill running as root runs servers as this unprivileged user (see README: "Running as root").
if [ "$(id -u)" -eq 0 ] && ! id "${PGDRILL_OS_USER:-postgres}" >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "${PGDRILL_OS_USER:-postgres}"
fi

if $want_docker; then
  "${sudo_cmd[@]}" bash scripts/docker-setup.sh
fi

if [ -n "${PGDRILL_SETUP_SKIP_NPM:-}" ]; then
  : # an installed package (npm install pgdrill): its dependencies are already in place
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run build
fi
if $want_docker; then
  # The image of pgdrill itself (Kubernetes CronJob, fleet runs), built after the build it packs.
  "${sudo_cmd[@]}" bash scripts/pgdrill-image.sh
fi
echo "setup.sh: ready ($("$pg_bin/postgres" --version))" >&2
