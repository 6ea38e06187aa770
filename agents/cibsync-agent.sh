# shellcheck shell=sh
# cibsync-agent.sh - the body shared by the cibsync OCF resource agents (Publisher, Subscriber).
#
# An agent sets CIBSYNC_ROLE (the `cibsync` subcommand: publisher | subscriber), CIBSYNC_AGENT (its
# name), CIBSYNC_SHORTDESC and CIBSYNC_LONGDESC, defines cibsync_role_parameters (the meta-data of its
# own parameters, written with cibsync_parameter), sources this file and calls cibsync_main.
# Installed next to the agents, not executable, so Pacemaker does not list it as an agent.

: "${OCF_FUNCTIONS_DIR:=${OCF_ROOT:-/usr/lib/ocf}/lib/heartbeat}"
# shellcheck source=/dev/null
. "${OCF_FUNCTIONS_DIR}/ocf-shellfuncs"

CIBSYNC_AGENT_DIR=$(dirname "$0")

OCF_RESKEY_node_default=/usr/bin/node
OCF_RESKEY_install_dir_default=/usr/lib/cibsync/current
OCF_RESKEY_log_file_default=/var/log/cibsync/${OCF_RESOURCE_INSTANCE:-cibsync}.log
: "${OCF_RESKEY_node=$OCF_RESKEY_node_default}"
: "${OCF_RESKEY_install_dir=$OCF_RESKEY_install_dir_default}"
: "${OCF_RESKEY_log_file=$OCF_RESKEY_log_file_default}"

# Per-instance files, under $HA_RSCTMP: it is emptied at boot, so a pid file never outlives a reboot.
cibsync_pidfile="${HA_RSCTMP}/cibsync-${OCF_RESOURCE_INSTANCE}.pid"
cibsync_conffile="${HA_RSCTMP}/cibsync-${OCF_RESOURCE_INSTANCE}.json"
cibsync_factsfile="${HA_RSCTMP}/cibsync-${OCF_RESOURCE_INSTANCE}.facts"
cibsync_tlsdir="${HA_RSCTMP}/cibsync-${OCF_RESOURCE_INSTANCE}.tls"

# The daemon's environment: nothing from the caller (pacemaker-execd passes its own), no HOME.
CIBSYNC_DAEMON_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# cibsync_parameter NAME TYPE DEFAULT RELOADABLE REQUIRED SHORTDESC LONGDESC
cibsync_parameter() {
	default_attr=""
	[ -n "$3" ] && default_attr=" default=\"$3\""
	cat <<END
<parameter name="$1" unique="0" required="$5" reloadable="$4">
<longdesc lang="en">$7</longdesc>
<shortdesc lang="en">$6</shortdesc>
<content type="$2"$default_attr/>
</parameter>
END
}

cibsync_common_parameters() {
	cibsync_parameter config string "" 0 0 "Configuration file (JSON)" \
"A cibsync configuration file (JSON, see docs/operations.md). Every other setting of this agent, when set, overrides the file's value; the file and the parameters may also be combined, e.g. shared settings in the file and the certificate paths as parameters."
	cibsync_parameter site string "" 0 0 "Name of this site" \
"The name of this site, as published and as given to the transforms (local_site / source_site). Default: the configuration file's 'site'."
	cibsync_parameter ticket string "" 0 0 "Booth ticket" \
"The booth ticket that marks the active site: only the site holding it publishes, and a site holding it never applies another site's configuration. Required here or in the configuration file."
	cibsync_parameter listen string "" 0 0 "Listen address" \
"IP address the daemon listens on (HTTPS). Default: the configuration file's, else 0.0.0.0 (every address)."
	cibsync_parameter port integer "" 0 0 "Listen port" \
"TCP port the daemon listens on. Default: the configuration file's, else 7443 for the publisher and 7444 for the subscriber."
	cibsync_parameter cert string "" 1 0 "Certificate (PEM)" \
"The daemon's certificate, used as TLS server certificate and as client certificate (issue it with 'cibsync certs issue --both'). The health check connects with it too. Required here or in the configuration file. Reloadable: a new file takes effect without a restart."
	cibsync_parameter key string "" 1 0 "Private key (PEM)" \
"The private key of the certificate; the agent refuses a key that does not match the certificate, so change cert and key in one step. Required here or in the configuration file. Reloadable."
	cibsync_parameter ca string "" 1 0 "CA certificate (PEM)" \
"The geo cluster's certificate authority: peers must present a certificate it signed. Required here or in the configuration file. Reloadable."
	cibsync_parameter allow string "" 0 0 "Allowed client certificates" \
"Client certificate subjects (CN) or SHA-256 fingerprints allowed to connect, separated by spaces or commas. Default: any certificate signed by the CA."
	cibsync_parameter state_dir string "" 0 0 "State directory" \
"Where the daemon keeps its state (applied versions, backups). Default: the configuration file's, else /var/lib/cibsync."
	cibsync_parameter log_level string "" 0 0 "Log level" \
"Daemon log level: fatal, error, warn, info, debug or trace. Default: the configuration file's, else info."
	cibsync_parameter log_file string "$OCF_RESKEY_log_file_default" 0 0 "Log file" \
"File the daemon's output (JSON log lines) is appended to."
	cibsync_parameter node string "$OCF_RESKEY_node_default" 0 0 "Node.js binary" \
"The Node.js (20 or later) binary that runs cibsync."
	cibsync_parameter install_dir string "$OCF_RESKEY_install_dir_default" 0 0 "cibsync installation" \
"Directory where cibsync is installed ('npm run install-agents' puts it there); the daemon is install_dir/dist/services/cli/main.js."
}

# The installed release's version, from its package.json (as `cibsync --version` reads it).
cibsync_version() {
	version=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$OCF_RESKEY_install_dir/package.json" 2>/dev/null | head -n 1)
	echo "${version:-unknown}"
}

cibsync_metadata() {
	cat <<END
<?xml version="1.0"?>
<!-- ra-api-1.dtd is OCF 1.0; the two declarations below add what OCF 1.1 defines and this agent uses
     (reloadable parameters, the reload-agent action), so the document stays valid. -->
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd" [
<!ATTLIST parameter reloadable (0|1) "0">
<!ATTLIST action name (start|stop|monitor|reload-agent|meta-data|validate-all) #REQUIRED>
]>
<resource-agent name="$CIBSYNC_AGENT" version="$(cibsync_version)">
<version>1.1</version>
<longdesc lang="en">$CIBSYNC_LONGDESC</longdesc>
<shortdesc lang="en">$CIBSYNC_SHORTDESC</shortdesc>
<parameters>
$(cibsync_common_parameters)
$(cibsync_role_parameters)
</parameters>
<actions>
<action name="start" timeout="60s"/>
<action name="stop" timeout="30s"/>
<action name="monitor" timeout="20s" interval="10s" depth="0"/>
<action name="monitor" timeout="20s" interval="30s" depth="10"/>
<action name="reload-agent" timeout="20s"/>
<action name="validate-all" timeout="20s"/>
<action name="meta-data" timeout="5s"/>
</actions>
</resource-agent>
END
}

cibsync_usage() {
	echo "usage: $0 {start|stop|monitor|reload-agent|validate-all|meta-data}"
}

cibsync_main_js() {
	echo "$OCF_RESKEY_install_dir/dist/services/cli/main.js"
}

# Checks the parameters through cibsync's own configuration model and, when given a file name and a
# directory, writes the daemon's configuration and its certificate links there. Leaves the daemon_*
# facts (see cibsync-agent-config.mjs) in $facts and in the shell.
cibsync_check_config() {
	if [ ! -x "$OCF_RESKEY_node" ]; then
		ocf_exit_reason "Node.js binary $OCF_RESKEY_node is missing or not executable"
		return "$OCF_ERR_INSTALLED"
	fi
	if [ ! -f "$(cibsync_main_js)" ]; then
		ocf_exit_reason "cibsync is not installed in $OCF_RESKEY_install_dir (run 'npm run install-agents')"
		return "$OCF_ERR_INSTALLED"
	fi
	if ! have_binary curl; then
		ocf_exit_reason "curl is not installed (the health check uses it)"
		return "$OCF_ERR_INSTALLED"
	fi
	errors=$(mktemp)
	facts=$("$OCF_RESKEY_node" "$CIBSYNC_AGENT_DIR/cibsync-agent-config.mjs" "$CIBSYNC_ROLE" "$OCF_RESKEY_install_dir" "$@" 2>"$errors")
	rc=$?
	reason=$(head -n 1 "$errors")
	rm -f "$errors"
	if [ $rc -ne 0 ]; then
		ocf_exit_reason "$reason"
		[ $rc -eq "$OCF_ERR_INSTALLED" ] || [ $rc -eq "$OCF_ERR_CONFIGURED" ] || rc=$OCF_ERR_GENERIC
		return $rc
	fi
	eval "$facts"
	return "$OCF_SUCCESS"
}

# The daemon's pid, when the pid file names a live process that is this resource's daemon
# (the command line check keeps a recycled pid from passing for it).
cibsync_pid() {
	[ -s "$cibsync_pidfile" ] || return 1
	pid=$(cat "$cibsync_pidfile")
	[ -r "/proc/$pid/cmdline" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$cibsync_conffile" || return 1
	echo "$pid"
}

# OCF_SUCCESS: running; OCF_NOT_RUNNING: cleanly stopped; OCF_ERR_GENERIC: the daemon died.
cibsync_process_status() {
	cibsync_pid >/dev/null && return "$OCF_SUCCESS"
	[ -e "$cibsync_pidfile" ] && return "$OCF_ERR_GENERIC"
	return "$OCF_NOT_RUNNING"
}

# Milliseconds left of the current operation's timeout, less a margin for the agent's own work.
cibsync_budget_ms() {
	timeout_ms=${OCF_RESKEY_CRM_meta_timeout:-$1}
	echo $((timeout_ms > 4000 ? timeout_ms - 2000 : timeout_ms / 2))
}

cibsync_health() {
	# shellcheck source=/dev/null
	. "$cibsync_factsfile" || return 1
	case $daemon_address in *:*) connect_address="[$daemon_address]" ;; *) connect_address=$daemon_address ;; esac
	case $daemon_name in *:*) url_host="[$daemon_name]" ;; *) url_host=$daemon_name ;; esac
	# -q: no ~/.curlrc or anything else from the environment changes the request.
	curl -q -sS --fail --max-time "${1:-10}" --cacert "$daemon_ca" --cert "$daemon_cert" --key "$daemon_key" \
		--connect-to "$url_host:$daemon_port:$connect_address:$daemon_port" \
		"https://$url_host:$daemon_port/healthz" -o /dev/null 2>&1
}

# The daemon's last fatal error from its log: `cibsync: CODE: message` when the command failed.
cibsync_last_error() {
	grep '^cibsync: ' "$OCF_RESKEY_log_file" | tail -n 1 | grep . || tail -n 1 "$OCF_RESKEY_log_file"
}

cibsync_start() {
	if cibsync_process_status; then
		ocf_log info "$CIBSYNC_AGENT $OCF_RESOURCE_INSTANCE is already running"
		return "$OCF_SUCCESS"
	fi
	cibsync_check_config "$cibsync_conffile" "$cibsync_tlsdir" || return $?
	echo "$facts" >"$cibsync_factsfile"
	mkdir -p "$(dirname "$OCF_RESKEY_log_file")" "$daemon_state_dir" || {
		ocf_exit_reason "cannot create $(dirname "$OCF_RESKEY_log_file") or $daemon_state_dir"
		return "$OCF_ERR_INSTALLED"
	}
	rm -f "$cibsync_pidfile"
	# setsid: the daemon leads its own session, away from pacemaker-execd's process group and
	# signals. The pid is written by the process that then becomes the daemon, so it is exact
	# whether or not setsid had to fork.
	(cd / && setsid /bin/sh -c 'echo $$ >"$0"; exec "$@"' "$cibsync_pidfile" \
		env -i PATH="$CIBSYNC_DAEMON_PATH" LC_ALL=C \
		"$OCF_RESKEY_node" "$(cibsync_main_js)" "$CIBSYNC_ROLE" --config "$cibsync_conffile" \
		</dev/null >>"$OCF_RESKEY_log_file" 2>&1 &)

	deadline=$(($(date +%s) + $(cibsync_budget_ms 60000) / 1000))
	while :; do
		# Read twice: while the daemon execs (sh, env, node) its /proc/PID/cmdline reads empty for an instant.
		if [ -s "$cibsync_pidfile" ] && ! cibsync_pid >/dev/null && sleep 0.2 && ! cibsync_pid >/dev/null; then
			ocf_exit_reason "the $CIBSYNC_ROLE exited during start: $(cibsync_last_error)"
			rm -f "$cibsync_pidfile"
			return "$OCF_ERR_GENERIC"
		fi
		if cibsync_pid >/dev/null && health_error=$(cibsync_health 5); then
			ocf_log info "$CIBSYNC_AGENT $OCF_RESOURCE_INSTANCE started (pid $(cibsync_pid)) and answers its health check"
			return "$OCF_SUCCESS"
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			ocf_exit_reason "the $CIBSYNC_ROLE did not answer its health check in time: ${health_error:-no pid}"
			return "$OCF_ERR_GENERIC"
		fi
		sleep 0.5
	done
}

cibsync_stop() {
	pid=$(cibsync_pid)
	if [ -z "$pid" ]; then
		rm -f "$cibsync_pidfile"
		return "$OCF_SUCCESS"
	fi
	kill -TERM "$pid"
	deadline=$(($(date +%s) + $(cibsync_budget_ms 20000) * 2 / 3000))
	while cibsync_pid >/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
	if cibsync_pid >/dev/null; then
		ocf_log warn "$CIBSYNC_AGENT $OCF_RESOURCE_INSTANCE (pid $pid) ignored SIGTERM; sending SIGKILL to its process group"
		# The daemon leads its process group (setsid), so this also ends the tools it was running.
		# dash's kill takes a negative PID as a process group, and no "--".
		kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid"
		while cibsync_pid >/dev/null; do sleep 0.2; done
	fi
	rm -rf "$cibsync_pidfile" "$cibsync_conffile" "$cibsync_factsfile" "$cibsync_tlsdir"
	ocf_log info "$CIBSYNC_AGENT $OCF_RESOURCE_INSTANCE stopped"
	return "$OCF_SUCCESS"
}

cibsync_monitor() {
	cibsync_process_status
	rc=$?
	if [ $rc -eq "$OCF_ERR_GENERIC" ]; then
		# A probe asks "is it running here?": a pid file left by a dead daemon means no.
		ocf_is_probe && return "$OCF_NOT_RUNNING"
		ocf_exit_reason "the $CIBSYNC_ROLE (pid file $cibsync_pidfile) is no longer running"
	fi
	[ $rc -eq "$OCF_SUCCESS" ] || return $rc
	if [ "${OCF_CHECK_LEVEL:-0}" -ge 10 ]; then
		if ! health_error=$(cibsync_health $(($(cibsync_budget_ms 20000) / 1000))); then
			ocf_exit_reason "the $CIBSYNC_ROLE runs but its health check fails: $health_error"
			return "$OCF_ERR_GENERIC"
		fi
	fi
	return "$OCF_SUCCESS"
}

# cert, key and ca are reloadable: the daemon reads them through links in $cibsync_tlsdir, which
# cibsync_check_config moves to the new files, and reloads its certificates on SIGHUP (a renewed
# certificate under a new name needs no restart). The daemon reads its other settings only at start.
cibsync_reload_agent() {
	cibsync_check_config "$cibsync_conffile" "$cibsync_tlsdir" || return $?
	echo "$facts" >"$cibsync_factsfile"
	pid=$(cibsync_pid) && kill -HUP "$pid"
	return "$OCF_SUCCESS"
}

cibsync_main() {
	case $__OCF_ACTION in
	meta-data) cibsync_metadata; exit "$OCF_SUCCESS" ;;
	usage | help) cibsync_usage; exit "$OCF_SUCCESS" ;;
	start) cibsync_start ;;
	stop) cibsync_stop ;;
	monitor | status) cibsync_monitor ;;
	reload-agent) cibsync_reload_agent ;;
	validate-all) cibsync_check_config ;;
	*) cibsync_usage; exit "$OCF_ERR_UNIMPLEMENTED" ;;
	esac
	rc=$?
	ocf_log debug "$CIBSYNC_AGENT $OCF_RESOURCE_INSTANCE $__OCF_ACTION: $rc"
	exit $rc
}
