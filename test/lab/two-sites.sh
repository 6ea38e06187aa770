#!/bin/bash
# two-sites.sh - cibsync in a live booth geo cluster: two single-node Pacemaker sites (a, b) and a
# booth arbitrator, each in its own network namespace. Each site runs ocf:cibsync:Publisher (bound
# to the booth ticket by rsc_ticket, loss-policy=stop) and ocf:cibsync:Subscriber as Pacemaker
# resources. The replicated configuration is an ocf:pacemaker:Dummy "app" whose value is site
# specific ("a:v1" at a is "b:v1" at b, by the transform test/lab/site-values.xsl).
#
#   1. booth grants the ticket to a: a's publisher runs; b's subscriber applies a's configuration,
#      through b's transform, to b's live CIB
#   2. a change at a (cibadmin) goes live at b
#   3. booth moves the ticket to b: Pacemaker stops a's publisher and starts b's; a follows b
#   4. b's link is cut: booth fails the ticket over to a after expiry; a change made at b, which has
#      lost the ticket, is applied nowhere, and b takes a's configuration back once it reconnects
#
# Prints the timings at the end. Needs root, scripts/setup-debian.sh and a built tree (npm run
# build). Cleans up every process, namespace, mount and bridge it made, also when a step fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export LAB_BASE=${LAB_BASE:-/tmp/cibsync-lab}
# shellcheck source=lab-lib.sh
. "$here/lab-lib.sh"
ticket=ticketA
expire=${LAB_BOOTH_EXPIRE:-10}
declare -A number=([a]=1 [b]=2 [arb]=3) peer=([a]=b [b]=a)

diagnostics() {
	local s
	for s in a b; do
		[ -s "$(lab_site_dir $s)/holder.pid" ] || continue
		echo "---- site $s: crm_mon"
		lab_site_exec $s crm_mon -1 -r --include=tickets,failcounts 2>&1 | sed 's/^/    /'
		for log in publisher subscriber; do
			echo "---- site $s: $log log (tail)"
			tail -n 15 "$(lab_site_dir $s)/$log.log" 2>/dev/null | sed 's/^/    /'
		done
	done
}
cleanup() {
	local rc=$?
	trap - EXIT
	set +e # every step of the cleanup runs, whatever the previous one did
	[ $rc -eq 0 ] || { lab_log "FAILED (rc=$rc); diagnostics follow, files kept in $LAB_BASE"; diagnostics; }
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
	[ $rc -ne 0 ] || rm -rf "$LAB_BASE"
	exit $rc
}

value_at() { # SITE: the app's site-specific value in SITE's live CIB
	lab_site_exec "$1" cibadmin --query --xpath "//nvpair[@id='app-fake']" 2>/dev/null | sed -n 's/.* value="\([^"]*\)".*/\1/p'
}
value_is() { [ "$(value_at "$1")" = "$2" ]; }
role_is() { [ "$(lab_role "$1" "$2")" = "$3" ]; }
set_value() { lab_site_exec "$1" cibadmin --modify --xml-text "<nvpair id=\"app-fake\" value=\"$2\"/>"; }

# A site's configuration: its own cibsync resources (site-local, never replicated), plus, at the
# site that starts out active, the application configuration that cibsync replicates.
write_site_configuration() { # SITE WITH_APP
	local s=$1 dir other=${peer[$1]} common operations app="" app_ticket=""
	dir=$(lab_site_dir "$s")
	common="<nvpair id=\"@-site\" name=\"site\" value=\"$s\"/>
        <nvpair id=\"@-ticket\" name=\"ticket\" value=\"$ticket\"/>
        <nvpair id=\"@-listen\" name=\"listen\" value=\"$LAB_NET.${number[$s]}\"/>
        <nvpair id=\"@-cert\" name=\"cert\" value=\"$LAB_BASE/certs/$s.crt\"/>
        <nvpair id=\"@-key\" name=\"key\" value=\"$LAB_BASE/certs/$s.key\"/>
        <nvpair id=\"@-ca\" name=\"ca\" value=\"$LAB_BASE/certs/ca.crt\"/>"
	operations="<op id=\"@-start\" name=\"start\" interval=\"0\" timeout=\"60s\"/>
        <op id=\"@-stop\" name=\"stop\" interval=\"0\" timeout=\"30s\"/>
        <op id=\"@-monitor-5s\" name=\"monitor\" interval=\"5s\" timeout=\"20s\"/>
        <op id=\"@-monitor-15s\" name=\"monitor\" interval=\"15s\" timeout=\"20s\">
          <instance_attributes id=\"@-monitor-15s-ia\"><nvpair id=\"@-monitor-15s-depth\" name=\"OCF_CHECK_LEVEL\" value=\"10\"/></instance_attributes>
        </op>"
	if [ "$2" = with-app ]; then
		app="<primitive id=\"app\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">
      <instance_attributes id=\"app-ia\"><nvpair id=\"app-fake\" name=\"fake\" value=\"$s:v1\"/></instance_attributes>
      <operations><op id=\"app-monitor\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations>
    </primitive>"
		app_ticket="<rsc_ticket id=\"app-needs-$ticket\" rsc=\"app\" ticket=\"$ticket\" loss-policy=\"stop\"/>"
	fi
	cat >"$dir/configuration.xml" <<EOF
<configuration><crm_config/><nodes/>
  <resources>
    <primitive id="cibsync-publisher" class="ocf" provider="cibsync" type="Publisher">
      <instance_attributes id="cibsync-publisher-ia">
        ${common//@/cibsync-publisher}
        <nvpair id="cibsync-publisher-port" name="port" value="7443"/>
        <nvpair id="cibsync-publisher-state_dir" name="state_dir" value="$dir/state-publisher"/>
        <nvpair id="cibsync-publisher-log_file" name="log_file" value="$dir/publisher.log"/>
      </instance_attributes>
      <operations>${operations//@/cibsync-publisher}</operations>
    </primitive>
    <primitive id="cibsync-subscriber" class="ocf" provider="cibsync" type="Subscriber">
      <instance_attributes id="cibsync-subscriber-ia">
        ${common//@/cibsync-subscriber}
        <nvpair id="cibsync-subscriber-port" name="port" value="7444"/>
        <nvpair id="cibsync-subscriber-publishers" name="publishers" value="https://$LAB_NET.${number[$other]}:7443"/>
        <nvpair id="cibsync-subscriber-trusted_publishers" name="trusted_publishers" value="$other=$other"/>
        <nvpair id="cibsync-subscriber-transforms" name="transforms" value="$LAB_BASE/transforms"/>
        <nvpair id="cibsync-subscriber-poll" name="poll_interval_ms" value="2000"/>
        <nvpair id="cibsync-subscriber-state_dir" name="state_dir" value="$dir/state-subscriber"/>
        <nvpair id="cibsync-subscriber-log_file" name="log_file" value="$dir/subscriber.log"/>
      </instance_attributes>
      <operations>${operations//@/cibsync-subscriber}</operations>
    </primitive>
    $app
  </resources>
  <constraints>
    <rsc_ticket id="cibsync-publisher-needs-$ticket" rsc="cibsync-publisher" ticket="$ticket" loss-policy="stop"/>
    $app_ticket
  </constraints>
</configuration>
EOF
}

missing=$(lab_missing_prerequisites)
[ -z "$missing" ] || { echo "two-sites: cannot run: $missing" >&2; exit 2; }
rm -rf "$LAB_BASE"
mkdir -p "$LAB_BASE"/{certs,transforms}
trap cleanup EXIT
trap 'exit 143' TERM INT # so that a test timeout still runs the cleanup
t_lab=$(lab_now)

lab_log "setup: booth shim, application and agents, certificates, transform"
lab_build_booth_shim
bash "$repo/scripts/install-agents.sh" >/dev/null
cibsync certs init-ca --dir "$LAB_BASE/certs" --name "cibsync lab CA" >/dev/null
for s in a b; do cibsync certs issue --dir "$LAB_BASE/certs" --name $s --ip "$LAB_NET.${number[$s]}" --both >/dev/null; done
cp "$here/site-values.xsl" "$LAB_BASE/transforms/10-site-values.xsl"

lab_log "network: bridge $LAB_BRIDGE ($LAB_NET.254) and namespaces for a, b and the arbitrator"
for s in a b arb; do lab_net_create $s "${number[$s]}"; done
lab_write_booth_conf "$LAB_BASE/booth.conf" "$ticket" "$expire" 1 2 -- 3

lab_log "sites a and b (a holds the application configuration; b has only its cibsync resources)"
for s in a b; do
	mkdir -p "$(lab_site_dir $s)/etc-booth"
	cp "$LAB_BASE/booth.conf" "$(lab_site_dir $s)/etc-booth/booth.conf"
	lab_site_write_corosync_conf $s
	if [ $s = a ]; then write_site_configuration $s with-app; else write_site_configuration $s without-app; fi
	lab_site_seed_cib $s "$(lab_site_dir $s)/configuration.xml"
	lab_site_start $s
done
lab_site_wait_online a 90
lab_site_wait_online b 90
lab_wait 60 "both subscribers started" eval 'role_is a cibsync-subscriber Started && role_is b cibsync-subscriber Started'
lab_log "  online, subscribers Started; publishers: a=$(lab_role a cibsync-publisher) b=$(lab_role b cibsync-publisher) (no ticket yet)"
for s in a b; do lab_booth_start $s; done
lab_arbitrator_start arb "$LAB_BASE/booth.conf"
lab_wait 20 "booth answers at a" lab_booth a list

lab_log "1. booth grants $ticket to a"
t0=$(lab_now)
lab_booth a grant "$ticket"
lab_wait 60 "a's publisher Started" role_is a cibsync-publisher Started
t_grant_publisher=$(lab_since "$t0")
lab_wait 60 "a's configuration (a:v1) live at b as b:v1" value_is b b:v1
t_grant_live=$(lab_since "$t0")
lab_log "  a's publisher Started after ${t_grant_publisher} s; b's live CIB has app fake=b:v1 after ${t_grant_live} s"
lab_wait 30 "app runs at a only" eval 'role_is a app Started && role_is b app Stopped'
lab_log "  app: a=$(lab_role a app) b=$(lab_role b app) (rsc_ticket replicated with it)"

lab_log "   the agents: a clean daemon environment, depth-10 monitors, certificates reloaded without a restart"
daemon_pid() { lab_site_exec "$1" cat "/run/resource-agents/cibsync-$2.pid"; }
environment=$(lab_site_exec a cat "/proc/$(daemon_pid a cibsync-publisher)/environ" | tr '\0' ' ')
lab_log "  a's publisher runs with: $environment"
[ "$environment" = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C " ]
depth10_ok() { lab_site_exec "$1" cibadmin --query --xpath "//lrm_rsc_op[@id='$2_monitor_15000'][@rc-code='0']"; }
lab_wait 30 "a depth-10 monitor (OCF_CHECK_LEVEL=10: /healthz over mutual TLS) passed at both sites" \
	eval 'depth10_ok a cibsync-publisher && depth10_ok a cibsync-subscriber && depth10_ok b cibsync-subscriber'
lab_log "  depth-10 monitors pass: a's publisher, a's and b's subscribers"
cibsync certs issue --dir "$LAB_BASE/certs" --name b-renewed --ip "$LAB_NET.2" --both >/dev/null
pid_before=$(daemon_pid b cibsync-subscriber)
lab_site_exec b cibadmin --modify --xml-text "<instance_attributes id=\"cibsync-subscriber-ia\">
	<nvpair id=\"cibsync-subscriber-cert\" value=\"$LAB_BASE/certs/b-renewed.crt\"/>
	<nvpair id=\"cibsync-subscriber-key\" value=\"$LAB_BASE/certs/b-renewed.key\"/></instance_attributes>"
renewed=$(cibsync certs show "$LAB_BASE/certs/b-renewed.crt" | sed -n 's/^sha256: *//p')
lab_wait 30 "b's subscriber reloads the renewed certificate" \
	grep -q "\"event\":\"tls-reloaded\".*\"fingerprint\":\"$renewed\"" "$(lab_site_dir b)/subscriber.log"
[ "$(daemon_pid b cibsync-subscriber)" = "$pid_before" ]
lab_log "  b's subscriber: cert/key changed in the CIB → reload-agent → certificate $renewed in use, same pid $pid_before"

lab_log "2. changes at a (cibadmin) go live at b"
change_times=()
for v in 2 3 4 5 6; do
	t0=$(lab_now)
	set_value a "a:v$v"
	lab_wait 30 "a:v$v live at b" value_is b "b:v$v"
	change_times+=("$(lab_since "$t0")")
done
lab_log "  change at a → live at b: ${change_times[*]} s"

lab_log "3. booth moves $ticket to b"
t0=$(lab_now)
lab_booth a revoke "$ticket"
lab_booth b grant "$ticket"
# As soon as b publishes, a change at b must reach a: that is the direction reversed. a's publisher
# stops on its own schedule, timed alongside.
lab_watch 60 b_publishes 'role_is b cibsync-publisher Started'
t1=$(lab_now)
set_value b b:v7
lab_watch 60 a_stopped 'role_is a cibsync-publisher Stopped' reversed 'value_is a a:v7'
t_move_b_publishes=$(lab_between "$t0" "${lab_seen[b_publishes]}")
t_move_a_stopped=$(lab_between "$t0" "${lab_seen[a_stopped]}")
t_move_reversed=$(lab_between "$t0" "${lab_seen[reversed]}")
t_move_change=$(lab_between "$t1" "${lab_seen[reversed]}")
lab_log "  b's publisher Started after ${t_move_b_publishes} s, a's Stopped after ${t_move_a_stopped} s"
lab_log "  a change made at b once it published was live at a after ${t_move_change} s (${t_move_reversed} s after the move)"

lab_log "4. b's link is cut; booth fails $ticket over to a after expiry ($expire s)"
applied_from_b() { grep -c '"event":"import-done","outcome":"applied".*"source":"b"' "$(lab_site_dir a)/subscriber.log" || true; }
applied_from_b_before_cut=$(applied_from_b)
t0=$(lab_now)
lab_net_link b down
lab_watch $((expire * 5)) b_stopped 'role_is b cibsync-publisher Stopped' a_publishes 'role_is a cibsync-publisher Started'
t_cut_b_stopped=$(lab_between "$t0" "${lab_seen[b_stopped]}")
t_cut_failover=$(lab_between "$t0" "${lab_seen[a_publishes]}")
lab_log "  a publishes after ${t_cut_failover} s; b's publisher Stopped after ${t_cut_b_stopped} s"
set_value b b:rogue
lab_log "  at b (isolated, no ticket): app fake set to b:rogue"
sleep 3
lab_net_link b up
t0=$(lab_now)
lab_wait 60 "b takes a's configuration (a:v7 → b:v7) back" value_is b b:v7
t_rejoin=$(lab_since "$t0")
for _ in $(seq 1 30); do
	[ "$(value_at a)" = a:v7 ] || { lab_log "  a applied a change from b, which had lost the ticket: $(value_at a)"; exit 1; }
	role_is b cibsync-publisher Stopped || { lab_log "  b publishes without the ticket"; exit 1; }
	sleep 0.2
done
[ "$(applied_from_b)" = "$applied_from_b_before_cut" ] || { lab_log "  a's subscriber applied a publication from b after the cut"; exit 1; }
lab_log "  b rejoined: its rogue change was replaced by a's configuration after ${t_rejoin} s; a kept a:v7 throughout"
lab_log "  a's subscriber applied nothing from b after the cut (imports from b: $applied_from_b_before_cut before, the same after)"
lab_booth a list | sed 's/^/    /'
for s in a b; do
	lab_log "  cibsync status at $s:"
	lab_site_exec $s cibsync status --subscriber "https://$LAB_NET.${number[$s]}:7444" \
		--cert "$LAB_BASE/certs/$s.crt" --key "$LAB_BASE/certs/$s.key" --ca "$LAB_BASE/certs/ca.crt" | sed 's/^/    /'
done

for s in a b; do
	kills=$(grep -c 'ignored SIGTERM' "$(lab_site_dir $s)/log-pacemaker/pacemaker.log" || true)
	lab_log "  site $s: daemon stops that needed SIGKILL after the SIGTERM grace period: $kills"
done

sorted=$(printf '%s\n' "${change_times[@]}" | sort -n | tr '\n' ' ')
cat <<EOF

TIMINGS (booth expire=$expire s, subscriber poll_interval_ms=2000, long-poll change feed)
  ticket granted to a → a's publisher Started:              $t_grant_publisher s
  ticket granted to a → a's configuration live at b:        $t_grant_live s
  change at a → live at b (5 changes, sorted):              $sorted s
  ticket move → b's publisher Started:                      $t_move_b_publishes s
  ticket move → a's publisher Stopped:                      $t_move_a_stopped s
  ticket move → direction reversed (change at b live at a): $t_move_reversed s (the change itself: $t_move_change s)
  b's link cut → a publishes (ticket failed over):          $t_cut_failover s
  b's link cut → b's publisher Stopped:                     $t_cut_b_stopped s
  b's link back → b has a's configuration again:            $t_rejoin s
  whole lab:                                                $(lab_since "$t_lab") s (before cleanup)
EOF
