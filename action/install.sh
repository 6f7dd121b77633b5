#!/usr/bin/env bash
# The action's install step: pgdrill (this checkout, or an npm version) and what drills need (scripts/setup.sh:
# PostgreSQL 15, pgBackRest, Barman; Docker when asked). Exports PGDRILL_BIN for the next steps.
set -euo pipefail
setup_args=()
[ "${PGDRILL_ACTION_DOCKER:-false}" = "true" ] && setup_args+=(--docker)
if [ "${PGDRILL_ACTION_VERSION:-action}" = "action" ]; then
  root="$GITHUB_ACTION_PATH"
  bash "$root/scripts/setup.sh" "${setup_args[@]}"
  bin="$root/bin/pgdrill.js"
else
  prefix="$RUNNER_TEMP/pgdrill-$PGDRILL_ACTION_VERSION"
  npm install --prefix "$prefix" --no-audit --no-fund "pgdrill@$PGDRILL_ACTION_VERSION"
  root="$prefix/node_modules/pgdrill"
  PGDRILL_SETUP_SKIP_NPM=1 bash "$root/scripts/setup.sh" "${setup_args[@]}"
  bin="$root/bin/pgdrill.js"
fi
echo "PGDRILL_BIN=$bin" >> "$GITHUB_ENV"
echo "pgdrill: $(node "$bin" --version) at $bin"
