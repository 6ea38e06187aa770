// Export at one file-backed site, import at another, through the real CLI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { buildPublication } from '../../services/publication/build.js';
import { serializePublication } from '../../services/publication/index.js';
import { signingArgs, trustSettings } from './signing.js';
import { type CliResult, cli, FIXTURES, makeSite, type Site } from './sites.js';

export const TEST_TRANSFORMS = join(FIXTURES, 'transforms');

/** `cibsync export` at site `a`, signed with site A's publisher certificate unless `args` say --unsigned or name another signer. */
export function exportFrom(a: Site, args: string[] = ['--ticket', 'ticketA']): string {
  const out = join(a.dir, `pub-${Date.now()}-${Math.random().toString(16).slice(2)}.xml`);
  const signing = args.includes('--unsigned') || args.includes('--sign-cert') ? [] : signingArgs();
  const r = cli(['export', '--out', out, ...args, ...signing], { cibFile: a.cibFile });
  if (r.code !== 0) throw new Error(`export failed (${r.code}): ${r.stderr}`);
  return out;
}

/** Site `a`'s configuration as an unsigned publication text, built in-process (for tests that call the pipeline directly). */
export async function unsignedPublicationOf(a: Site): Promise<string> {
  return serializePublication(await buildPublication(a.pacemaker, { site: 'siteA' }));
}

/** `cibsync import` at site `b` with the test chain `stylesheet` (a file under test/fixtures/transforms), trusting site A's signer. */
export function importAt(b: Site, file: string, stylesheet = 'identity.xsl', extra: string[] = []): CliResult {
  return cli(importArgs(b, file, stylesheet, extra), { cibFile: b.cibFile });
}

/** The arguments of importAt, for tests that start the CLI themselves (to kill it, or to run it as another user). */
export function importArgs(b: Site, file: string, stylesheet = 'identity.xsl', extra: string[] = []): string[] {
  const chainDir = join(b.dir, 'chain');
  mkdirSync(chainDir, { recursive: true });
  return [
    'import',
    file,
    '--state-dir',
    b.stateDir,
    '--transforms',
    chainDir,
    '--node-map',
    'a1=b1,a2=b2',
    '--site',
    'siteB',
    ...chainArgs(b, stylesheet),
    ...extra,
  ];
}

/** `--config` with only the trust settings (site A's signer), for imports that bring no chain of their own. */
export function trustArgs(b: Site): string[] {
  const config = join(b.dir, 'trust.json');
  writeFileSync(config, JSON.stringify({ trust: trustSettings() }));
  return ['--config', config];
}

function chainArgs(b: Site, stylesheet: string): string[] {
  const config = join(b.dir, `chain-${stylesheet}.json`);
  writeFileSync(
    config,
    JSON.stringify({ transformChain: [join(TEST_TRANSFORMS, stylesheet)], trust: trustSettings() }),
  );
  return ['--config', config];
}

/**
 * Registers hooks that give every test a fresh site A (holding ticketA) and site B from the
 * fixtures; read them through the returned object.
 */
export function useSitesAB(): { a: Site; b: Site } {
  const sites = {} as { a: Site; b: Site };
  beforeEach(() => {
    sites.a = makeSite('site-a.xml');
    sites.b = makeSite('site-b.xml');
    sites.a.tool('crm_ticket', ['--ticket', 'ticketA', '--grant', '--force']);
  });
  afterEach(() => {
    sites.a.cleanup();
    sites.b.cleanup();
  });
  return sites;
}
