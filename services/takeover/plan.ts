// The takeover plan: what granting a ticket at this site would do, computed from the local CIB as it
// is (crm_simulate with the ticket granted, through the pipeline's transition step), with crm_verify's
// verdict and the CIB version it was computed on. The replica's freshness is the subscriber's to add:
// it knows what was applied (TakeoverView).
import { createHash } from 'node:crypto';
import { type CibVersion, versionOf, withoutHistory } from '../cib/index.js';
import type { Pacemaker, SimulatedAction, TicketState, Verdict } from '../pacemaker/index.js';
import { predictTicketGrant } from '../pipeline/index.js';
import type { TakeoverDecision } from './record.js';

/** What one server would do: the resources by what happens to them (a move is listed at its destination). */
export interface ServerActions {
  server: string;
  start: string[];
  promote: string[];
  move: string[];
  stop: string[];
  /** Any other action (demote, restart, recover, migrate …), as "action resource". */
  other: string[];
}

export interface TakeoverPlan {
  ticket: string;
  computedAt: string;
  /** The local CIB version the plan was computed on; granting is refused once admin_epoch.epoch moved. */
  cibVersion: CibVersion;
  /** The ticket as this site sees it now (granted already, standby, booth's owner). */
  ticketState: Pick<TicketState, 'granted' | 'standby' | 'owner'>;
  /** crm_simulate's actions beyond what the scheduler does anyway, in crm_simulate's order. */
  actions: SimulatedAction[];
  servers: ServerActions[];
  verdict: Pick<Verdict, 'level' | 'errors' | 'warnings' | 'schemaErrors'>;
  /** sha256 over ticket, version, actions and verdict: names the plan a person saw and granted. */
  digest: string;
}

/** The replica's freshness, from the subscriber's status. */
export interface Freshness {
  state: string;
  source?: string;
  digest?: string;
  builtAt?: string;
  appliedAt?: string;
  /** Seconds since this site was last known current (status.currentAsOf: a publisher's confirmation, or giving the ticket up); undefined: never. */
  ageSeconds?: number;
  lastContactAt?: string;
  lastError?: { code: string; message: string; at: string };
  /** Manual approval: the plan id that waits for a decision (its changes are not in this site's CIB). */
  pendingPlan?: string;
  hold?: { by: string; at: string; reason?: string };
}

/** A takeover plan as served: with the freshness, whether the CIB is still at its version, and the recent decisions. */
export interface TakeoverView extends TakeoverPlan {
  upToDate: boolean;
  /** The CIB version last seen by the subscriber (when not upToDate: what it moved to). */
  cibVersionNow?: CibVersion;
  freshness: Freshness;
  decisions: TakeoverDecision[];
}

const KINDS = ['start', 'promote', 'move', 'stop'] as const;

/** The actions grouped by server in the order servers first appear. */
export function byServer(actions: SimulatedAction[]): ServerActions[] {
  const servers = new Map<string, ServerActions>();
  for (const a of actions) {
    const name = a.node ?? a.dest ?? '(no server)';
    let entry = servers.get(name);
    if (!entry) {
      entry = { server: name, start: [], promote: [], move: [], stop: [], other: [] };
      servers.set(name, entry);
    }
    const kind = (KINDS as readonly string[]).includes(a.action) ? (a.action as (typeof KINDS)[number]) : undefined;
    if (kind) entry[kind].push(kind === 'move' && a.source ? `${a.resource} (from ${a.source})` : a.resource);
    else entry.other.push(`${a.action} ${a.resource}`);
  }
  return [...servers.values()];
}

function digestOf(plan: Omit<TakeoverPlan, 'digest' | 'computedAt'>): string {
  return createHash('sha256')
    .update(
      JSON.stringify([plan.ticket, plan.cibVersion, plan.ticketState, plan.actions.map((a) => a.attrs), plan.verdict]),
    )
    .digest('hex');
}

/** One crm_verify of the local CIB (without resource history, as the pipeline judges it) and two crm_simulate runs. */
export async function computeTakeoverPlan(pacemaker: Pacemaker, ticket: string): Promise<TakeoverPlan> {
  const [cib, state] = await Promise.all([pacemaker.queryCib(), pacemaker.ticket(ticket)]);
  const [actions, verdict] = await Promise.all([
    predictTicketGrant(pacemaker, cib, ticket),
    pacemaker.verify(withoutHistory(cib)),
  ]);
  const plan = {
    ticket,
    cibVersion: versionOf(cib),
    ticketState: { granted: state.granted, standby: state.standby, ...(state.owner ? { owner: state.owner } : {}) },
    actions,
    servers: byServer(actions),
    verdict: {
      level: verdict.level,
      errors: verdict.errors,
      warnings: verdict.warnings,
      schemaErrors: verdict.schemaErrors,
    },
  };
  return { ...plan, computedAt: new Date().toISOString(), digest: digestOf(plan) };
}
