#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) to build, test and demo cibsync:
#   pacemaker-cli-utils      cibadmin, crm_attribute, crm_ticket, crm_verify, crm_diff, crm_simulate
#                            (pulls pacemaker, corosync and resource-agents; no daemon starts)
#   xsltproc                 the default transform engine (libxslt)
#   libxml2-utils            xmllint: ocf-tester checks agent meta-data against ra-api-1.dtd
#   booth booth-pacemaker    the live two-site lab: ticket manager (sites and arbitrator)
#   crmsh                    the live lab runs docs/operations.md's crmsh commands as written
#   resource-agents          ocf-shellfuncs and ocf-tester for the OCF agents
#   curl                     the agents' depth-10 monitor calls /healthz with it
#   gcc libc6-dev            builds test/lab/nl-done-split.c (Debian 12's booth on Linux >= 6.9)
#   pacemaker-dev libglib2.0-dev pkg-config  build dist/bin/cibsync-ticket-watch (scripts/build-native.sh):
#                            Pacemaker's CIB change notifications for the tickets; without them the
#                            build goes on and the daemons poll the ticket instead
#   iproute2 util-linux procps  ip netns, unshare/nsenter/setsid, flock, pgrep
#   chromium                 the browser test of the subscriber's page (driven by playwright-core)
# then the npm dependencies (npm ci) and the build.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "$0")/.."
apt-get update -q
apt-get install -y -q --no-install-recommends \
  pacemaker pacemaker-cli-utils corosync xsltproc libxml2-utils \
  booth booth-pacemaker crmsh resource-agents curl gcc libc6-dev pacemaker-dev libglib2.0-dev pkg-config \
  iproute2 util-linux procps \
  ca-certificates chromium
npm ci --no-audit --no-fund
npm run build
