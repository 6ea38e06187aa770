// `cibsync export` at site A and `cibsync import` at site B, through the built command, on real
// file-backed CIBs. Every refusal must leave B's CIB file byte-identical.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportFrom, importAt, trustArgs, useSitesAB } from '../helpers/import.js';
import { signingArgs } from '../helpers/signing.js';
import { cli } from '../helpers/sites.js';

const sites = useSitesAB();

function refusedUntouched(
  args: { file: string; stylesheet?: string; extra?: string[] },
  code: string,
  exit: number,
  message: RegExp,
) {
  const before = sites.b.hash();
  const r = importAt(sites.b, args.file, args.stylesheet, args.extra);
  expect(r.stderr).toContain(`cibsync: ${code}:`);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(exit);
  expect(sites.b.hash()).toBe(before);
}

function writePub(name: string, text: string): string {
  const file = join(sites.a.dir, name);
  writeFileSync(file, text);
  return file;
}

describe('import, happy path', () => {
  it('applies the configuration and node attributes, keeps B’s own parts, then writes nothing on a second import', async () => {
    const pub = exportFrom(sites.a);
    const r = importAt(sites.b, pub);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/outcome: applied \(patch\)/);
    expect(r.stdout).toMatch(/\+ resource g-web/);
    const text = sites.b.read();
    expect(text).toContain('id="g-web"');
    expect(text).toContain('value="siteB"'); // B's cluster-name kept
    expect(text).not.toContain('value="siteA"');
    expect(text).toContain('id="fence-b"'); // B's fencing kept
    expect(text).not.toContain('id="fence-a"'); // A's fencing dropped
    expect(text).toContain('id="g-booth-b"');
    expect(text).not.toContain('id="g-booth"');
    expect(text).not.toContain('id="cibsync-publisher"'); // A's cibsync resources stay at A
    expect(text).not.toContain('publisher-needs-ticketA');
    expect(text).toContain('id="cibsync-subscriber"');
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'app-role')).toBe('primary');
    expect(await sites.b.pacemaker.queryNodeAttribute('b2', 'app-role')).toBe('secondary');
    expect(await sites.b.pacemaker.queryNodeAttribute('b2', 'standby')).toBeUndefined(); // state, not a setting
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'rack')).toBe('r7'); // B's own attribute untouched

    const hash = sites.b.hash();
    const again = importAt(sites.b, pub);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/outcome: unchanged/);
    expect(sites.b.hash()).toBe(hash);
  });

  it('changes nothing with --dry-run but reports the plan', () => {
    const before = sites.b.hash();
    const r = importAt(sites.b, exportFrom(sites.a), 'identity.xsl', ['--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/outcome: dry-run/);
    expect(r.stdout).toMatch(/\+ resource vip-db/);
    expect(sites.b.hash()).toBe(before);
  });

  it('carries a change at A and removes what A removed; deletes attributes it set that left the publication', async () => {
    expect(importAt(sites.b, exportFrom(sites.a)).code).toBe(0);
    sites.a.tool('cibadmin', ['--delete', '--xml-text', '<rsc_colocation id="db-with-web"/>']);
    sites.a.tool('cibadmin', ['--modify', '--xml-text', '<nvpair id="vip-db-ip" value="192.0.2.21"/>']);
    sites.a.tool('crm_attribute', ['--node', 'a1', '--name', 'cpu-weight', '--delete']);
    const r = importAt(sites.b, exportFrom(sites.a), 'identity.xsl', ['--output-as=json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.changes).toEqual(
      expect.arrayContaining([
        { kind: 'constraint', id: 'db-with-web', change: 'removed', details: [] },
        expect.objectContaining({
          kind: 'resource',
          id: 'vip-db',
          change: 'changed',
          details: ['ip.value: 192.0.2.20 → 192.0.2.21'],
        }),
      ]),
    );
    expect(sites.b.read()).not.toContain('db-with-web');
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'cpu-weight')).toBeUndefined();
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'app-role')).toBe('primary');
  });

  it('leaves an attribute alone that someone changed after cibsync set it', async () => {
    expect(importAt(sites.b, exportFrom(sites.a)).code).toBe(0);
    sites.b.tool('crm_attribute', ['--node', 'b1', '--name', 'cpu-weight', '--update', '8']);
    sites.a.tool('crm_attribute', ['--node', 'a1', '--name', 'cpu-weight', '--delete']);
    expect(importAt(sites.b, exportFrom(sites.a)).code).toBe(0);
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'cpu-weight')).toBe('8');
  });

  it('reads the publication from standard input', () => {
    const r = cli(['import', '-', '--state-dir', sites.b.stateDir, '--node-map', 'a1=b1', ...trustArgs(sites.b)], {
      cibFile: sites.b.cibFile,
      input: readFileSync(exportFrom(sites.a), 'utf8'),
    });
    expect(r.code).toBe(0);
    expect(sites.b.read()).toContain('id="g-web"');
  });
});

describe('import, refusals leave the CIB byte-identical', () => {
  it('malformed XML', () => {
    refusedUntouched(
      { file: writePub('bad.xml', '<cibsync-publication><configuration></cibsync-publication>') },
      'CIBSYNC_XML_MALFORMED',
      3,
      /Expected closing tag|closing tag/i,
    );
  });

  it('a truncated file', () => {
    const text = readFileSync(exportFrom(sites.a), 'utf8');
    refusedUntouched(
      { file: writePub('trunc.xml', text.slice(0, Math.floor(text.length * 0.6))) },
      'CIBSYNC_XML_MALFORMED',
      3,
      /line \d+/,
    );
  });

  it('a DOCTYPE', () => {
    refusedUntouched(
      { file: writePub('dt.xml', '<!DOCTYPE x [<!ENTITY big "boom">]><cibsync-publication/>') },
      'CIBSYNC_XML_DOCTYPE',
      3,
      /DOCTYPE/,
    );
  });

  it('an undefined entity', () => {
    const text = readFileSync(exportFrom(sites.a), 'utf8').replace('value="primary"', 'value="&prim;"');
    refusedUntouched({ file: writePub('ent.xml', text) }, 'CIBSYNC_XML_ENTITY', 3, /&prim;/);
  });

  it('a digest mismatch', () => {
    const text = readFileSync(exportFrom(sites.a), 'utf8').replace('value="192.0.2.20"', 'value="192.0.2.99"');
    refusedUntouched({ file: writePub('tampered.xml', text) }, 'CIBSYNC_DIGEST_MISMATCH', 3, /does not match/);
  });

  it('not a publication', () => {
    refusedUntouched(
      { file: writePub('cib.xml', sites.a.read()) },
      'CIBSYNC_PUBLICATION_INVALID',
      3,
      /expected <cibsync-publication>/,
    );
  });

  it('an older publication than the last applied from that site', () => {
    const old = exportFrom(sites.a);
    sites.a.tool('cibadmin', ['--modify', '--xml-text', '<nvpair id="vip-db-ip" value="192.0.2.22"/>']);
    expect(importAt(sites.b, exportFrom(sites.a)).code).toBe(0);
    refusedUntouched({ file: old }, 'CIBSYNC_PUBLICATION_STALE', 3, /older than 0\.21/);
  });

  it('a failing transform, keeping its message', () => {
    refusedUntouched(
      { file: exportFrom(sites.a), stylesheet: 'terminate.xsl' },
      'CIBSYNC_TRANSFORM_FAILED',
      4,
      /no mapping for siteA/,
    );
  });

  it('a transform whose output is not a configuration', () => {
    refusedUntouched(
      { file: exportFrom(sites.a), stylesheet: 'not-configuration.xsl' },
      'CIBSYNC_TRANSFORM_OUTPUT_INVALID',
      4,
      /<html>/,
    );
  });

  it('a schema-invalid result', () => {
    refusedUntouched(
      { file: exportFrom(sites.a), stylesheet: 'schema-invalid.xsl' },
      'CIBSYNC_CANDIDATE_SCHEMA_INVALID',
      4,
      /loss-policy/,
    );
  });

  it('a result crm_verify rates worse than B', () => {
    refusedUntouched(
      { file: exportFrom(sites.a), stylesheet: 'semantic-error.xsl' },
      'CIBSYNC_CANDIDATE_WORSE',
      4,
      /influence/,
    );
  });

  it('a transform that deletes every resource, unless --allow-empty', () => {
    expect(importAt(sites.b, exportFrom(sites.a)).code).toBe(0);
    refusedUntouched(
      { file: exportFrom(sites.a), stylesheet: 'drop-resources.xsl' },
      'CIBSYNC_CANDIDATE_EMPTY',
      4,
      /remove all 3 replicated resources/,
    );
    const r = importAt(sites.b, exportFrom(sites.a), 'drop-resources.xsl', ['--allow-empty']);
    expect(r.code).toBe(0);
    expect(sites.b.read()).not.toContain('id="g-web"');
    expect(sites.b.read()).toContain('id="fence-b"');
  });

  it('a publication whose ticket this site holds', () => {
    sites.b.tool('crm_ticket', ['--ticket', 'ticketA', '--grant', '--force']);
    refusedUntouched({ file: exportFrom(sites.a) }, 'CIBSYNC_LOCAL_HOLDS_TICKET', 6, /holds ticket ticketA/);
  });
});

describe('export', () => {
  it('refuses while the site does not hold the ticket', () => {
    sites.a.tool('crm_ticket', ['--ticket', 'ticketA', '--revoke', '--force']);
    const r = cli(['export', '--ticket', 'ticketA', ...signingArgs()], { cibFile: sites.a.cibFile });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/CIBSYNC_TICKET_NOT_HELD: site siteA does not hold ticket ticketA/);
    expect(r.stdout).toBe('');
  });

  it('gives the same digest for an unchanged CIB and a new one after a change', () => {
    const digest = (file: string) => /digest="([0-9a-f]{64})"/.exec(readFileSync(file, 'utf8'))?.[1];
    const first = digest(exportFrom(sites.a));
    expect(digest(exportFrom(sites.a))).toBe(first);
    sites.a.tool('crm_attribute', ['--node', 'a2', '--name', 'app-role', '--update', 'tertiary']);
    expect(digest(exportFrom(sites.a))).not.toBe(first);
  });
});

describe('rollback', () => {
  it('restores the configuration from before the last apply, keeping nodes', async () => {
    const original = await sites.b.pacemaker.querySection('resources');
    expect(importAt(sites.b, exportFrom(sites.a)).code).toBe(0);
    const list = cli(['rollback', '--list', '--state-dir', sites.b.stateDir], { cibFile: sites.b.cibFile });
    expect(list.stdout).toMatch(/^1\tconfiguration-.*-0\.7\.xml$/m);
    const r = cli(['rollback', '--state-dir', sites.b.stateDir], { cibFile: sites.b.cibFile });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rolled back to/);
    const { sameXml } = await import('../../services/xml/index.js');
    expect(sameXml(await sites.b.pacemaker.querySection('resources'), original)).toBe(true);
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'app-role')).toBe('primary'); // nodes kept
    const missing = cli(['rollback', '9', '--state-dir', sites.b.stateDir], { cibFile: sites.b.cibFile });
    expect(missing.code).toBe(7);
    expect(missing.stderr).toMatch(/CIBSYNC_NO_BACKUP/);
  });
});

describe('usage', () => {
  it('exits 2 with a usage line for a missing file and an unknown option', () => {
    expect(cli(['import']).code).toBe(2);
    const r = cli(['import', 'x.xml', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CIBSYNC_USAGE/);
    expect(cli(['nope']).code).toBe(2);
    expect(cli(['--help']).stdout).toMatch(/commands:/);
  });
});
