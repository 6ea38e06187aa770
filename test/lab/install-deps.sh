#!/bin/bash
# Installs what the OCF agents and the live two-site lab (test/lab) need on a fresh Debian 12 machine:
#   pacemaker corosync pacemaker-cli-utils   the live sites (pacemakerd, cibadmin, crm_mon, crm_resource)
#   booth booth-pacemaker                    ticket manager: site daemons, arbitrator and client
#   resource-agents                          ocf-shellfuncs and ocf-tester
#   libxml2-utils                            xmllint: ocf-tester checks meta-data against ra-api-1.dtd
#   xsltproc                                 the subscriber's default transform engine
#   curl                                     the agents' depth-10 monitor calls /healthz with it
#   gcc libc6-dev                            build test/lab/nl-done-split.c (booth on Linux >= 6.9)
#   iproute2 util-linux procps               ip netns, unshare/nsenter/setsid, pgrep
# Nothing is started by these packages on a machine without systemd.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	pacemaker pacemaker-cli-utils corosync booth booth-pacemaker resource-agents \
	libxml2-utils xsltproc curl gcc libc6-dev iproute2 util-linux procps
