// The one intake of a publication: the approval mode decides whether it is imported now (auto) or
// becomes a plan that waits for a person (manual). `cibsync import` and the subscriber daemon both
// come in here, so the two can never decide differently. A dry run never records a plan.
import type { Config } from '../config/index.js';
import { type ImportResult, importPublication, type PipelineContext } from '../pipeline/index.js';
import { type CreatePlanOutcome, createPlan } from './index.js';
import type { PlanRecord } from './record.js';

export type ApprovalMode = 'auto' | 'manual';

/** Manual mode's answer to a publication: a plan that waits for approval, or nothing to decide. */
export interface PlanningResult {
  approval: 'manual';
  outcome: CreatePlanOutcome['outcome'];
  source: ImportResult['source'];
  record?: PlanRecord;
}

export type IntakeResult = ImportResult | PlanningResult;

export interface IntakeOptions {
  /** Overrides the subscriber.approval setting (`cibsync import --approval`). */
  approval?: ApprovalMode;
  /** Who a recorded plan is created by. */
  by: string;
}

/** The approval mode in force: the override, else subscriber.approval, else auto. */
function approvalMode(config: Config, override?: ApprovalMode): ApprovalMode {
  return override ?? config.subscriber?.approval ?? 'auto';
}

export async function takePublication(
  text: string,
  ctx: PipelineContext,
  options: IntakeOptions,
): Promise<IntakeResult> {
  if (approvalMode(ctx.config, options.approval) === 'auto' || ctx.dryRun) return importPublication(text, ctx);
  const planned = await createPlan(text, ctx, options.by);
  return {
    approval: 'manual',
    outcome: planned.outcome,
    source: planned.record ? planned.record.source : planned.source,
    record: planned.record,
  };
}
