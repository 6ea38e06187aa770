// The pipeline's front door (services/pipeline/index.ts): planImport writes nothing and predicts the
// transition only when asked (two crm_simulate runs of the whole CIB), never for an unchanged
// configuration; replan judges an edited candidate against the CIB as it is; applyPlan writes it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { applyPlan, type PipelineContext, planImport, replan } from '../../services/pipeline/index.js';
import { clone, element, firstChild, type XmlElement } from '../../services/xml/index.js';
import { unsignedPublicationOf, useSitesAB } from '../helpers/import.js';

const sites = useSitesAB();
let ctx: PipelineContext;
const publicationOfA = () => unsignedPublicationOf(sites.a);

beforeEach(() => {
  const defaults = defaultConfig();
  const config = {
    ...defaults,
    site: 'siteB',
    stateDir: sites.b.stateDir,
    nodeMap: { a1: 'b1', a2: 'b2' },
    trust: { ...defaults.trust, allowUnsigned: true },
  };
  ctx = { config, pacemaker: sites.b.pacemaker, logger: silentLogger };
});
afterEach(() => vi.restoreAllMocks());

const actions = (plan: { transition?: { action: string; resource: string }[] }) =>
  plan.transition?.map((t) => `${t.action} ${t.resource}`).sort();

describe('planImport', () => {
  it('writes nothing, and runs crm_simulate only when the transition is asked for', async () => {
    const text = await publicationOfA();
    const before = sites.b.hash();
    const simulate = vi.spyOn(sites.b.pacemaker, 'simulate');
    const plain = await planImport(text, ctx);
    expect(plain.configurationChanged).toBe(true);
    expect(plain.transition).toBeUndefined();
    expect(simulate).not.toHaveBeenCalled();
    const shown = await planImport(text, ctx, { transition: true });
    expect(actions(shown)).toEqual(['start ping:0', 'start ping:1']);
    expect(simulate).toHaveBeenCalledTimes(2);
    expect(sites.b.hash()).toBe(before);
  });

  it('predicts no action for a configuration that is already the candidate, without running crm_simulate', async () => {
    const text = await publicationOfA();
    await applyPlan(await planImport(text, ctx), ctx);
    const simulate = vi.spyOn(sites.b.pacemaker, 'simulate');
    const again = await planImport(text, ctx, { transition: true });
    expect(again.configurationChanged).toBe(false);
    expect(again.transition).toEqual([]);
    expect(simulate).not.toHaveBeenCalled();
  });
});

describe('replan', () => {
  /** The candidate with one more primitive, `extra`, in its resources. */
  function withExtra(candidate: XmlElement): XmlElement {
    const edited = clone(candidate);
    firstChild(edited, 'resources')?.children.push(
      element('primitive', { id: 'extra', class: 'ocf', provider: 'pacemaker', type: 'Dummy' }),
    );
    return edited;
  }

  it('judges, diffs and simulates an edited candidate; applyPlan then writes exactly that', async () => {
    const plan = await planImport(await publicationOfA(), ctx, { transition: true });
    const edited = await replan(plan, withExtra(plan.candidate), ctx);
    expect(edited.changes).toContainEqual(expect.objectContaining({ kind: 'resource', id: 'extra', change: 'added' }));
    expect(edited.changes.length).toBe(plan.changes.length + 1);
    expect(actions(edited)).toContain('start extra');
    expect(edited.attributes).toBe(plan.attributes);
    await applyPlan(edited, ctx);
    expect(sites.b.read()).toContain('id="extra"');
  });

  it('refuses a candidate that is not a <configuration>, writing nothing', async () => {
    const plan = await planImport(await publicationOfA(), ctx);
    const before = sites.b.hash();
    await expect(replan(plan, element('resources'), ctx)).rejects.toMatchObject({
      code: 'CIBSYNC_TRANSFORM_OUTPUT_INVALID',
    });
    expect(sites.b.hash()).toBe(before);
  });
});
