// What approval records of a plan: where it came from, what it changes, what the cluster would do,
// crm_verify's verdict, and every decision on it. Kept by the state module's plan files.
import type { CibVersion } from '../cib/index.js';
import type { SimulatedAction, Verdict } from '../pacemaker/index.js';
import type { AttributePlan, ImportResult, ObjectChange } from '../pipeline/index.js';
import { PlanFiles } from '../state/plans.js';

export type PlanStatus = 'pending' | 'applied' | 'rejected' | 'superseded' | 'failed';

export interface Decision {
  at: string;
  by: string;
  action: 'created' | 'edited' | 'approved' | 'rejected' | 'superseded' | 'failed';
  reason?: string;
}

export interface PlanRecord {
  id: string;
  status: PlanStatus;
  createdAt: string;
  source: ImportResult['source'];
  /** The local CIB version the plan was made against; approval is refused once it moved. */
  localVersion: CibVersion;
  changes: ObjectChange[];
  attributes: AttributePlan;
  /** What the scheduler would do at this site if the plan were applied, beyond what it would do anyway. */
  transition: SimulatedAction[];
  verdict: { baseline: Verdict; candidate: Verdict };
  edited: boolean;
  decisions: Decision[];
  outcome?: Pick<ImportResult, 'outcome' | 'after' | 'backup' | 'method'>;
  error?: { code: string; message: string };
}

/** The plans of a state directory (`<stateDir>/plans`), as approval records them. */
export class PlanStore extends PlanFiles<PlanRecord> {}
