// GET /v1/takeover/:ticket/readiness: the verdict of services/subscriber/readiness.ts, always 200 with
// `ready` and one reason per failed condition. Each verdict is logged and kept for status and the page.
import type { ReadinessConfig } from '../config/index.js';
import type { HttpsApp } from '../net/https-app.js';
import type { TicketGate } from '../watch/ticket-gate.js';
import { SUBSCRIBER_ROUTES } from '../wire/index.js';
import { evaluateReadiness } from './readiness.js';
import type { PendingPlanSummary, SubscriberStatus } from './status.js';

export function registerReadinessRoutes(
  app: HttpsApp,
  state: {
    status: SubscriberStatus;
    gate: TicketGate;
    settings: ReadinessConfig;
    pendingPlan: () => Promise<PendingPlanSummary | undefined>;
  },
): void {
  const { status, gate, settings } = state;
  app.get<{ Params: { ticket: string } }>(SUBSCRIBER_ROUTES.readiness.path, async (request) => {
    const local = await gate.check();
    const verdict = evaluateReadiness({
      ticket: request.params.ticket,
      followed: gate.ticket,
      held: local.unknown ? undefined : local.held,
      status,
      pendingPlan: await state.pendingPlan(),
      settings,
      now: Date.now(),
    });
    const { ticket, ready, at, reasons } = verdict;
    status.readinessChecked({ ticket, ready, at, reasons });
    const log = { event: 'readiness', ticket, ready, codes: reasons.map((r) => r.code), note: verdict.note };
    if (ready) request.log.info(log, `ticket ${ticket}: ready${verdict.note ? ` (${verdict.note})` : ''}`);
    else
      request.log.warn(log, `ticket ${ticket}: not ready: ${reasons.map((r) => `${r.code}: ${r.message}`).join('; ')}`);
    return verdict;
  });
}
