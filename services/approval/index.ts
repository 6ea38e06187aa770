// Manual approval: the pipeline stops after verification and records a plan; a person reads it
// (the named changes, the transition crm_simulate predicts, crm_verify's verdict) and approves,
// edits or rejects it. Approval applies exactly the recorded candidate, through the same guarded
// apply as an automatic import, and is refused once the local CIB moved on.
import { randomUUID } from 'node:crypto';
import { compareVersions, configurationOfCib, versionOf, withConfiguration } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import type { Pacemaker, SimulatedAction } from '../pacemaker/index.js';
import { checkNotOnHold } from '../pipeline/hold.js';
import { applyPlan, planImport, type Plan, type PipelineContext } from '../pipeline/index.js';
import { summarizeChanges } from '../pipeline/summary.js';
import { verifyCandidate } from '../pipeline/verify.js';
import { readPublication } from '../publication/index.js';
import { parseXml, sameXml, toDocument, type XmlElement } from '../xml/index.js';
import { PlanStore, type Decision, type PlanRecord } from './store.js';

export { PlanStore, type PlanRecord, type Decision } from './store.js';

/** The actions applying `candidate` would add to what the scheduler would do at this site anyway. */
export async function predictTransition(pacemaker: Pacemaker, localCib: XmlElement, candidate: XmlElement): Promise<SimulatedAction[]> {
  const [anyway, after] = await Promise.all([pacemaker.simulate(localCib), pacemaker.simulate(withConfiguration(localCib, candidate))]);
  const key = (a: SimulatedAction) => JSON.stringify(a.attrs);
  const already = new Set(anyway.map(key));
  return after.filter((a) => !already.has(key(a)));
}

function decision(by: string, action: Decision['action'], reason?: string): Decision {
  return reason === undefined ? { at: new Date().toISOString(), by, action } : { at: new Date().toISOString(), by, action, reason };
}

function sourceOf(plan: Plan): PlanRecord['source'] {
  const p = plan.publication;
  return { site: p.site, ticket: p.ticket, adminEpoch: p.adminEpoch, epoch: p.epoch, digest: p.digest, created: p.created };
}

/** A pending plan's record for `plan` (createPlan stores it; a dry run only shows it). */
export function recordOf(plan: Plan, transition: SimulatedAction[], id: string, decisions: Decision[] = []): PlanRecord {
  return {
    id,
    status: 'pending',
    createdAt: new Date().toISOString(),
    source: sourceOf(plan),
    localVersion: versionOf(plan.localCib),
    changes: plan.changes,
    attributes: plan.attributes,
    transition,
    verdict: { baseline: plan.verify.baseline, candidate: plan.verify.candidate },
    edited: false,
    decisions,
  };
}

/** A plan for a publication, with its predicted transition; recorded nowhere (the dry run). */
export async function previewPlan(text: string, ctx: PipelineContext): Promise<{ plan: Plan; transition: SimulatedAction[] }> {
  const plan = await planImport(text, ctx);
  return { plan, transition: await predictTransition(ctx.pacemaker, plan.localCib, plan.candidate) };
}

export type CreatePlanOutcome = { outcome: 'planned' | 'already-pending' | 'already-rejected'; record: PlanRecord } | { outcome: 'unchanged'; record?: undefined; source: PlanRecord['source'] };

/** Manual mode's answer to a publication: record a pending plan (superseding an older one). */
export async function createPlan(text: string, ctx: PipelineContext, by = 'subscriber'): Promise<CreatePlanOutcome> {
  const store = new PlanStore(ctx.config.stateDir);
  const { plan, transition } = await previewPlan(text, ctx);
  const plans = await store.list();
  const pending = plans.find((p) => p.status === 'pending');
  const sameAsThis = (p: PlanRecord) => p.source.digest === plan.publication.digest && compareVersions(p.localVersion, versionOf(plan.localCib)) === 0;
  if (pending && sameAsThis(pending) && !pending.edited) return { outcome: 'already-pending', record: pending };
  // A person said no to this publication on this CIB: asking again on every round (or after a
  // restart) would only bring the rejected plan back. A new publication, or a local change, will.
  const rejected = plans.find((p) => p.status === 'rejected' && sameAsThis(p));
  if (!pending && rejected) return { outcome: 'already-rejected', record: rejected };
  if (pending) await supersede(store, pending, by, `superseded by the publication from ${plan.publication.site} at ${plan.publication.adminEpoch}.${plan.publication.epoch}`);
  if (!plan.configurationChanged && plan.attributes.changes.length === 0) return { outcome: 'unchanged', source: sourceOf(plan) };
  const record = recordOf(plan, transition, randomUUID(), [decision(by, 'created')]);
  await store.saveDocument(record.id, 'publication', text);
  await store.saveDocument(record.id, 'local', toDocument(plan.localCib));
  await store.saveDocument(record.id, 'candidate', toDocument(plan.candidate));
  await store.save(record);
  ctx.logger.info({ step: 'plan', plan: record.id, digest: record.source.digest, changes: record.changes.length, transition: transition.length }, 'plan recorded; waiting for approval');
  return { outcome: 'planned', record };
}

async function supersede(store: PlanStore, record: PlanRecord, by: string, reason: string): Promise<void> {
  record.status = 'superseded';
  record.decisions.push(decision(by, 'superseded', reason));
  await store.save(record);
}

async function pendingPlan(store: PlanStore, id: string): Promise<PlanRecord> {
  const record = await store.get(id);
  if (record.status !== 'pending') throw new CibsyncError('CIBSYNC_PLAN_NOT_PENDING', `plan ${id} is ${record.status}, not pending`, { plan: id, status: record.status });
  return record;
}

/** Fails with CIBSYNC_CIB_CHANGED when the local configuration moved since the plan was made. */
async function requireUnchangedCib(pacemaker: Pacemaker, record: PlanRecord): Promise<XmlElement> {
  const current = await pacemaker.queryCib();
  const now = versionOf(current);
  if (compareVersions(now, record.localVersion) !== 0) {
    throw new CibsyncError('CIBSYNC_CIB_CHANGED', `the local configuration changed from ${record.localVersion.admin_epoch}.${record.localVersion.epoch} to ${now.admin_epoch}.${now.epoch} since plan ${record.id} was made; nothing was written (a new plan is needed)`, { plan: record.id });
  }
  return current;
}

async function loadPlan(store: PlanStore, record: PlanRecord, ctx: PipelineContext): Promise<Plan> {
  const publication = readPublication(await store.readDocument(record.id, 'publication'), { maxBytes: ctx.config.maxPublicationBytes });
  const localCib = parseXml(await store.readDocument(record.id, 'local'), { source: `plan ${record.id} local CIB` });
  const candidate = parseXml(await store.readDocument(record.id, 'candidate'), { source: `plan ${record.id} candidate` });
  return {
    publication,
    localCib,
    candidate,
    configurationChanged: !sameXml(configurationOfCib(localCib), candidate),
    changes: record.changes,
    attributes: record.attributes,
    verify: record.verdict,
  };
}

/** "Make it so": apply exactly the recorded candidate and attribute changes. */
export async function approvePlan(id: string, ctx: PipelineContext, by: string): Promise<PlanRecord> {
  const store = new PlanStore(ctx.config.stateDir);
  const record = await pendingPlan(store, id);
  await checkNotOnHold(ctx.config.stateDir); // `cibsync hold` writes no CIB: the epoch check alone would let a plan through
  await requireUnchangedCib(ctx.pacemaker, record);
  const plan = await loadPlan(store, record, ctx);
  try {
    const result = await applyPlan(plan, ctx);
    record.status = 'applied';
    record.outcome = { outcome: result.outcome, after: result.after, backup: result.backup, method: result.method };
    record.decisions.push(decision(by, 'approved'));
  } catch (err) {
    const e = err instanceof CibsyncError ? err : new CibsyncError('CIBSYNC_INTERNAL', String(err));
    record.decisions.push(decision(by, 'approved'), decision('subscriber', 'failed', `${e.code}: ${e.message}`));
    record.status = 'failed';
    record.error = { code: e.code, message: e.message };
    await store.save(record);
    throw e;
  }
  await store.save(record);
  ctx.logger.info({ step: 'approve', plan: id, by, digest: record.source.digest }, `plan approved by ${by} and applied`);
  return record;
}

export async function rejectPlan(id: string, ctx: PipelineContext, by: string, reason?: string): Promise<PlanRecord> {
  const store = new PlanStore(ctx.config.stateDir);
  const record = await pendingPlan(store, id);
  record.status = 'rejected';
  record.decisions.push(decision(by, 'rejected', reason));
  await store.save(record);
  ctx.logger.info({ step: 'reject', plan: id, by, reason, digest: record.source.digest }, `plan rejected by ${by}`);
  return record;
}

/** Replaces the plan's candidate with an edited one: re-verified, re-diffed and re-simulated. */
export async function editPlan(id: string, editedText: string, ctx: PipelineContext, by: string): Promise<PlanRecord> {
  const store = new PlanStore(ctx.config.stateDir);
  const record = await pendingPlan(store, id);
  const current = await requireUnchangedCib(ctx.pacemaker, record);
  const edited = parseXml(editedText, { source: `edited candidate of plan ${id}`, maxBytes: ctx.config.maxPublicationBytes });
  if (edited.name !== 'configuration') throw new CibsyncError('CIBSYNC_TRANSFORM_OUTPUT_INVALID', `the edited candidate is a <${edited.name}>, not a <configuration>`);
  const plan = await loadPlan(store, record, ctx);
  const verify = await verifyCandidate(ctx.pacemaker, current, edited, { baseline: ctx.config.verifyBaseline, sourceVerdict: plan.publication.sourceVerdict });
  record.changes = summarizeChanges(configurationOfCib(current), edited);
  record.transition = await predictTransition(ctx.pacemaker, current, edited);
  record.verdict = { baseline: verify.baseline, candidate: verify.candidate };
  record.edited = true;
  record.decisions.push(decision(by, 'edited'));
  await store.saveDocument(id, 'candidate', toDocument(edited));
  await store.save(record);
  ctx.logger.info({ step: 'edit', plan: id, by, changes: record.changes.length }, `plan edited by ${by}; re-verified`);
  return record;
}
