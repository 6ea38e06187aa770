/*
 * nl-done-split.c - LD_PRELOAD shim that lets Debian 12's booth (1.0-283) run on Linux >= 6.9.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Why: booth finds its own site address with an RTM_GETADDR netlink dump and looks for NLMSG_DONE
 * only as the first message of each recvmsg() batch. Since Linux 6.9 the kernel may put NLMSG_DONE
 * at the end of the last batch of addresses, so booth never sees it and blocks in recvmsg() forever
 * (fixed upstream in booth, "transport: Fix _find_myself for kernel 6.9"; not in Debian 12).
 *
 * What: on netlink sockets only, a batch with NLMSG_DONE after other messages is returned without
 * it, and NLMSG_DONE is handed over by the next recvmsg() on that socket, as older kernels did.
 *
 * Build: gcc -shared -fPIC -O2 -o nl-done-split.so nl-done-split.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>

typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);

static struct {
	int fd;
	size_t len;
	char data[128];
} held = { .fd = -1 };

static int on_netlink_socket(int fd)
{
	int family = 0;
	socklen_t size = sizeof(family);
	return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &size) == 0 && family == AF_NETLINK;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static recvmsg_fn next_recvmsg;
	if (!next_recvmsg)
		next_recvmsg = (recvmsg_fn)dlsym(RTLD_NEXT, "recvmsg");

	if (held.fd == fd && held.len > 0 && msg->msg_iovlen > 0 && msg->msg_iov[0].iov_len >= held.len) {
		ssize_t n = (ssize_t)held.len;
		memcpy(msg->msg_iov[0].iov_base, held.data, held.len);
		held.fd = -1;
		held.len = 0;
		msg->msg_flags = 0;
		return n;
	}

	ssize_t n = next_recvmsg(fd, msg, flags);
	if (n <= 0 || msg->msg_iovlen == 0 || (flags & MSG_PEEK) || (size_t)n > msg->msg_iov[0].iov_len || !on_netlink_socket(fd))
		return n;

	char *batch = msg->msg_iov[0].iov_base;
	int left = (int)n;
	for (struct nlmsghdr *h = (struct nlmsghdr *)batch; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (h->nlmsg_type != NLMSG_DONE || (char *)h == batch)
			continue;
		size_t tail = (size_t)(batch + n - (char *)h);
		if (tail > sizeof(held.data))
			break;
		memcpy(held.data, h, tail);
		held.len = tail;
		held.fd = fd;
		return (ssize_t)((char *)h - batch);
	}
	return n;
}
