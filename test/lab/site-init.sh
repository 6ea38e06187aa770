#!/bin/bash
# site-init.sh NAME DIR NODE - PID 1 of one lab site's PID namespace (see lab-lib.sh, lab_site_start).
#
# Runs in fresh mount, UTS, IPC and PID namespaces inside the site's network namespace. Gives the
# site private Pacemaker/corosync/booth/cibsync configuration and state (bind mounts from DIR over
# /etc/booth, /etc/cibsync, /var/lib/cibsync … as a real node has them; the mount points are created
# on the host if missing, empty) and private /run and /dev/shm
# (libqb's IPC lives there and in abstract sockets of the network namespace), then starts corosync
# and pacemakerd. On SIGTERM it stops boothd, pacemakerd (which stops the resources first) and
# corosync, in that order. When this process exits, the kernel kills anything left in the site.
set -u
name=$1 dir=$2 node=$3

hostname "$node"
ip link set lo up
mkdir -p "$dir"/lib-pacemaker/{cib,pengine,blackbox,cores} "$dir"/lib-corosync \
	"$dir"/log-pacemaker "$dir"/log-corosync "$dir"/etc-booth "$dir"/etc-corosync \
	"$dir"/etc-cibsync "$dir"/lib-cibsync "$dir"/log-cibsync
mkdir -p /etc/cibsync /var/lib/cibsync /var/log/cibsync
chown -R hacluster:haclient "$dir"/lib-pacemaker "$dir"/log-pacemaker
chmod 750 "$dir"/lib-pacemaker/* "$dir"/log-pacemaker
for pair in lib-pacemaker:/var/lib/pacemaker lib-corosync:/var/lib/corosync log-pacemaker:/var/log/pacemaker \
	log-corosync:/var/log/corosync etc-corosync:/etc/corosync etc-booth:/etc/booth \
	etc-cibsync:/etc/cibsync lib-cibsync:/var/lib/cibsync log-cibsync:/var/log/cibsync; do
	mount --bind "$dir/${pair%%:*}" "${pair#*:}"
done
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/resource-agents /run/crm /run/booth
chmod 1755 /run/resource-agents
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# Debian 12's booth client hangs on Linux >= 6.9 without the lab's shim (lab-lib.sh, nl-done-split.c).
# The lab's own booth commands preload it; cibsync's `takeover grant` runs `booth` from the daemon's
# PATH, whose first entry is /usr/local/sbin: a wrapper there, private to the site, preloads it too.
mount -t tmpfs -o mode=0755 tmpfs /usr/local/sbin
printf '#!/bin/sh\nLD_PRELOAD=%s exec /usr/sbin/booth "$@"\n' "$(dirname "$dir")/nl-done-split.so" >/usr/local/sbin/booth
chmod 755 /usr/local/sbin/booth

# What systemd would give the daemons: its default PATH and nothing else. A hand-started pacemakerd
# passes its whole environment down to the resource agents.
clean_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
	PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none)
"${clean_env[@]}" corosync -f >"$dir/corosync.out" 2>&1 &
corosync_pid=$!
for _ in $(seq 1 100); do corosync-cfgtool -s >/dev/null 2>&1 && break; sleep 0.1; done
"${clean_env[@]}" pacemakerd >"$dir/pacemakerd.out" 2>&1 &
pacemakerd_pid=$!

stop_pid() { # PID TENTHS_OF_A_SECOND
	kill -TERM "$1" 2>/dev/null || return 0
	for _ in $(seq 1 "$2"); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
}

stop_site() {
	[ -s /run/booth/boothd.pid ] && stop_pid "$(cat /run/booth/boothd.pid)" 50
	stop_pid "$pacemakerd_pid" 600
	stop_pid "$corosync_pid" 300
	exit 0
}
trap stop_site TERM INT
while :; do sleep 1 & wait $!; done
