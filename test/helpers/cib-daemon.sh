#!/bin/bash
# cib-daemon.sh DIR [COMMAND...] - a live CIB manager for tests and benchmarks, alone in private
# namespaces; with a COMMAND, runs it there once the CIB answers and ends with its status.
#
# Run it as PID 1 of fresh namespaces:
#   unshare --net --mount --uts --ipc --pid --mount-proc --fork --kill-child bash cib-daemon.sh DIR
# and reach it with `nsenter --target <its pid> --net --mount --ipc --uts --pid`. Pacemaker's IPC lives in
# abstract sockets of the network namespace and in /dev/shm, both private here, so nothing can collide
# with a cluster on this machine (or with the lab). It gives corosync and pacemaker-based private
# state (bind mounts from DIR over /var/lib/pacemaker/cib, /var/lib/corosync, /etc/corosync; tmpfs
# over /run and /dev/shm) and a one-node corosync ring on this namespace's loopback.
#
# Why corosync and not `pacemaker-based --stand-alone`: Pacemaker 2.1.5's CIB manager forwards every
# write from a client to its peers over corosync, stand-alone too (parse_local_options_v2), so a
# stand-alone daemon answers queries but a `crm_ticket --grant` waits for ever.
#
# Prints "ready" on stdout once the CIB answers. Ends (and with it everything in the namespaces) on
# SIGTERM; a test may stop pacemaker-based alone to see what its clients do.
set -u
dir=$1
shift
ip link set lo up
mkdir -p "$dir"/cib "$dir"/corosync-lib "$dir"/corosync-etc
chown hacluster:haclient "$dir"/cib
chmod 750 "$dir"/cib
# shellcheck source=one-node-corosync.sh
. "$(dirname "$0")/one-node-corosync.sh"
one_node_corosync_conf cibsync-test node1 >"$dir/corosync-etc/corosync.conf"
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/crm
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount --bind "$dir"/cib /var/lib/pacemaker/cib
mount --bind "$dir"/corosync-lib /var/lib/corosync
mount --bind "$dir"/corosync-etc /etc/corosync

export PCMK_logfile="$dir/pacemaker.log" PCMK_logfacility=none
corosync -f >"$dir/corosync.out" 2>&1 &
for _ in $(seq 1 100); do corosync-cfgtool -s >/dev/null 2>&1 && break; sleep 0.1; done
/usr/lib/pacemaker/pacemaker-based >"$dir/based.out" 2>&1 &
for _ in $(seq 1 100); do cibadmin --query --local --scope crm_config >/dev/null 2>&1 && break; sleep 0.1; done
if ! cibadmin --query --local --scope crm_config >/dev/null 2>&1; then
	echo "cib-daemon: pacemaker-based did not answer; see $dir/based.out, $dir/corosync.out" >&2
	exit 1
fi
if [ $# -gt 0 ]; then
	"$@"
	exit
fi
echo ready
trap 'exit 0' TERM INT
while :; do sleep 1 & wait $!; done
