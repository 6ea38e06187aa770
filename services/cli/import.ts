import { readFile } from 'node:fs/promises';
import { formatPlanOutcome } from '../approval/format.js';
import { takePublication } from '../approval/intake.js';
import { CibsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import {
  CONFIG_OPTIONS,
  type Command,
  configFromFlags,
  type OptionTable,
  pacemakerFor,
  parse,
  printHelp,
  usageLine,
} from './command.js';
import { formatImportResult } from './format.js';
import { OUTPUT_AS } from './options.js';

const OPTIONS: OptionTable = {
  'dry-run': { kind: 'flag', short: 'n', description: 'run every step but write nothing' },
  approval: {
    kind: 'choice',
    choices: ['auto', 'manual'],
    description: 'manual records a plan instead of applying (default: subscriber.approval, else auto)',
  },
  'output-as': OUTPUT_AS,
  ...CONFIG_OPTIONS,
};

const command: Command = {
  name: 'import',
  summary: "Run the subscriber's pipeline on a publication file against the local CIB (live, or CIB_file).",
  usage: usageLine('import', 'FILE'),
  async run(argv) {
    const { values, positionals } = parse(this, argv, OPTIONS);
    if (values.help)
      return printHelp(
        this,
        OPTIONS,
        '\nFILE may be - for standard input. Nothing is written with --dry-run, or when the publication changes nothing.\nWith --approval manual (default: the subscriber.approval setting) a plan is recorded instead: see cibsync plan.\n',
      );
    const file = positionals[0];
    if (!file || positionals.length > 1)
      throw new CibsyncError('CIBSYNC_USAGE', `expected one publication file\nusage: ${this.usage}`);
    const outputAs = values['output-as'] ?? 'text';
    const config = configFromFlags(values);
    const text =
      file === '-'
        ? await readStdin()
        : await readFile(file, 'utf8').catch((e: Error) => {
            throw new CibsyncError('CIBSYNC_USAGE', `cannot read ${file}: ${e.message}`);
          });
    const approval = values.approval as 'auto' | 'manual' | undefined;
    const ctx = {
      config,
      pacemaker: pacemakerFor(config),
      logger: createLogger(config.logLevel),
      dryRun: values['dry-run'] === true,
    };
    const result = await takePublication(text, ctx, { approval, by: 'cibsync import' });
    if ('approval' in result) {
      process.stdout.write(outputAs === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatPlanOutcome(result));
    } else if (outputAs === 'json') {
      const { candidate: _candidate, ...rest } = result;
      process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
    } else {
      process.stdout.write(formatImportResult(result));
    }
    return 0;
  },
};
export default command;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
