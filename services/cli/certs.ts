import { mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createCa, issueCertificate, type CertificateUsage } from '../../certs/authority.js';
import { summarizePem, type CertificateSummary } from '../../certs/inspect.js';
import { CA_NAME, loadCa, saveKeyAndCertificate } from '../../certs/store.js';
import { CibsyncError } from '../errors.js';
import { parse, printHelp, type Command, type Values } from './command.js';
import { outputAs } from './subscriber-client.js';

const SUBCOMMAND_OPTIONS = {
  'init-ca': { dir: { type: 'string' }, name: { type: 'string' }, days: { type: 'string' }, bits: { type: 'string' } },
  issue: {
    dir: { type: 'string' },
    name: { type: 'string' },
    ip: { type: 'string', multiple: true },
    dns: { type: 'string', multiple: true },
    days: { type: 'string' },
    bits: { type: 'string' },
    client: { type: 'boolean' },
    server: { type: 'boolean' },
    both: { type: 'boolean' },
    operator: { type: 'boolean' },
  },
  show: { 'output-as': { type: 'string' } },
} as const;

function positiveInt(values: Values, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new CibsyncError('CIBSYNC_USAGE', `--${name} must be a positive integer, got '${String(raw)}'`);
  return n;
}

/** The CA's directory, created when missing: owner only, as it holds the CA key. */
function makeCaDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new CibsyncError('CIBSYNC_TLS_FILES_INVALID', `cannot create the directory ${dir}: ${(err as Error).message}`, { dir });
  }
}

function usageOf(values: Values): CertificateUsage {
  const chosen = (['client', 'server', 'both'] as const).filter((u) => values[u] === true);
  if (chosen.length > 1) throw new CibsyncError('CIBSYNC_USAGE', 'give at most one of --client, --server, --both');
  // An operator is a person at a browser or `cibsync plan`: a client, never a server.
  if (values.operator === true && chosen.some((u) => u !== 'client')) throw new CibsyncError('CIBSYNC_USAGE', '--operator certificates are client certificates: --server and --both do not apply');
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

const command: Command = {
  name: 'certs',
  summary: 'Create the cluster CA and issue or inspect daemon certificates (private keys are written 0600, never printed).',
  usage: 'cibsync certs init-ca [--dir DIR] [--name CN] [--days N] [--bits N]\n       cibsync certs issue --name NAME [--dir DIR] [--ip IP]… [--dns NAME]… [--days N] [--bits N] [--client|--server|--both|--operator]\n       cibsync certs show FILE [--output-as=text|json]',
  async run(argv) {
    const [sub, ...rest] = argv;
    const options = sub !== undefined && sub in SUBCOMMAND_OPTIONS ? SUBCOMMAND_OPTIONS[sub as keyof typeof SUBCOMMAND_OPTIONS] : undefined;
    if (!options) {
      if (sub === '--help' || sub === '-h') return printHelp(this);
      throw new CibsyncError('CIBSYNC_USAGE', `unknown certs subcommand '${sub ?? ''}'\nusage: ${this.usage}`);
    }
    const { values, positionals } = parse(this, rest, options, sub === 'show');
    if (values.help) return printHelp(this, '\nThe CA lives in DIR/ca.crt and DIR/ca.key (DIR defaults to the current directory); a certificate NAME in DIR/NAME.crt and DIR/NAME.key.\nDaemon certificates are issued for both usages by default: each daemon is a TLS server and also a client (to its peers, and to itself for health checks).\n--operator issues a person\'s client certificate (subject OU=cibsync-operator): without subscriber.admins, only such certificates may decide plans.\n');
    const dir = typeof values.dir === 'string' ? values.dir : '.';
    if (sub === 'init-ca') {
      const name = typeof values.name === 'string' ? values.name : 'cibsync CA';
      const ca = createCa({ name, days: positiveInt(values, 'days', 3650), bits: positiveInt(values, 'bits', 2048) });
      makeCaDir(dir);
      const paths = saveKeyAndCertificate(dir, CA_NAME, ca);
      process.stdout.write(`created CA '${name}': ${paths.cert} (key ${paths.key}, mode 0600)\n`);
      return 0;
    }
    if (sub === 'issue') {
      if (typeof values.name !== 'string' || values.name === '') throw new CibsyncError('CIBSYNC_USAGE', `--name is required\nusage: ${this.usage}`);
      const ips = strings(values, 'ip');
      for (const ip of ips) if (isIP(ip) === 0) throw new CibsyncError('CIBSYNC_USAGE', `--ip '${ip}' is not an IP address`);
      const pair = issueCertificate(loadCa(dir), { name: values.name, ips, dns: strings(values, 'dns'), days: positiveInt(values, 'days', 825), bits: positiveInt(values, 'bits', 2048), usage: usageOf(values), operator: values.operator === true });
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
    process.stdout.write(format === 'json' ? `${JSON.stringify(summaries, null, 2)}\n` : `${summaries.map(formatSummary).join('\n\n')}\n`);
    return 0;
  },
};
export default command;
