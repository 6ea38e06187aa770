#!/bin/bash
# Installs cibsync for Pacemaker: the built application (run `npm run build` first; `npm run
# install-agents` does both) and the OCF resource agents ocf:cibsync:Publisher and ocf:cibsync:Subscriber.
#
#   /usr/lib/cibsync/releases/<version>/      dist/, package.json, production node_modules
#   /usr/lib/cibsync/current -> releases/<version>
#   /usr/lib/ocf/resource.d/cibsync/          Publisher, Subscriber (+ their shared helpers)
#   /usr/sbin/cibsync                         the command line tool
#
# Each version gets its own directory and `current` is switched last: a running daemon keeps the
# files it was started from (Node resolves the symlink when it starts), an upgrade takes effect
# when Pacemaker restarts the resources, and the previous release stays for a rollback.
# Environment: DESTDIR (staging root, default empty), CIBSYNC_APP_DIR (default /usr/lib/cibsync),
# OCF_ROOT (default /usr/lib/ocf), NODE (default: node on PATH).
set -euo pipefail
DESTDIR=${DESTDIR:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
app_dir=${CIBSYNC_APP_DIR:-/usr/lib/cibsync}
ocf_root=${OCF_ROOT:-/usr/lib/ocf}
node=${NODE:-$(command -v node)}
version=$("$node" -p "require('$repo/package.json').version")

if [ ! -f "$repo/dist/services/cli/main.js" ]; then
	echo "install-agents: $repo/dist is missing; run 'npm run build' first" >&2
	exit 1
fi

release=$DESTDIR$app_dir/releases/$version
rm -rf "$release.new"
mkdir -p "$release.new"
cp -a "$repo/dist" "$repo/package.json" "$repo/package-lock.json" "$release.new/"
(cd "$release.new" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
rm -rf "$release"
mv "$release.new" "$release"
ln -sfn "releases/$version" "$DESTDIR$app_dir/current"

agents=$DESTDIR$ocf_root/resource.d/cibsync
install -d "$agents"
install -m 0755 "$repo/agents/Publisher" "$repo/agents/Subscriber" "$agents/"
# Not executable: Pacemaker lists only executables as agents.
install -m 0644 "$repo/agents/cibsync-agent.sh" "$repo/agents/cibsync-agent-config.mjs" "$agents/"

install -d "$DESTDIR/usr/sbin"
cat >"$DESTDIR/usr/sbin/cibsync" <<WRAPPER
#!/bin/sh
exec $node $app_dir/current/dist/services/cli/main.js "\$@"
WRAPPER
chmod 0755 "$DESTDIR/usr/sbin/cibsync"
echo "installed cibsync $version in $release, agents in $agents"
