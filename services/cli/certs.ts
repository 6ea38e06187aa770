import { mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type CertificateUsage, createCa, issueCertificate } from '../../certs/authority.js';
import { type CertificateSummary, summarizePem } from '../../certs/inspect.js';
import { CA_NAME, loadCa, saveKeyAndCertificate } from '../../certs/store.js';
import { CibsyncError } from '../errors.js';
import { type Command, type OptionTable, parse, printHelp, usageLine, type Values } from './command.js';
import { OUTPUT_AS, outputAs } from './options.js';

const DIR = {
  kind: 'text',
  value: 'DIR',
  description: 'where the CA (ca.crt, ca.key) and the certificates are (default: the current directory)',
} as const;
const BITS = { kind: 'count', description: 'RSA key size (default: 2048)' } as const;

const SUBCOMMAND_OPTIONS: Record<string, OptionTable> = {
  'init-ca': {
    dir: DIR,
    name: { kind: 'text', value: 'CN', description: "the CA's name (default: cibsync CA)" },
    days: { kind: 'count', description: 'validity in days (default: 3650)' },
    bits: BITS,
  },
  issue: {
    name: {
      kind: 'text',
      value: 'NAME',
      description: 'the CN, and the file names DIR/NAME.crt and DIR/NAME.key (required)',
    },
    dir: DIR,
    ip: { kind: 'texts', value: 'IP', description: 'an IP address the certificate names (subjectAltName)' },
    dns: { kind: 'texts', value: 'NAME', description: 'a DNS name the certificate names (subjectAltName)' },
    days: { kind: 'count', description: 'validity in days (default: 825)' },
    bits: BITS,
    client: { kind: 'flag', description: 'client usage only' },
    server: { kind: 'flag', description: 'server usage only' },
    both: { kind: 'flag', description: 'client and server usage (the default: what a daemon needs)' },
    operator: {
      kind: 'flag',
      description: "a person's client certificate (OU=cibsync-operator), who may decide plans",
    },
  },
  show: { 'output-as': OUTPUT_AS },
};

/** A count option's value (checked by its kind when parsed), or `fallback`. */
const countOf = (values: Values, name: string, fallback: number) =>
  typeof values[name] === 'number' ? values[name] : fallback;

/** The CA's directory, created when missing: owner only, as it holds the CA key. */
function makeCaDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new CibsyncError(
      'CIBSYNC_TLS_FILES_INVALID',
      `cannot create the directory ${dir}: ${(err as Error).message}`,
      { dir },
    );
  }
}

function usageOf(values: Values): CertificateUsage {
  const chosen = (['client', 'server', 'both'] as const).filter((u) => values[u] === true);
  if (chosen.length > 1) throw new CibsyncError('CIBSYNC_USAGE', 'give at most one of --client, --server, --both');
  // An operator is a person at a browser or `cibsync plan`: a client, never a server.
  if (values.operator === true && chosen.some((u) => u !== 'client'))
    throw new CibsyncError(
      'CIBSYNC_USAGE',
      '--operator certificates are client certificates: --server and --both do not apply',
    );
  return chosen[0] ?? (values.operator === true ? 'client' : 'both');
}

function strings(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v.map(String) : [];
}

function formatSummary(s: CertificateSummary): string {
  return [
    `subject:     ${s.subject}`,
    `issuer:      ${s.issuer}`,
    `SANs:        ${s.subjectAltNames.join(', ') || '(none)'}`,
    `usages:      ${s.isCa ? 'CA' : s.usages.join(', ') || '(any)'}`,
    `sha256:      ${s.fingerprintSha256}`,
    `not before:  ${s.notBefore}`,
    `not after:   ${s.notAfter}${s.expired ? '  (EXPIRED)' : ''}`,
  ].join('\n');
}

const CERTS_HELP =
  "\nThe CA lives in DIR/ca.crt and DIR/ca.key (DIR defaults to the current directory); a certificate NAME in DIR/NAME.crt and DIR/NAME.key.\nDaemon certificates are issued for both usages by default: each daemon is a TLS server and also a client (to its peers, and to itself for health checks).\n--operator issues a person's client certificate (subject OU=cibsync-operator): without subscriber.admins, only such certificates may decide plans.\n";

const command: Command = {
  name: 'certs',
  summary:
    'Create the cluster CA and issue or inspect daemon certificates (private keys are written 0600, never printed).',
  usage: `${usageLine('certs', 'init-ca')}\n       ${usageLine('certs', 'issue --name NAME')}\n       ${usageLine('certs', 'show FILE')}`,
  async run(argv) {
    const [sub, ...rest] = argv;
    const options = sub !== undefined && Object.hasOwn(SUBCOMMAND_OPTIONS, sub) ? SUBCOMMAND_OPTIONS[sub] : undefined;
    if (!options) {
      if (sub === '--help' || sub === '-h') return printHelp(this, SUBCOMMAND_OPTIONS, CERTS_HELP);
      throw new CibsyncError('CIBSYNC_USAGE', `unknown certs subcommand '${sub ?? ''}'\nusage: ${this.usage}`);
    }
    const { values, positionals } = parse(this, rest, options, sub === 'show');
    if (values.help) return printHelp(this, { [sub as string]: options }, CERTS_HELP);
    const dir = typeof values.dir === 'string' ? values.dir : '.';
    if (sub === 'init-ca') {
      const name = typeof values.name === 'string' ? values.name : 'cibsync CA';
      const ca = createCa({ name, days: countOf(values, 'days', 3650), bits: countOf(values, 'bits', 2048) });
      makeCaDir(dir);
      const paths = saveKeyAndCertificate(dir, CA_NAME, ca);
      process.stdout.write(`created CA '${name}': ${paths.cert} (key ${paths.key}, mode 0600)\n`);
      return 0;
    }
    if (sub === 'issue') {
      if (typeof values.name !== 'string' || values.name === '')
        throw new CibsyncError('CIBSYNC_USAGE', `--name is required\nusage: ${this.usage}`);
      const ips = strings(values, 'ip');
      for (const ip of ips)
        if (isIP(ip) === 0) throw new CibsyncError('CIBSYNC_USAGE', `--ip '${ip}' is not an IP address`);
      const pair = issueCertificate(loadCa(dir), {
        name: values.name,
        ips,
        dns: strings(values, 'dns'),
        days: countOf(values, 'days', 825),
        bits: countOf(values, 'bits', 2048),
        usage: usageOf(values),
        operator: values.operator === true,
      });
      const paths = saveKeyAndCertificate(dir, values.name, pair);
      process.stdout.write(`issued '${values.name}': ${paths.cert} (key ${paths.key}, mode 0600)\n`);
      return 0;
    }
    const format = outputAs(values);
    const file = positionals[0];
    if (!file) throw new CibsyncError('CIBSYNC_USAGE', `certs show needs a FILE\nusage: ${this.usage}`);
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CibsyncError('CIBSYNC_TLS_FILES_INVALID', `cannot read ${file}: ${(err as Error).message}`);
    }
    const summaries = summarizePem(pem);
    if (summaries.length === 0) throw new CibsyncError('CIBSYNC_TLS_FILES_INVALID', `${file} holds no PEM certificate`);
    process.stdout.write(
      format === 'json' ? `${JSON.stringify(summaries, null, 2)}\n` : `${summaries.map(formatSummary).join('\n\n')}\n`,
    );
    return 0;
  },
};
export default command;
