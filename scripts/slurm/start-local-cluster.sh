#!/usr/bin/env bash
# Installs Slurm and MUNGE from Debian's packages (if missing) and starts a
# one-node Slurm cluster on this machine: munged, slurmctld and slurmd, with
# one partition `escrowsim` holding all local cores. For testing escrowsim's
# array-job sweeps on a real scheduler; needs root. Idempotent: a running
# cluster is left as it is.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "start-local-cluster.sh: needs root (it installs packages and starts daemons)" >&2
    exit 2
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends slurm-wlm munge
fi

# MUNGE authenticates slurmctld and slurmd to each other.
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
fi
if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
fi
for _ in $(seq 1 50); do
    munge -n </dev/null >/dev/null 2>&1 && break
    sleep 0.1
done
munge -n </dev/null | unmunge >/dev/null

host=$(hostname -s)
node_line=$(slurmd -C | head -n 1)
install -d -m 0755 /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<CONF
# One-node cluster for escrowsim's sweep tests (scripts/slurm/start-local-cluster.sh).
ClusterName=escrowsim
SlurmctldHost=${host}
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
${node_line} State=UNKNOWN
PartitionName=escrowsim Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
# Slurm 22 warns without cgroup.conf on some setups; a minimal one keeps it quiet.
[ -f /etc/slurm/cgroup.conf ] || echo "CgroupPlugin=autodetect" > /etc/slurm/cgroup.conf

pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd

# Wait until the node accepts jobs.
for _ in $(seq 1 100); do
    state=$(sinfo -h -n "$host" -o '%t' 2>/dev/null || true)
    case "$state" in
        idle*|mix*|alloc*) echo "slurm: node $host is $state"; exit 0 ;;
        down*|drain*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
done
echo "start-local-cluster.sh: the node did not become idle; see /var/log/slurm/" >&2
sinfo >&2 || true
exit 1
