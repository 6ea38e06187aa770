// `cibsync takeover plan [TICKET]`: the takeover plan the subscriber computed ahead of time, with the
// replica's freshness, as text for a terminal or as JSON.
import { describeAction } from '../approval/format.js';
import { formatVersion } from '../cib/index.js';
import type { TakeoverView } from '../takeover/plan.js';
import { SUBSCRIBER_ROUTES } from '../wire/index.js';
import { type Command, configFromFlags, parse, printHelp, usageLine } from './command.js';
import { outputAs } from './options.js';
import { callSubscriber, SUBSCRIBER_CLIENT_HELP, SUBSCRIBER_CLIENT_OPTIONS } from './subscriber-client.js';
import { ticketOf } from './takeover-ticket.js';

/** TICKET, else the configuration's ticket. */
export function formatTakeover(t: TakeoverView): string {
  const f = t.freshness;
  const held = t.ticketState.granted
    ? t.ticketState.standby
      ? 'granted here, in standby'
      : 'granted here already'
    : 'not granted here';
  const lines = [
    `Takeover plan for ${t.ticket}: ${t.actions.length} resource action(s), crm_verify ${t.verdict.level}`,
    `  computed ${t.computedAt} on this site's CIB at ${formatVersion(t.cibVersion)}${t.upToDate ? '' : `: OUT OF DATE, the CIB is now at ${formatVersion(t.cibVersionNow ?? t.cibVersion)}`}`,
    `  plan ${t.digest}`,
    `  ticket ${t.ticket}: ${held}`,
    '',
    "Actions, in crm_simulate's order:",
    ...(t.actions.length === 0 ? ['  none'] : t.actions.map((a, i) => `  ${i + 1}. ${describeAction(a)}`)),
    '',
    'Per server:',
    ...t.servers.map(
      (s) =>
        `  ${s.server}: ${(['start', 'promote', 'move', 'stop', 'other'] as const)
          .filter((k) => s[k].length > 0)
          .map((k) => `${k} ${s[k].join(', ')}`)
          .join('; ')}`,
    ),
    '',
    f.source
      ? `Replica: from site ${f.source}, publication ${(f.digest ?? '').slice(0, 16)}…, built ${f.builtAt}, applied ${f.appliedAt}, last confirmed ${f.ageSeconds} s ago`
      : 'Replica: nothing applied here yet',
    `Subscriber: ${f.state}${f.lastContactAt ? `, last contact with a publisher ${f.lastContactAt}` : ''}${f.hold ? `; ON HOLD by ${f.hold.by}` : ''}`,
    `Last error: ${f.lastError ? `${f.lastError.code}: ${f.lastError.message} (at ${f.lastError.at})` : 'none'}`,
    `Pending plan: ${f.pendingPlan ? `${f.pendingPlan} waits for a decision (its changes are not in this CIB)` : 'none'}`,
    '',
    `crm_verify: ${t.verdict.level}`,
    ...t.verdict.errors.map((m) => `  error: ${m}`),
    ...t.verdict.warnings.map((m) => `  warning: ${m}`),
  ];
  if (t.decisions.length > 0)
    lines.push(
      '',
      `Decisions (${t.decisions.length}):`,
      ...t.decisions.map(
        (d) =>
          `  ${d.at} ${d.outcome}${d.error ? ` ${d.error.code}` : ''} by ${d.by}${d.method ? ` via ${d.method}` : ''}, plan ${(d.planDigest ?? 'none').slice(0, 16)}${d.confirmed ? ' (confirmed out of date)' : ''}`,
      ),
    );
  lines.push(
    '',
    `Grant: cibsync takeover grant ${t.ticket} --plan ${t.digest.slice(0, 16)}${t.upToDate ? '' : ' --confirm'}`,
  );
  return `${lines.join('\n')}\n`;
}

const command: Command = {
  name: 'takeover plan',
  summary:
    "What granting the ticket here would do (crm_simulate's actions in order, per server), the replica's freshness and crm_verify's verdict, as the subscriber computed it ahead of time.",
  usage: usageLine('takeover plan', '[TICKET]'),
  async run(argv) {
    const { values, positionals } = parse(this, argv, SUBSCRIBER_CLIENT_OPTIONS);
    if (values.help)
      return printHelp(
        this,
        SUBSCRIBER_CLIENT_OPTIONS,
        `\nTICKET defaults to the configuration's ticket.${SUBSCRIBER_CLIENT_HELP}`,
      );
    const ticket = ticketOf(positionals, configFromFlags({ config: values.config }), this.usage);
    const view = (await callSubscriber(values, SUBSCRIBER_ROUTES.takeoverPlan, { id: ticket })) as TakeoverView;
    process.stdout.write(outputAs(values) === 'json' ? `${JSON.stringify(view, null, 2)}\n` : formatTakeover(view));
    return 0;
  },
};
export default command;
