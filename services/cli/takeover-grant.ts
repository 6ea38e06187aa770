// `cibsync takeover grant [TICKET] [--confirm]`: grants the ticket at this site through the subscriber
// (booth grant when booth manages it, else crm_ticket), refused while the takeover plan is out of date
// unless --confirm; the decision is recorded there under the client's name.
import type { TakeoverDecision } from '../takeover/record.js';
import { CONTENT_TYPE, SUBSCRIBER_ROUTES } from '../wire/index.js';
import { type Command, configFromFlags, type OptionTable, parse, printHelp, usageLine } from './command.js';
import { outputAs } from './options.js';
import { callSubscriber, SUBSCRIBER_CLIENT_HELP, SUBSCRIBER_CLIENT_OPTIONS } from './subscriber-client.js';
import { ticketOf } from './takeover-ticket.js';

const OPTIONS: OptionTable = {
  plan: {
    kind: 'text',
    value: 'DIGEST',
    description:
      'the plan you read (its digest, or the first 8 or more characters): refused if the current plan is another',
  },
  confirm: {
    kind: 'flag',
    description: 'grant although the takeover plan is out of date (the CIB changed since it was computed)',
  },
  ...SUBSCRIBER_CLIENT_OPTIONS,
};

const command: Command = {
  name: 'takeover grant',
  summary:
    'Grant the ticket at this site ("make it so"): booth grant when booth manages the ticket, else crm_ticket --grant.',
  usage: usageLine('takeover grant', '[TICKET]'),
  async run(argv) {
    const { values, positionals } = parse(this, argv, OPTIONS);
    if (values.help)
      return printHelp(
        this,
        OPTIONS,
        `\nTICKET defaults to the configuration's ticket. Refused (CIBSYNC_TAKEOVER_PLAN_STALE) while the plan is out of date: read it (cibsync takeover plan), then --confirm.${SUBSCRIBER_CLIENT_HELP}`,
      );
    const ticket = ticketOf(positionals, configFromFlags({ config: values.config }), this.usage);
    const decision = (await callSubscriber(values, SUBSCRIBER_ROUTES.takeoverGrant, {
      id: ticket,
      contentType: CONTENT_TYPE.json,
      body: JSON.stringify({ plan: values.plan, confirm: values.confirm === true }),
    })) as TakeoverDecision;
    process.stdout.write(
      outputAs(values) === 'json'
        ? `${JSON.stringify(decision, null, 2)}\n`
        : `${decision.ticket} granted here via ${decision.method}${decision.boothConfig ? ` (${decision.boothConfig})` : ''} by ${decision.by} at ${decision.at}, plan ${decision.planDigest ?? 'none'}${decision.confirmed ? ' (confirmed out of date)' : ''}\n`,
    );
    return 0;
  },
};
export default command;
