import { readFile } from 'node:fs/promises';
import { formatPlanOutcome } from '../approval/format.js';
import { takePublication } from '../approval/intake.js';
import { CibsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import { CONFIG_OPTIONS, configFromFlags, pacemakerFor, parse, printHelp, type Command } from './command.js';
import { formatImportResult } from './format.js';

const command: Command = {
  name: 'import',
  summary: "Run the subscriber's pipeline on a publication file against the local CIB (live, or CIB_file).",
  usage: 'cibsync import FILE [--dry-run] [--approval auto|manual] [--output-as=text|json] [--config FILE] [--site NAME] [--transforms DIR] [--node-map r=l,…] [--state-dir DIR] [--engine xsltproc|xslt-processor] [--verify-baseline local|source] [--allow-empty]',
  async run(argv) {
    const { values, positionals } = parse(this, argv, { ...CONFIG_OPTIONS, 'dry-run': { type: 'boolean', short: 'n' }, approval: { type: 'string' }, 'output-as': { type: 'string' } });
    if (values.help) return printHelp(this, '\nFILE may be - for standard input. Nothing is written with --dry-run, or when the publication changes nothing.\nWith --approval manual (default: the subscriber.approval setting) a plan is recorded instead: see cibsync plan.\n');
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new CibsyncError('CIBSYNC_USAGE', `expected one publication file\nusage: ${this.usage}`);
    const outputAs = values['output-as'] ?? 'text';
    if (outputAs !== 'text' && outputAs !== 'json') throw new CibsyncError('CIBSYNC_USAGE', '--output-as must be text or json');
    const config = configFromFlags(values);
    const text = file === '-' ? await readStdin() : await readFile(file, 'utf8').catch((e: Error) => {
      throw new CibsyncError('CIBSYNC_USAGE', `cannot read ${file}: ${e.message}`);
    });
    const approval = values.approval;
    if (approval !== undefined && approval !== 'auto' && approval !== 'manual') throw new CibsyncError('CIBSYNC_USAGE', '--approval must be auto or manual');
    const ctx = { config, pacemaker: pacemakerFor(config), logger: createLogger(config.logLevel), dryRun: values['dry-run'] === true };
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
