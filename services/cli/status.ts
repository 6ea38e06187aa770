import { describeHold } from '../state/hold.js';
import type { StatusSnapshot } from '../subscriber/status.js';
import { SUBSCRIBER_ROUTES } from '../wire/index.js';
import { type Command, parse, printHelp, usageLine } from './command.js';
import { outputAs } from './options.js';
import { callSubscriber, SUBSCRIBER_CLIENT_HELP, SUBSCRIBER_CLIENT_OPTIONS } from './subscriber-client.js';

function formatStatus(s: StatusSnapshot): string {
  const lines = [
    `subscriber${s.site ? ` at site ${s.site}` : ''}${s.scope ? `, scope ${s.scope}` : ''}: ${s.state}${s.idleReason ? ` (${s.idleReason})` : ''}`,
  ];
  if (s.hold) lines.push(`${describeHold(s.hold)}: nothing is applied until \`cibsync resume\``);
  lines.push(
    `publisher: ${s.publisher ?? '(none answered yet)'}${s.lastContactAt ? `, last contact ${s.lastContactAt}` : ''}`,
  );
  const a = s.lastApplied;
  lines.push(
    a
      ? `last applied: site ${a.sourceSite}, epoch ${a.sourceAdminEpoch}.${a.sourceEpoch}, digest ${a.digest.slice(0, 16)}…, ${a.outcome} at ${a.at}`
      : 'last applied: nothing yet',
  );
  if (s.lagSeconds !== undefined)
    lines.push(`lag: ${s.lagSeconds.toFixed(3)} s from build at the source to commit here`);
  const p = s.pendingPlan;
  if (p)
    lines.push(
      `pending plan ${p.id} from site ${p.source.site}, epoch ${p.source.adminEpoch}.${p.source.epoch}, made ${p.createdAt}: waits for approval (cibsync plan show ${p.id})`,
    );
  else if (s.approval === 'manual') lines.push('pending plan: none (manual approval)');
  const e = s.lastError;
  lines.push(e ? `last error: ${e.code}: ${e.message} (at ${e.at})` : 'last error: none');
  if (s.confirmedAt) lines.push(`confirmed current by a publisher: ${s.confirmedAt}`);
  const { last, lastRefusal: r } = s.readiness;
  if (r)
    lines.push(
      `last readiness refusal (booth's before-acquire handler): ticket ${r.ticket} at ${r.at}: ${r.reasons.map((x) => `${x.code}: ${x.message}`).join('; ')}`,
    );
  if (last?.ready) lines.push(`last readiness check: ticket ${last.ticket} ready at ${last.at}`);
  if (s.consecutiveFailures > 0)
    lines.push(
      `failing: ${s.consecutiveFailures} rounds in a row${s.nextRetryAt ? `, next retry ${s.nextRetryAt}` : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

const command: Command = {
  name: 'status',
  summary:
    "Show the subscriber's state: last applied publication (source site, epoch, digest, when), lag, last error with its code.",
  usage: usageLine('status'),
  async run(argv) {
    const { values } = parse(this, argv, SUBSCRIBER_CLIENT_OPTIONS, false);
    if (values.help) return printHelp(this, SUBSCRIBER_CLIENT_OPTIONS, SUBSCRIBER_CLIENT_HELP);
    const format = outputAs(values);
    const status = (await callSubscriber(values, SUBSCRIBER_ROUTES.status)) as StatusSnapshot;
    process.stdout.write(format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    return 0;
  },
};
export default command;
