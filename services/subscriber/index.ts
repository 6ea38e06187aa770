// The subscriber daemon: follows the publishers' change feed and imports what they publish while this
// site does not hold the ticket; answers replicate-now, status, health and metrics on its own port,
// and the same routes to local root on its admin socket (subscriber.adminSocket). With ticket-scoped
// replication (scopes.tickets) it follows each listed ticket's scope on its own: a follow loop, ticket
// gate and status per ticket, each taking that scope while this site does not hold that ticket.
import { PlanStore } from '../approval/index.js';
import { type Config, type SubscriberConfig, scopePlan, settingsFor } from '../config/index.js';
import type { Logger } from '../log.js';
import { type AdminSocket, listenAdminSocket } from '../net/admin-socket.js';
import { MtlsClient } from '../net/client.js';
import { createHttpsApp, type HttpsApp, listen } from '../net/https-app.js';
import { loadTlsMaterial, watchTlsMaterial } from '../net/tls-material.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { CibWatcher } from '../watch/cib-watcher.js';
import { TicketGate } from '../watch/ticket-gate.js';
import { TicketWatch } from '../watch/ticket-watch.js';
import { ALLOWLIST_EXEMPT, PUBLISHER_ROUTES, planPath } from '../wire/index.js';
import { Applier } from './applier.js';
import { FollowLoop } from './follow.js';
import { type SubscriberMetrics, subscriberMetrics } from './metrics.js';
import { registerPageRoutes } from './page-routes.js';
import { registerPlanRoutes } from './plan-routes.js';
import { registerReadinessRoutes } from './readiness-routes.js';
import { registerSubscriberRoutes } from './routes.js';
import { RuntimeLoop } from './runtime.js';
import { pendingPlanSummary, SubscriberStatus } from './status.js';
import { TakeoverDesk } from './takeover.js';
import { registerTakeoverRoutes } from './takeover-routes.js';

export interface RunningSubscriber {
  app: HttpsApp;
  url: string;
  /** The admin socket's path, unless subscriber.adminSocket is empty. */
  adminSocket?: string;
  status: SubscriberStatus;
  metrics: SubscriberMetrics;
  close(): Promise<void>;
}

/** The subscriber's section and the ticket; refused (CIBSYNC_CONFIG_INVALID) without what the schema marks required for it. */
export function subscriberSettings(config: Config): SubscriberConfig & { ticket: string } {
  return settingsFor(config, 'subscriber');
}

export async function startSubscriber(
  config: Config,
  pacemaker: Pacemaker,
  logger: Logger,
): Promise<RunningSubscriber> {
  const settings = subscriberSettings(config);
  const plan = scopePlan(config);
  const mainTicket = config.ticket ?? (plan.tickets[0] as string);
  const status = new SubscriberStatus(config.site, settings.approval, plan.scoped ? mainTicket : undefined);
  const metrics = subscriberMetrics(status);
  const client = new MtlsClient(loadTlsMaterial(settings), settings.connectTimeoutMs);
  const stopClientReload = watchTlsMaterial(settings, logger, (material) => client.reload(material));
  const watcher = new CibWatcher(pacemaker, settings.changePollMs, logger);
  // The takeover plan is computed ahead of time: at start and after every publication applied here.
  const applier = new Applier(config, pacemaker, logger, status, metrics, () => takeover.refresh());
  // One follow loop per ticket: the whole configuration's (`ticket`), or each listed ticket's scope.
  const channels = plan.tickets.map((ticket) => {
    const log = plan.scoped ? logger.child({ scope: ticket }) : logger;
    const own = ticket === mainTicket ? status : new SubscriberStatus(config.site, settings.approval, ticket);
    if (own !== status) status.siblings.push(own);
    const gate = new TicketGate(pacemaker, ticket, settings.changePollMs, log);
    const loop = new FollowLoop({
      settings,
      maxBytes: config.maxPublicationBytes,
      client,
      gate,
      applier,
      status: own,
      metrics,
      logger: log,
      stateDir: config.stateDir,
      path: plan.scoped ? planPath(PUBLISHER_ROUTES.scopePublication, ticket) : undefined,
      // A plan store that cannot be read leaves the plan out of the report, not the request undone.
      report: async () => own.report(await pendingPlan().catch(() => undefined)),
    });
    return { ticket, gate, loop, status: own };
  });
  const main = channels.find((c) => c.ticket === mainTicket) ?? (channels[0] as (typeof channels)[number]);
  const { gate, loop } = main;
  const ticketWatch = new TicketWatch(
    pacemaker,
    channels.map((c) => c.gate),
    config.ticketPollMs,
    logger,
  );
  // The runtime attributes follow the default channel's ticket, beside its follow loop.
  const runtime = new RuntimeLoop({ config, settings, client, gate, pacemaker, metrics, logger });
  let stopping = false;

  const app = createHttpsApp({
    tls: settings,
    logger,
    allowlistExempt: ALLOWLIST_EXEMPT,
    onRefused: (reason) => metrics.refused({ reason }),
  });
  // Plans persist in the state directory: the ones made before a restart are still there to decide.
  const plans = new PlanStore(config.stateDir);
  const pendingPlan = async () => {
    if (settings.approval !== 'manual') return undefined;
    const pending = await plans.pending();
    return pending && pendingPlanSummary(pending);
  };
  const takeover = new TakeoverDesk({
    pacemaker,
    applier,
    status,
    pendingPlan,
    stateDir: config.stateDir,
    boothConfigDir: settings.boothConfigDir,
    ticket: mainTicket,
    logger,
  });
  registerSubscriberRoutes(app, {
    loop,
    scopes: plan.scoped ? channels : undefined,
    status,
    metrics,
    stopping: () => stopping,
    pendingPlan,
  });
  registerPlanRoutes(app, { applier, store: plans, admins: settings.admins, maxBytes: config.maxPublicationBytes });
  registerReadinessRoutes(app, { status, gate, settings: settings.readiness, pendingPlan });
  registerTakeoverRoutes(app, { desk: takeover, admins: settings.admins });
  registerPageRoutes(app, { applier, store: plans, status, gate, takeover, admins: settings.admins });

  // This site gaining (or losing) the ticket is a change of its own CIB: look again at once.
  watcher.on('change', (change) => {
    takeover.cibMoved(change.current);
    for (const c of channels) {
      c.gate.invalidate();
      void c.gate.check();
    }
  });
  for (const c of channels)
    c.gate.on('change', (verdict) => {
      if (!verdict.unknown) c.status.ticketAnswer(verdict.held);
      c.loop.kick();
      if (c !== main) return;
      runtime.kick();
      takeover.ticketSeen(verdict.held);
    });
  // An operator's hold or resume (a file in the state directory) takes effect without waiting for the feed.
  const holdCheck = setInterval(
    () => void Promise.all(channels.map((c) => c.loop.refreshHold())).catch(() => undefined),
    settings.changePollMs,
  );
  holdCheck.unref();
  // The admin socket first: a live daemon's socket refuses this start before anything else runs.
  await app.ready();
  const admin: AdminSocket | undefined = settings.adminSocket
    ? await listenAdminSocket(app, settings.adminSocket, settings.adminGroup, 'subscriber.adminSocket')
    : undefined;
  await watcher.start();
  ticketWatch.start();
  takeover.refresh();

  const url = await listen(app, settings.listen, settings.port).catch(async (err: unknown) => {
    watcher.stop();
    await admin?.close();
    throw err;
  });
  logger.info(
    {
      event: 'listening',
      url,
      adminSocket: admin?.path,
      publishers: settings.publishers,
      ticket: plan.tickets.join(' '),
      scoped: plan.scoped,
      cib: pacemaker.describe(),
    },
    `subscriber listening on ${url}${admin ? ` and ${admin.path}` : ''}`,
  );
  for (const c of channels) c.loop.start();
  runtime.start();
  return {
    app,
    url,
    adminSocket: admin?.path,
    status,
    metrics,
    async close() {
      stopping = true;
      status.state = 'stopping';
      watcher.stop();
      ticketWatch.stop();
      clearInterval(holdCheck);
      await Promise.all([...channels.map((c) => c.loop.stop()), runtime.stop()]);
      await applier.idle();
      stopClientReload();
      await admin?.close();
      await app.close();
      await client.close();
    },
  };
}
