#!/usr/bin/env bash
# walbctl's dry run for any CI: validate the tree, plan every host from observed-state fixtures, and
# show what the commit changes in the desired state. Plans with changes are normal (exit 2 from
# --detailed-exitcode is reported, not failed); errors fail the job.
#
# Usage: examples/ci/plan-and-diff.sh [TREE] [OBSERVED_DIR] [FROM_REV] [TO_REV]
#   TREE          the desired-state tree (default: .)
#   OBSERVED_DIR  one <host>.json per host, as `walbctl show observed --host H --json` prints (default: examples/ci/observed)
#   FROM_REV      the revision before the change (default: HEAD~1; skipped when it does not exist)
#   TO_REV        the revision after it (default: HEAD)
set -uo pipefail

tree=${1:-.}
observed=${2:-examples/ci/observed}
from=${3:-HEAD~1}
to=${4:-HEAD}
walbctl=${WALBCTL:-node bin/walbctl.js}

$walbctl validate "$tree" || exit 1

echo "::group::walbctl plan --all-hosts"
$walbctl plan "$tree" --all-hosts --observed-dir "$observed" --detailed-exitcode
status=$?
echo "::endgroup::"
case $status in
  0) echo "plan: every host matches the repository" ;;
  2) echo "plan: changes pending (see above)" ;;
  *) echo "plan: failed (exit $status)"; exit 1 ;;
esac

if git rev-parse --verify --quiet "$from^{commit}" >/dev/null; then
  echo "::group::walbctl diff $from → $to"
  $walbctl diff --from "$from" --to "$to" "$tree" --detailed-exitcode
  status=$?
  echo "::endgroup::"
  if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then echo "diff: failed (exit $status)"; exit 1; fi
  # Make a destructive change visible as a warning annotation in the job summary.
  if $walbctl diff --from "$from" --to "$to" "$tree" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.exit(JSON.parse(s).summary.destructive>0?3:0))'; then :; else
    echo "::warning::this commit makes destructive changes to the desired state (see walbctl diff above)"
  fi
else
  echo "diff: $from does not exist (first commit?): skipped"
fi
