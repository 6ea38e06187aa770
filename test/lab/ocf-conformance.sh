#!/bin/bash
# ocf-conformance.sh - the OCF conformance of ocf:cibsync:Publisher and ocf:cibsync:Subscriber:
# ocf-tester (resource-agents) on both, meta-data against ra-api-1.dtd, crm_resource --validate with
# good and bad settings, the agent list. The agents drive the real daemons inside a live single-node
# Pacemaker site whose network namespace has only a loopback interface.
#
# Needs root, scripts/setup-debian.sh and a built tree (npm run build). Exit status 0 when all pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export LAB_BASE=${LAB_BASE:-/tmp/cibsync-ocf}
# shellcheck source=lab-lib.sh
. "$here/lab-lib.sh"
site=ocf
agents=/usr/lib/ocf/resource.d/cibsync

cleanup() {
	local rc=$?
	set +e # every step of the cleanup runs, whatever the previous one did
	lab_site_stop "$site"
	ip netns del "$(lab_netns "$site")" 2>/dev/null
	if [ $rc -eq 0 ]; then rm -rf "$LAB_BASE"; else lab_log "files kept in $LAB_BASE"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT # so that a test timeout still runs the cleanup
failures=0
check() { # DESCRIPTION EXPECTED_RC COMMAND…: runs COMMAND, shows its output, compares its exit status
	local what=$1 expected=$2 rc=0 out
	shift 2
	out=$("$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	if [ "$rc" = "$expected" ]; then
		lab_log "ok   $what (rc=$rc)"
	else
		lab_log "FAIL $what (rc=$rc, expected $expected)"
		failures=$((failures + 1))
	fi
}

rm -rf "$LAB_BASE"
mkdir -p "$LAB_BASE"/{certs,transforms,state}
chmod 755 "$LAB_BASE" # ocf-tester runs meta-data as nobody, who must reach the agent

lab_log "install the application and the agents"
bash "$repo/scripts/install-agents.sh"

lab_log "certificates from the cibsync CLI"
cibsync certs init-ca --dir "$LAB_BASE/certs" --name "cibsync ocf-test CA"
cibsync certs issue --dir "$LAB_BASE/certs" --name ocf --ip 127.0.0.1 --both

lab_log "live single-node site '$site' (network namespace with loopback only)"
ip netns add "$(lab_netns "$site")"
mkdir -p "$(lab_site_dir "$site")"
lab_site_write_corosync_conf "$site"
echo '<configuration><crm_config/><nodes/><resources/><constraints/></configuration>' >"$LAB_BASE/empty.xml"
lab_site_seed_cib "$site" "$LAB_BASE/empty.xml"
lab_site_start "$site"
lab_site_wait_online "$site" 60
in_site() { lab_site_exec "$site" "$@"; }

tls=(-o cert="$LAB_BASE/certs/ocf.crt" -o key="$LAB_BASE/certs/ocf.key" -o ca="$LAB_BASE/certs/ca.crt")
publisher_options=(-o ticket=ticketA -o listen=127.0.0.1 -o port=17443 "${tls[@]}"
	-o state_dir="$LAB_BASE/state/publisher" -o log_file="$LAB_BASE/publisher.log")
subscriber_options=(-o ticket=ticketA -o listen=127.0.0.1 -o port=17444 "${tls[@]}"
	-o publishers=https://127.0.0.1:17443 -o trusted_publishers=siteA=ocf -o transforms="$LAB_BASE/transforms"
	-o state_dir="$LAB_BASE/state/subscriber" -o log_file="$LAB_BASE/subscriber.log")

for agent in Publisher Subscriber; do
	if [ $agent = Publisher ]; then options=("${publisher_options[@]}"); else options=("${subscriber_options[@]}"); fi
	lab_log "== $agent"
	check "$agent: meta-data valid against ra-api-1.dtd" 0 \
		bash -c "cd /usr/share/resource-agents && $agents/$agent meta-data | xmllint --noout --valid -"
	check "$agent: ocf-tester" 0 in_site ocf-tester -n "cibsync-$agent" "${options[@]}" "$agents/$agent"
	crm_options=()
	for ((i = 1; i < ${#options[@]}; i += 2)); do crm_options+=(--option "${options[i]}"); done
	check "$agent: crm_resource --validate" 0 \
		in_site crm_resource --validate --class ocf --provider cibsync --agent "$agent" "${crm_options[@]}"
	check "$agent: a missing certificate is OCF_ERR_INSTALLED" 5 \
		in_site crm_resource --validate --class ocf --provider cibsync --agent "$agent" "${crm_options[@]}" --option cert=/nonexistent.crt
	check "$agent: a bad port is OCF_ERR_CONFIGURED" 6 \
		in_site crm_resource --validate --class ocf --provider cibsync --agent "$agent" "${crm_options[@]}" --option port=http
	check "$agent: a bad log level is OCF_ERR_CONFIGURED" 6 \
		in_site crm_resource --validate --class ocf --provider cibsync --agent "$agent" "${crm_options[@]}" --option log_level=loud
done
check "Subscriber: a publisher URL that is not https is OCF_ERR_CONFIGURED" 6 \
	in_site crm_resource --validate --class ocf --provider cibsync --agent Subscriber \
	--option ticket=ticketA "${tls[@]/#-o/--option}" --option publishers=http://127.0.0.1:17443
check "Subscriber: no trusted publishers is OCF_ERR_CONFIGURED" 6 \
	in_site crm_resource --validate --class ocf --provider cibsync --agent Subscriber \
	--option ticket=ticketA "${tls[@]/#-o/--option}" --option publishers=https://127.0.0.1:17443
check "Publisher: without a ticket is OCF_ERR_CONFIGURED" 6 \
	in_site crm_resource --validate --class ocf --provider cibsync --agent Publisher "${tls[@]/#-o/--option}"
check "Publisher: a missing installation is OCF_ERR_INSTALLED" 5 \
	in_site crm_resource --validate --class ocf --provider cibsync --agent Publisher --option install_dir=/nonexistent
lab_log "== Publisher, driven directly: monitor depths and the SIGKILL escalation of stop"
# A daemon frozen with SIGSTOP still exists (depth 0 passes) but cannot answer (depth 10 fails), and
# ignores SIGTERM, so stop must escalate within its timeout.
publisher_env=(env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=frozen)
for ((i = 1; i < ${#publisher_options[@]}; i += 2)); do publisher_env+=("OCF_RESKEY_${publisher_options[i]}"); done
check "start" 0 in_site "${publisher_env[@]}" "$agents/Publisher" start
frozen=$(in_site cat /run/resource-agents/cibsync-frozen.pid)
in_site kill -STOP "$frozen"
check "monitor, depth 0, of a frozen daemon" 0 in_site "${publisher_env[@]}" OCF_CHECK_LEVEL=0 "$agents/Publisher" monitor
check "monitor, depth 10, of a frozen daemon is OCF_ERR_GENERIC" 1 \
	in_site "${publisher_env[@]}" OCF_CHECK_LEVEL=10 OCF_RESKEY_CRM_meta_timeout=5000 "$agents/Publisher" monitor
t0=$(lab_now)
check "stop of a daemon that ignores SIGTERM, 6 s timeout" 0 \
	in_site "${publisher_env[@]}" OCF_RESKEY_CRM_meta_timeout=6000 "$agents/Publisher" stop
check "stop took less than its timeout ($(lab_since "$t0") s)" 0 awk -v t="$(lab_since "$t0")" 'BEGIN { exit !(t < 6) }'
check "the frozen daemon is gone" 1 in_site kill -0 "$frozen"
check "monitor after stop is OCF_NOT_RUNNING" 7 in_site "${publisher_env[@]}" "$agents/Publisher" monitor

cat >"$LAB_BASE/cibsync.json" <<EOF
{ "ticket": "ticketA",
  "publisher": { "listen": "127.0.0.1", "port": 17443,
    "cert": "$LAB_BASE/certs/ocf.crt", "key": "$LAB_BASE/certs/ocf.key", "ca": "$LAB_BASE/certs/ca.crt" } }
EOF
check "Publisher: a configuration file alone is enough" 0 \
	in_site crm_resource --validate --class ocf --provider cibsync --agent Publisher --option config="$LAB_BASE/cibsync.json"
sed 's/"ticket"/"tikcet"/' "$LAB_BASE/cibsync.json" >"$LAB_BASE/typo.json"
check "Publisher: an unknown key in the configuration file is OCF_ERR_CONFIGURED" 6 \
	in_site crm_resource --validate --class ocf --provider cibsync --agent Publisher --option config="$LAB_BASE/typo.json"
check "Pacemaker lists exactly the two agents" 0 \
	bash -c "[ \"\$(crm_resource --list-agents ocf:cibsync | tr '\n' ' ')\" = 'Publisher Subscriber ' ]"

lab_log "daemon logs (tail)"
tail -n 3 "$LAB_BASE"/*.log | sed 's/^/    /'
if [ "$failures" -ne 0 ]; then
	lab_log "$failures check(s) failed"
	exit 1
fi
lab_log "all OCF conformance checks passed"
