#!/bin/bash
# active-active.sh - docs/operations.md section 10 (active/active: two tickets, each site the standby
# of the other) followed in a live booth geo cluster: two single-node Pacemaker sites (a, b; nodes
# a1, b1) and a booth arbitrator, each in its own network namespace. The lab runs the guide's own
# blocks (<!-- lab: NAME --> there) with the lab's addresses: the certificates (section 2), the
# transforms (section 4), section 10's booth.conf, cibsync.json (scopes.tickets ticketA and ticketB,
# ticketA carrying the global scope), validate-all, the crmsh resources and the grants. Site a runs
# the service "db" (bound to ticketA), site b the service "web" (bound to ticketB); each is an
# ocf:pacemaker:Dummy whose "fake" value the lab changes.
#
#   1. a holds ticketA, b holds ticketB: db's scope (with the global scope) reaches b, web's reaches a
#   2. a change to db at a and a change to web at b, made at the same time: both arrive, neither is
#      lost
#   3. idle for LAB_IDLE_S seconds (default 60): neither CIB's epoch moves (no ping-pong)
#   4. ticketA moves to b (booth revoke at a, booth grant at b): a change to db at b reaches a, a
#      change to db at a reaches nobody (and b's next change to db replaces it), and web's scope
#      still goes from b to a
#
# Needs root, scripts/setup-debian.sh and a built tree (npm run build). Cleans up every process,
# namespace, mount and bridge it made, also when a step fails. Run it only under the lab lock
# (`flock /work/lab.lock bash test/lab/active-active.sh` where several people share the machine).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export LAB_BASE=${LAB_BASE:-/tmp/cibsync-lab}
# shellcheck source=lab-lib.sh
. "$here/lab-lib.sh"
expire=${LAB_BOOTH_EXPIRE:-10}
idle_s=${LAB_IDLE_S:-60}
declare -A number=([a]=1 [b]=2 [arb]=3) service=([a]=db [b]=web) ticket=([a]=ticketA [b]=ticketB)

cleanup() {
	local rc=$?
	trap - EXIT
	set +e # every step of the cleanup runs, whatever the previous one did
	[ $rc -eq 0 ] || { lab_log "FAILED (rc=$rc); diagnostics follow, files kept in $LAB_BASE"; lab_diagnostics a b; }
	lab_teardown $rc
	exit $?
}

value_at() { # SITE RESOURCE: the resource's "fake" value in SITE's live CIB
	lab_site_exec "$1" cibadmin --query --xpath "//nvpair[@id='$2-fake']" 2>/dev/null | sed -n 's/.* value="\([^"]*\)".*/\1/p'
}
value_is() { [ "$(value_at "$1" "$2")" = "$3" ]; }
set_value() { lab_site_exec "$1" cibadmin --modify --xml-text "<nvpair id=\"$2-fake\" value=\"$3\"/>"; }
role_is() { [ "$(lab_role "$1" "$2")" = "$3" ]; }
epoch() { lab_site_exec "$1" cibadmin --query --xpath /cib 2>/dev/null | sed -n 's/^<cib [^>]* epoch="\([0-9]*\)".*/\1/p'; }

# The seed of a site's CIB: its own service with its ticket constraint, as the guide says (created at
# the site that holds the ticket); cibsync's resources come from the guide's crmsh.
write_site_seed() { # SITE
	local r=${service[$1]} t=${ticket[$1]}
	echo "<configuration><crm_config/><nodes/><resources>
    <primitive id=\"$r\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">
      <instance_attributes id=\"$r-ia\"><nvpair id=\"$r-fake\" name=\"fake\" value=\"$r:v1\"/></instance_attributes>
      <operations><op id=\"$r-monitor\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations>
    </primitive></resources>
  <constraints><rsc_ticket id=\"$r-needs-$t\" rsc=\"$r\" ticket=\"$t\" loss-policy=\"stop\"/></constraints></configuration>" \
		>"$(lab_site_dir "$1")/seed.xml"
}

missing=$(lab_missing_prerequisites)
[ -z "$missing" ] || { echo "active-active: cannot run: $missing" >&2; exit 2; }
rm -rf "$LAB_BASE"
mkdir -p "$LAB_BASE"/certs
trap cleanup EXIT
trap 'exit 143' TERM INT # so that a test timeout still runs the cleanup
t_lab=$(lab_now)

lab_log "setup: booth shim, agents, certificates (guide §2, on the host as the administration host)"
lab_build_booth_shim
bash "$repo/scripts/install-agents.sh" >/dev/null
lab_guide_block certificates | lab_guide_for admin | bash -eu >/dev/null

lab_log "network: bridge $LAB_BRIDGE and namespaces; booth at $LAB_NET.1 (a), $LAB_NET.2 (b), $LAB_NET.3 (arbitrator)"
for s in a b arb; do lab_net_create $s "${number[$s]}"; done
# Section 10's booth.conf, with the lab's addresses and a short expire (as two-sites.sh's).
lab_guide_block aa-booth-conf | lab_guide_for admin |
	sed -e "s/expire = 600/expire = $expire\n\ttimeout = 1\n\tretries = 3/" >"$LAB_BASE/booth.conf"

lab_log "sites a (db, bound to ticketA) and b (web, bound to ticketB)"
for s in a b; do
	dir=$(lab_site_dir $s)
	mkdir -p "$dir"/etc-booth "$dir"/etc-cibsync
	cp "$LAB_BASE/booth.conf" "$dir/etc-booth/booth.conf"
	install -m 0644 "$LAB_BASE/certs/ca.crt" "$LAB_BASE/certs/site-$s.crt" "$dir/etc-cibsync/"
	install -m 0600 "$LAB_BASE/certs/site-$s.key" "$dir/etc-cibsync/"
	lab_site_write_corosync_conf $s
	write_site_seed $s
	lab_site_seed_cib $s "$dir/seed.xml"
	lab_site_start $s
done
lab_site_wait_online a 90
lab_site_wait_online b 90

lab_log "guide §4: transforms; §10: cibsync.json with scopes, validate-all, the resources (crmsh, one commit)"
for s in a b; do
	lab_guide_run $s transforms "$repo"
	lab_guide_block aa-cibsync-json | lab_guide_for $s >"$(lab_site_dir $s)/etc-cibsync/cibsync.json"
	lab_guide_run $s validate
	lab_guide_run $s aa-resources-crmsh 2>&1 | sed 's/^/    /'
done
daemons_started() {
	local s
	for s in a b; do role_is $s cibsync-publisher Started && role_is $s cibsync-subscriber Started || return 1; done
}
lab_wait 90 "both sites' publishers and subscribers Started" daemons_started
for s in a b; do lab_booth_start $s; done
lab_arbitrator_start arb "$LAB_BASE/booth.conf"
lab_wait 20 "booth answers at a" lab_booth a list
lab_wait 20 "booth answers at b" lab_booth b list

lab_log "1. the guide's grants: ticketA at a, ticketB at b"
t0=$(lab_now)
lab_site_exec a env LD_PRELOAD="$LAB_BOOTH_PRELOAD" bash -euc "$(lab_guide_block aa-grant | grep '# at site A$')"
lab_site_exec b env LD_PRELOAD="$LAB_BOOTH_PRELOAD" bash -euc "$(lab_guide_block aa-grant | grep '# at site B$')"
lab_watch 120 db_at_b 'value_is b db db:v1' web_at_a 'value_is a web web:v1'
lab_log "  db's scope live at b after $(lab_between "$t0" "${lab_seen[db_at_b]}") s, web's at a after $(lab_between "$t0" "${lab_seen[web_at_a]}") s (from the grants)"
lab_wait 60 "db runs at a only, web at b only" eval \
	'role_is a db Started && role_is b db Stopped && role_is b web Started && role_is a web Stopped'
lab_log "  db: a=$(lab_role a db) b=$(lab_role b db); web: a=$(lab_role a web) b=$(lab_role b web) (each rsc_ticket replicated with its scope)"

lab_log "2. at the same time: db changed at a, web changed at b"
t0=$(lab_now)
set_value a db db:v2 &
change_a=$!
set_value b web web:v2 &
change_b=$!
wait $change_a $change_b
lab_watch 60 db_at_b 'value_is b db db:v2' web_at_a 'value_is a web web:v2'
t_db=$(lab_between "$t0" "${lab_seen[db_at_b]}")
t_web=$(lab_between "$t0" "${lab_seen[web_at_a]}")
value_is a db db:v2 && value_is b web web:v2 || { lab_log "  a change was lost at its own site"; exit 1; }
lab_log "  db:v2 live at b after $t_db s, web:v2 live at a after $t_web s; each kept at its own site"

lab_log "3. idle for $idle_s s: neither CIB's epoch moves"
sleep 3 # the last import's own write may land a moment after the value is seen
epochs_before="$(epoch a) $(epoch b)"
sleep "$idle_s"
epochs_after="$(epoch a) $(epoch b)"
[ "$epochs_before" = "$epochs_after" ] || { lab_log "  epochs (a b) moved while idle: $epochs_before → $epochs_after"; exit 1; }
lab_log "  epochs (a b): $epochs_before before, $epochs_after after $idle_s s idle"

lab_log "4. ticketA moves to b (booth revoke at a, booth grant at b): only db's scope reverses"
t0=$(lab_now)
lab_booth a revoke ticketA
lab_booth b grant ticketA
lab_wait 60 "db runs at b" eval 'role_is b db Started && role_is a db Stopped'
t_moved=$(lab_since "$t0")
t0=$(lab_now)
set_value b db db:v3
set_value b web web:v3
lab_watch 60 db_at_a 'value_is a db db:v3' web_at_a 'value_is a web web:v3'
lab_log "  db ran at b $t_moved s after the grant; then db:v3 and web:v3 made at b live at a after $(lab_between "$t0" "${lab_seen[db_at_a]}") and $(lab_between "$t0" "${lab_seen[web_at_a]}") s"
# a no longer holds ticketA: a change to db there goes nowhere, and b's next change to db replaces it.
set_value a db db:rogue
sleep 5
value_is b db db:v3 || { lab_log "  b took db's scope from a, which no longer holds ticketA: $(value_at b db)"; exit 1; }
t0=$(lab_now)
set_value b db db:v4
lab_wait 30 "db:v4 made at b replaces a's change to db" value_is a db db:v4
lab_log "  a's change to db, made without ticketA, reached nobody (b kept db:v3 for 5 s); db:v4 made at b replaced it at a after $(lab_since "$t0") s"
for s in a b; do
	lab_log "  cibsync status at $s:"
	lab_site_exec $s cibsync status --config /etc/cibsync/cibsync.json --output-as=json |
		node -e 'const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
			for (const x of [s, ...(s.otherScopes ?? [])]) console.log(`    scope ${x.scope}: ${x.state}${x.idleReason ? ` (${x.idleReason})` : ""}, last applied ${x.lastApplied ? `${x.lastApplied.sourceSite} ${x.lastApplied.outcome}` : "none"}`);'
done

cat <<EOT

TIMINGS (docs/operations.md section 10's configuration; booth expire=$expire s)
  changes made at the same time → live at the other site:  db (a→b) $t_db s, web (b→a) $t_web s
  idle $idle_s s:                                          epochs (a b) $epochs_before → $epochs_after
  ticketA moved to b → db runs at b:                       $t_moved s
  whole lab:                                               $(lab_since "$t_lab") s (before cleanup)
EOT
