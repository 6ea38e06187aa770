// Manual approval: a thin state machine over the pipeline's front door and the plan store. A
// publication becomes a pending plan (planImport, with the transition crm_simulate predicts); a
// person reads it and approves ("make it so": applyPlan of exactly the recorded candidate, refused
// once the local CIB moved on), edits (replan of the edited candidate) or rejects it. A newer
// publication supersedes a pending plan. Every decision is recorded with who made it.
import { randomUUID } from 'node:crypto';
import { compareVersions, formatVersion, versionOf } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import {
  applyPlan,
  type PipelineContext,
  type Plan,
  type PlanDocuments,
  planImport,
  reloadPlan,
  replan,
  sourceOf,
} from '../pipeline/index.js';
import { checkNotOnHold } from '../state/hold.js';
import { parseXml, toDocument } from '../xml/index.js';
import { type Decision, type PlanRecord, PlanStore } from './record.js';

export { type Decision, type PlanRecord, PlanStore } from './record.js';

function decision(by: string, action: Decision['action'], reason?: string): Decision {
  return reason === undefined
    ? { at: new Date().toISOString(), by, action }
    : { at: new Date().toISOString(), by, action, reason };
}

/** A pending plan's record for `plan` (createPlan stores it; a dry run only shows it). */
export function recordOf(plan: Plan, id: string, decisions: Decision[] = []): PlanRecord {
  return {
    id,
    status: 'pending',
    createdAt: new Date().toISOString(),
    source: sourceOf(plan.publication),
    localVersion: versionOf(plan.localCib),
    changes: plan.changes,
    attributes: plan.attributes,
    transition: plan.transition ?? [],
    verdict: { baseline: plan.verify.baseline, candidate: plan.verify.candidate },
    edited: false,
    decisions,
  };
}

export type CreatePlanOutcome =
  | { outcome: 'planned' | 'already-pending' | 'already-rejected'; record: PlanRecord }
  | { outcome: 'unchanged'; record?: undefined; source: PlanRecord['source'] };

/** Manual mode's answer to a publication: record a pending plan (superseding an older one). */
export async function createPlan(text: string, ctx: PipelineContext, by = 'subscriber'): Promise<CreatePlanOutcome> {
  const store = new PlanStore(ctx.config.stateDir);
  const plan = await planImport(text, ctx, { transition: true });
  const plans = await store.list();
  const pending = plans.find((p) => p.status === 'pending');
  const sameAsThis = (p: PlanRecord) =>
    p.source.digest === plan.publication.digest && compareVersions(p.localVersion, versionOf(plan.localCib)) === 0;
  if (pending && sameAsThis(pending) && !pending.edited) return { outcome: 'already-pending', record: pending };
  // A person said no to this publication on this CIB: asking again on every round (or after a
  // restart) would only bring the rejected plan back. A new publication, or a local change, will.
  const rejected = plans.find((p) => p.status === 'rejected' && sameAsThis(p));
  if (!pending && rejected) return { outcome: 'already-rejected', record: rejected };
  if (pending)
    await supersede(
      store,
      pending,
      by,
      `superseded by the publication from ${plan.publication.site} at ${plan.publication.adminEpoch}.${plan.publication.epoch}`,
    );
  if (!plan.configurationChanged && plan.attributes.changes.length === 0)
    return { outcome: 'unchanged', source: sourceOf(plan.publication) };
  const record = recordOf(plan, randomUUID(), [decision(by, 'created')]);
  await store.saveDocument(record.id, 'publication', text);
  await store.saveDocument(record.id, 'local', toDocument(plan.localCib));
  await store.saveDocument(record.id, 'candidate', toDocument(plan.candidate));
  await store.save(record);
  ctx.logger.info(
    {
      step: 'plan',
      plan: record.id,
      digest: record.source.digest,
      changes: record.changes.length,
      transition: record.transition.length,
    },
    'plan recorded; waiting for approval',
  );
  return { outcome: 'planned', record };
}

async function supersede(store: PlanStore, record: PlanRecord, by: string, reason: string): Promise<void> {
  record.status = 'superseded';
  record.decisions.push(decision(by, 'superseded', reason));
  await store.save(record);
}

async function pendingPlan(store: PlanStore, id: string): Promise<PlanRecord> {
  const record = await store.get(id);
  if (record.status !== 'pending')
    throw new CibsyncError('CIBSYNC_PLAN_NOT_PENDING', `plan ${id} is ${record.status}, not pending`, {
      plan: id,
      status: record.status,
    });
  return record;
}

/** Fails with CIBSYNC_CIB_CHANGED when the local configuration moved since the plan was made: the plan stays pending. */
async function requireUnchangedCib(ctx: PipelineContext, record: PlanRecord): Promise<void> {
  const now = await ctx.pacemaker.rootVersion();
  if (compareVersions(now, record.localVersion) !== 0) {
    throw new CibsyncError(
      'CIBSYNC_CIB_CHANGED',
      `the local configuration changed from ${formatVersion(record.localVersion)} to ${formatVersion(now)} since plan ${record.id} was made; nothing was written (a new plan is needed)`,
      { plan: record.id },
    );
  }
}

async function loadPlan(store: PlanStore, record: PlanRecord, ctx: PipelineContext): Promise<Plan> {
  const read = (doc: keyof PlanDocuments) => store.readDocument(record.id, doc);
  const documents = {
    publication: await read('publication'),
    local: await read('local'),
    candidate: await read('candidate'),
  };
  return reloadPlan(
    documents,
    { changes: record.changes, attributes: record.attributes, verify: record.verdict, transition: record.transition },
    ctx,
    `plan ${record.id}`,
  );
}

/** "Make it so": apply exactly the recorded candidate and attribute changes. */
export async function approvePlan(id: string, ctx: PipelineContext, by: string): Promise<PlanRecord> {
  const store = new PlanStore(ctx.config.stateDir);
  const record = await pendingPlan(store, id);
  await checkNotOnHold(ctx.config.stateDir); // `cibsync hold` writes no CIB: the epoch check alone would let a plan through
  await requireUnchangedCib(ctx, record);
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
  ctx.logger.info(
    { step: 'approve', plan: id, by, digest: record.source.digest },
    `plan approved by ${by} and applied`,
  );
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
  await requireUnchangedCib(ctx, record);
  const edited = parseXml(editedText, {
    source: `edited candidate of plan ${id}`,
    maxBytes: ctx.config.maxPublicationBytes,
  });
  const plan = await replan(await loadPlan(store, record, ctx), edited, ctx);
  record.changes = plan.changes;
  record.transition = plan.transition ?? [];
  record.verdict = { baseline: plan.verify.baseline, candidate: plan.verify.candidate };
  record.edited = true;
  record.decisions.push(decision(by, 'edited'));
  await store.saveDocument(id, 'candidate', toDocument(plan.candidate));
  await store.save(record);
  ctx.logger.info({ step: 'edit', plan: id, by, changes: record.changes.length }, `plan edited by ${by}; re-verified`);
  return record;
}
