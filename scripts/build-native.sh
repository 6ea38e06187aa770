#!/bin/bash
# Builds the native helper cibsync ships beside its JavaScript (part of `npm run build`):
#   dist/bin/cibsync-ticket-watch   from services/pacemaker/ticket-watch.c: Pacemaker's CIB change
#                                   notifications for the tickets (docs/network.md)
# It needs a C compiler and Pacemaker's and GLib's headers (Debian: gcc pacemaker-dev libglib2.0-dev
# pkg-config, see scripts/setup-debian.sh). Without them the build says so and goes on: the daemons
# then query the ticket every ticketPollMs instead.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/dist/bin/cibsync-ticket-watch
source=$repo/services/pacemaker/ticket-watch.c
cc=${CC:-cc}

if ! command -v "$cc" >/dev/null || ! command -v pkg-config >/dev/null ||
	! flags=$(pkg-config --cflags --libs pacemaker-cib glib-2.0 2>/dev/null); then
	echo "build-native: no C compiler, pkg-config or Pacemaker/GLib headers (pacemaker-dev, libglib2.0-dev):" \
		"$out not built; the daemons will poll the ticket (ticketPollMs) instead of Pacemaker's notifications" >&2
	rm -f "$out"
	exit 0
fi
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086 # pkg-config's flags are words
"$cc" -O2 -Wall -Wextra -Werror -o "$out.tmp" "$source" $flags
mv "$out.tmp" "$out"
