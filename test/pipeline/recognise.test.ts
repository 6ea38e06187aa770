// No work twice: the same publication onto an unchanged CIB is recognised without running the
// pipeline's Pacemaker tools; any change at this site, in the settings or in the publication runs it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Config, defaultConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { importPublication } from '../../services/pipeline/index.js';
import { buildPublication } from '../../services/publication/build.js';
import { serializePublication } from '../../services/publication/index.js';
import { makeSite, type Site } from '../helpers/sites.js';

let a: Site;
let b: Site;
let config: Config;

beforeEach(() => {
  a = makeSite('site-a.xml');
  b = makeSite('site-b.xml');
  config = {
    ...defaultConfig(),
    site: 'siteB',
    stateDir: b.stateDir,
    nodeMap: { a1: 'b1', a2: 'b2' },
    trust: { ...defaultConfig().trust, allowUnsigned: true },
  };
});
afterEach(() => {
  vi.restoreAllMocks();
  a.cleanup();
  b.cleanup();
});

async function publicationOfA(): Promise<string> {
  return serializePublication(await buildPublication(a.pacemaker, { site: 'siteA' }));
}

/** Counts the pipeline's tool runs on B (the real tools still run). */
function countTools() {
  return {
    query: vi.spyOn(b.pacemaker, 'queryCib'),
    verify: vi.spyOn(b.pacemaker, 'verify'),
    diff: vi.spyOn(b.pacemaker, 'diff'),
    root: vi.spyOn(b.pacemaker, 'rootVersion'),
  };
}

describe('an unchanged publication onto an unchanged CIB', () => {
  it('is recognised from the digests and one root version query: no full query, crm_verify or crm_diff', async () => {
    const text = await publicationOfA();
    const first = await importPublication(text, { config, pacemaker: b.pacemaker, logger: silentLogger });
    expect(first.outcome).toBe('applied');
    const hash = b.hash();
    const tools = countTools();
    const again = await importPublication(text, { config, pacemaker: b.pacemaker, logger: silentLogger });
    expect(again).toMatchObject({
      outcome: 'unchanged',
      changes: [],
      before: first.after,
      candidateVerdict: first.candidateVerdict,
    });
    expect([
      tools.query.mock.calls.length,
      tools.verify.mock.calls.length,
      tools.diff.mock.calls.length,
      tools.root.mock.calls.length,
    ]).toEqual([0, 0, 0, 1]);
    expect(b.hash()).toBe(hash);
  });

  it('runs the whole pipeline when the local configuration changed since (epoch), and puts back what the publication says', async () => {
    const text = await publicationOfA();
    await importPublication(text, { config, pacemaker: b.pacemaker, logger: silentLogger });
    b.tool('cibadmin', ['--delete', '--xml-text', '<rsc_location id="web-prefers-a1"/>']);
    const tools = countTools();
    const again = await importPublication(text, { config, pacemaker: b.pacemaker, logger: silentLogger });
    expect(again.outcome).toBe('applied');
    expect(tools.query.mock.calls.length).toBeGreaterThan(0);
    expect(b.read()).toContain('id="web-prefers-a1"');
  });

  it('runs the whole pipeline when the settings changed since', async () => {
    const text = await publicationOfA();
    await importPublication(text, { config, pacemaker: b.pacemaker, logger: silentLogger });
    const tools = countTools();
    const again = await importPublication(text, {
      config: { ...config, verifyBaseline: 'local' },
      pacemaker: b.pacemaker,
      logger: silentLogger,
    });
    expect(again.outcome).toBe('unchanged');
    expect(tools.verify.mock.calls.length).toBeGreaterThan(0);
  });

  it('still refuses when this site has taken the ticket since (status moves no epoch)', async () => {
    a.tool('crm_ticket', ['--ticket', 'ticketA', '--grant', '--force']);
    const text = serializePublication(await buildPublication(a.pacemaker, { site: 'siteA', ticket: 'ticketA' }));
    a.tool('crm_ticket', ['--ticket', 'ticketA', '--revoke', '--force']);
    await importPublication(text, { config, pacemaker: b.pacemaker, logger: silentLogger });
    b.tool('crm_ticket', ['--ticket', 'ticketA', '--grant', '--force']);
    await expect(
      importPublication(text, { config, pacemaker: b.pacemaker, logger: silentLogger }),
    ).rejects.toMatchObject({ code: 'CIBSYNC_LOCAL_HOLDS_TICKET' });
  });
});
