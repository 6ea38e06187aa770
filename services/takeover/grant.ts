// "Make it so" for a takeover plan: grant the ticket at this site, through booth when booth manages it
// (booth.ts says how that is told), else with crm_ticket. Refused (CIBSYNC_TAKEOVER_PLAN_STALE) when
// the plan is out of date: none was computed, the CIB's admin_epoch.epoch or the ticket's state moved
// since it was, or the person saw another plan than the current one; unless they confirm. num_updates is not compared: on a
// live cluster it moves with every status update (as for approval plans, docs/architecture.md).
// Every request is recorded, refusals and failures too.
import { type CibVersion, compareVersions, formatVersion } from '../cib/index.js';
import { asCibsyncError, CibsyncError } from '../errors.js';
import type { Pacemaker, TicketState } from '../pacemaker/index.js';
import { boothConfigFor } from './booth.js';
import type { TakeoverPlan } from './plan.js';
import type { TakeoverDecision, TakeoverDecisions } from './record.js';

export interface GrantRequest {
  ticket: string;
  /** Who asks, for the record. */
  by: string;
  /** The plan as last computed (undefined: none yet). */
  plan: TakeoverPlan | undefined;
  /** The digest of the plan the person saw (or its first 8 or more characters), when the client knows it: the page sends it, `--plan` does. */
  seenDigest?: string;
  /** Grant although the plan is out of date. */
  confirm: boolean;
  /** Where booth's configurations are (subscriber.boothConfigDir). */
  boothConfigDir: string;
}

/** Why the plan is out of date for this grant, or undefined when it is not. */
function staleness(request: GrantRequest, now: CibVersion, ticket: TicketState): string | undefined {
  const { plan, seenDigest } = request;
  if (!plan) return 'no takeover plan has been computed yet';
  if (compareVersions(plan.cibVersion, now) !== 0)
    return `the CIB changed since the plan was computed (at ${formatVersion(plan.cibVersion)}, now ${formatVersion(now)})`;
  // A grant or revoke moves only num_updates, but it is what the plan is about.
  if (plan.ticketState.granted !== ticket.granted || plan.ticketState.standby !== ticket.standby)
    return `the ticket's state here changed since the plan was computed`;
  if (seenDigest !== undefined && !plan.digest.startsWith(seenDigest))
    return `the plan shown (${seenDigest.slice(0, 16)}…) is not the current one (${plan.digest.slice(0, 16)}…)`;
  return undefined;
}

export async function grantTakeover(
  pacemaker: Pacemaker,
  decisions: TakeoverDecisions,
  request: GrantRequest,
): Promise<TakeoverDecision> {
  const { ticket, plan } = request;
  const [cibVersion, ticketState] = await Promise.all([pacemaker.rootVersion(), pacemaker.ticket(ticket)]);
  const stale = staleness(request, cibVersion, ticketState);
  const base = {
    at: new Date().toISOString(),
    by: request.by,
    ticket,
    ...(plan ? { planDigest: plan.digest, planVersion: plan.cibVersion } : {}),
    cibVersion,
    confirmed: stale !== undefined && request.confirm,
  };
  const record = async (decision: TakeoverDecision, error?: CibsyncError): Promise<TakeoverDecision> => {
    await decisions.append(error ? { ...decision, error: { code: error.code, message: error.message } } : decision);
    if (error) throw error;
    return decision;
  };
  if (stale && !request.confirm)
    return record(
      { ...base, outcome: 'refused' },
      new CibsyncError(
        'CIBSYNC_TAKEOVER_PLAN_STALE',
        `the takeover plan for ${ticket} is out of date: ${stale}; read the plan again, then grant with --confirm (or the page's confirm step)`,
        { ticket, ...(plan ? { planDigest: plan.digest } : {}) },
      ),
    );
  let method: Pick<TakeoverDecision, 'method' | 'boothConfig'> = {};
  try {
    const boothConfig = await boothConfigFor(ticket, request.boothConfigDir, ticketState);
    method = boothConfig ? { method: 'booth', boothConfig } : { method: 'crm_ticket' };
    if (boothConfig) await pacemaker.boothGrant(ticket, boothConfig);
    else await pacemaker.write((writer) => writer.grantTicket(ticket));
  } catch (err) {
    return record({ ...base, ...method, outcome: 'failed' }, asCibsyncError(err));
  }
  return record({ ...base, ...method, outcome: 'granted' });
}
