#!/usr/bin/env bash
# The README's demo: two file-backed sites on this machine. Site A holds the booth ticket and
# publishes; site B imports through the shipped rewrite-ip and rewrite-paths transforms, keeping its
# own nodes, fencing, booth and cibsync resources and cluster name. Nothing leaves the machine: the
# CIBs are files (CIB_file) and the addresses are documentation ranges that are never contacted.
# Usage: npm run demo   (or: bash test/demo/run.sh after npm run build)   KEEP=1 keeps the work dir.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CIBSYNC=(node "$REPO/dist/services/cli/main.js")
WORK=$(mktemp -d /tmp/cibsync-demo.XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
export CIBSYNC_LOG_LEVEL=${CIBSYNC_LOG_LEVEL:-warn}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
at() { local site=$1; shift; CIB_file="$WORK/$site/cib.xml" "$@"; }

mkdir -p "$WORK/siteA" "$WORK/siteB" "$WORK/pki"
cp "$REPO/test/fixtures/sites/site-a.xml" "$WORK/siteA/cib.xml"
cp "$REPO/test/fixtures/sites/site-b.xml" "$WORK/siteB/cib.xml"
cat > "$WORK/siteB/cibsync.json" <<JSON
{
  "site": "siteB",
  "ticket": "ticketA",
  "transforms": "$REPO/transforms",
  "transformChain": ["rewrite-ip.xsl", "rewrite-paths.xsl"],
  "transformParams": {
    "ip_map": "192.0.2.10=198.51.100.10,192.0.2.20=198.51.100.20,192.0.2.1=198.51.100.1",
    "path_map": "/srv/siteA=/srv/siteB,/dev/vg_siteA=/dev/vg_siteB"
  },
  "nodeMap": { "a1": "b1", "a2": "b2" },
  "stateDir": "$WORK/siteB/state",
  "trust": { "ca": "$WORK/pki/ca.crt", "publishers": { "siteA": ["publisher-A"] } }
}
JSON

step "site A: a CA and the publisher certificate that signs A's publications (cibsync certs)"
"${CIBSYNC[@]}" certs init-ca --dir "$WORK/pki" --name "demo geo-cluster CA" >/dev/null
"${CIBSYNC[@]}" certs issue --dir "$WORK/pki" --name publisher-A --ip 127.0.0.1 --days 2

step "site A: grant ticketA (crm_ticket --grant --force) and export, signed with publisher-A's key"
at siteA crm_ticket --ticket ticketA --grant --force
at siteA crm_ticket --ticket ticketA --details
at siteA "${CIBSYNC[@]}" export --ticket ticketA --sign-cert "$WORK/pki/publisher-A.crt" --sign-key "$WORK/pki/publisher-A.key" --out "$WORK/publication.xml"

epoch_of() { at "$1" cibadmin --query | head -1 | grep -o ' epoch="[0-9]*"' | grep -o '[0-9]*'; }
step "site B before (epoch $(epoch_of siteB)): its own fencing, booth and cibsync resources"
at siteB cibadmin --query --scope resources | grep -E '<(primitive|group|clone) ' | sed 's/^/  /'

step "site B: cibsync import (signed by publisher-A, trusted for siteA; transforms: rewrite-ip, rewrite-paths; node map a1=b1,a2=b2)"
at siteB "${CIBSYNC[@]}" import "$WORK/publication.xml" --config "$WORK/siteB/cibsync.json"

step "site B after: addresses and paths rewritten to B's"
at siteB cibadmin --query --scope resources | grep -E 'name="(ip|directory|device|configfile|statusurl|host_list)"' | sed 's/^ */  /'

step "site B node attributes (crm_attribute --query)"
for node in b1 b2; do
  for name in app-role cpu-weight rack; do
    value=$(at siteB crm_attribute --node "$node" --name "$name" --query --quiet 2>/dev/null || true)
    [ -n "$value" ] && echo "  $node $name=$value"
  done
done

step "site B crm_verify"
at siteB crm_verify --live-check -V && echo "  crm_verify: no errors or warnings"

step "import the same publication again: nothing is written"
before=$(sha256sum "$WORK/siteB/cib.xml" | cut -d' ' -f1)
at siteB "${CIBSYNC[@]}" import "$WORK/publication.xml" --config "$WORK/siteB/cibsync.json" | grep -E 'outcome|local CIB'
after=$(sha256sum "$WORK/siteB/cib.xml" | cut -d' ' -f1)
[ "$before" = "$after" ] && echo "  site B's CIB file is byte-identical"

if [ -x "$REPO/test/demo/network-demo.sh" ] && [ "${OFFLINE_ONLY:-0}" != 1 ]; then
  step "over the network: publisher and subscriber on loopback with mutual TLS"
  bash "$REPO/test/demo/network-demo.sh"
fi
step "demo finished"
