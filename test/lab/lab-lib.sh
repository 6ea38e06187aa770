# shellcheck shell=bash
# lab-lib.sh - a booth geo cluster on one machine: single-node Pacemaker sites and a booth
# arbitrator, each in its own network namespace, joined by a bridge.
#
# Network rule: lab addresses ($LAB_NET.0/24) are used only from inside the namespaces. The bridge
# carries $LAB_NET.254, so the host's route to the subnet is the bridge and a stray packet stays on
# it; the namespaces have no default route. Nothing leaves the machine.
#
# Everything started here is recorded under $LAB_BASE and stopped by PID; the stop and delete
# functions are idempotent, for the scripts' EXIT traps.

: "${LAB_BASE:=/tmp/cibsync-lab}"
: "${LAB_NET:=10.77.4}"
: "${LAB_BRIDGE:=cibsynclab0}"
LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../helpers/one-node-corosync.sh
. "$LAB_HERE/../helpers/one-node-corosync.sh"
# Pacemaker's, booth's and resource-agents' tools live in sbin, which a CI user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
LAB_BOOTH_PRELOAD=$LAB_BASE/nl-done-split.so

lab_log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S.%N | cut -c1-12)" "$*"; }

lab_now() { date +%s.%N; }
lab_since() { awk -v a="$1" -v b="$(lab_now)" 'BEGIN { printf "%.2f", b - a }'; }

# Missing prerequisites, one per line (nothing when the lab can run).
lab_missing_prerequisites() {
	[ "$(id -u)" = 0 ] || echo "not root"
	local tool
	for tool in pacemakerd corosync cibadmin crm_mon crm_resource crm boothd booth ocf-tester curl gcc ip unshare nsenter setsid xmllint; do
		command -v "$tool" >/dev/null || echo "$tool is not installed (scripts/setup-debian.sh)"
	done
	[ -f /usr/lib/ocf/lib/heartbeat/ocf-shellfuncs ] || echo "resource-agents is not installed"
}

lab_build_booth_shim() {
	mkdir -p "$LAB_BASE"
	gcc -shared -fPIC -O2 -o "$LAB_BOOTH_PRELOAD" "$LAB_HERE/nl-done-split.c" -ldl
}

# lab_netns NAME: the network namespace of site or arbitrator NAME.
lab_netns() { echo "cibsynclab-$1"; }

lab_net_create() { # NAME HOST_NUMBER
	local name=$1 ns
	ns=$(lab_netns "$1")
	if ! ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
		if [ -n "$(ip route show "$LAB_NET.0/24")" ]; then
			echo "lab: $LAB_NET.0/24 is already routed on this machine; set LAB_NET to a free subnet" >&2
			return 1
		fi
		ip link add "$LAB_BRIDGE" type bridge
		ip addr add "$LAB_NET.254/24" dev "$LAB_BRIDGE"
		ip link set "$LAB_BRIDGE" up
	fi
	ip netns add "$ns"
	ip link add "lab-$name" type veth peer name "lab-$name-ns"
	ip link set "lab-$name-ns" netns "$ns"
	ip link set "lab-$name" master "$LAB_BRIDGE" up
	ip -n "$ns" link set lo up
	ip -n "$ns" link set "lab-$name-ns" name eth0
	ip -n "$ns" addr add "$LAB_NET.$2/24" dev eth0
	ip -n "$ns" link set eth0 up
}

lab_net_link() { # NAME up|down
	ip -n "$(lab_netns "$1")" link set eth0 "$2"
}

lab_net_delete() {
	local name
	for name in "$@"; do
		ip netns del "$(lab_netns "$name")" 2>/dev/null # takes the veth pair with it
		ip link del "lab-$name" 2>/dev/null
	done
	ip link del "$LAB_BRIDGE" 2>/dev/null
	true
}

lab_site_dir() { echo "$LAB_BASE/$1"; }

# lab_node SITE: the name of the site's one node (site a's is a1, as in docs/operations.md).
lab_node() { echo "${1}1"; }

# lab_guide_block NAME: the code block that follows the line "<!-- lab: NAME -->" in
# docs/operations.md, as written there (the live lab runs the guide's own commands and files).
lab_guide_block() {
	local block
	block=$(awk -v marker="<!-- lab: $1 -->" '
		$0 == marker { found = 1; next }
		found == 1 && /^```/ { found = 2; next }
		found == 2 && /^```/ { exit }
		found == 2 { print }' "$LAB_HERE/../../docs/operations.md")
	[ -n "$block" ] || { echo "lab: docs/operations.md has no block marked <!-- lab: $1 -->" >&2; return 1; }
	printf '%s\n' "$block"
}

# The site's corosync.conf: one node on the namespace's own loopback.
lab_site_write_corosync_conf() {
	local dir
	dir=$(lab_site_dir "$1")
	mkdir -p "$dir/etc-corosync"
	one_node_corosync_conf "$1" "$(lab_node "$1")" >"$dir/etc-corosync/corosync.conf"
}

# lab_site_seed_cib NAME CONFIGURATION_XML_FILE: the site's on-disk CIB before it starts. Without
# STONITH devices the lab disables STONITH; dc-deadtime=2s brings the node online in ~5 s, not ~23 s.
lab_site_seed_cib() {
	local dir cib
	dir=$(lab_site_dir "$1")
	mkdir -p "$dir/lib-pacemaker/cib"
	cib=$dir/lib-pacemaker/cib/cib.xml
	cibadmin --empty >"$cib"
	CIB_file=$cib cibadmin --replace --scope configuration --xml-file "$2"
	CIB_file=$cib crm_attribute --type crm_config --name stonith-enabled --update false
	CIB_file=$cib crm_attribute --type crm_config --name dc-deadtime --update 2s
	chown -R hacluster:haclient "$dir/lib-pacemaker"
	chmod 600 "$cib"
}

lab_site_start() { # NAME
	local dir holder=""
	dir=$(lab_site_dir "$1")
	setsid ip netns exec "$(lab_netns "$1")" unshare --mount --uts --ipc --pid --fork --mount-proc --propagation private \
		bash "$LAB_HERE/site-init.sh" "$1" "$dir" "$(lab_node "$1")" </dev/null >"$dir/site-init.out" 2>&1 &
	echo $! >"$dir/unshare.pid"
	for _ in $(seq 1 50); do
		holder=$(lab_site_holder "$1")
		[ -n "$holder" ] && break
		sleep 0.1
	done
	[ -n "$holder" ] || { echo "lab: site $1 did not start" >&2; return 1; }
	echo "$holder" >"$dir/holder.pid"
}

# PID 1 of the site: the child that unshare --fork made, once it runs site-init.sh (matching the
# command line skips the moment between fork and exec).
lab_site_holder() {
	local unshare_pid
	unshare_pid=$(cat "$(lab_site_dir "$1")/unshare.pid" 2>/dev/null) || return 0
	pgrep -P "$unshare_pid" -f "^bash $LAB_HERE/site-init.sh $1 " | head -n 1 || true
}

lab_site_exec() { # NAME COMMAND…
	local holder
	holder=$(cat "$(lab_site_dir "$1")/holder.pid")
	shift
	nsenter -t "$holder" -m -u -i -n -p -- "$@"
}

lab_site_wait_online() { # NAME TIMEOUT_S
	local deadline=$(($(date +%s) + $2))
	until lab_site_exec "$1" crm_mon -1 2>/dev/null | grep -q "Online: \[ $(lab_node "$1") \]"; do
		[ "$(date +%s)" -lt "$deadline" ] || { echo "lab: site $1 not online after $2 s" >&2; return 1; }
		sleep 0.3
	done
}

lab_site_stop() {
	local dir holder unshare_pid
	dir=$(lab_site_dir "$1")
	holder=$(lab_site_holder "$1")
	[ -n "$holder" ] || return 0
	kill -TERM "$holder" 2>/dev/null
	for _ in $(seq 1 900); do kill -0 "$holder" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$holder" 2>/dev/null; then
		echo "lab: site $1 did not stop in 90 s; SIGKILL to its PID 1 ends the whole PID namespace" >&2
		kill -KILL "$holder"
	fi
	unshare_pid=$(cat "$dir/unshare.pid" 2>/dev/null) && { wait "$unshare_pid" 2>/dev/null || true; }
	rm -f "$dir/holder.pid" "$dir/unshare.pid"
}

# booth.conf shared by every site and the arbitrator; LAB_BOOTH_TICKET_EXTRA, when set, is one more
# line under the ticket (the readiness gate's before-acquire-handler).
lab_write_booth_conf() { # FILE TICKET EXPIRE_S SITE_NUMBER… -- ARBITRATOR_NUMBER
	local file=$1 ticket=$2 expire=$3
	shift 3
	{
		echo "transport = UDP"
		echo "port = 9929"
		while [ "$1" != -- ]; do echo "site = $LAB_NET.$1"; shift; done
		echo "arbitrator = $LAB_NET.$2"
		echo "ticket = \"$ticket\""
		echo "	expire = $expire"
		echo "	timeout = 1"
		echo "	retries = 3"
		[ -z "${LAB_BOOTH_TICKET_EXTRA:-}" ] || echo "	$LAB_BOOTH_TICKET_EXTRA"
	} >"$file"
}

lab_booth_start() { # SITE (booth.conf already in the site's etc-booth)
	lab_site_exec "$1" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LD_PRELOAD="$LAB_BOOTH_PRELOAD" \
		bash -c 'setsid boothd daemon -S -c /etc/booth/booth.conf </dev/null >/var/log/pacemaker/boothd.out 2>&1 & echo $! >/run/booth/boothd.pid'
}

lab_booth() { # SITE booth-client-arguments…
	local site=$1
	shift
	lab_site_exec "$site" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LD_PRELOAD="$LAB_BOOTH_PRELOAD" timeout 30 booth "$@"
}

lab_arbitrator_start() { # NAME BOOTH_CONF
	local dir
	dir=$(lab_site_dir "$1")
	mkdir -p "$dir"
	# setsid, ip netns exec and env all exec in place: $! is boothd's PID.
	setsid ip netns exec "$(lab_netns "$1")" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LD_PRELOAD="$LAB_BOOTH_PRELOAD" \
		boothd daemon -S -c "$2" -l "$dir/booth.lock" </dev/null >"$dir/boothd.out" 2>&1 &
	echo $! >"$dir/boothd.pid"
}

lab_arbitrator_stop() {
	local dir pid
	dir=$(lab_site_dir "$1")
	pid=$(cat "$dir/boothd.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	rm -f "$dir/boothd.pid"
}

# lab_role SITE RESOURCE: Started, Stopped … as crm_mon reports it.
lab_role() {
	lab_site_exec "$1" crm_mon -1 -r --output-as=xml 2>/dev/null |
		sed -n "s/.*<resource id=\"$2\"[^>]* role=\"\([A-Za-z]*\)\".*/\1/p"
}

# lab_wait TIMEOUT_S DESCRIPTION COMMAND…: polls COMMAND every 0.1 s until it succeeds.
lab_wait() {
	local timeout=$1 what=$2 t0
	shift 2
	t0=$(lab_now)
	while ! "$@" >/dev/null 2>&1; do
		if awk -v a="$t0" -v b="$(lab_now)" -v t="$timeout" 'BEGIN { exit !(b - a > t) }'; then
			echo "lab: timed out after ${timeout} s waiting for: $what" >&2
			return 1
		fi
		sleep 0.1
	done
}

# lab_watch TIMEOUT_S NAME COMMAND [NAME COMMAND]…: polls every COMMAND (a shell string) until each
# has succeeded once, and records in lab_seen[NAME] the time (lab_now) of its first success, so that
# events that overlap are each timed on their own.
declare -gA lab_seen
lab_watch() {
	local timeout=$1 t0 i pending
	shift
	local -a names=() commands=()
	while [ $# -gt 0 ]; do names+=("$1"); commands+=("$2"); shift 2; done
	for i in "${!names[@]}"; do unset "lab_seen[${names[i]}]"; done
	t0=$(lab_now)
	pending=${#names[@]}
	while [ "$pending" -gt 0 ]; do
		for i in "${!names[@]}"; do
			[ -z "${lab_seen[${names[i]}]:-}" ] || continue
			if eval "${commands[i]}" >/dev/null 2>&1; then
				lab_seen[${names[i]}]=$(lab_now)
				pending=$((pending - 1))
			fi
		done
		if awk -v a="$t0" -v b="$(lab_now)" -v t="$timeout" 'BEGIN { exit !(b - a > t) }'; then
			for i in "${!names[@]}"; do [ -n "${lab_seen[${names[i]}]:-}" ] || echo "lab: timed out after ${timeout} s waiting for: ${names[i]}" >&2; done
			return 1
		fi
		sleep 0.1
	done
}

lab_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }


# ---- Shared by the scripts that follow docs/operations.md (active-active.sh; two-sites.sh has its own copies) ----

# cibsync's service address at each site (IPaddr2, in the group with the publisher): not booth's.
declare -gA lab_service=([a]=$LAB_NET.11 [b]=$LAB_NET.12)

# lab_guide_for a|b|admin: the guide's text (stdin) for site a, site b or the administration host,
# with the lab's addresses. The guide writes site A's files; site B's are their mirror image.
lab_guide_for() {
	local mirror=(cat)
	[ "$1" != b ] || mirror=(sed -e 's/site-a/@SITE_A@/g; s/site-b/site-a/g; s/@SITE_A@/site-b/g'
		-e 's/\<a\([12]\)\>/@NODE_A\1@/g; s/\<b\([12]\)\>/a\1/g; s/@NODE_A\([12]\)@/b\1/g'
		-e 's/192\.0\.2\.\([0-9]*\)/@IP_A\1@/g; s/198\.51\.100\.\([0-9]*\)/192.0.2.\1/g; s/@IP_A\([0-9]*\)@/198.51.100.\1/g')
	"${mirror[@]}" | sed -e "s/\<192\.0\.2\.5\>/$LAB_NET.1/g; s/\<198\.51\.100\.5\>/$LAB_NET.2/g; s/\<203\.0\.113\.10\>/$LAB_NET.3/g" \
		-e "s/\<192\.0\.2\.10\>/${lab_service[a]}/g; s/\<198\.51\.100\.10\>/${lab_service[b]}/g" \
		-e "s/\<192\.0\.2\.20\>/$LAB_NET.21/g; s/\<198\.51\.100\.20\>/$LAB_NET.22/g" \
		-e "s#/root/cibsync-ca#$LAB_BASE/certs#g"
}

# lab_guide_run SITE BLOCK [DIR]: the guide's shell block at SITE, as root in the site's namespaces,
# from DIR (default: the site's work directory), as a user would paste it, with the booth shim.
lab_guide_run() {
	local dir=${3:-$(lab_site_dir "$1")/work} script
	script=$(lab_site_dir "$1")/work/$2.sh
	mkdir -p "$(dirname "$script")" "$dir"
	lab_guide_block "$2" | lab_guide_for "$1" >"$script"
	lab_site_exec "$1" env LD_PRELOAD="$LAB_BOOTH_PRELOAD" bash -c "cd '$dir' && exec bash -eu '$script'"
}

# lab_diagnostics SITE…: crm_mon and the tails of the daemons' logs, for a failed run.
lab_diagnostics() {
	local s log
	for s in "$@"; do
		[ -s "$(lab_site_dir "$s")/holder.pid" ] || continue
		echo "---- site $s: crm_mon"
		lab_site_exec "$s" crm_mon -1 -r --include=tickets,failcounts 2>&1 | sed 's/^/    /'
		for log in publisher subscriber; do
			echo "---- site $s: $log log (tail)"
			tail -n 15 "$(lab_site_dir "$s")/log-cibsync/cibsync-$log.log" 2>/dev/null | sed 's/^/    /'
		done
	done
}

# lab_teardown RC: stops sites a and b and the arbitrator, removes the network; returns 1 when
# anything is left over, else RC (and removes $LAB_BASE when RC is 0).
lab_teardown() {
	local rc=$1
	lab_site_stop a
	lab_site_stop b
	lab_arbitrator_stop arb
	lab_net_delete a b arb
	if pgrep -f "$LAB_BASE/" >/dev/null || ip netns list | grep -q cibsynclab || ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
		lab_log "LEFTOVERS after cleanup"
		pgrep -af "$LAB_BASE/" || true
		rc=1
	else
		lab_log "cleanup: no process, namespace or bridge left"
	fi
	[ "$rc" -ne 0 ] || rm -rf "$LAB_BASE"
	return "$rc"
}
