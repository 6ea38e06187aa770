// `cibsync replicate-now` and `cibsync status` talk to the subscriber's HTTPS port with a client
// certificate: by default the subscriber's own (from its config), at https://127.0.0.1:PORT.

import type { Config } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import { MtlsClient } from '../net/client.js';
import { loadTlsMaterial, type TlsMaterial } from '../net/tls-material.js';
import { CONTENT_TYPE, errorFromProblem, HEADER, planPath, type Route } from '../wire/index.js';
import { CONFIG_OPTIONS, configFromFlags, type OptionTable, type Values } from './command.js';
import type { OptionSpec } from './options.js';

export const OUTPUT_AS: OptionSpec = {
  kind: 'choice',
  choices: ['text', 'json'],
  description: 'output format (default: text)',
};

export const SUBSCRIBER_CLIENT_OPTIONS: OptionTable = {
  subscriber: {
    kind: 'text',
    value: 'URL',
    description: "the subscriber's HTTPS address (default: https://127.0.0.1:<subscriber.port> of --config)",
  },
  config: CONFIG_OPTIONS.config as OptionSpec,
  cert: {
    kind: 'text',
    value: 'FILE',
    description: "client certificate (default: the subscriber's own, from --config)",
  },
  key: { kind: 'text', value: 'FILE', description: 'its private key' },
  ca: { kind: 'text', value: 'FILE', description: "the CA bundle the subscriber's certificate must chain to" },
  timeout: { kind: 'seconds', description: 'how long to wait for the answer (default: 120)' },
  'output-as': OUTPUT_AS,
};

export const SUBSCRIBER_CLIENT_HELP =
  "\n--subscriber URL defaults to https://127.0.0.1:<subscriber.port> of --config. The client certificate is --cert/--key/--ca, or the subscriber's own from --config.\n";

/** --output-as (checked against OUTPUT_AS's choices when parsed). */
export function outputAs(values: Values): 'text' | 'json' {
  return values['output-as'] === 'json' ? 'json' : 'text';
}

/** The client certificate for talking to a subscriber or publisher: --cert/--key/--ca, or the subscriber's own from the config. */
export function clientMaterial(values: Values, config: Config): TlsMaterial {
  const pick = (name: 'cert' | 'key' | 'ca') =>
    typeof values[name] === 'string' ? (values[name] as string) : (config.subscriber?.[name] ?? '');
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

/** Calls a route of the subscriber and returns its answer's text; a problem+json answer becomes its CibsyncError. */
export async function requestSubscriber(values: Values, route: Route, call: SubscriberRequest = {}): Promise<string> {
  const config = configFromFlags({ config: values.config });
  const section = config.subscriber;
  const base =
    typeof values.subscriber === 'string'
      ? values.subscriber
      : section
        ? `https://127.0.0.1:${section.port}`
        : undefined;
  if (!base) throw new CibsyncError('CIBSYNC_USAGE', 'give --subscriber URL, or --config with a "subscriber" section');
  const timeoutMs = timeoutOf(values);
  const client = new MtlsClient(clientMaterial(values, config), Math.min(timeoutMs, 10_000));
  const url = new URL(call.id === undefined ? route.path : planPath(route, call.id), base).toString();
  const headers: Record<string, string> = {
    [HEADER.accept]: call.accept ?? CONTENT_TYPE.json,
    ...(call.contentType ? { [HEADER.contentType]: call.contentType } : {}),
  };
  try {
    const response = await client.request(url, {
      method: route.method,
      headers,
      body: call.body,
      maxBytes: 16 * 1024 * 1024,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
      deadlineMs: timeoutMs,
    });
    if (response.status !== 200) throw errorFromProblem(url, response.status, response.body);
    return response.body.toString('utf8');
  } finally {
    await client.close();
  }
}

/** Calls the subscriber and returns its JSON answer; a problem+json answer becomes its CibsyncError. */
export async function callSubscriber(values: Values, route: Route, call?: SubscriberRequest): Promise<unknown> {
  return JSON.parse(await requestSubscriber(values, route, call)) as unknown;
}
