import { formatPlanOutcome } from '../approval/format.js';
import type { IntakeResult } from '../approval/intake.js';
import { ERRORS, EXIT } from '../errors.js';
import { type Problem, SUBSCRIBER_ROUTES } from '../wire/index.js';
import { type Command, parse, printHelp, usageLine } from './command.js';
import { formatImportResult } from './format.js';
import { outputAs } from './options.js';
import { callSubscriber, SUBSCRIBER_CLIENT_HELP, SUBSCRIBER_CLIENT_OPTIONS } from './subscriber-client.js';

type Answer = IntakeResult;
/** A subscriber with ticket-scoped replication answers every scope's outcome. */
type ScopedAnswer = { scopes: ({ scope: string; result: Answer } | { scope: string; problem: Problem })[] };

const formatAnswer = (result: Answer) =>
  'approval' in result ? formatPlanOutcome(result) : formatImportResult(result);

function formatScoped(answer: ScopedAnswer): string {
  return answer.scopes
    .map((s) =>
      'result' in s
        ? `scope ${s.scope}:\n${formatAnswer(s.result)}`
        : `scope ${s.scope}: ${s.problem.code}: ${s.problem.detail}\n`,
    )
    .join('');
}

/** A scope that failed ends the command with its error's exit status; one this site holds is not a failure. */
function scopedExit(answer: ScopedAnswer): number {
  const failed = answer.scopes.find((s) => 'problem' in s && s.problem.code !== 'CIBSYNC_LOCAL_HOLDS_TICKET');
  return failed && 'problem' in failed ? ERRORS[failed.problem.code].exit : EXIT.ok;
}

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
    const result = (await callSubscriber(values, SUBSCRIBER_ROUTES.replicateNow)) as Answer | ScopedAnswer;
    const scoped = 'scopes' in result ? result : undefined;
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify(result, null, 2)}\n`
        : scoped
          ? formatScoped(scoped)
          : formatAnswer(result as Answer),
    );
    return scoped ? scopedExit(scoped) : EXIT.ok;
  },
};
export default command;
