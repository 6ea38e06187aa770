// `cibsync status`, `replicate-now`, `plan` and the other commands that talk to a subscriber reach the
// one of this host on its admin socket by default (--socket PATH, else subscriber.adminSocket of
// --config): root only, no address, no certificate, so they work at a passive site whose service
// address is down. --subscriber URL reaches a subscriber elsewhere over HTTPS with a client
// certificate: --cert/--key/--ca, or the subscriber's own from --config. `cibsync sites` talks to a
// publisher the same way (publisher.adminSocket, --publisher URL).

import type { Config } from '../config/index.js';
import { DEFAULT_ADMIN_SOCKET, DEFAULT_PUBLISHER_ADMIN_SOCKET } from '../config/schema.js';
import { CibsyncError } from '../errors.js';
import { MtlsClient } from '../net/client.js';
import { loadTlsMaterial, type TlsMaterial } from '../net/tls-material.js';
import { CONTENT_TYPE, errorFromProblem, HEADER, planPath, type Route } from '../wire/index.js';
import { CONFIG_OPTIONS, configFromFlags, type OptionTable, type Values } from './command.js';
import { type OptionSpec, OUTPUT_AS } from './options.js';

export const SUBSCRIBER_CLIENT_OPTIONS: OptionTable = {
  socket: {
    kind: 'text',
    value: 'PATH',
    description: `the subscriber's admin socket on this host (default: subscriber.adminSocket of --config, else ${DEFAULT_ADMIN_SOCKET})`,
  },
  subscriber: {
    kind: 'text',
    value: 'URL',
    description: 'reach a subscriber over HTTPS instead, with a client certificate (e.g. https://198.51.100.10:7444)',
  },
  config: CONFIG_OPTIONS.config as OptionSpec,
  cert: {
    kind: 'text',
    value: 'FILE',
    description: "client certificate for --subscriber (default: the subscriber's own, from --config)",
  },
  key: { kind: 'text', value: 'FILE', description: 'its private key' },
  ca: { kind: 'text', value: 'FILE', description: "the CA bundle the subscriber's certificate must chain to" },
  timeout: { kind: 'seconds', description: 'how long to wait for the answer (default: 120)' },
  'output-as': OUTPUT_AS,
};

export const SUBSCRIBER_CLIENT_HELP = `
Without --subscriber the command talks to the subscriber of this host on its admin socket: --socket PATH, else subscriber.adminSocket of --config (default ${DEFAULT_ADMIN_SOCKET}); root only, no certificate.
--subscriber URL reaches a subscriber over HTTPS; the client certificate is --cert/--key/--ca, or the subscriber's own from --config.
`;

/** The daemon a command talks to: its name (also the flag of its URL, --subscriber or --publisher) and its admin socket. */
export interface DaemonKind {
  name: 'subscriber' | 'publisher';
  /** Its admin socket in a configuration (its default without that daemon's section); empty when disabled. */
  socketOf(config: Config): string;
}

export const SUBSCRIBER: DaemonKind = {
  name: 'subscriber',
  socketOf: (config) => (config.subscriber ? config.subscriber.adminSocket : DEFAULT_ADMIN_SOCKET),
};

export const PUBLISHER: DaemonKind = {
  name: 'publisher',
  socketOf: (config) => (config.publisher ? config.publisher.adminSocket : DEFAULT_PUBLISHER_ADMIN_SOCKET),
};

/** The client certificate for talking to a subscriber or publisher: --cert/--key/--ca, or the subscriber's own from the config (else the publisher's). */
export function clientMaterial(values: Values, config: Config): TlsMaterial {
  const own = config.subscriber?.cert ? config.subscriber : config.publisher;
  const pick = (name: 'cert' | 'key' | 'ca') =>
    typeof values[name] === 'string' ? (values[name] as string) : (own?.[name] ?? '');
  return loadTlsMaterial({ cert: pick('cert'), key: pick('key'), ca: pick('ca') });
}

/** --timeout in milliseconds (default two minutes); the table's kind refused anything but a positive number of seconds. */
export function timeoutOf(values: Values): number {
  return typeof values.timeout === 'number' ? Math.ceil(values.timeout * 1000) : 120_000;
}

export interface SubscriberRequest {
  /** The plan a route's `:id` stands for. */
  id?: string;
  body?: string;
  /** The content type of `body`. */
  contentType?: string;
  accept?: string;
}

/** Where a command reaches the daemon: its admin socket on this host, or an HTTPS URL. */
export type DaemonTarget = { socket: string } | { url: string };

/** The admin socket of the configuration's subscriber (its default without a subscriber section); empty when disabled. */
export function configuredSocket(config: Config): string {
  return SUBSCRIBER.socketOf(config);
}

/** --subscriber URL (--publisher URL) over HTTPS, else --socket PATH, else the admin socket of the configuration (CIBSYNC_USAGE when it is disabled). */
function daemonTarget(kind: DaemonKind, values: Values, config: Config): DaemonTarget {
  const url = values[kind.name];
  if (typeof url === 'string') {
    if (typeof values.socket === 'string')
      throw new CibsyncError('CIBSYNC_USAGE', `give --socket PATH (this host) or --${kind.name} URL (HTTPS), not both`);
    return { url };
  }
  if (typeof values.socket === 'string') return { socket: values.socket };
  const socket = kind.socketOf(config);
  if (!socket)
    throw new CibsyncError(
      'CIBSYNC_USAGE',
      `${kind.name}.adminSocket is empty (no admin socket): give --socket PATH, or --${kind.name} URL with a client certificate`,
    );
  return { socket };
}

/** The connection failures that mean "no daemon behind this socket", with what the operator can do. */
function unreachable(kind: DaemonKind, socket: string, err: unknown): CibsyncError | undefined {
  const cause = err instanceof CibsyncError ? err.details.cause : undefined;
  const agent = kind.name === 'subscriber' ? 'Subscriber' : 'Publisher';
  const hint = `is the ${kind.name} running on this node? (crm_resource --locate --resource <the ${agent} resource>; run the command on that node, or give --socket PATH or --${kind.name} URL)`;
  const what =
    cause === 'ENOENT'
      ? `no admin socket at ${socket}`
      : cause === 'ECONNREFUSED'
        ? `nothing answers on ${socket} (a stopped ${kind.name}'s socket)`
        : cause === 'EACCES'
          ? `${socket}: permission denied (the admin socket is root's: run the command as root)`
          : cause === 'ENOTSOCK'
            ? `${socket} is not a socket`
            : undefined;
  return what === undefined
    ? undefined
    : new CibsyncError('CIBSYNC_ADMIN_SOCKET_UNREACHABLE', cause === 'EACCES' ? what : `${what}: ${hint}`, {
        socket,
        cause,
      });
}

/** Calls a route of the subscriber and returns its answer's text; a problem+json answer becomes its CibsyncError. */
export function requestSubscriber(values: Values, route: Route, call: SubscriberRequest = {}): Promise<string> {
  return requestDaemon(SUBSCRIBER, values, route, call);
}

/** Calls a route of a daemon (its admin socket, or --subscriber/--publisher URL) and returns its answer's text. */
export async function requestDaemon(
  kind: DaemonKind,
  values: Values,
  route: Route,
  call: SubscriberRequest = {},
): Promise<string> {
  const config = configFromFlags({ config: values.config });
  const target = daemonTarget(kind, values, config);
  const timeoutMs = timeoutOf(values);
  const client = new MtlsClient(
    'socket' in target ? { socketPath: target.socket } : clientMaterial(values, config),
    Math.min(timeoutMs, 10_000),
  );
  const path = call.id === undefined ? route.path : planPath(route, call.id);
  // Over the socket the host part is only the Host header; errors name the socket instead.
  const url = new URL(path, 'socket' in target ? 'http://localhost' : target.url).toString();
  const where = 'socket' in target ? `${target.socket} ${path}` : url;
  const headers: Record<string, string> = {
    [HEADER.accept]: call.accept ?? CONTENT_TYPE.json,
    ...(call.contentType ? { [HEADER.contentType]: call.contentType } : {}),
  };
  try {
    const response = await client
      .request(url, {
        method: route.method,
        headers,
        body: call.body,
        maxBytes: 16 * 1024 * 1024,
        headersTimeoutMs: timeoutMs,
        bodyTimeoutMs: timeoutMs,
        deadlineMs: timeoutMs,
      })
      .catch((err: unknown) => {
        throw ('socket' in target && unreachable(kind, target.socket, err)) || err;
      });
    if (response.status !== 200) throw errorFromProblem(where, response.status, response.body);
    return response.body.toString('utf8');
  } finally {
    await client.close();
  }
}

/** Calls the subscriber and returns its JSON answer; a problem+json answer becomes its CibsyncError. */
export async function callSubscriber(values: Values, route: Route, call?: SubscriberRequest): Promise<unknown> {
  return JSON.parse(await requestSubscriber(values, route, call)) as unknown;
}
