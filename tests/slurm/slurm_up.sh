#!/usr/bin/env bash
# Bring up a private, single-node SLURM cluster on this machine (127.0.0.1 only), for
# testing the workflow's SLURM profile against a real scheduler. Idempotent: a second
# call finds the daemons it started and returns at once.
#
#   sudo bash tests/slurm/slurm_up.sh          # as root (Debian/Ubuntu, no systemd needed)
#   source "$SWEDISH_TOPICS_SLURM_DIR/env.sh"  # or /tmp/swedish-topics-slurm/env.sh
#   sinfo; sbatch --wrap hostname; ...
#   bash tests/slurm/slurm_down.sh
#
# Everything lives in one private directory (default: $RUNNER_TEMP/swedish-topics-slurm
# or /tmp/swedish-topics-slurm; set SWEDISH_TOPICS_SLURM_DIR to choose): slurm.conf, a
# private munged socket, state, spool, logs and the PIDs of the daemons started here.
# Nothing under /run/munge is used, and the only file outside that directory is a
# symbolic link /etc/slurm/slurm.conf -> <dir>/etc/slurm.conf, made only when no such
# file exists (the script stops with an error rather than replace another SLURM's) and
# removed by slurm_down.sh. Client commands find this cluster through SLURM_CONF, which
# env.sh exports; srun inside jobs needs the link (see below).
#
# Options (environment variables):
#   SWEDISH_TOPICS_SLURM_DIR        private directory (see above)
#   SWEDISH_TOPICS_SLURM_PORT       slurmctld port (default 16817; slurmd uses port + 1)
#   SWEDISH_TOPICS_SLURM_WAIT       seconds to wait for the node to become idle (default 60)
#   SWEDISH_TOPICS_SLURM_MINJOBAGE  seconds finished jobs stay visible to squeue (default 600)
set -euo pipefail

die() {
  echo "slurm_up: ERROR: $*" >&2
  exit 1
}
say() { echo "slurm_up: $*"; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs Debian packages and starts daemons that run jobs as root)."

DIR="${SWEDISH_TOPICS_SLURM_DIR:-${RUNNER_TEMP:-/tmp}/swedish-topics-slurm}"
PORT="${SWEDISH_TOPICS_SLURM_PORT:-16817}"
WAIT="${SWEDISH_TOPICS_SLURM_WAIT:-60}"
MIN_JOB_AGE="${SWEDISH_TOPICS_SLURM_MINJOBAGE:-600}"
NODE=node1
PARTITION=debug
CONF="$DIR/etc/slurm.conf"
PIDS="$DIR/pid"
LOGS="$DIR/log"
MUNGE_DIR="$DIR/munge"
MUNGE_SOCKET="$MUNGE_DIR/munge.socket"

t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# A PID file names a live process of the expected program.
alive() { # alive NAME
  local f="$PIDS/$1.pid" pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [ -d "/proc/$pid" ] || return 1
  grep -q "$1" "/proc/$pid/cmdline" 2>/dev/null
}

# --- 1. Packages ----------------------------------------------------------------------
need=()
for cmd in munged slurmctld slurmd sbatch squeue sinfo; do
  command -v "$cmd" >/dev/null 2>&1 || need=(slurm-wlm munge)
done
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${need[@]}" >"${TMPDIR:-/tmp}/slurm_up_apt.log" 2>&1; then
    apt-get update -qq >>"${TMPDIR:-/tmp}/slurm_up_apt.log" 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${need[@]}" >>"${TMPDIR:-/tmp}/slurm_up_apt.log" 2>&1 ||
      die "apt-get install ${need[*]} failed; see ${TMPDIR:-/tmp}/slurm_up_apt.log"
  fi
  say "installed in $(elapsed) s"
fi

# --- 2. Already up? ---------------------------------------------------------------------
if [ -f "$DIR/env.sh" ] && [ -e /etc/slurm/slurm.conf ] && alive munged && alive slurmctld && alive slurmd; then
  # shellcheck source=/dev/null
  . "$DIR/env.sh"
  if sinfo -h -n "$NODE" -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)$'; then
    say "already up (SLURM_CONF=$CONF)"
    exit 0
  fi
fi

mkdir -p "$DIR/etc" "$DIR/state" "$DIR/spool" "$PIDS" "$LOGS"
chmod 755 "$DIR"

# --- 3. munge (private socket; the machine's /etc/munge/munge.key or a new private key) ---
if ! alive munged; then
  # Clients need to reach the socket: the directory is world-searchable, owned by munge.
  install -d -m 755 -o munge -g munge "$MUNGE_DIR"
  if [ -r /etc/munge/munge.key ]; then
    key=/etc/munge/munge.key
  else
    key="$MUNGE_DIR/munge.key"
    [ -s "$key" ] || head -c 1024 /dev/urandom >"$key"
    chown munge:munge "$key"
    chmod 400 "$key"
  fi
  # setpriv execs munged as the munge user, so $! is munged's own PID.
  setsid setpriv --reuid=munge --regid=munge --init-groups munged --foreground \
    --socket="$MUNGE_SOCKET" --key-file="$key" \
    --pid-file="$MUNGE_DIR/munged.pid" --log-file="$MUNGE_DIR/munged.log" \
    --seed-file="$MUNGE_DIR/munged.seed" </dev/null >>"$LOGS/munged.out" 2>&1 &
  echo $! >"$PIDS/munged.pid"
  for _ in $(seq 1 50); do
    [ -S "$MUNGE_SOCKET" ] && break
    alive munged || break
    sleep 0.1
  done
  [ -S "$MUNGE_SOCKET" ] || die "munged did not start; see $LOGS/munged.out and $MUNGE_DIR/munged.log:
$(tail -n 5 "$LOGS/munged.out" "$MUNGE_DIR/munged.log" 2>/dev/null)"
  munge -n -S "$MUNGE_SOCKET" | unmunge -S "$MUNGE_SOCKET" >/dev/null ||
    die "munge credentials do not round-trip; see $MUNGE_DIR/munged.log"
  say "munged up at $MUNGE_SOCKET ($(elapsed) s)"
fi

# --- 4. slurm.conf, written from the node's real resources (slurmd -C) --------------------
# slurmd -C prints e.g. "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2
# ThreadsPerCore=1 RealMemory=24105"; keep the hardware fields, name the node ourselves.
hw=$(slurmd -C | head -1 | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' | tr '\n' ' ')
[ -n "$hw" ] || die "slurmd -C printed no hardware description"
host=$(hostname -s)
cat >"$CONF.tmp" <<EOF
# Written by tests/slurm/slurm_up.sh: a single-node test cluster on 127.0.0.1.
ClusterName=swedishtopics
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
# Snakemake's jobs run as the submitting user (root here): simplest is root daemons.
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
# Bind to the address the names resolve to (127.0.0.1), not to every interface.
CommunicationParameters=NoInAddrAny
# No cgroups (no systemd, containers): track processes through /proc, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# A job that asks for no memory gets 1 GB per CPU, not the whole node.
DefMemPerCPU=1000
SchedulerType=sched/backfill
# No slurmdbd: sacct has nothing to read, so Snakemake asks squeue, which shows finished
# jobs for MinJobAge seconds (the plugin needs >= 3x its first status-check delay).
AccountingStorageType=accounting_storage/none
MinJobAge=$MIN_JOB_AGE
# A durable one-line record of every finished job, for tests and for people.
JobCompType=jobcomp/filetxt
JobCompLoc=$LOGS/jobcomp.log
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/state/slurmctld.pid
SlurmdPidFile=$DIR/spool/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$NODE NodeHostname=$host NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
mv "$CONF.tmp" "$CONF"
cat >"$DIR/env.sh" <<EOF
# Source this file to talk to the test cluster: sinfo, squeue, sbatch, snakemake.
export SLURM_CONF=$CONF
EOF
export SLURM_CONF="$CONF"

# The job side of Snakemake (snakemake-executor-plugin-slurm-jobstep) starts each rule
# with `srun` after removing SLURM_* variables, SLURM_CONF included, so that srun only
# finds a configuration at the compiled-in path, as on a real cluster's nodes. Link it
# there if nothing is there; never replace an existing file (another SLURM's).
SYS_CONF=/etc/slurm/slurm.conf
if [ -L "$SYS_CONF" ] && [ "$(readlink "$SYS_CONF")" = "$CONF" ]; then
  :
elif [ -e "$SYS_CONF" ] || [ -L "$SYS_CONF" ]; then
  die "$SYS_CONF already exists (another SLURM?). Jobs need the test cluster's config at
that path, because the plugin drops SLURM_CONF for srun inside jobs. Run this on a machine
without SLURM, or move $SYS_CONF aside while testing."
else
  mkdir -p "$(dirname "$SYS_CONF")"
  ln -s "$CONF" "$SYS_CONF"
  echo "$SYS_CONF" >"$PIDS/created-links"
fi

# --- 5. slurmctld and slurmd, in the foreground of their own sessions ----------------------
start() { # start NAME ARGS...
  local name=$1
  shift
  setsid "$name" -D "$@" </dev/null >>"$LOGS/$name.out" 2>&1 &
  echo $! >"$PIDS/$name.pid"
}
if ! alive slurmctld; then
  start slurmctld -c -i
fi
if ! alive slurmd; then
  start slurmd -N "$NODE"
fi

# --- 6. Wait until the node is idle ----------------------------------------------------
deadline=$(($(date +%s) + WAIT))
state=""
while [ "$(date +%s)" -lt "$deadline" ]; do
  for name in slurmctld slurmd; do
    alive "$name" || die "$name exited; last lines of its log:
$(tail -n 20 "$LOGS/$name.log" "$LOGS/$name.out" 2>/dev/null)"
  done
  state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null || true)
  case "$state" in
    idle | mixed | allocated) break ;;
  esac
  sleep 0.5
done
case "$state" in
  idle | mixed | allocated) ;;
  *)
    die "node $NODE is '${state:-not reported}' after ${WAIT} s (wanted idle).
sinfo -R: $(sinfo -R 2>&1 || true)
slurmctld.log:
$(tail -n 20 "$LOGS/slurmctld.log" 2>/dev/null)
slurmd.log:
$(tail -n 20 "$LOGS/slurmd.log" 2>/dev/null)"
    ;;
esac
say "node $NODE $state in partition $PARTITION after $(elapsed) s; SLURM_CONF=$CONF"
say "use it with: source $DIR/env.sh"
