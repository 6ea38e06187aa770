// Item 3 end to end: a source site whose servers are called constructor, toString and __proto__.
// Before, the node map (a plain object) resolved them to Object.prototype's functions and every
// import failed; now they are servers without a local counterpart, and the import goes through.
import { describe, expect, it } from 'vitest';
import { importArgs, runCli } from '../faults/apply-helpers.js';
import { exportFrom, useSitesAB } from '../helpers/import.js';

const sites = useSitesAB();

describe('servers named like Object.prototype members', () => {
  it('are unmapped servers, and the import applies the rest', async () => {
    ['constructor', 'toString', '__proto__'].forEach((name, i) => {
      sites.a.tool('cibadmin', [
        '--create',
        '--scope',
        'nodes',
        '--xml-text',
        `<node id="${90 + i}" uname="${name}"/>`,
      ]);
      sites.a.tool('crm_attribute', ['--node', name, '--name', 'app-role', '--update', 'odd']);
    });
    const pub = exportFrom(sites.a);
    for (let round = 0; round < 2; round++) {
      const run = await runCli(importArgs(sites.b, pub, ['--output-as', 'json']), { cibFile: sites.b.cibFile });
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).outcome).toBe(round === 0 ? 'applied' : 'unchanged');
    }
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'app-role')).toBe('primary');
    expect(sites.b.read()).not.toContain('value="odd"');
  });
});
