// What is recorded of each takeover decision: who asked, when, against which plan (its digest and the
// CIB version it was computed on), how the ticket was to be granted, and what came of it. Kept by the
// state module's decision log.
import type { CibVersion } from '../cib/index.js';
import { DecisionLog } from '../state/takeover.js';

export type GrantMethod = 'booth' | 'crm_ticket';

export interface TakeoverDecision {
  at: string;
  by: string;
  ticket: string;
  /** The digest of the plan the grant was decided on (undefined: no plan had been computed). */
  planDigest?: string;
  planVersion?: CibVersion;
  /** The CIB version when the grant was asked for. */
  cibVersion: CibVersion;
  /** The plan was out of date and the person confirmed anyway (--confirm, the page's confirm step). */
  confirmed: boolean;
  method?: GrantMethod;
  /** booth: the configuration file that lists the ticket. */
  boothConfig?: string;
  outcome: 'granted' | 'refused' | 'failed';
  error?: { code: string; message: string };
}

/** The takeover decisions of a state directory (`<stateDir>/takeover/decisions.json`). */
export class TakeoverDecisions extends DecisionLog<TakeoverDecision> {
  async forTicket(ticket: string, last = 10): Promise<TakeoverDecision[]> {
    return (await this.list()).filter((d) => d.ticket === ticket).slice(-last);
  }
}
