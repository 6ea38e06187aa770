// One configuration model. A JSON file (--config), command-line flags and the OCF agents' parameters
// all map onto it; unknown keys are errors, so a typo never silently falls back to a default.
import { readFileSync } from 'node:fs';
import { CibsyncError } from '../errors.js';
import { ENGINE_NAMES, type EngineName } from '../transform/engine.js';

export interface SiteLocalConfig {
  /** crm_config properties owned by the local cluster. */
  crmConfigProperties: string[];
  /** Pacemaker tag whose members stay local (and, in a publication, never cross). */
  tag: string;
  stonith: boolean;
  booth: boolean;
  cibsync: boolean;
  /** Extra ids (resources or constraints) that stay local. */
  ids: string[];
  /** Node attributes never taken from a publication: they describe this server's state, not its settings. */
  nodeAttributes: string[];
}

export interface TlsConfig {
  cert: string;
  key: string;
  ca: string;
  /** Client certificate subjects (CN) or SHA-256 fingerprints allowed; empty means any cert from the CA. */
  allow: string[];
  /** How often the certificate files are checked for a change when no file event says so (SIGHUP also reloads). */
  certCheckMs: number;
}

export interface PublisherConfig extends TlsConfig {
  listen: string;
  port: number;
  /** How long a ticket answer is trusted before crm_ticket is asked again. */
  ticketCacheMs: number;
  /** How often the CIB is checked for a change when nothing signals one. */
  changePollMs: number;
  /** The longest a change-feed request (`?wait=`) is held before it is answered 304. */
  waitMaxMs: number;
  /** Client subjects or fingerprints allowed to POST /v1/replicate-now; empty means every allowed client. */
  replicateNowAllow: string[];
}

export interface SubscriberConfig extends TlsConfig {
  listen: string;
  port: number;
  publishers: string[];
  pollIntervalMs: number;
  requestTimeoutMs: number;
  approval: 'auto' | 'manual';
  /**
   * Client certificate subjects (CN or whole subject) or SHA-256 fingerprints allowed to decide a plan
   * (approve, reject, edit) over HTTPS; empty means operator certificates only (`certs issue --operator`).
   */
  admins: string[];
  /** 'long-poll' follows the publisher's change feed; 'poll' only fetches every pollIntervalMs. */
  feed: 'long-poll' | 'poll';
  /** How long the subscriber asks a publisher to hold a change-feed request. */
  waitMs: number;
  /** First retry delay after a failure; doubles (with jitter) up to pollIntervalMs. */
  backoffMinMs: number;
  /** How often the local CIB is checked for a change (to notice this site gaining the ticket). */
  changePollMs: number;
  /** Least time between the starts of two rounds, whatever the publishers answer. */
  minRoundIntervalMs: number;
}

/** Who may publish: checked on every publication the subscriber or `cibsync import` takes (docs/publication.md). */
export interface TrustConfig {
  /** CA bundle a publication's signer certificate must be issued by; empty: subscriber.ca, else publisher.ca. */
  ca: string;
  /** Per source site: the certificates (CN, whole subject or SHA-256 fingerprint) trusted to sign its publications. */
  publishers: Record<string, string[]>;
  /** Take publications that carry no signature (format 1, `export --unsigned`), trusting their claimed site. */
  allowUnsigned: boolean;
}

export interface Config {
  site?: string;
  ticket?: string;
  transforms?: string;
  transformChain: string[];
  transformParams: Record<string, string>;
  /** The source site's networks (CIDR) and path prefixes: what `cibsync transform lint` looks for. */
  sourceNetworks: string[];
  sourcePathPrefixes: string[];
  engine: EngineName;
  nodeMap: Record<string, string>;
  stateDir: string;
  backups: number;
  maxPublicationBytes: number;
  /** Every Pacemaker tool run's timeout: this much, plus toolTimeoutPerMiBMs per MiB of CIB it reads (crm_verify, crm_diff, cibadmin --patch). */
  toolTimeoutMs: number;
  toolTimeoutPerMiBMs: number;
  verifyBaseline: 'local' | 'source';
  allowEmpty: boolean;
  siteLocal: SiteLocalConfig;
  trust: TrustConfig;
  logLevel: string;
  publisher?: PublisherConfig;
  subscriber?: SubscriberConfig;
}

export function defaultConfig(): Config {
  return {
    transformChain: [],
    transformParams: {},
    sourceNetworks: [],
    sourcePathPrefixes: [],
    engine: 'xsltproc',
    nodeMap: {},
    stateDir: '/var/lib/cibsync',
    backups: 10,
    // Measured (docs/benchmarks.md, "Memory of a large publication"): admits a 10,000-primitive CIB; docs/configuration.md says why not more.
    maxPublicationBytes: 2 * 1024 * 1024,
    toolTimeoutMs: 60_000,
    toolTimeoutPerMiBMs: 120_000,
    verifyBaseline: 'source',
    allowEmpty: false,
    siteLocal: {
      crmConfigProperties: ['cluster-name', 'dc-version', 'cluster-infrastructure', 'have-watchdog'],
      tag: 'cibsync-local',
      stonith: true,
      booth: true,
      cibsync: true,
      ids: [],
      nodeAttributes: ['standby', 'maintenance'],
    },
    trust: { ca: '', publishers: {}, allowUnsigned: false },
    logLevel: process.env.CIBSYNC_LOG_LEVEL ?? 'info',
  };
}

const TLS_DEFAULTS = { cert: '', key: '', ca: '', allow: [] as string[], certCheckMs: 10_000 };
const PUBLISHER_DEFAULTS: PublisherConfig = { ...TLS_DEFAULTS, listen: '0.0.0.0', port: 7443, ticketCacheMs: 500, changePollMs: 250, waitMaxMs: 25_000, replicateNowAllow: [] };
const SUBSCRIBER_DEFAULTS: SubscriberConfig = { ...TLS_DEFAULTS, listen: '0.0.0.0', port: 7444, publishers: [], pollIntervalMs: 30_000, requestTimeoutMs: 30_000, approval: 'auto', admins: [], feed: 'long-poll', waitMs: 25_000, backoffMinMs: 500, changePollMs: 250, minRoundIntervalMs: 500 };

type Kind = 'string' | 'number' | 'boolean' | 'string[]' | 'record';

function check(path: string, value: unknown, kind: Kind): void {
  const ok =
    kind === 'string[]'
      ? Array.isArray(value) && value.every((v) => typeof v === 'string')
      : kind === 'record'
        ? typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
        : typeof value === kind && !(kind === 'number' && !Number.isFinite(value as number));
  if (!ok) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `setting ${path}: expected ${kind}, got ${JSON.stringify(value)}`);
}

/** Copies the keys of `input` onto `target`, checking each against the type of the default. */
function merge(target: Record<string, unknown>, input: Record<string, unknown>, path: string, optional: Record<string, Kind> = {}): void {
  for (const [key, value] of Object.entries(input)) {
    const where = path ? `${path}.${key}` : key;
    const current = target[key];
    const kind: Kind | undefined = optional[key] ?? (Array.isArray(current) ? 'string[]' : typeof current === 'object' && current !== null ? 'record' : (typeof current as Kind));
    if (!(key in target) && !(key in optional)) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `unknown setting ${where}`);
    if (kind === 'record' && current && Object.values(current).some((v) => typeof v !== 'string')) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `setting ${where}: expected an object`);
      merge(current as Record<string, unknown>, value as Record<string, unknown>, where);
      continue;
    }
    check(where, value, kind as Kind);
    target[key] = value;
  }
}

/** trust.publishers maps a site to a list of identities (one string is a list of one). */
function applyTrust(trust: TrustConfig, input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', 'setting trust: expected an object');
  const { publishers, ...rest } = input as Record<string, unknown>;
  merge(trust as unknown as Record<string, unknown>, rest, 'trust');
  if (publishers === undefined) return;
  if (typeof publishers !== 'object' || publishers === null || Array.isArray(publishers)) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', 'setting trust.publishers: expected an object of site: [identity, …]');
  const entries = Object.entries(publishers).map(([site, identities]) => {
    const list: unknown = typeof identities === 'string' ? [identities] : identities;
    check(`trust.publishers.${site}`, list, 'string[]');
    return [site, list as string[]] as const;
  });
  // Defined, not assigned: a site named __proto__ stays an ordinary key (lookups use Object.hasOwn).
  trust.publishers = { ...trust.publishers, ...Object.fromEntries(entries) };
}

const OPTIONAL_TOP: Record<string, Kind> = { site: 'string', ticket: 'string', transforms: 'string' };

export function applySettings(config: Config, input: Record<string, unknown>, origin = 'settings'): Config {
  try {
    const { publisher, subscriber, trust, ...rest } = input;
    merge(config as unknown as Record<string, unknown>, rest, '', OPTIONAL_TOP);
    if (trust !== undefined) applyTrust(config.trust, trust);
    if (publisher !== undefined) {
      config.publisher ??= { ...PUBLISHER_DEFAULTS, allow: [], replicateNowAllow: [] };
      merge(config.publisher as unknown as Record<string, unknown>, publisher as Record<string, unknown>, 'publisher');
    }
    if (subscriber !== undefined) {
      config.subscriber ??= { ...SUBSCRIBER_DEFAULTS, allow: [], publishers: [], admins: [] };
      merge(config.subscriber as unknown as Record<string, unknown>, subscriber as Record<string, unknown>, 'subscriber');
    }
  } catch (err) {
    if (err instanceof CibsyncError) throw new CibsyncError(err.code, `${origin}: ${err.message}`);
    throw err;
  }
  if (!ENGINE_NAMES.includes(config.engine)) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${origin}: engine must be one of ${ENGINE_NAMES.join(', ')}`);
  if (!(config.toolTimeoutMs >= 1) || !(config.toolTimeoutPerMiBMs >= 0)) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${origin}: toolTimeoutMs must be at least 1 and toolTimeoutPerMiBMs at least 0`);
  if (!['local', 'source'].includes(config.verifyBaseline)) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${origin}: verifyBaseline must be "local" or "source"`);
  if (config.subscriber && !['auto', 'manual'].includes(config.subscriber.approval)) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${origin}: subscriber.approval must be "auto" or "manual"`);
  if (config.subscriber && !['long-poll', 'poll'].includes(config.subscriber.feed)) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${origin}: subscriber.feed must be "long-poll" or "poll"`);
  return config;
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level must be an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Defaults, then the config file, then the overrides (flags or OCF parameters), in that order. */
export function loadConfig(file: string | undefined, overrides: Record<string, unknown> = {}): Config {
  const config = defaultConfig();
  if (file) applySettings(config, readConfigFile(file), file);
  return applySettings(config, overrides, 'command line');
}

/** "remote=local,remote2=local2" → { remote: 'local', … } */
export function parseNodeMap(text: string): Record<string, string> {
  // Own properties only (Object.fromEntries): a server named __proto__ maps like any other.
  return Object.fromEntries(
    text.split(',').map((s) => s.trim()).filter(Boolean).map((pair) => {
      const [remote, local, ...rest] = pair.split('=');
      if (!remote || !local || rest.length > 0) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `node map entry '${pair}': expected remote=local`);
      return [remote, local];
    }),
  );
}
