#!/usr/bin/env bash
# Stop the test cluster started by tests/slurm/slurm_up.sh: cancel its jobs, then stop
# slurmd, slurmctld and munged by the PIDs slurm_up.sh recorded (never any other
# process), and remove the /etc/slurm/slurm.conf link if slurm_up.sh made it. Logs and
# state stay in the private directory for inspection. Safe to run twice.
#
#   bash tests/slurm/slurm_down.sh            # SWEDISH_TOPICS_SLURM_DIR as for slurm_up.sh
set -uo pipefail

DIR="${SWEDISH_TOPICS_SLURM_DIR:-${RUNNER_TEMP:-/tmp}/swedish-topics-slurm}"
PIDS="$DIR/pid"
say() { echo "slurm_down: $*"; }

if [ ! -d "$PIDS" ]; then
  say "nothing to stop ($PIDS does not exist)"
  exit 0
fi

# Cancel what is still queued or running on this cluster only (SLURM_CONF points to it).
if [ -f "$DIR/etc/slurm.conf" ] && [ -s "$PIDS/slurmctld.pid" ]; then
  SLURM_CONF="$DIR/etc/slurm.conf" timeout 10 scancel --full --quiet --state=PENDING >/dev/null 2>&1 || true
  SLURM_CONF="$DIR/etc/slurm.conf" timeout 10 scancel --full --quiet --state=RUNNING >/dev/null 2>&1 || true
fi

# stop NAME: TERM the recorded PID if it is still that program, KILL after 10 s.
stop() {
  local name=$1 f="$PIDS/$1.pid" pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if [ -d "/proc/$pid" ] && grep -q "$name" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      [ -d "/proc/$pid" ] || break
      # A zombie (exited, not yet reaped) counts as stopped.
      [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
      sleep 0.1
    done
    if [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
      say "$name ($pid) ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped $name ($pid)"
  fi
  rm -f "$f"
}
stop slurmd
stop slurmctld
stop munged

# Remove the links slurm_up.sh made (only if they still point into our directory).
if [ -s "$PIDS/created-links" ]; then
  while read -r link; do
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$DIR/etc/slurm.conf" ]; then
      rm -f "$link"
      say "removed link $link"
    fi
  done <"$PIDS/created-links"
  rm -f "$PIDS/created-links"
fi
say "done; logs are in $DIR/log"
