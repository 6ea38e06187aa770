// The admin socket: a daemon also serves its HTTPS app's routes (the same fastify instance, its
// router fed by a second listener) on a Unix domain socket, without TLS, to root on this host only.
// It is what `cibsync status` and the other local commands talk to: at a passive site the daemon's
// address may be down, and no certificate is needed. Who may connect is the file system's answer:
// root, and the admin group (Pacemaker's haclient by default: booth runs its before-acquire handler
// as hacluster, and haclient's members may already write the CIB). The socket is 0660 root:group in
// a directory created 0750 root:group (0600 and 0700 without a group), created that way (umask held
// while the socket file is bound, then only its group set), never wider. Node offers no SO_PEERCRED,
// so a caller is known only as "whoever may open this socket": `local:<path>`.
import { chown, lstat, mkdir, readFile, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { CibsyncError } from '../errors.js';

/** The sockets accepted on an admin socket, each with that socket's path. */
const localSockets = new WeakMap<Socket, string>();

/** `local:<socket path>` for a request that came in on an admin socket; undefined for one over TLS. */
export function localAdminOf(request: FastifyRequest): string | undefined {
  const path = localSockets.get(request.raw.socket);
  return path === undefined ? undefined : `local:${path}`;
}

export interface AdminSocket {
  path: string;
  /** Stops listening, ends the open connections; the socket file goes with the listener. */
  close(): Promise<void>;
}

/** How long a socket file's owner gets to accept a connection before it counts as alive anyway (never steal a live one). */
const PROBE_MS = 2000;

/** Whether a process accepts connections on the socket `path`: false when there is no such file or the connection is refused (a dead daemon's file); other failures (EACCES) reject. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = connect(path);
    const done = (alive: boolean) => {
      clearTimeout(timer);
      probe.destroy();
      resolve(alive);
    };
    const timer = setTimeout(() => done(true), PROBE_MS);
    probe.once('connect', () => done(true));
    probe.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(false);
      else reject(err);
    });
  });
}

/** Removes a socket file nothing answers on (a daemon that was killed leaves its file); refuses a live one or anything else. */
async function clearStale(path: string, setting: string): Promise<void> {
  const stat = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!stat) return;
  if (!stat.isSocket())
    throw new CibsyncError(
      'CIBSYNC_ADMIN_SOCKET_IN_USE',
      `${path} exists and is not a socket: remove it, or set ${setting} to another path`,
      { path },
    );
  const alive = await socketAnswers(path).catch((err: Error) => {
    throw new CibsyncError('CIBSYNC_ADMIN_SOCKET_IN_USE', `${path}: cannot tell whether it is in use: ${err.message}`, {
      path,
    });
  });
  if (alive)
    throw new CibsyncError(
      'CIBSYNC_ADMIN_SOCKET_IN_USE',
      `another daemon answers on ${path}: is a ${setting.split('.')[0]} already running on this host? Stop it, or give this one another ${setting}`,
      { path },
    );
  await unlink(path);
}

/** The id of the group `name` from /etc/group; undefined when there is none (or no name). */
async function groupId(name: string): Promise<number | undefined> {
  if (!name) return undefined;
  const groups = await readFile('/etc/group', 'utf8').catch(() => '');
  const line = groups.split('\n').find((entry) => entry.split(':')[0] === name);
  const gid = line === undefined ? Number.NaN : Number(line.split(':')[2]);
  return Number.isInteger(gid) ? gid : undefined;
}

/** Binds with umask 0177 (0117 with a group), so the socket file is never wider than 0600 (0660) (a path's bind happens within listen()). */
function bind(server: Server, path: string, umask: number, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new CibsyncError('CIBSYNC_ADMIN_SOCKET_IN_USE', `${path} is in use by another daemon`, { path })
          : new CibsyncError('CIBSYNC_CONFIG_INVALID', `${setting}: cannot listen on ${path}: ${err.message}`, {
              path,
            }),
      );
    server.once('error', failed);
    const previous = process.umask(umask);
    try {
      server.listen(path, () => {
        server.off('error', failed);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
}

/**
 * Serves `app`'s routes on the Unix domain socket `path` to root and `group` (its directory made when
 * missing); `setting` names the daemon's key (`subscriber.adminSocket`) in error messages.
 */
export async function listenAdminSocket(
  app: { routing(request: IncomingMessage, reply: ServerResponse): void },
  path: string,
  group: string,
  setting: string,
): Promise<AdminSocket> {
  const gid = await groupId(group);
  const cannot = (what: string) => (err: Error) => {
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${setting}: cannot ${what}: ${err.message}`, {
      path,
    });
  };
  const made = await mkdir(dirname(path), { recursive: true, mode: gid === undefined ? 0o700 : 0o750 }).catch(
    cannot(`create ${dirname(path)}`),
  );
  if (made !== undefined && gid !== undefined)
    await chown(dirname(path), -1, gid).catch(cannot(`give ${dirname(path)} to group ${group}`));
  await clearStale(path, setting);
  // No request timeout, as on the HTTPS port (fastify's default): a replicate-now lasts as long as its import.
  const server = createServer({ requestTimeout: 0 }, (request, reply) => app.routing(request, reply));
  server.on('connection', (socket) => localSockets.set(socket, path));
  await bind(server, path, gid === undefined ? 0o177 : 0o117, setting);
  if (gid !== undefined) await chown(path, -1, gid).catch(cannot(`give ${path} to group ${group}`));
  return {
    path,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
