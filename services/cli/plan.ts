import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { approvePlan, editPlan, previewPlan, PlanStore, recordOf, rejectPlan, type PlanRecord } from '../approval/index.js';
import { formatPlanText, planXml } from '../approval/format.js';
import { CibsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import { CONFIG_OPTIONS, configFromFlags, pacemakerFor, parse, printHelp, type Command } from './command.js';

/** Who decided, for the record: the local user (the HTTPS API records the client certificate subject). */
function localUser(): string {
  return `local:${process.env.SUDO_USER || userInfo().username}`;
}

function output(record: PlanRecord, as: string): string {
  if (as === 'json') return `${JSON.stringify(record, null, 2)}\n`;
  if (as === 'xml') return planXml(record);
  return formatPlanText(record);
}

const command: Command = {
  name: 'plan',
  summary: 'Manual approval: show, approve ("make it so"), edit or reject the pending plan; or dry-run a publication.',
  usage: 'cibsync plan show [ID] | list | approve ID | edit ID | reject ID [--reason TEXT] | --from FILE   [--output-as=text|json|xml] [--config FILE] [--state-dir DIR]',
  async run(argv) {
    const { values, positionals } = parse(this, argv, { ...CONFIG_OPTIONS, 'output-as': { type: 'string' }, reason: { type: 'string' }, from: { type: 'string' } });
    if (values.help) return printHelp(this, '\nPlans live in <stateDir>/plans. approve applies exactly the plan\'s candidate and is refused once the local CIB changed;\nedit opens $EDITOR on the candidate, then re-verifies and re-plans.\n');
    const as = String(values['output-as'] ?? 'text');
    if (!['text', 'json', 'xml'].includes(as)) throw new CibsyncError('CIBSYNC_USAGE', '--output-as must be text, json or xml');
    const config = configFromFlags(values);
    const ctx = { config, pacemaker: pacemakerFor(), logger: createLogger(config.logLevel) };
    const store = new PlanStore(config.stateDir);
    const [verb = 'show', id] = positionals;

    if (typeof values.from === 'string') return dryRun(values.from, ctx, as);
    const needId = () => {
      if (!id) throw new CibsyncError('CIBSYNC_USAGE', `plan ${verb} needs a plan id\nusage: ${this.usage}`);
      return id;
    };
    switch (verb) {
      case 'show': {
        const record = id ? await store.get(id) : await store.pending();
        if (!record) {
          process.stdout.write(as === 'json' ? 'null\n' : 'no pending plan\n');
          return 0;
        }
        process.stdout.write(output(record, as));
        return 0;
      }
      case 'list':
        for (const p of await store.list()) process.stdout.write(`${p.id}\t${p.status}\t${p.createdAt}\t${p.source.site} ${p.source.adminEpoch}.${p.source.epoch}\t${p.changes.length} changes\n`);
        return 0;
      case 'approve':
        process.stdout.write(output(await approvePlan(needId(), ctx, localUser()), as));
        return 0;
      case 'reject':
        process.stdout.write(output(await rejectPlan(needId(), ctx, localUser(), typeof values.reason === 'string' ? values.reason : undefined), as));
        return 0;
      case 'edit':
        return edit(needId(), store, ctx, as);
      default:
        throw new CibsyncError('CIBSYNC_USAGE', `unknown plan subcommand '${verb}'\nusage: ${this.usage}`);
    }
  },
};
export default command;

async function edit(id: string, store: PlanStore, ctx: Parameters<typeof editPlan>[2], as: string): Promise<number> {
  await store.get(id);
  const dir = await mkdtemp(join(tmpdir(), 'cibsync-edit-'));
  try {
    const file = join(dir, `plan-${id}-candidate.xml`);
    const original = await store.readDocument(id, 'candidate');
    await writeFile(file, original, { mode: 0o600 });
    const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
    const r = spawnSync('sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit' });
    if (r.status !== 0) throw new CibsyncError('CIBSYNC_USAGE', `the editor (${editor}) exited with ${r.status ?? r.signal}; the plan is unchanged`);
    const edited = await readFile(file, 'utf8');
    if (edited === original) {
      process.stderr.write('cibsync: no change made; the plan is unchanged\n');
      return 0;
    }
    process.stdout.write(output(await editPlan(id, edited, ctx, localUser()), as));
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function dryRun(from: string, ctx: Parameters<typeof previewPlan>[1], as: string): Promise<number> {
  const text = await readFile(from, 'utf8').catch((e: Error) => {
    throw new CibsyncError('CIBSYNC_USAGE', `cannot read ${from}: ${e.message}`);
  });
  const { plan, transition } = await previewPlan(text, ctx);
  const record = recordOf(plan, transition, 'dry-run');
  const shown = output(record, as);
  process.stdout.write(as === 'text' ? shown.replace(/^Plan dry-run: PENDING/, 'Dry run (nothing recorded, nothing written)').replace(/\nDecide:.*\n$/, '\n') : shown);
  return 0;
}
