#!/usr/bin/env bash
# Run the real workflow through a real SLURM: bring up the single-node test cluster
# (slurm_up.sh), run Snakemake with workflow/profiles/slurm on the small end-to-end
# config, print the scheduler's evidence (job ids, squeue/sacct, SLURM's job records),
# and stop the cluster again on exit if this script started it.
#
#   sudo bash tests/slurm/run_workflow_on_slurm.sh [extra snakemake arguments]
#
# Options (environment variables, besides those of slurm_up.sh):
#   SWEDISH_TOPICS_PYTHON         Python with swedish-topics and snakemake installed
#                                 (default: python3 on PATH); jobs run this same Python.
#   SWEDISH_TOPICS_SLURM_WORK     where results, SLURM job logs and the Snakemake log go
#                                 (default: <slurm dir>/run, emptied first)
#   SWEDISH_TOPICS_SLURM_TIMEOUT  seconds before Snakemake is stopped (default 1200)
#   SWEDISH_TOPICS_SLURM_POLL     seconds between job status checks (default 8)
#   SWEDISH_TOPICS_SLURM_KEEP=1   leave the cluster running afterwards
#
# Exit status: Snakemake's (124 if it timed out). The last lines name the Snakemake log,
# whose "submitted with SLURM jobid N" lines tests read.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DIR="${SWEDISH_TOPICS_SLURM_DIR:-${RUNNER_TEMP:-/tmp}/swedish-topics-slurm}"
export SWEDISH_TOPICS_SLURM_DIR="$DIR"
WORK="${SWEDISH_TOPICS_SLURM_WORK:-$DIR/run}"
LIMIT="${SWEDISH_TOPICS_SLURM_TIMEOUT:-1200}"
PY="${SWEDISH_TOPICS_PYTHON:-python3}"
say() { echo "run_workflow_on_slurm: $*"; }

"$PY" -c "import snakemake, snakemake_executor_plugin_slurm, swedish_topics" 2>/dev/null || {
  echo "run_workflow_on_slurm: ERROR: $PY lacks snakemake, snakemake-executor-plugin-slurm or swedish_topics; install the project first (pip install -e '.[test]') or set SWEDISH_TOPICS_PYTHON." >&2
  exit 1
}

# Was the cluster already up (then leave it up)?
already_up=0
if [ -s "$DIR/pid/slurmctld.pid" ] && [ -d "/proc/$(cat "$DIR/pid/slurmctld.pid")" ]; then
  already_up=1
fi
# shellcheck disable=SC2317  # called by the EXIT trap
teardown() {
  if [ "$already_up" = 0 ] && [ "${SWEDISH_TOPICS_SLURM_KEEP:-0}" != 1 ]; then
    bash "$HERE/slurm_down.sh" || true
  fi
}
trap teardown EXIT

t0=$(date +%s)
bash "$HERE/slurm_up.sh"
t_up=$(date +%s)
# shellcheck source=/dev/null
. "$DIR/env.sh"

case "$(realpath -m "$WORK")" in
  / | "$REPO" | "$REPO"/* | "$(realpath -m "${HOME:-/}")")
    echo "run_workflow_on_slurm: ERROR: SWEDISH_TOPICS_SLURM_WORK=$WORK would be emptied; choose a scratch directory." >&2
    exit 1
    ;;
esac
rm -rf "$WORK"
mkdir -p "$WORK"
LOG="$WORK/snakemake.log"

# The workflow as a user runs it (--profile workflow/profiles/slurm), plus settings that
# fit this test cluster: no accounting, so status comes from squeue (MinJobAge is long
# enough); 8 s status-check delays instead of a busy cluster's 40 s; no retries, so a
# failure fails fast; SLURM's per-job logs kept as evidence.
cmd=(
  timeout -k 30 "$LIMIT"
  "$PY" -m snakemake
  --profile workflow/profiles/slurm
  --configfile tests/e2e/config.yaml
  --config "results=$WORK/results"
  --slurm-status-command squeue
  --slurm-init-seconds-before-status-checks "${SWEDISH_TOPICS_SLURM_POLL:-8}"
  --seconds-between-status-checks "${SWEDISH_TOPICS_SLURM_POLL:-8}"
  --slurm-logdir "$WORK/slurm_logs"
  --slurm-keep-successful-logs
  --retries 0
  "$@"
)
say "cd $REPO && ${cmd[*]}"
cd "$REPO"
# In the background so that a signal to this script is handled at once: the plugin's
# Snakemake ignores SIGTERM, so stop timeout's whole process group (timeout leads it).
# shellcheck disable=SC2317  # called by the INT/TERM trap
on_signal() {
  say "interrupted; stopping Snakemake"
  kill -TERM -- "-$sm_pid" 2>/dev/null
  sleep 5
  kill -KILL -- "-$sm_pid" 2>/dev/null
  exit 130
}
set +e
"${cmd[@]}" >"$LOG" 2>&1 &
sm_pid=$!
trap on_signal INT TERM
wait "$sm_pid"
rc=$?
trap - INT TERM
set -e
t_end=$(date +%s)
tail -n 15 "$LOG"

# Evidence that the jobs went through SLURM.
run_id=$(grep -oE 'SLURM run ID: [A-Za-z0-9_-]+' "$LOG" | head -1 | awk '{print $4}' || true)
ids=$(grep -oE 'submitted with SLURM jobid [0-9]+' "$LOG" | awk '{print $5}' | tr '\n' ' ' || true)
n_ids=$(echo "$ids" | wc -w)
echo
say "SLURM run ID: ${run_id:-none}"
say "$n_ids SLURM job ids: $ids"
echo "--- squeue --states=all --name ${run_id:-?} (finished jobs stay listed for MinJobAge) ---"
squeue --states=all --name "${run_id:-none}" -o "%.6i %.9P %.10T %.8M %.4C %.8m %.8R %k" 2>&1 | head -n 100 || true
echo "--- sacct ---"
sacct -X --name "${run_id:-none}" -o JobID,JobName%50,State,Elapsed,AllocCPUS,ReqMem 2>&1 | head -n 100 ||
  echo "(sacct needs SLURM accounting (slurmdbd); this test cluster has none, see jobcomp below)"
echo "--- SLURM job completion records ($DIR/log/jobcomp.log), this run ---"
for id in $ids; do
  grep -E "^JobId=$id " "$DIR/log/jobcomp.log" | sed -E 's/ (UserId|GroupId|TimeLimit|ReservationName|Account|QOS|WcKey|Cluster|SubmitTime|EligibleTime|DerivedExitCode)=[^ ]*//g' || true
done
echo
say "exit status $rc; SLURM up in $((t_up - t0)) s, workflow $((t_end - t_up)) s, $n_ids SLURM jobs"
say "results: $WORK/results"
say "snakemake log: $LOG"
exit "$rc"
