#!/usr/bin/env bash
# The action's last step: after the summary and the artifact, fail the job when a drill did not pass (or pgdrill
# could not run at all), with pgdrill's exit code.
set -euo pipefail
code="${PGDRILL_ACTION_EXIT:-}"
if [ -z "$code" ]; then echo "::error::pgdrill did not run (an earlier step failed)"; exit 1; fi
if [ "$code" = "0" ]; then echo "pgdrill: every drill passed"; exit 0; fi
if [ "${PGDRILL_ACTION_FAIL_ON:-not-passed}" = "never" ]; then echo "::warning::pgdrill exited $code (fail-on: never): ${PGDRILL_ACTION_FAILED:-}"; exit 0; fi
echo "::error::pgdrill exited $code; drills not passed: ${PGDRILL_ACTION_FAILED:-[]} (see the job summary and the reports artifact)"
exit "$code"
