// The settings, declared once: every key with its kind, allowed values or range, default and one line
// of documentation. The TypeScript types are derived from it (Static), ajv validates against it
// (validate.ts), docs/configuration.md is checked against it (test/config/docs.test.ts).
//
// Annotations besides JSON Schema's own (registered with ajv as annotations, see validate.ts):
// - requiredFor: the daemons ('publisher', 'subscriber') that cannot run without this key set (not
//   empty); waivedBy names a boolean setting that lifts the requirement.
// - mergeByKey: a map that a later source (flags, OCF parameters) extends entry by entry instead of
//   replacing. Sections (objects with fixed keys) always merge key by key.
// - oneIsList: a list that may be written as one string (a list of one).
// - expected: what a pattern means, for the error message.
import { type Static, type TString, Type } from '@sinclair/typebox';
import { ENGINE_NAMES } from '../transform/engine.js';

export type Role = 'publisher' | 'subscriber';
export const ROLES: readonly Role[] = ['publisher', 'subscriber'];

/** pino's levels: the logger refuses any other name. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The longest a timer can wait in Node (2^31-1 ms); past it setTimeout fires at once. One day is plenty for any of ours. */
const DAY_MS = 86_400_000;

interface Annotations {
  requiredFor?: Role[];
  waivedBy?: string;
}

const text = (description: string, options: Annotations & { default?: string } = {}) =>
  Type.String({ description, ...options });
const list = (description: string, options: Annotations & { default?: string[]; items?: TString } = {}) => {
  const { items = Type.String(), default: initial = [], ...rest } = options;
  return Type.Array(items, { description, default: initial, ...rest });
};
const flag = (description: string, initial: boolean) => Type.Boolean({ description, default: initial });
const choice = <T extends string>(values: readonly T[], description: string, initial: T) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description, default: initial });
/** A duration in milliseconds: a whole number from `minimum` to one day. */
const ms = (description: string, initial: number, minimum = 1) =>
  Type.Integer({ description, default: initial, minimum, maximum: DAY_MS });
const port = (description: string, initial: number) =>
  Type.Integer({ description, default: initial, minimum: 0, maximum: 65535 });
const stringMap = (description: string) => Type.Record(Type.String(), Type.String(), { description, default: {} });

/** The keys both daemons have: their TLS material and who may connect. */
function tlsProperties(role: Role) {
  return {
    cert: text('PEM certificate: TLS server certificate, and client certificate towards the peers', {
      default: '',
      requiredFor: [role],
    }),
    key: text('PEM private key of the certificate', { default: '', requiredFor: [role] }),
    ca: text("CA bundle the peers' certificates must chain to", { default: '', requiredFor: [role] }),
    allow: list(
      'client certificate subjects (CN or whole subject) or SHA-256 fingerprints allowed; empty: any certificate of the CA',
    ),
    certCheckMs: ms(
      'how often the certificate files are checked for a change when no file event says so (SIGHUP also reloads)',
      10_000,
    ),
  };
}

/** Where the subscriber serves local root (services/net/admin-socket.ts); the CLI's default too. */
export const DEFAULT_ADMIN_SOCKET = '/run/cibsync/subscriber.sock';
/** Where the publisher serves local root (`cibsync sites` at the ticket holder). */
export const DEFAULT_PUBLISHER_ADMIN_SOCKET = '/run/cibsync/publisher.sock';

const adminGroup = () =>
  text(
    "group that may also open the admin socket (booth's before-acquire handler runs as hacluster); empty or a missing group: root only",
    { default: 'haclient' },
  );

export const PublisherSchema = Type.Object(
  {
    ...tlsProperties('publisher'),
    listen: text('address the publisher listens on', { default: '0.0.0.0' }),
    port: port('port the publisher listens on (0: any free port, logged)', 7443),
    ticketCacheMs: ms('how long a ticket answer is trusted before crm_ticket is asked again', 500, 0),
    changePollMs: ms('how often the CIB is checked for a change when nothing signals one', 250),
    waitMaxMs: ms('the longest a change-feed request (?wait=) is held before it is answered 304', 25_000, 0),
    replicateNowAllow: list('who may POST /v1/replicate-now; empty: every allowed client'),
    adminSocket: text(
      'Unix domain socket where the publisher also serves its API to local root, without TLS; empty: none',
      { default: DEFAULT_PUBLISHER_ADMIN_SOCKET },
    ),
    adminGroup: adminGroup(),
    notSeenAfterMs: ms(
      'a subscriber site that made no request for this long is shown as not seen (GET /v1/sites, cibsync sites)',
      60_000,
    ),
  },
  { additionalProperties: false, description: 'the publisher daemon', requiredFor: ['publisher'] },
);

/** When booth may give this site the ticket (the before-acquire handler, `cibsync takeover ready`): each condition can be switched off. */
export const ReadinessSchema = Type.Object(
  {
    requireApplied: flag(
      'the last publication of every scope of the ticket is applied here, and replication is not on hold',
      true,
    ),
    // Booth's own failover of an automatic ticket comes only after the holder's term expired (booth's
    // default expire is 600 s), and from the holder's death on nothing confirms: 15 min lets that pass.
    maxAgeMs: ms(
      'from 0 (0: no limit); the longest since a publisher that serves confirmed that this site holds its current publication',
      900_000,
      0,
    ),
    refuseAfterFailedImport: flag('refuse while an import failed since the last applied publication', true),
    refusePendingPlan: flag('refuse while a plan waits for approval (manual approval)', true),
  },
  { additionalProperties: false, description: 'when this site is ready to take the ticket' },
);

export const SubscriberSchema = Type.Object(
  {
    ...tlsProperties('subscriber'),
    listen: text("address the subscriber's own HTTPS port listens on", { default: '0.0.0.0' }),
    port: port("the subscriber's own HTTPS port (0: any free port, logged)", 7444),
    publishers: list('https:// URL of the publisher of every other site', {
      requiredFor: ['subscriber'],
      items: Type.String({ pattern: '^https://', expected: 'an https:// URL' }),
    }),
    pollIntervalMs: ms('poll interval in poll mode, and the cap of the retry backoff', 30_000),
    requestTimeoutMs: ms(
      'deadline of each request to a publisher (connect, headers, body), on top of the wait',
      30_000,
    ),
    connectTimeoutMs: ms('time allowed to connect to a publisher (TCP and TLS handshake)', 3_000),
    retryMaxMs: ms(
      'the longest wait between two rounds after a failure (the backoff cap, at most pollIntervalMs)',
      1_000,
    ),
    approval: choice(
      ['auto', 'manual'] as const,
      'auto applies at once; manual records a plan that an operator decides',
      'auto',
    ),
    admins: list('certificates allowed to decide a plan over HTTPS; empty: operator certificates only'),
    adminSocket: text(
      'Unix domain socket where the subscriber also serves its API to local root, without TLS; empty: none',
      { default: DEFAULT_ADMIN_SOCKET },
    ),
    adminGroup: adminGroup(),
    feed: choice(
      ['long-poll', 'poll'] as const,
      "long-poll follows the publisher's change feed; poll only fetches every pollIntervalMs",
      'long-poll',
    ),
    waitMs: ms('how long the subscriber asks a publisher to hold a change-feed request', 25_000, 0),
    backoffMinMs: ms('first retry delay after a failure; doubles (with jitter) up to pollIntervalMs', 500),
    changePollMs: ms('how often the local CIB is checked for a change (to notice this site gaining the ticket)', 250),
    minRoundIntervalMs: ms('least time between the starts of two rounds, whatever the publishers answer', 500, 0),
    readiness: ReadinessSchema,
    boothConfigDir: text(
      "folder of booth's configurations (*.conf): a ticket one of them declares is granted with booth grant, any other with crm_ticket",
      { default: '/etc/booth' },
    ),
  },
  { additionalProperties: false, description: 'the subscriber daemon', requiredFor: ['subscriber'] },
);

export const SiteLocalSchema = Type.Object(
  {
    crmConfigProperties: list('crm_config properties owned by the local cluster', {
      default: ['cluster-name', 'dc-version', 'cluster-infrastructure', 'have-watchdog'],
    }),
    tag: text('Pacemaker tag whose members stay local (and never cross)', { default: 'cibsync-local' }),
    stonith: flag('fencing devices and fencing-topology stay local', true),
    booth: flag('booth-site resources stay local', true),
    cibsync: flag('ocf:cibsync:* resources stay local', true),
    ids: list('more ids (resources or constraints) that stay local'),
    nodeAttributes: list("node attributes that describe a server's state, not its settings: never replicated", {
      default: ['standby', 'maintenance'],
    }),
  },
  { additionalProperties: false, description: 'what stays local at each site' },
);

/** Transient node attributes that cross (opt-in): which, how often, and onto which local servers besides nodeMap's. */
export const RuntimeAttributesSchema = Type.Object(
  {
    names: list(
      'transient (--lifetime reboot) node attributes that cross, by name or glob pattern (* and ?); empty: none',
      { items: Type.String({ minLength: 1, pattern: '^[^\\s]+$', expected: 'a name or glob pattern without spaces' }) },
    ),
    minIntervalMs: ms(
      "least time between two reads of the status at the publisher, and between two writes of a server's runtime attributes at the subscriber",
      5_000,
      100,
    ),
    prefixedNodeMap: Type.Record(Type.String(), Type.Array(Type.String(), { oneIsList: true }), {
      description:
        'remote server → local servers (an N+1 standby) that also hold its runtime attributes, each named <remote>:<name>',
      default: {},
      mergeByKey: true,
    }),
  },
  { additionalProperties: false, description: 'transient node attributes that cross' },
);

export const TrustSchema = Type.Object(
  {
    ca: text(
      "CA bundle a publication's signer certificate must be issued by; empty: subscriber.ca, else publisher.ca",
      { default: '' },
    ),
    publishers: Type.Record(Type.String(), Type.Array(Type.String(), { oneIsList: true }), {
      description:
        'per source site, the certificates (CN, whole subject or SHA-256 fingerprint) trusted to sign its publications',
      default: {},
      mergeByKey: true,
      requiredFor: ['subscriber'],
      waivedBy: 'trust.allowUnsigned',
    }),
    allowUnsigned: flag('take publications that carry no signature, trusting their claimed site', false),
  },
  { additionalProperties: false, description: 'who may publish' },
);

/** The scope name that stands for the global scope: no ticket may be called so. */
export const GLOBAL_SCOPE = 'global';
/** scopes.global's value when no ticket carries the global scope. */
export const NO_GLOBAL = 'none';

export const ScopesSchema = Type.Object(
  {
    tickets: list(
      "the tickets whose scopes are replicated, each by its holder as a publication of its own; empty: the whole configuration follows 'ticket'",
      {
        items: Type.String({
          pattern: '^(?!global$)[A-Za-z_][A-Za-z0-9_.:-]*$',
          expected: "a ticket name other than 'global'",
        }),
      },
    ),
    global: text(
      "the ticket of scopes.tickets whose holder also publishes the global scope, or 'none' (not replicated); required with scopes.tickets",
      { default: '' },
    ),
  },
  { additionalProperties: false, description: 'ticket-scoped replication (active/active sites)' },
);

export const ConfigSchema = Type.Object(
  {
    site: Type.Optional(
      text(
        "this site's name (published as site; passed to transforms as local_site); default: the cluster-name property",
      ),
    ),
    ticket: Type.Optional(
      text('the booth ticket that marks the active site', {
        requiredFor: ['publisher', 'subscriber'],
        waivedBy: 'scopes.tickets',
      }),
    ),
    transforms: Type.Optional(text("directory of this site's stylesheets")),
    transformChain: list('the stylesheets in order: names relative to transforms, or absolute paths'),
    transformParams: stringMap('string parameters for every stylesheet (besides local_site and source_site)'),
    sourceNetworks: list("the other sites' networks (CIDR), for cibsync transform lint"),
    sourcePathPrefixes: list("the other sites' path prefixes, for cibsync transform lint"),
    engine: choice(ENGINE_NAMES, 'the XSLT engine', 'xsltproc'),
    nodeMap: stringMap('remote server → local server, for node attributes'),
    stateDir: text('where the state is kept: applied publications, backups, plans, the hold', {
      default: '/var/lib/cibsync',
    }),
    backups: Type.Integer({ description: 'configuration backups kept', default: 10, minimum: 1, maximum: 10_000 }),
    // Measured (docs/benchmarks.md, "Memory of a large publication"): admits a 10,000-primitive CIB; docs/configuration.md says why not more.
    maxPublicationBytes: Type.Integer({
      description: 'larger publications are refused',
      default: 1024 * 1024,
      minimum: 1,
      maximum: 2 ** 31 - 1,
    }),
    ticketPollMs: ms(
      "live cluster: how often the ticket's state is queried while Pacemaker's change notifications cannot be had",
      1_000,
    ),
    toolTimeoutMs: ms('timeout of every Pacemaker tool run, plus toolTimeoutPerMiBMs per MiB of CIB it reads', 60_000),
    toolTimeoutPerMiBMs: ms('see toolTimeoutMs', 120_000, 0),
    verifyBaseline: choice(
      ['local', 'source'] as const,
      "what crm_verify's verdict on the candidate is compared with",
      'source',
    ),
    allowEmpty: flag('allow a publication that would remove every replicated resource', false),
    siteLocal: SiteLocalSchema,
    scopes: ScopesSchema,
    trust: TrustSchema,
    runtimeAttributes: RuntimeAttributesSchema,
    logLevel: choice(LOG_LEVELS, 'pino log level (default: $CIBSYNC_LOG_LEVEL, else info)', 'info'),
    publisher: Type.Optional(PublisherSchema),
    subscriber: Type.Optional(SubscriberSchema),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type PublisherConfig = Static<typeof PublisherSchema>;
export type SubscriberConfig = Static<typeof SubscriberSchema>;
export type ReadinessConfig = Static<typeof ReadinessSchema>;
export type SiteLocalConfig = Static<typeof SiteLocalSchema>;
export type TrustConfig = Static<typeof TrustSchema>;
export type ScopesConfig = Static<typeof ScopesSchema>;
export type RuntimeAttributesConfig = Static<typeof RuntimeAttributesSchema>;
export type TlsConfig = Pick<PublisherConfig, 'cert' | 'key' | 'ca' | 'allow' | 'certCheckMs'>;
export type LogLevel = (typeof LOG_LEVELS)[number];
