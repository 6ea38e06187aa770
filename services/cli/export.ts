import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { type Config, scopePlan } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { buildPublication } from '../publication/build.js';
import { digestSigner, type PublicationSignature, serializePublication } from '../publication/index.js';
import { scopedBuild } from '../publisher/scope.js';
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

const OPTIONS: OptionTable = {
  out: {
    kind: 'text',
    short: 'o',
    value: 'FILE',
    description: 'write to FILE (atomically: temp file + rename) instead of stdout',
  },
  scope: {
    kind: 'text',
    value: 'T|global',
    description:
      'write the scope of ticket T (with the global scope when T carries it, scopes.global), or the global scope alone (format 3); default: what the settings say (with scopes.tickets: the scope of ticket, else of the first listed ticket this site holds; without: the whole configuration)',
  },
  'ignore-ticket': { kind: 'flag', description: 'export even when this site does not hold the ticket' },
  'sign-cert': {
    kind: 'text',
    value: 'FILE',
    description: "the signer's certificate (default: publisher.cert of --config)",
  },
  'sign-key': { kind: 'text', value: 'FILE', description: 'the signing key (default: publisher.key of --config)' },
  unsigned: {
    kind: 'flag',
    description: 'write an unsigned (format 1) publication, which subscribers take only with trust.allowUnsigned',
  },
  ...CONFIG_OPTIONS,
};

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CibsyncError('CIBSYNC_TLS_FILES_INVALID', `cannot read the ${what} ${path}: ${(err as Error).message}`, {
      path,
    });
  }
}

/** The signing key: --sign-key/--sign-cert, else the publisher section's key and certificate; none with --unsigned. */
function signerFor(values: Values, config: Config): ((digest: string) => PublicationSignature) | undefined {
  const certFile = typeof values['sign-cert'] === 'string' ? values['sign-cert'] : config.publisher?.cert;
  const keyFile = typeof values['sign-key'] === 'string' ? values['sign-key'] : config.publisher?.key;
  if (values.unsigned === true) {
    if (values['sign-cert'] !== undefined || values['sign-key'] !== undefined)
      throw new CibsyncError('CIBSYNC_USAGE', '--unsigned and --sign-cert/--sign-key exclude each other');
    return undefined;
  }
  if (!certFile || !keyFile)
    throw new CibsyncError(
      'CIBSYNC_USAGE',
      'no signing key: give --sign-cert and --sign-key (or publisher.cert and publisher.key in --config), or --unsigned',
    );
  return digestSigner(
    readPem(keyFile, 'signing key'),
    readPem(certFile, 'signing certificate'),
    `signing key ${keyFile}`,
  );
}

/**
 * The scope the settings say: none (the whole configuration) without scopes.tickets; with them,
 * `ticket`'s, else the first listed ticket this site holds (the first listed with --ignore-ticket).
 */
async function defaultScope(config: Config, pacemaker: Pacemaker, ignoreTicket: boolean): Promise<string | undefined> {
  const plan = scopePlan(config);
  if (!plan.scoped) return undefined;
  if (config.ticket) return config.ticket;
  if (ignoreTicket) return plan.tickets[0];
  for (const ticket of plan.tickets) {
    const state = await pacemaker.ticket(ticket);
    if (state.granted && !state.standby) return ticket;
  }
  throw new CibsyncError(
    'CIBSYNC_TICKET_NOT_HELD',
    `this site holds none of the tickets ${plan.tickets.join(', ')} (scopes.tickets): nothing to publish`,
  );
}

const command: Command = {
  name: 'export',
  summary:
    'Write the signed publication (configuration, node attributes, source identity, digest, signature) of the local CIB.',
  usage: usageLine('export'),
  async run(argv) {
    const { values } = parse(this, argv, OPTIONS, false);
    if (values.help) {
      return printHelp(
        this,
        OPTIONS,
        "\nWrites to stdout unless --out is given (written atomically: temp file + rename).\nThe publication is signed with --sign-key and --sign-cert, by default the publisher section's key and certificate; --unsigned writes an unsigned (format 1) one, which subscribers take only with trust.allowUnsigned.\n",
      );
    }
    const config = configFromFlags(values);
    const sign = signerFor(values, config);
    const pacemaker = pacemakerFor(config);
    const ignoreTicket = values['ignore-ticket'] === true;
    const scope = typeof values.scope === 'string' ? values.scope : await defaultScope(config, pacemaker, ignoreTicket);
    const publication = await buildPublication(pacemaker, {
      site: config.site,
      ...(scope === undefined ? { ticket: config.ticket } : scopedBuild(config, scopePlan(config), scope)),
      ignoreTicket,
      sign,
    });
    const text = serializePublication(publication);
    if (typeof values.out === 'string') {
      const tmp = `${values.out}.tmp-${process.pid}`;
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, values.out);
      process.stderr.write(
        `cibsync: exported site ${publication.site}${publication.scopes ? ` scope ${publication.scopes.join(' + ')}` : ''} epoch ${publication.adminEpoch}.${publication.epoch} digest ${publication.digest} (${sign ? 'signed' : 'unsigned'}) to ${values.out}\n`,
      );
    } else {
      process.stdout.write(text);
    }
    return 0;
  },
};
export default command;
