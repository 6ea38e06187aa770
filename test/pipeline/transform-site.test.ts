// The transform step of an import and the transform tools run one function (transform/site.ts), with
// one behaviour: a chain without this site's name is refused, naming the setting, before anything is
// written. It never runs with an empty local_site (a stylesheet rewriting by $local_site would match
// nothing and pass the source's values through).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Config, defaultConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { importPublication } from '../../services/pipeline/index.js';
import { lastApplied } from '../../services/state/sources.js';
import { TEST_TRANSFORMS, unsignedPublicationOf, useSitesAB } from '../helpers/import.js';
import { cli, FIXTURES } from '../helpers/sites.js';

const REFUSAL = /^setting site: this site's name is not set, and the transform chain needs it \(as local_site\)/;
const sites = useSitesAB();

/** B's settings with the test chain and no site. */
function chainWithoutSite(): Config {
  const { site: _site, ...defaults } = defaultConfig();
  return {
    ...defaults,
    stateDir: sites.b.stateDir,
    nodeMap: { a1: 'b1', a2: 'b2' },
    trust: { ...defaults.trust, allowUnsigned: true },
    transformChain: [join(TEST_TRANSFORMS, 'identity.xsl')],
  };
}

describe('a transform chain without this site’s name', () => {
  it('refuses the import, naming the setting; the CIB is not written and nothing is recorded', async () => {
    const { a, b } = sites;
    const text = await unsignedPublicationOf(a);
    const before = b.hash();
    const config = chainWithoutSite();
    const ctx = { config, pacemaker: b.pacemaker, logger: silentLogger };
    await expect(importPublication(text, ctx)).rejects.toMatchObject({
      code: 'CIBSYNC_CONFIG_INVALID',
      message: expect.stringMatching(REFUSAL),
      details: { key: 'site' },
    });
    expect(b.hash()).toBe(before);
    expect(await lastApplied(b.stateDir, 'siteA')).toBeUndefined();
    // With the site set, the same publication goes through.
    await expect(importPublication(text, { ...ctx, config: { ...config, site: 'siteB' } })).resolves.toMatchObject({
      outcome: 'applied',
    });
  });

  it('is refused alike by `cibsync transform run`', () => {
    const r = cli([
      'transform',
      'run',
      '--transforms',
      TEST_TRANSFORMS,
      '--chain',
      'identity.xsl',
      join(FIXTURES, 'sites', 'site-a.xml'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^cibsync: CIBSYNC_CONFIG_INVALID: ${REFUSAL.source.slice(1)}`, 'm'));
  });
});
