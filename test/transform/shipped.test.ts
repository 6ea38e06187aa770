// Every shipped transform's fixtures, in every engine: the golden output, and no disagreement.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEngine, ENGINE_NAMES } from '../../services/transform/engine.js';
import { findFixtures, runFixture } from '../../services/transform/fixtures.js';

const TRANSFORMS = fileURLToPath(new URL('../../transforms', import.meta.url));
const fixtures = await findFixtures(TRANSFORMS);
const engines = await Promise.all(ENGINE_NAMES.map((name) => createEngine(name)));

describe('shipped transforms', () => {
  it('has fixtures for every shipped transform', () => {
    const covered = new Set(fixtures.map((f) => f.transform));
    for (const name of ['rewrite-ip', 'rewrite-paths', 'map-nodes', 'drop', 'set-nvpairs', 'identity'])
      expect(covered.has(name), name).toBe(true);
  });

  it.each(fixtures.map((f) => [`${f.transform}/${f.name}`, f] as const))('%s passes in %s', async (_label, fixture) => {
    const result = await runFixture(fixture, engines);
    expect(result.runs.map((r) => r.engine)).toEqual([...ENGINE_NAMES]);
    expect(result.problems, [...result.problems, ...result.diffs].join('\n')).toEqual([]);
  });
});
