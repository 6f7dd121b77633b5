#!/usr/bin/env bash
# The action's run step: pgdrill run with the inputs, never failing the step itself (the last step does, after
# the summary and the artifact are published); outputs and, when pgdrill could not start a run, the job summary.
set -uo pipefail
out="${PGDRILL_ACTION_OUT:-reports}"
read -r -a drills <<< "${PGDRILL_ACTION_DRILLS:-drills/}"
args=(run "${drills[@]}" --out "$out" --json --junit "$out/junit.xml" --metrics "$out/pgdrill.prom" --notify "${PGDRILL_ACTION_NOTIFY:-always}")
[ -n "${PGDRILL_ACTION_PROVIDER:-}" ] && args+=(--provider "$PGDRILL_ACTION_PROVIDER")
[ -n "${PGDRILL_ACTION_SHARD:-}" ] && args+=(--shard "$PGDRILL_ACTION_SHARD")
[ -n "${PGDRILL_ACTION_BACKUP:-}" ] && args+=(--backup "$PGDRILL_ACTION_BACKUP")
[ -n "${PGDRILL_ACTION_PUSHGATEWAY:-}" ] && args+=(--pushgateway "$PGDRILL_ACTION_PUSHGATEWAY")
# Empty inputs must not reach pgdrill as empty settings.
for v in PGDRILL_EVIDENCE_STORE PGDRILL_SIGNING_KEY SLACK_WEBHOOK_URL PGDRILL_REPORT_URL; do
  [ -z "${!v:-}" ] && unset "$v"
done
mkdir -p "$out" "$RUNNER_TEMP"
json="$RUNNER_TEMP/pgdrill-run.json"
errlog="$RUNNER_TEMP/pgdrill-run.stderr"
node "${PGDRILL_BIN:?the install step sets PGDRILL_BIN}" "${args[@]}" > "$json" 2> >(tee "$errlog" >&2)
code=$?
wait
node "$GITHUB_ACTION_PATH/action/outputs.mjs" "$json" "$out" "$code" "$errlog"
exit 0
