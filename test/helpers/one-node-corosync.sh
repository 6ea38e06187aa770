# one_node_corosync_conf CLUSTER NODE: corosync.conf (on stdout) for a one-node ring on the network
# namespace's own loopback, quorum of one: the live lab's sites (test/lab/lab-lib.sh) and the tests'
# private CIB manager (test/helpers/cib-daemon.sh).
one_node_corosync_conf() {
	cat <<EOF_CONF
totem {
	version: 2
	cluster_name: $1
	transport: knet
	crypto_cipher: none
	crypto_hash: none
}
logging {
	to_stderr: yes
	to_logfile: no
	to_syslog: no
}
quorum {
	provider: corosync_votequorum
}
nodelist {
	node {
		name: $2
		nodeid: 1
		ring0_addr: 127.0.0.1
	}
}
EOF_CONF
}
