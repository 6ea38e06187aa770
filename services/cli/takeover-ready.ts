// `cibsync takeover ready [TICKET]`: asks the running subscriber whether this site's replica is ready
// for it to take the ticket (GET /v1/takeover/:ticket/readiness). Exit 0 when ready, 10 (EXIT.notReady)
// with one CIBSYNC_READY_* reason per failed condition otherwise. Booth's before-acquire handler
// (agents/cibsync-before-acquire) runs it before every acquire and every renewal of the ticket.
//
// A subscriber that does not answer cannot vouch for the replica: not ready (fail closed), unless this
// site holds the ticket, which is booth renewing it at the active site. There a refusal would make
// booth give up the ticket: a stopped subscriber must not move the active site.
import type { Config } from '../config/index.js';
import { asCibsyncError, type CibsyncError, EXIT } from '../errors.js';
import type { ReadinessVerdict } from '../subscriber/readiness.js';
import { SUBSCRIBER_ROUTES } from '../wire/index.js';
import { type Command, configFromFlags, pacemakerFor, parse, printHelp, usageLine } from './command.js';
import { outputAs } from './options.js';
import { callSubscriber, SUBSCRIBER_CLIENT_HELP, SUBSCRIBER_CLIENT_OPTIONS } from './subscriber-client.js';
import { ticketOf } from './takeover-ticket.js';

/** The verdict when the subscriber did not answer: only a site that holds the ticket passes. */
async function unanswered(ticket: string, config: Config, error: CibsyncError): Promise<ReadinessVerdict> {
  const at = new Date().toISOString();
  const why = `the subscriber did not answer (${error.code}: ${error.message})`;
  let held: string;
  try {
    const state = await pacemakerFor(config).ticket(ticket);
    if (state.granted && !state.standby)
      return { ticket, ready: true, at, reasons: [], scopes: [], note: `${why}; this site holds ticket ${ticket}` };
    held = state.granted ? 'holds it on standby' : 'does not hold it';
  } catch (err) {
    held = `cannot tell whether it holds it (${asCibsyncError(err).code})`;
  }
  const message = `${why}, and this site ${held}: nothing vouches for its replica`;
  return { ticket, ready: false, at, reasons: [{ code: 'CIBSYNC_READY_UNREACHABLE', message }], scopes: [] };
}

function formatVerdict(v: ReadinessVerdict): string {
  const lines = [`ticket ${v.ticket}: ${v.ready ? 'ready' : 'NOT READY'}${v.note ? ` (${v.note})` : ''}`];
  for (const s of v.scopes)
    lines.push(
      `  scope ${s.scope}: ${s.digest ? `digest ${s.digest.slice(0, 16)}… from site ${s.sourceSite}, applied ${s.appliedAt}` : 'nothing applied'}; confirmed by a publisher ${s.confirmedAt ?? 'never'}`,
    );
  for (const r of v.reasons) lines.push(`  ${r.code}: ${r.message}`);
  return `${lines.join('\n')}\n`;
}

const command: Command = {
  name: 'takeover ready',
  summary: "Is this site's replica ready for it to take the ticket? Exit 0 when ready, 10 with the reasons when not.",
  usage: usageLine('takeover ready', '[TICKET]'),
  async run(argv) {
    const { values, positionals } = parse(this, argv, SUBSCRIBER_CLIENT_OPTIONS);
    if (values.help)
      return printHelp(
        this,
        SUBSCRIBER_CLIENT_OPTIONS,
        `${SUBSCRIBER_CLIENT_HELP}TICKET defaults to the \`ticket\` setting of --config. The conditions are the settings subscriber.readiness.*; each failed one is a CIBSYNC_READY_* reason (docs/errors.md). A subscriber that does not answer: ready only where this site holds the ticket (booth renewing it), else CIBSYNC_READY_UNREACHABLE.\n`,
      );
    const config = configFromFlags({ config: values.config });
    const ticket = ticketOf(positionals, config, this.usage);
    let verdict: ReadinessVerdict;
    try {
      verdict = (await callSubscriber(values, SUBSCRIBER_ROUTES.readiness, { id: ticket })) as ReadinessVerdict;
    } catch (err) {
      const error = asCibsyncError(err);
      if (error.exitCode !== EXIT.network) throw error;
      verdict = await unanswered(ticket, config, error);
    }
    process.stdout.write(
      outputAs(values) === 'json' ? `${JSON.stringify(verdict, null, 2)}\n` : formatVerdict(verdict),
    );
    return verdict.ready ? EXIT.ok : EXIT.notReady;
  },
};
export default command;
