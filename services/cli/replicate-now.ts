import { formatPlanOutcome } from '../approval/format.js';
import type { IntakeResult } from '../approval/intake.js';
import { SUBSCRIBER_ROUTES } from '../wire/index.js';
import { type Command, parse, printHelp, usageLine } from './command.js';
import { formatImportResult } from './format.js';
import { outputAs } from './options.js';
import { callSubscriber, SUBSCRIBER_CLIENT_HELP, SUBSCRIBER_CLIENT_OPTIONS } from './subscriber-client.js';

const command: Command = {
  name: 'replicate-now',
  summary: 'Make the subscriber fetch the current publication and import it now; prints the outcome.',
  usage: usageLine('replicate-now'),
  async run(argv) {
    const { values } = parse(this, argv, SUBSCRIBER_CLIENT_OPTIONS, false);
    if (values.help) return printHelp(this, SUBSCRIBER_CLIENT_OPTIONS, SUBSCRIBER_CLIENT_HELP);
    const format = outputAs(values);
    // The subscriber answers an ImportResult without its candidate configuration (too big to print),
    // or in manual approval mode what became of the publication: a plan, or nothing to decide.
    const result = (await callSubscriber(values, SUBSCRIBER_ROUTES.replicateNow)) as IntakeResult;
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify(result, null, 2)}\n`
        : 'approval' in result
          ? formatPlanOutcome(result)
          : formatImportResult(result),
    );
    return 0;
  },
};
export default command;
