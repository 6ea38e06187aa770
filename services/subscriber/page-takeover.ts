// The page's takeover section: what granting the ticket here would do (crm_simulate's actions in its
// order, then per server), how fresh the replica is, crm_verify's verdict, the grant button (a plain
// form post; with a confirm box when the plan is out of date) and the decisions made so far.
import { formatVersion } from '../cib/index.js';
import { type Html, html, when } from '../net/page-html.js';
import type { TakeoverView } from '../takeover/plan.js';
import { planPath, SUBSCRIBER_ROUTES as ROUTES } from '../wire/index.js';

function freshnessList(t: TakeoverView, now: Date): Html {
  const f = t.freshness;
  return html`<dl>
<dt>Replica</dt><dd>${f.source ? html`from site ${f.source}, publication <code>${(f.digest ?? '').slice(0, 16)}…</code> built ${f.builtAt ? when(f.builtAt, now) : '?'}, applied ${f.appliedAt ? when(f.appliedAt, now) : '?'}; last confirmed ${f.ageSeconds ?? '?'} s ago` : html`<strong>nothing applied here yet</strong>`}</dd>
<dt>Subscriber</dt><dd>${f.state}${f.lastContactAt ? html`, last contact with a publisher ${when(f.lastContactAt, now)}` : ''}</dd>
<dt>Last error</dt><dd>${f.lastError ? html`<strong><code>${f.lastError.code}</code></strong>: ${f.lastError.message} (${when(f.lastError.at, now)})` : 'none'}</dd>
<dt>Pending plan</dt><dd>${f.pendingPlan ? html`<strong><code>${f.pendingPlan}</code> waits for a decision</strong>: its changes are not in this site's CIB` : 'none'}</dd>
${f.hold ? html`<dt>Hold</dt><dd><strong>on hold</strong> by <code>${f.hold.by}</code> since ${when(f.hold.at, now)}</dd>` : ''}
</dl>`;
}

function grantForm(
  t: TakeoverView,
  viewer: { name: string; mayDecide: boolean },
  confirm: boolean,
  held: boolean,
): Html {
  if (held) return html`<p>This site holds ${t.ticket}.</p>`;
  if (!viewer.mayDecide)
    return html`<p class="muted">Your certificate (<code>${viewer.name}</code>) may read this plan but not grant the ticket.</p>`;
  return html`<form method="post" action="${planPath(ROUTES.pageTakeoverGrant, t.ticket)}"><input type="hidden" name="plan" value="${t.digest}">
${confirm ? html`<label><input type="checkbox" name="confirm" value="yes" required> This plan is out of date (computed at ${formatVersion(t.cibVersion)}${t.cibVersionNow ? `, the CIB is now at ${formatVersion(t.cibVersionNow)}` : ''}); grant anyway</label>` : ''}
<button class="approve" type="submit">Grant ${t.ticket} here</button></form>
<p class="muted">Deciding as <code>${viewer.name}</code>. Or from a shell: <code>cibsync takeover grant ${t.ticket}</code></p>`;
}

export function takeoverSection(
  t: TakeoverView,
  viewer: { name: string; mayDecide: boolean },
  now: Date,
  confirm: boolean,
  /** This site holds the ticket now (the ticket gate's answer, newer than the plan's). */
  held: boolean,
): Html {
  return html`<section class="plan" id="takeover">
<h2>Takeover: if ${t.ticket} were granted here</h2>
<p>${t.actions.length} resource action(s); crm_verify: <strong>${t.verdict.level}</strong>. Computed ${when(t.computedAt, now)} on this site's CIB at ${formatVersion(t.cibVersion)}${t.upToDate ? '' : html` — <strong>out of date: the CIB changed since</strong>`}. <span class="muted">Plan <code>${t.digest.slice(0, 16)}…</code></span></p>
<h3>Actions, in crm_simulate's order</h3>
${t.actions.length === 0 ? html`<p>no resource actions</p>` : html`<ol class="actions">${t.actions.map((a) => html`<li>${a.action} ${a.resource}${a.node ? ` on ${a.node}` : ''}${a.source ? ` from ${a.source}` : ''}${a.dest ? ` to ${a.dest}` : ''}</li>`)}</ol>`}
<h3>Per server</h3>
<table>${t.servers.map((s) => html`<tr><td><strong>${s.server}</strong></td><td>${(['start', 'promote', 'move', 'stop', 'other'] as const).map((k) => (s[k].length ? html`${k}: ${s[k].join(', ')}<br>` : ''))}</td></tr>`)}</table>
<h3>The replica here</h3>
${freshnessList(t, now)}
<h3>crm_verify</h3>
<p><strong>${t.verdict.level}</strong></p>
${[...t.verdict.errors.map((m) => html`<div class="detail">error: ${m}</div>`), ...t.verdict.warnings.map((m) => html`<div class="detail">warning: ${m}</div>`)]}
<h3>Grant</h3>
${grantForm(t, viewer, confirm, held)}
${t.decisions.length === 0 ? '' : html`<h3>Decisions</h3><table>${[...t.decisions].reverse().map((d) => html`<tr><td>${when(d.at, now)}</td><td>${d.outcome}${d.error ? html` <code>${d.error.code}</code>` : ''}</td><td><code>${d.by}</code></td><td>${d.method ?? ''}</td><td>plan <code>${(d.planDigest ?? 'none').slice(0, 12)}</code>${d.confirmed ? ' (confirmed out of date)' : ''}</td></tr>`)}</table>`}
</section>`;
}
