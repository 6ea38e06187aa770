// The import pipeline's front door: a row of small steps, each in its own module and tested on its
// own, reached only through these functions. `planImport` runs every step up to the write and
// returns a Plan (with the transition crm_simulate predicts, when asked); `applyPlan` writes a plan
// (guarded patch, node attributes, state records); `replan` makes the plan of an edited candidate;
// `importPublication` is both in a row (the automatic mode), `rollback` puts a backup back through
// the same guarded write. The CLI, the subscriber daemon and the approval flow call nothing else of
// the pipeline; what they keep between calls (plans, holds, backups) is the state module's.

import { type CibVersion, configurationOfCib, formatVersion, versionOf } from '../cib/index.js';
import { asCibsyncError, CibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SimulatedAction } from '../pacemaker/index.js';
import { type Publication, readPublication } from '../publication/index.js';
import { checkStateWritable } from '../state/files.js';
import { checkNotOnHold } from '../state/hold.js';
import { attributeStatePath, readOwnedAttributes } from '../state/ownership.js';
import { type AppliedSource, recordApplied, sourceStatePath } from '../state/sources.js';
import { hasChain, runSiteChain } from '../transform/site.js';
import { parseXml, sameXml, type XmlElement } from '../xml/index.js';
import { applyConfiguration, type PlannedWrite, planWrite } from './apply.js';
import {
  type AttributePlan,
  planAttributes,
  recordOwnership,
  recordOwnershipAhead,
  withAttributeChanges,
} from './attributes.js';
import { checkFreshness } from './freshness.js';
import { checkOrigin } from './origin.js';
import { appliedLocally, recordOfSame, stillAsApplied } from './recognise.js';
import { scopeCandidate, subscribedTickets } from './scope.js';
import { spliceSiteLocal } from './splice.js';
import { summarizeChanges } from './summary.js';
import { predictTransition } from './transition.js';
import type { ImportResult, ObjectChange, PipelineContext } from './types.js';
import { verifyCandidate } from './verify.js';

export type { AttributePlan } from './attributes.js';
export { type RollbackOutcome, rollback } from './rollback.js';
export { type RuntimeWrite, readRuntimeChecked, writeRuntimeAttributes } from './runtime.js';
export { predictTicketGrant } from './transition.js';
export type { AttributeChange, ImportResult, ObjectChange, PipelineContext } from './types.js';

/** Everything the pipeline decided before writing: what an approval flow shows and later applies. */
export interface Plan {
  publication: Publication;
  /** The whole local CIB the plan was computed against (its epoch guards the apply). */
  localCib: XmlElement;
  candidate: XmlElement;
  configurationChanged: boolean;
  /** How the candidate is written (crm_diff's patch or whole sections), planned while crm_verify runs; absent: planned at the apply. */
  write?: PlannedWrite;
  changes: ObjectChange[];
  attributes: AttributePlan;
  verify: Awaited<ReturnType<typeof verifyCandidate>>;
  /** What the scheduler here would do beyond what it does anyway (crm_simulate); only when asked for. */
  transition?: SimulatedAction[];
}

export interface PlanOptions {
  /** Predict the transition (two crm_simulate runs): for a plan a person reads, never for an automatic import. */
  transition?: boolean;
}

function stepLogger(logger: Logger, publication: Pick<Publication, 'digest' | 'site' | 'scopes'>): Logger {
  return logger.child({
    digest: publication.digest,
    source: publication.site,
    ...(publication.scopes ? { scope: publication.scopes.join('+') } : {}),
  });
}

/** A publication read and checked (steps – to 2), with what was last applied from its source. */
interface Checked {
  publication: Publication;
  last: AppliedSource | undefined;
  log: Logger;
  /** The tickets this site must not hold to take the publication (the ticket step asks each). */
  tickets: string[];
}

async function readChecked(text: string, ctx: PipelineContext): Promise<Checked> {
  const { config } = ctx;
  if (!ctx.dryRun) await checkNotOnHold(config.stateDir); // a dry run writes nothing: it may vet a source while on hold
  const publication = readPublication(text, { maxBytes: config.maxPublicationBytes });
  const origin = checkOrigin(publication, config);
  const log = stepLogger(ctx.logger, publication);
  log.info(
    {
      step: 'parse',
      epoch: `${publication.adminEpoch}.${publication.epoch}`,
      created: publication.created,
      signer: origin.signed ? origin.signer.subject : 'unsigned',
    },
    'publication parsed, digest and origin verified',
  );

  // A scoped publication is taken by scope: the tickets that decide are the ones its scopes come with here.
  const tickets = publication.scopes
    ? subscribedTickets(config, publication)
    : [config.ticket, publication.ticket].filter((t): t is string => !!t);
  if (publication.scopes)
    log.info({ step: 'scope', tickets }, `this site takes scope ${publication.scopes.join(' + ')}`);
  const last = await checkFreshness(config.stateDir, publication);
  log.info({ step: 'freshness' }, 'publication is not older than the last applied');
  return { publication, last, log, tickets };
}

/** Steps 1–6 and the attribute plan: parse, freshness, ticket, transform, splice, verify, diff. Writes nothing. */
export async function planImport(text: string, ctx: PipelineContext, options: PlanOptions = {}): Promise<Plan> {
  return planChecked(await readChecked(text, ctx), ctx, options);
}

async function planChecked(
  { publication, log, tickets }: Checked,
  ctx: PipelineContext,
  options: PlanOptions = {},
): Promise<Plan> {
  const { config, pacemaker } = ctx;
  // Independent of each other: ask them at once (each Pacemaker tool run costs ~45 ms).
  const [, localCib, transformed] = await Promise.all([
    checkTicket(ctx, publication, tickets, log),
    pacemaker.queryCib(),
    transform(ctx, publication, log),
  ]);
  const localConfiguration = configurationOfCib(localCib);

  const scopes = publication.scopes;
  const whole = scopes ? scopeCandidate(localConfiguration, transformed, scopes, config) : transformed;
  if (scopes) log.info({ step: 'scope' }, `scope ${scopes.join(' + ')} put into this site's configuration`);
  const spliced = spliceSiteLocal(whole, localConfiguration, config.siteLocal);
  log.info({ step: 'splice', dropped: spliced.dropped.length, kept: spliced.kept.length }, 'site-local parts kept');
  const localReplicated = spliceSiteLocal(localConfiguration, localConfiguration, config.siteLocal).replicatedResources;
  if (spliced.replicatedResources === 0 && localReplicated > 0 && !config.allowEmpty) {
    throw new CibsyncError(
      'CIBSYNC_CANDIDATE_EMPTY',
      `the candidate would remove all ${localReplicated} replicated resources of this site; refused (use --allow-empty if that is intended)`,
    );
  }

  // The node attributes go into the candidate's <nodes>: one patch writes them with the rest. They
  // travel with the global scope: a publication without it leaves them as they are.
  const owned = await readOwnedAttributes(config.stateDir);
  const attributes =
    scopes && !scopes.includes('global')
      ? { changes: [], owned, unmapped: [] }
      : planAttributes(
          localConfiguration,
          publication.nodeAttributes,
          config.nodeMap,
          config.siteLocal.nodeAttributes,
          owned,
        );
  withAttributeChanges(spliced.configuration, attributes.changes);
  if (attributes.unmapped.length > 0)
    log.warn(
      { step: 'diff', unmapped: attributes.unmapped },
      'servers in the publication with no local counterpart in the node map',
    );

  const configurationChanged = !sameXml(localConfiguration, spliced.configuration);
  const changes = configurationChanged ? summarizeChanges(localConfiguration, spliced.configuration) : [];
  // The write is planned while crm_verify runs; apply uses it only if the CIB is still at this version (a dry run never does).
  const [verify, write] = await Promise.all([
    verifyCandidate(pacemaker, localCib, spliced.configuration, {
      baseline: config.verifyBaseline,
      sourceVerdict: publication.sourceVerdict,
    }),
    configurationChanged && !ctx.dryRun
      ? planWrite(pacemaker, localCib, spliced.configuration, changes.length)
      : Promise.resolve(undefined),
  ]);
  log.info(
    { step: 'verify', baseline: verify.baseline.level, candidate: verify.candidate.level },
    'crm_verify verdict is no worse',
  );
  log.info(
    { step: 'diff', changed: configurationChanged, objects: changes.length, attributes: attributes.changes.length },
    configurationChanged ? 'configuration differs' : 'configuration unchanged',
  );
  // An unchanged configuration adds no action to what the scheduler does anyway: nothing to simulate.
  const transition = options.transition
    ? configurationChanged
      ? await predictTransition(pacemaker, localCib, spliced.configuration)
      : []
    : undefined;
  return {
    publication,
    localCib,
    candidate: spliced.configuration,
    configurationChanged,
    write,
    changes,
    attributes,
    verify,
    transition,
  };
}

/**
 * The plan for an edited candidate instead of `plan`'s own: verified, diffed and (when the plan
 * carried one) its transition predicted again, against the local CIB as it is now. The attribute plan
 * stays (the edited <nodes> hold its changes). The caller checks that the CIB is still at the plan's
 * admin_epoch.epoch; applying the result checks it again under the write lock.
 */
export async function replan(plan: Plan, candidate: XmlElement, ctx: PipelineContext): Promise<Plan> {
  if (candidate.name !== 'configuration')
    throw new CibsyncError(
      'CIBSYNC_TRANSFORM_OUTPUT_INVALID',
      `the edited candidate is a <${candidate.name}>, not a <configuration>`,
    );
  const { config, pacemaker } = ctx;
  const localCib = await pacemaker.queryCib();
  const verify = await verifyCandidate(pacemaker, localCib, candidate, {
    baseline: config.verifyBaseline,
    sourceVerdict: plan.publication.sourceVerdict,
  });
  const localConfiguration = configurationOfCib(localCib);
  const changes = summarizeChanges(localConfiguration, candidate);
  const transition = plan.transition ? await predictTransition(pacemaker, localCib, candidate) : undefined;
  return {
    ...plan,
    localCib,
    candidate,
    configurationChanged: !sameXml(localConfiguration, candidate),
    write: undefined,
    changes,
    verify,
    transition,
  };
}

/** The documents a plan is kept as between planning and applying: the publication's own text, the local CIB, the candidate. */
export interface PlanDocuments {
  publication: string;
  local: string;
  candidate: string;
}

/** A plan back from its documents and what was decided with them (`label` names it in parse errors). */
export function reloadPlan(
  documents: PlanDocuments,
  decided: Pick<Plan, 'changes' | 'attributes' | 'verify' | 'transition'>,
  ctx: PipelineContext,
  label: string,
): Plan {
  const publication = readPublication(documents.publication, { maxBytes: ctx.config.maxPublicationBytes });
  const localCib = parseXml(documents.local, { source: `${label} local CIB` });
  const candidate = parseXml(documents.candidate, { source: `${label} candidate` });
  return {
    publication,
    localCib,
    candidate,
    configurationChanged: !sameXml(configurationOfCib(localCib), candidate),
    ...decided,
  };
}

/**
 * The ticket that decides is the one this site is configured with (`ticket`), or for a scoped
 * publication the ones its scopes come with here (scope.ts); the publication's own claim is checked
 * too, never instead. A query that fails refuses the import: this site applies nothing while it
 * cannot tell whether it is the active site for what it is sent.
 */
async function checkTicket(
  ctx: PipelineContext,
  publication: Publication,
  deciding: string[],
  log: Logger,
): Promise<void> {
  const tickets = [...new Set([...deciding, publication.ticket].filter((t): t is string => !!t))];
  if (tickets.length === 0) {
    log.warn({ step: 'ticket' }, 'no ticket configured and none named by the publication: not checked');
    return;
  }
  for (const ticket of tickets) {
    const state = await ctx.pacemaker.ticket(ticket).catch((err: unknown) => {
      const e = asCibsyncError(err);
      throw new CibsyncError(
        'CIBSYNC_TICKET_QUERY_FAILED',
        `cannot tell whether this site holds ticket ${ticket} (${e.code}: ${e.message}); nothing applied`,
        { ticket, cause: e.code },
      );
    });
    if (state.granted) {
      throw new CibsyncError(
        'CIBSYNC_LOCAL_HOLDS_TICKET',
        `this site holds ticket ${ticket}: it is the active site and does not take ${publication.site}'s configuration`,
        { ticket },
      );
    }
  }
  log.info({ step: 'ticket', tickets }, 'this site does not hold the ticket');
}

/** Step 3: the site's chain, run by the one function the transform tools run it with too. */
async function transform(ctx: PipelineContext, publication: Publication, log: Logger): Promise<XmlElement> {
  if (!hasChain(ctx.config)) return publication.configuration;
  const run = await runSiteChain(ctx.config, publication.configuration, publication.site);
  log.info({ step: 'transform', engine: run.engine, stylesheets: run.stylesheets.length }, 'transform chain applied');
  return run.output;
}

/**
 * Steps 7–8 for a plan: one CIB write (configuration and node attributes together, when anything
 * differs), then the state files. The state directory is checked first, so a failure to record is
 * found before the CIB is written; a failure after the write says so (details.written).
 */
export async function applyPlan(plan: Plan, ctx: PipelineContext): Promise<ImportResult> {
  const { config, pacemaker } = ctx;
  const log = stepLogger(ctx.logger, plan.publication);
  const result = resultOf(plan, 'unchanged');
  await checkStateWritable([
    sourceStatePath(config.stateDir, plan.publication.site, plan.publication.scopes),
    attributeStatePath(config.stateDir),
  ]);
  if (plan.configurationChanged) {
    await recordOwnershipAhead(config.stateDir, await readOwnedAttributes(config.stateDir), plan.attributes);
    const applied = await applyConfiguration(pacemaker, plan.localCib, plan.candidate, {
      stateDir: config.stateDir,
      keepBackups: config.backups,
      logger: log,
      write: plan.write,
    });
    Object.assign(result, { outcome: 'applied', after: applied.after, backup: applied.backup, method: applied.method });
    log.info(
      {
        step: 'apply',
        method: applied.method,
        epoch: formatVersion(applied.after),
        attributes: plan.attributes.changes.length,
        backup: applied.backup,
      },
      'configuration and node attributes applied in one write',
    );
  } else {
    log.info({ step: 'apply' }, 'nothing to write');
  }
  try {
    await recordOwnership(config.stateDir, plan.attributes, log);
    const now = result.after ?? versionOf(plan.localCib);
    // Without the local record (a stylesheet gone since), the next import just runs the whole pipeline.
    const local = await appliedLocally(config, now, plan.verify.candidate).catch(() => undefined);
    await recordApplied(config.stateDir, plan.publication, local);
  } catch (err) {
    throw result.after ? writtenButNotRecorded(err, result.after) : err;
  }
  log.info({ step: 'done', outcome: result.outcome }, `import ${result.outcome}`);
  return result;
}

function writtenButNotRecorded(err: unknown, after: CibVersion): CibsyncError {
  const e = asCibsyncError(err);
  return new CibsyncError(
    e.code,
    `the CIB was written (now at ${formatVersion(after)}), but recording it failed: ${e.message}`,
    { ...e.details, written: true, after },
  );
}

/** What a result or a plan record says of the publication it came from. */
export function sourceOf(p: Publication): ImportResult['source'] {
  return {
    site: p.site,
    ticket: p.ticket,
    ...(p.scopes ? { scopes: p.scopes } : {}),
    adminEpoch: p.adminEpoch,
    epoch: p.epoch,
    digest: p.digest,
    created: p.created,
  };
}

function resultOf(plan: Plan, outcome: ImportResult['outcome']): ImportResult {
  return {
    outcome,
    source: sourceOf(plan.publication),
    changes: plan.changes,
    attributes: plan.attributes.changes,
    baselineVerdict: plan.verify.baseline,
    candidateVerdict: plan.verify.candidate,
    before: versionOf(plan.localCib),
    candidate: plan.candidate,
  };
}

/**
 * The same publication as last time onto an unchanged CIB (recognise.ts): nothing to do, reported as
 * unchanged with the verdict recorded then. The ticket is still asked (in parallel with the version
 * query): it lives in the status section, which moves no epoch, and a site that became the active one
 * must refuse whatever it is sent.
 */
async function unchangedSinceApplied(
  { publication, last, log, tickets }: Checked,
  ctx: PipelineContext,
): Promise<ImportResult | undefined> {
  const local = recordOfSame(publication, last);
  if (!local) return undefined;
  const [, now] = await Promise.all([
    checkTicket(ctx, publication, tickets, log),
    stillAsApplied(local, ctx.config, ctx.pacemaker),
  ]);
  if (!now) return undefined;
  log.info(
    { step: 'done', outcome: 'unchanged', local: formatVersion(now) },
    'import unchanged: this publication was applied onto this very CIB version, nothing ran again',
  );
  return {
    outcome: 'unchanged',
    source: sourceOf(publication),
    changes: [],
    attributes: [],
    baselineVerdict: local.verdict,
    candidateVerdict: local.verdict,
    before: now,
  };
}

/** The whole pipeline on one publication document. */
export async function importPublication(text: string, ctx: PipelineContext): Promise<ImportResult> {
  const checked = await readChecked(text, ctx);
  if (!ctx.dryRun) {
    const unchanged = await unchangedSinceApplied(checked, ctx);
    if (unchanged) return unchanged;
  }
  const plan = await planChecked(checked, ctx);
  if (ctx.dryRun) return resultOf(plan, 'dry-run');
  return applyPlan(plan, ctx);
}
