import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPlanText, planXml } from '../approval/format.js';
import { type PlanRecord, recordOf } from '../approval/index.js';
import type { Config } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import { socketAnswers } from '../net/admin-socket.js';
import { MtlsClient } from '../net/client.js';
import { type PipelineContext, planImport } from '../pipeline/index.js';
import { fetchPublication } from '../subscriber/fetcher.js';
import {
  CONFIG_OPTIONS,
  type Command,
  configFromFlags,
  type OptionTable,
  pacemakerFor,
  parse,
  printHelp,
  usageLine,
  type Values,
} from './command.js';
import { localDesk, type PlanDesk, remoteDesk } from './plan-desk.js';
import { clientMaterial, configuredSocket, SUBSCRIBER_CLIENT_OPTIONS, timeoutOf } from './subscriber-client.js';

const OPTIONS: OptionTable = {
  from: {
    kind: 'text',
    value: 'FILE|URL',
    description: 'dry-run this publication (a file, or fetched from a publisher): nothing is recorded or written',
  },
  reason: { kind: 'text', value: 'TEXT', description: 'why a plan is rejected, for the record' },
  ...CONFIG_OPTIONS,
  ...SUBSCRIBER_CLIENT_OPTIONS,
  'output-as': { kind: 'choice', choices: ['text', 'json', 'xml'], description: 'output format (default: text)' },
  cert: {
    kind: 'text',
    value: 'FILE',
    description: "client certificate for --subscriber and --from URL (default: the subscriber's own, from --config)",
  },
  subscriber: {
    kind: 'text',
    value: 'URL',
    description: 'act on that subscriber over HTTPS with the client certificate (--cert/--key/--ca)',
  },
};

function output(record: PlanRecord, as: string): string {
  if (as === 'json') return `${JSON.stringify(record, null, 2)}\n`;
  if (as === 'xml') return planXml(record);
  return formatPlanText(record);
}

const command: Command = {
  name: 'plan',
  summary: 'Manual approval: show, approve ("make it so"), edit or reject the pending plan; or dry-run a publication.',
  usage: usageLine('plan', 'show [ID] | list | approve ID | edit ID | reject ID | --from FILE|URL'),
  async run(argv) {
    const { values, positionals } = parse(this, argv, OPTIONS);
    if (values.help)
      return printHelp(
        this,
        OPTIONS,
        "\nPlans live in <stateDir>/plans. approve applies exactly the plan's candidate and is refused once the local CIB changed;\nedit opens $EDITOR on the candidate, then re-verifies and re-plans.\nThe command acts through the subscriber of this host, on its admin socket (--socket PATH, else subscriber.adminSocket of --config;\nroot only), recording decisions as local:<socket path>; when no subscriber answers there (and --socket is not given), on the plan store\nof --config directly, recording them as local:<user>.\nWith --subscriber URL the command acts on that subscriber over HTTPS with the client certificate (--cert/--key/--ca, or the subscriber's own from --config);\nits decisions are recorded under the certificate's subject.\n--from URL fetches the publication from that publisher with the same client certificate; --from FILE reads it. Either way nothing is recorded or written.\n",
      );
    const as = String(values['output-as'] ?? 'text');
    const config = configFromFlags(values);
    const ctx = { config, pacemaker: pacemakerFor(config), logger: createLogger(config.logLevel) };
    const [verb = 'show', id] = positionals;

    if (typeof values.from === 'string')
      return dryRun(await readPublicationFrom(values.from, values, ctx.config), ctx, as);
    const desk = (await throughSubscriber(values, config)) ? remoteDesk(values) : localDesk(ctx);
    const needId = () => {
      if (!id) throw new CibsyncError('CIBSYNC_USAGE', `plan ${verb} needs a plan id\nusage: ${this.usage}`);
      return id;
    };
    switch (verb) {
      case 'show': {
        const record = await desk.show(id);
        if (!record) {
          process.stdout.write(as === 'json' ? 'null\n' : 'no pending plan\n');
          return 0;
        }
        process.stdout.write(output(record, as));
        return 0;
      }
      case 'list':
        for (const p of await desk.list())
          process.stdout.write(
            `${p.id}\t${p.status}\t${p.createdAt}\t${p.source.site} ${p.source.adminEpoch}.${p.source.epoch}\t${p.changes.length} changes\n`,
          );
        return 0;
      case 'approve':
        process.stdout.write(output(await desk.approve(needId()), as));
        return 0;
      case 'reject':
        process.stdout.write(
          output(await desk.reject(needId(), typeof values.reason === 'string' ? values.reason : undefined), as),
        );
        return 0;
      case 'edit':
        return edit(needId(), desk, as);
      default:
        throw new CibsyncError('CIBSYNC_USAGE', `unknown plan subcommand '${verb}'\nusage: ${this.usage}`);
    }
  },
};
export default command;

/** --subscriber or --socket: that subscriber; otherwise the one of this host when its admin socket answers, else the plan store itself. */
async function throughSubscriber(values: Values, config: Config): Promise<boolean> {
  if (typeof values.subscriber === 'string' || typeof values.socket === 'string') return true;
  const socket = configuredSocket(config);
  return socket !== '' && (await socketAnswers(socket).catch(() => false));
}

async function edit(id: string, desk: PlanDesk, as: string): Promise<number> {
  const original = await desk.candidate(id);
  const dir = await mkdtemp(join(tmpdir(), 'cibsync-edit-'));
  try {
    const file = join(dir, `plan-${id}-candidate.xml`);
    await writeFile(file, original, { mode: 0o600 });
    const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
    const r = spawnSync('sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit' });
    if (r.status !== 0)
      throw new CibsyncError(
        'CIBSYNC_USAGE',
        `the editor (${editor}) exited with ${r.status ?? r.signal}; the plan is unchanged`,
      );
    const edited = await readFile(file, 'utf8');
    if (edited === original) {
      process.stderr.write('cibsync: no change made; the plan is unchanged\n');
      return 0;
    }
    process.stdout.write(output(await desk.edit(id, edited), as));
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A publication from a file, or from a publisher (https://…) asked with the subscriber's client certificate. */
async function readPublicationFrom(from: string, values: Values, config: Config): Promise<string> {
  if (!/^https:\/\//.test(from)) {
    return readFile(from, 'utf8').catch((e: Error) => {
      throw new CibsyncError('CIBSYNC_USAGE', `cannot read ${from}: ${e.message}`);
    });
  }
  const timeoutMs = timeoutOf(values);
  const client = new MtlsClient(clientMaterial(values, config), Math.min(timeoutMs, 10_000));
  try {
    const outcome = await fetchPublication(client, from, {
      waitMs: 0,
      requestTimeoutMs: timeoutMs,
      maxBytes: config.maxPublicationBytes,
    });
    if (outcome.kind === 'refused') throw outcome.error;
    if (outcome.kind !== 'publication')
      throw new CibsyncError('CIBSYNC_FETCH_FAILED', `${from}: the publisher sent no publication`);
    return outcome.text;
  } finally {
    await client.close();
  }
}

async function dryRun(text: string, ctx: PipelineContext, as: string): Promise<number> {
  const record = recordOf(await planImport(text, ctx, { transition: true }), 'dry-run');
  const shown = output(record, as);
  process.stdout.write(
    as === 'text'
      ? shown
          .replace(/^Plan dry-run: PENDING/, 'Dry run (nothing recorded, nothing written)')
          .replace(/\nDecide:.*\n$/, '\n')
      : shown,
  );
  return 0;
}
