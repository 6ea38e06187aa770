#!/bin/bash
# Installs cibsync for Pacemaker: the built application (run `npm run build` first; `npm run
# install-agents` does both) and the OCF resource agents ocf:cibsync:Publisher and ocf:cibsync:Subscriber.
#
#   /usr/lib/cibsync/releases/<version>-<build>/  dist/, package.json, production node_modules
#   /usr/lib/cibsync/current -> releases/<version>-<build>
#   /usr/lib/ocf/resource.d/cibsync/              Publisher, Subscriber (+ their shared helpers)
#   /usr/sbin/cibsync                             the command line tool
#   /usr/sbin/cibsync-before-acquire              booth's before-acquire-handler (the readiness gate)
#
# Each build gets its own directory (<build> is a digest of dist/ and the lock file) and `current` is
# switched last: a running daemon keeps the files it was started from (Node resolves the symlink when
# it starts), an upgrade takes effect when Pacemaker restarts the resources, and the previous
# releases stay for a rollback. Installing the same build again only switches `current`.
# Concurrent installs wait for each other.
# Environment: DESTDIR (staging root, default empty), CIBSYNC_APP_DIR (default /usr/lib/cibsync),
# OCF_ROOT (default /usr/lib/ocf), NODE (default: node on PATH), CIBSYNC_KEEP_RELEASES (default 3).
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

releases=$DESTDIR$app_dir/releases
mkdir -p "$releases"
exec 9>"$DESTDIR$app_dir/.install.lock"
flock 9

build=$(cd "$repo" && { find dist -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; sha256sum package-lock.json; } | sha256sum | cut -c1-12)
name=$version-$build
if [ ! -d "$releases/$name" ]; then
	staging=$(mktemp -d "$releases/.$name.XXXXXX")
	trap 'rm -rf "$staging"' EXIT # a failed install leaves nothing half-made
	cp -a "$repo/dist" "$repo/package.json" "$repo/package-lock.json" "$staging/"
	(cd "$staging" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
	chmod 755 "$staging"
	mv "$staging" "$releases/$name"
fi
# Replace the link in one rename, so the agents never find it missing.
ln -sfn "releases/$name" "$DESTDIR$app_dir/.current.new"
mv -T "$DESTDIR$app_dir/.current.new" "$DESTDIR$app_dir/current"
# Oldest first; the newest CIBSYNC_KEEP_RELEASES (and `current`) stay.
ls -1tr "$releases" | head -n "-${CIBSYNC_KEEP_RELEASES:-3}" | while read -r old; do
	[ "$old" = "$name" ] || rm -rf "${releases:?}/$old"
done

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
install -m 0755 "$repo/agents/cibsync-before-acquire" "$DESTDIR/usr/sbin/cibsync-before-acquire"
echo "installed cibsync $name in $releases/$name, agents in $agents"
