// The subscriber's page (GET /): this site's state and the plan waiting for a decision, rendered on
// the server as one HTML document with no script and nothing loaded from elsewhere. It is read during
// an incident: the state in one sentence first, then what would change, what the cluster here would
// do, crm_verify's verdict, and two big buttons (plain form posts). Every value is escaped.
import { describeAction } from '../approval/format.js';
import type { PlanRecord } from '../approval/index.js';
import { Html, html, when } from '../net/page-html.js';
import { PAGE_CSS } from '../net/page-style.js';
import type { TakeoverView } from '../takeover/plan.js';
import type { TicketVerdict } from '../watch/ticket-gate.js';
import { pageOf, planPath, SUBSCRIBER_ROUTES as ROUTES } from '../wire/index.js';
import { takeoverSection } from './page-takeover.js';
import type { StatusSnapshot } from './status.js';

export interface PageView {
  status: StatusSnapshot;
  ticket: string;
  /** This site's own ticket verdict (undefined before the first check). */
  localTicket: TicketVerdict | undefined;
  /** The plan shown: the one asked for, else the pending one. */
  plan: PlanRecord | undefined;
  recent: PlanRecord[];
  viewer: { name: string; mayDecide: boolean };
  /** What granting the ticket here would do (undefined when it could not be computed). */
  takeover?: TakeoverView;
  /** Why the decision just asked for was not made (the page then shows the plan as it stands). */
  refusal?: { code: string; message: string };
  now: Date;
}

const MARK = { added: '+', removed: '-', changed: '~' } as const;

/** A plan's source and the scope it carries (ticket-scoped replication), as the page names it. */
function planSource(p: PlanRecord): string {
  return `site ${p.source.site}${p.source.scopes ? ` (scope ${p.source.scopes.join(' + ')})` : ''}`;
}

/** The state in one sentence, and the colour class of its frame. */
function headline(v: PageView): { kind: string; text: string } {
  const h = v.status.hold;
  if (h)
    return {
      kind: 'held',
      text: `Replication is on hold (placed by ${h.by}${h.reason ? `: ${h.reason}` : ''}). Nothing from the source is applied until an operator runs cibsync resume.`,
    };
  const p = v.plan;
  if (p) {
    const from = planSource(p);
    const by = (action: string) => p.decisions.filter((d) => d.action === action).at(-1)?.by ?? 'unknown';
    if (p.status === 'pending')
      return { kind: 'pending', text: `A plan from ${from} waits for your decision. Nothing has been applied.` };
    if (p.status === 'applied')
      return { kind: 'applied', text: `Plan from ${from} applied, approved by ${by('approved')}.` };
    if (p.status === 'rejected')
      return { kind: 'rejected', text: `Plan from ${from} rejected by ${by('rejected')}. Nothing was applied.` };
    if (p.status === 'superseded')
      return {
        kind: 'superseded',
        text: `Plan from ${from} superseded by a newer publication. It can no longer be applied.`,
      };
    return {
      kind: 'failed',
      text: `Plan from ${from} failed when applied: ${p.error?.code ?? 'unknown error'}. The previous configuration stands.`,
    };
  }
  const s = v.status;
  if (s.state === 'idle')
    return {
      kind: 'idle',
      text: `This site is the active site (${s.idleReason ?? `holds ticket ${v.ticket}`}); nothing is applied here.`,
    };
  if (s.state === 'failing')
    return { kind: 'failing', text: `Replication is failing: ${s.lastError?.code ?? 'unknown error'}.` };
  if (s.lastApplied)
    return { kind: 'ok', text: `In step with site ${s.lastApplied.sourceSite}. No plan waits for a decision.` };
  return { kind: 'idle', text: 'Nothing received yet. No plan waits for a decision.' };
}

function ticketLine(v: PageView): string {
  const s = v.status;
  if (v.localTicket?.held) return `This site holds ${v.ticket}: it is the active site.`;
  const holder = s.lastApplied?.sourceSite ?? v.plan?.source.site;
  if (s.lastError?.code === 'CIBSYNC_NO_PUBLISHER')
    return `This site does not hold ${v.ticket}, and no publisher serves a publication now (see the last error).`;
  return holder
    ? `Held by site ${holder} (its publisher serves only while it holds ${v.ticket}); not by this site.`
    : `Not held by this site${v.localTicket ? '' : ' (not checked yet)'}.`;
}

function statusSection(v: PageView): Html {
  const s = v.status;
  const a = s.lastApplied;
  const e = s.lastError;
  const r = s.readiness.lastRefusal;
  return html`<section><h2>This site${s.site ? html` — ${s.site}` : ''}${'scope' in s && s.scope ? html`, scope ${s.scope}` : ''}</h2><dl>
<dt>Mode</dt><dd>${s.approval === 'manual' ? 'manual approval: nothing is applied until a person approves the plan' : 'automatic: publications are applied as they arrive'}</dd>
<dt>Hold</dt><dd>${s.hold ? html`<strong>on hold</strong> since ${when(s.hold.at, v.now)}, by <code>${s.hold.by}</code>: ${s.hold.reason || 'no reason given'} — lift it with <code>cibsync resume</code>` : 'none'}</dd>
<dt>Ticket ${v.ticket}</dt><dd>${ticketLine(v)}</dd>
<dt>Last applied</dt><dd>${a ? html`site ${a.sourceSite}, epoch ${a.sourceAdminEpoch}.${a.sourceEpoch}, ${a.outcome}, ${when(a.at, v.now)}${a.plan ? html` — plan <code>${a.plan}</code>` : ''}` : 'nothing yet'}</dd>
<dt>Lag</dt><dd>${s.lagSeconds === undefined ? '—' : `${s.lagSeconds.toFixed(1)} s from the build at the source to the commit here`}</dd>
<dt>Publisher</dt><dd>${s.publisher ? html`<code>${s.publisher}</code>${s.lastContactAt ? html`, last contact ${when(s.lastContactAt, v.now)}` : ''}` : 'none answered yet'}</dd>
<dt>Last error</dt><dd>${e ? html`<strong><code>${e.code}</code></strong>: ${e.message} (${when(e.at, v.now)})` : 'none'}</dd>
<dt>Readiness refused</dt><dd>${r ? html`ticket ${r.ticket}, ${when(r.at, v.now)}: ${r.reasons.map((x) => html`<strong><code>${x.code}</code></strong>: ${x.message} `)}` : 'never'}</dd>
</dl></section>`;
}

/** With ticket-scoped replication: each scope this subscriber follows, in one line each. */
function scopesSection(v: PageView): Html {
  const s = v.status;
  if (!('otherScopes' in s) || s.scope === undefined) return html``;
  const rows = [s, ...s.otherScopes].map((x) => {
    const a = x.lastApplied;
    const e = x.lastError;
    return html`<tr><td><code>${x.scope ?? ''}</code></td><td>${x.state === 'idle' ? html`idle: ${x.idleReason ?? 'this site holds the ticket'}` : x.state}</td><td>${a ? html`site ${a.sourceSite}, epoch ${a.sourceAdminEpoch}.${a.sourceEpoch}, ${a.outcome}, ${when(a.at, v.now)}` : 'nothing yet'}</td><td>${e ? html`<code>${e.code}</code> (${when(e.at, v.now)})` : 'none'}</td></tr>`;
  });
  return html`<section><h2>Scopes</h2><table><tr><th>scope (ticket)</th><th>state</th><th>last applied</th><th>last error</th></tr>${rows}</table></section>`;
}

function decideSection(p: PlanRecord, v: PageView): Html {
  if (!v.viewer.mayDecide)
    return html`<p class="muted">Your certificate (<code>${v.viewer.name}</code>) is not on this subscriber's admins list: you can read this plan but not decide it.</p>`;
  return html`<h2>Decide</h2><div class="decide">
<form method="post" action="${planPath(ROUTES.pageApprove, p.id)}"><input type="hidden" name="revision" value="${p.decisions.length}"><button class="approve" type="submit">Approve and apply</button><span class="muted">applies exactly this plan</span></form>
<form method="post" action="${planPath(ROUTES.pageReject, p.id)}"><label for="reason">Reason (recorded)</label><textarea id="reason" name="reason"></textarea><button class="reject" type="submit">Reject</button></form>
</div><p class="muted">Deciding as <code>${v.viewer.name}</code>. Or from a shell: <code>cibsync plan approve ${p.id}</code> · <code>cibsync plan reject ${p.id} --reason …</code> · <code>cibsync plan edit ${p.id}</code></p>`;
}

function planSection(p: PlanRecord, v: PageView): Html {
  const s = p.source;
  const verdict = p.verdict.candidate;
  return html`<section class="plan">
<h2>Plan from ${planSource(p)}, epoch ${s.adminEpoch}.${s.epoch} — ${p.status.toUpperCase()}${p.edited ? ' (edited)' : ''}</h2>
<p>${p.changes.length} configuration change(s), ${p.attributes.changes.length} node attribute change(s), ${p.transition.length} resource action(s) here; crm_verify: <strong>${verdict.level}</strong>.
Made ${when(p.createdAt, v.now)} against this site's CIB at epoch ${p.localVersion.admin_epoch}.${p.localVersion.epoch}. <span class="muted">Plan <code>${p.id}</code>, publication built ${s.created}, digest <code>${s.digest.slice(0, 16)}…</code></span></p>
<h3>What changes in the configuration (${p.changes.length})</h3>
${p.changes.length === 0 ? html`<p>nothing</p>` : html`<ul class="changes">${p.changes.map((c) => html`<li class="${c.change}">${MARK[c.change]} ${c.kind} ${c.id} ${c.change}${c.details.map((d) => html`<div class="detail">${d}</div>`)}</li>`)}</ul>`}
<h3>Node attributes (${p.attributes.changes.length})</h3>
${p.attributes.changes.length === 0 ? html`<p>no change</p>` : html`<ul class="changes">${p.attributes.changes.map((a) => html`<li class="${a.change}">${a.change === 'set' ? `~ ${a.node}: ${a.name}=${a.value}${a.previous !== undefined ? ` (was ${a.previous})` : ' (new)'}` : `- ${a.node}: ${a.name} deleted (was ${a.previous})`}</li>`)}</ul>`}
<h3>What the cluster here would do (crm_simulate) (${p.transition.length})</h3>
${p.transition.length === 0 ? html`<p>no resource actions</p>` : html`<ul class="actions">${p.transition.map((a) => html`<li>${describeAction(a)}</li>`)}</ul>`}
<h3>crm_verify</h3>
<p>candidate <strong>${verdict.level}</strong> (this site now: ${p.verdict.baseline.level})</p>
${[...verdict.errors.map((m) => html`<div class="detail">error: ${m}</div>`), ...verdict.warnings.map((m) => html`<div class="detail">warning: ${m}</div>`)]}
${p.error ? html`<p><strong><code>${p.error.code}</code></strong>: ${p.error.message}</p>` : ''}
${p.status === 'pending' ? decideSection(p, v) : ''}
<h3>Decisions</h3>
<table>${p.decisions.map((d) => html`<tr><td>${when(d.at, v.now)}</td><td>${d.action}</td><td><code>${d.by}</code></td><td>${d.reason ?? ''}</td></tr>`)}</table>
</section>`;
}

function recentSection(v: PageView): Html {
  if (v.recent.length === 0) return html``;
  return html`<section><h2>Recent plans</h2><table>${v.recent.map(
    (p) =>
      html`<tr><td><a href="${pageOf(p.id)}">${p.status}</a></td><td>${planSource(p)} epoch ${p.source.adminEpoch}.${p.source.epoch}</td><td>${when(p.createdAt, v.now)}</td><td>${p.changes.length} change(s)</td></tr>`,
  )}</table></section>`;
}

export function renderPage(v: PageView): string {
  const head = headline(v);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cibsync${v.status.site ? ` ${v.status.site}` : ''}: ${head.text}</title><style>${new Html(PAGE_CSS)}</style></head>
<body><header>cibsync subscriber${v.status.site ? html` — site <strong>${v.status.site}</strong>` : ''}</header><main>
${v.refusal ? html`<section class="notice error" role="alert"><p>Not done — <code>${v.refusal.code}</code>: ${v.refusal.message}</p></section>` : ''}
<section class="state ${head.kind}"><h1>${head.text}</h1></section>
${v.plan ? planSection(v.plan, v) : ''}
${v.takeover ? takeoverSection(v.takeover, v.viewer, v.now, !v.takeover.upToDate || v.refusal?.code === 'CIBSYNC_TAKEOVER_PLAN_STALE', v.localTicket?.held === true) : ''}
${statusSection(v)}
${scopesSection(v)}
${recentSection(v)}
</main></body></html>
`.text;
}
