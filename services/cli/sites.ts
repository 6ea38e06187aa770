import { DEFAULT_PUBLISHER_ADMIN_SOCKET } from '../config/schema.js';
import { type SitesView, verdictText } from '../publisher/sites.js';
import { PUBLISHER_ROUTES } from '../wire/index.js';
import { type Command, type OptionTable, parse, printHelp, usageLine } from './command.js';
import type { OptionSpec } from './options.js';
import { OUTPUT_AS, outputAs } from './options.js';
import { PUBLISHER, requestDaemon, SUBSCRIBER_CLIENT_OPTIONS } from './subscriber-client.js';

const OPTIONS: OptionTable = {
  socket: {
    kind: 'text',
    value: 'PATH',
    description: `the publisher's admin socket on this host (default: publisher.adminSocket of --config, else ${DEFAULT_PUBLISHER_ADMIN_SOCKET})`,
  },
  publisher: {
    kind: 'text',
    value: 'URL',
    description: 'reach a publisher over HTTPS instead, with a client certificate (e.g. https://192.0.2.10:7443)',
  },
  config: SUBSCRIBER_CLIENT_OPTIONS.config as OptionSpec,
  cert: {
    kind: 'text',
    value: 'FILE',
    description: "client certificate for --publisher (default: this site's own, from --config)",
  },
  key: { kind: 'text', value: 'FILE', description: 'its private key' },
  ca: { kind: 'text', value: 'FILE', description: "the CA bundle the publisher's certificate must chain to" },
  timeout: SUBSCRIBER_CLIENT_OPTIONS.timeout as OptionSpec,
  'output-as': OUTPUT_AS,
};

const HELP = `
Asks the publisher (at the site that holds the ticket) how every site stands: its own site (tickets held, what it
publishes) and each subscriber site that follows it, from what that subscriber reports with its requests: the
publication it applied, its lag, its last error, its pending plans, and a verdict: current, behind, failing, or
not seen for N s (no request for publisher.notSeenAfterMs). A subscriber site is named by its certificate (the
trust.publishers site it is trusted for, else its CN), never by what it says. Text lines start with \`site NAME:\`.
Without --publisher the command talks to the publisher of this host on its admin socket: --socket PATH, else
publisher.adminSocket of --config (default ${DEFAULT_PUBLISHER_ADMIN_SOCKET}); root only, no certificate.
--publisher URL reaches a publisher over HTTPS; the client certificate is --cert/--key/--ca, or this site's own from --config.
`;

const short = (digest: string) => `${digest.slice(0, 16)}…`;

export function formatSites(v: SitesView): string {
  const p = v.publisher;
  const pub = p.publishes;
  const lines = [
    `site ${p.site ?? '(this site)'}: publisher; ${p.tickets.length > 0 ? `holds ${p.tickets.join(', ')}` : `does not hold ${p.ticket}`}; ${
      pub
        ? `publishes the configuration at epoch ${pub.adminEpoch}.${pub.epoch} (digest ${short(pub.digest)}, built ${pub.created})`
        : `publishes nothing (${p.notServing ?? 'starting'})`
    }${p.lastError ? `; last error: ${p.lastError.code}: ${p.lastError.message}` : ''}`,
  ];
  for (const s of v.subscribers) {
    const claim = s.reportedSite && s.reportedSite !== s.site ? ` (reports itself as ${s.reportedSite})` : '';
    const applied = s.applied ? `applied ${short(s.applied.digest)} at ${s.applied.at}` : 'applied nothing yet';
    const lag = s.lagSeconds === undefined ? '' : `; lag ${s.lagSeconds.toFixed(1)} s`;
    const seen = s.connected ? 'connected now' : s.seenAt;
    const error = s.error ? `${s.error.code}: ${s.error.message} (at ${s.error.at})` : 'none';
    const plans = s.pendingPlans.length > 0 ? s.pendingPlans.join(' ') : 'none';
    lines.push(
      `site ${s.site}${claim}: ${verdictText(s)}; ${applied}${lag}; seen: ${seen}; last error: ${error}; pending plans: ${plans}${s.held ? '; replication on hold there' : ''}`,
    );
  }
  if (v.subscribers.length === 0) lines.push('no subscriber site has reported to this publisher yet');
  lines.push(`(not seen: no request for ${v.notSeenAfterMs / 1000} s, publisher.notSeenAfterMs)`);
  return `${lines.join('\n')}\n`;
}

const command: Command = {
  name: 'sites',
  summary:
    'Show every site as the publisher sees it: tickets held, what it publishes, each subscriber site with its applied publication, lag, last error, pending plans and a verdict.',
  usage: usageLine('sites'),
  async run(argv) {
    const { values } = parse(this, argv, OPTIONS, false);
    if (values.help) return printHelp(this, OPTIONS, HELP);
    const format = outputAs(values);
    const view = JSON.parse(await requestDaemon(PUBLISHER, values, PUBLISHER_ROUTES.sites)) as SitesView;
    process.stdout.write(format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : formatSites(view));
    return 0;
  },
};
export default command;
