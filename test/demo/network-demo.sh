#!/usr/bin/env bash
# Network demo: the publisher and subscriber daemons as processes on 127.0.0.1 with mutual TLS.
#
#   bash test/demo/network-demo.sh        (after npm run build; test/demo/run.sh calls it)
#   KEEP=1 keeps the work dir; DEMO_PORT=17440 picks the first of four ports (17441–17444).
#
# Builds two file-backed sites from the test fixtures, issues a CA and one certificate per daemon
# (`cibsync certs`), and runs all four daemons, as each site would under its OCF agents:
#   publisher A (serves while A holds ticketA)   subscriber B (follows publisher A)
#   publisher B (serves while B holds ticketA)   subscriber A (follows publisher B)
# Then: first replication A → B; a cibadmin change at A appearing at B; the ticket moving from A to
# B: A's publisher stops serving (503), B's subscriber idles, and a change at B reaches A. Every
# process it starts is stopped by PID on exit (trap), also on error or Ctrl-C.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CIBSYNC=(node "$REPO/dist/services/cli/main.js")
WORK=$(mktemp -d /tmp/cibsync-network-demo.XXXXXX)
PORT=${DEMO_PORT:-17440}
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
at() { local site=$1; shift; CIB_file="$WORK/$site/cib.xml" "$@"; }
batch_limit() { grep -o 'name="batch-limit" value="[^"]*"' "$WORK/$1/cib.xml" | grep -o '[0-9]*'; }
has_batch_limit() { [ "$(batch_limit "$1")" = "$2" ]; }
# wait_for SECONDS DESCRIPTION COMMAND…: polls COMMAND every 0.1 s.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then echo "  timed out waiting for $what" >&2; return 1; fi
    sleep 0.1
  done
}

mkdir -p "$WORK/siteA" "$WORK/siteB" "$WORK/pki"
cp "$REPO/test/fixtures/sites/site-a.xml" "$WORK/siteA/cib.xml"
cp "$REPO/test/fixtures/sites/site-b.xml" "$WORK/siteB/cib.xml"
at siteA crm_ticket --ticket ticketA --grant --force

step "certificates: one CA, one certificate per daemon (cibsync certs)"
"${CIBSYNC[@]}" certs init-ca --dir "$WORK/pki" --name "demo geo-cluster CA"
for name in publisher-A subscriber-A publisher-B subscriber-B operator; do
  "${CIBSYNC[@]}" certs issue --dir "$WORK/pki" --name "$name" --ip 127.0.0.1 --dns localhost --days 2
done
"${CIBSYNC[@]}" certs show "$WORK/pki/publisher-A.crt" | sed 's/^/  /'

# config SITE OTHER PUB_PORT SUB_PORT OTHER_PUB_PORT IP_MAP PATH_MAP NODE_MAP
config() {
  local site=$1 other=$2
  cat > "$WORK/site$site/cibsync.json" <<JSON
{
  "site": "site$site",
  "ticket": "ticketA",
  "transforms": "$REPO/transforms",
  "transformChain": ["rewrite-ip.xsl", "rewrite-paths.xsl"],
  "transformParams": { "ip_map": "$6", "path_map": "$7" },
  "nodeMap": $8,
  "stateDir": "$WORK/site$site/state",
  "trust": { "publishers": { "site$other": ["publisher-$other"] } },
  "logLevel": "info",
  "publisher": {
    "listen": "127.0.0.1", "port": $3, "adminSocket": "$WORK/site$site/publisher.sock",
    "cert": "$WORK/pki/publisher-$site.crt", "key": "$WORK/pki/publisher-$site.key", "ca": "$WORK/pki/ca.crt",
    "allow": ["subscriber-$other", "operator"]
  },
  "subscriber": {
    "listen": "127.0.0.1", "port": $4, "adminSocket": "$WORK/site$site/subscriber.sock",
    "cert": "$WORK/pki/subscriber-$site.crt", "key": "$WORK/pki/subscriber-$site.key", "ca": "$WORK/pki/ca.crt",
    "allow": ["subscriber-$site", "operator"],
    "publishers": ["https://127.0.0.1:$5"],
    "pollIntervalMs": 5000
  }
}
JSON
}
A_PUB=$((PORT + 1)) B_SUB=$((PORT + 2)) B_PUB=$((PORT + 3)) A_SUB=$((PORT + 4))
config A B $A_PUB $A_SUB $B_PUB "198.51.100.10=192.0.2.10,198.51.100.20=192.0.2.20,198.51.100.1=192.0.2.1" "/srv/siteB=/srv/siteA,/dev/vg_siteB=/dev/vg_siteA" '{ "b1": "a1", "b2": "a2" }'
config B A $B_PUB $B_SUB $A_PUB "192.0.2.10=198.51.100.10,192.0.2.20=198.51.100.20,192.0.2.1=198.51.100.1" "/srv/siteA=/srv/siteB,/dev/vg_siteA=/dev/vg_siteB" '{ "a1": "b1", "a2": "b2" }'

# start KIND SITE: the daemon with the environment pacemaker-execd gives it (no HOME, LC_ALL=C).
start() {
  env -i PATH="$PATH" LC_ALL=C CIB_file="$WORK/site$2/cib.xml" "${CIBSYNC[@]}" "$1" --config "$WORK/site$2/cibsync.json" 2>"$WORK/$1-$2.log" &
  PIDS+=($!)
  echo "  $1 at site $2: pid $!, log $WORK/$1-$2.log"
}
healthy() { curl -q -sf --cacert "$WORK/pki/ca.crt" --cert "$WORK/pki/operator.crt" --key "$WORK/pki/operator.key" "https://127.0.0.1:$1/healthz"; }
status_at() { "${CIBSYNC[@]}" status --config "$WORK/site$1/cibsync.json" "${@:2}"; }
status_shows() { status_at "$1" | grep -q "$2"; }

step "start four daemons on loopback"
start publisher A; start subscriber B; start publisher B; start subscriber A
for port in $A_PUB $B_SUB $B_PUB $A_SUB; do wait_for 15 "healthz on port $port" healthy "$port"; done
echo "  all four answer /healthz over mutual TLS"

step "first replication: A → B"
wait_for 20 "the first import at B" status_shows B 'last applied: site siteA' 
grep -o 'id="vip-web"' "$WORK/siteB/cib.xml" | sed 's/^/  site B now has A'"'"'s resources, e.g. /'
status_at B | sed 's/^/  /'
echo "  subscriber A meanwhile:"; status_at A | sed 's/^/  /'

step "a change at A (cibadmin --modify batch-limit=42) appears at B"
t0=$(date +%s%N)
at siteA cibadmin --modify --xml-text '<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="42"/>'
wait_for 10 "batch-limit 42 at B" has_batch_limit siteB 42
echo "  site B batch-limit=$(batch_limit siteB), $(( ($(date +%s%N) - t0) / 1000000 )) ms after the change at A"

step "replicate-now through the CLI (nothing changed, so nothing is written)"
"${CIBSYNC[@]}" replicate-now --config "$WORK/siteB/cibsync.json" | grep -E 'source|outcome' | sed 's/^/  /'

step "the ticket moves from A to B"
at siteA crm_ticket --ticket ticketA --revoke --force
at siteB crm_ticket --ticket ticketA --grant --force
publication_from() { curl -q -s --cacert "$WORK/pki/ca.crt" --cert "$WORK/pki/operator.crt" --key "$WORK/pki/operator.key" -w ' (HTTP %{http_code})' "https://127.0.0.1:$1/v1/publication"; }
refusing() { publication_from "$1" | grep -q 'HTTP 503'; }
wait_for 5 "publisher A refusing" refusing $A_PUB
echo "  publisher A now answers: $(publication_from $A_PUB)"
wait_for 10 "subscriber B idle" status_shows B ': idle' 
echo "  subscriber B:"; status_at B | head -1 | sed 's/^/    /'

step "a change at B (batch-limit=43) now appears at A"
at siteB cibadmin --modify --xml-text '<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="43"/>'
wait_for 15 "batch-limit 43 at A" has_batch_limit siteA 43
echo "  site A batch-limit=$(batch_limit siteA)"
status_at A | sed 's/^/  /'
grep -h '"event":"import-done"' "$WORK"/subscriber-*.log | cut -c1-220 | sed 's/^/  log: /'

step "stop every daemon (SIGTERM, by PID)"
