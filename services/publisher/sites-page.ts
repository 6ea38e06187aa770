// The sites page (GET /sites): GET /v1/sites as one HTML document rendered on the server, in the
// subscriber page's style, with no script and nothing loaded from elsewhere. Every value is escaped.
import { Html, html, when } from '../net/page-html.js';
import { PAGE_CSS } from '../net/page-style.js';
import { type SitesView, type SubscriberSiteView, verdictText } from './sites.js';

/** The state in one sentence, and the colour class of its frame. */
function headline(v: SitesView): { kind: string; text: string } {
  const p = v.publisher;
  if (!p.publishes) return { kind: 'idle', text: `This site publishes nothing now (${p.notServing ?? 'starting'}).` };
  const late = v.subscribers.filter((s) => s.verdict !== 'current');
  if (v.subscribers.length === 0)
    return { kind: 'pending', text: 'No subscriber site has reported to this publisher yet.' };
  if (late.length === 0) return { kind: 'ok', text: `Every site is current (${v.subscribers.length} following).` };
  const failing = late.some((s) => s.verdict === 'failing' || s.verdict === 'not-seen');
  return {
    kind: failing ? 'failing' : 'pending',
    text: late.map((s) => `${s.site}: ${verdictText(s)}`).join('; '),
  };
}

function publisherSection(v: SitesView, now: Date): Html {
  const p = v.publisher;
  const pub = p.publishes;
  return html`<section><h2>This site${p.site ? html` — ${p.site}` : ''} (publisher)</h2><dl>
<dt>Tickets held</dt><dd>${p.tickets.length > 0 ? p.tickets.join(', ') : html`none (${p.ticket} not held${p.notServing ? html`: ${p.notServing}` : ''})`}</dd>
<dt>Publishes</dt><dd>${pub ? html`the whole configuration, epoch ${pub.adminEpoch}.${pub.epoch}, digest <code>${pub.digest.slice(0, 16)}…</code>, built ${when(pub.created, now)}` : 'nothing'}</dd>
<dt>Last error</dt><dd>${p.lastError ? html`<strong><code>${p.lastError.code}</code></strong>: ${p.lastError.message}` : 'none'}</dd>
</dl></section>`;
}

function subscriberRow(s: SubscriberSiteView, now: Date): Html {
  const a = s.applied;
  const claim =
    s.reportedSite && s.reportedSite !== s.site
      ? html` <span class="muted">(reports itself as ${s.reportedSite})</span>`
      : '';
  return html`<tr><td><strong>${s.site}</strong>${claim}<div class="muted">${s.verified ? 'certificate trusted for this site' : 'certificate'} <code>${s.certificate}</code></div></td>
<td class="verdict ${s.verdict}">${verdictText(s)}</td>
<td>${a ? html`<code>${a.digest.slice(0, 16)}…</code>, ${when(a.at, now)}` : 'nothing yet'}${s.scope ? html`<div class="muted">scope ${s.scope}</div>` : ''}</td>
<td>${s.lagSeconds === undefined ? '—' : `${s.lagSeconds.toFixed(1)} s`}</td>
<td>${s.connected ? 'connected now' : when(s.seenAt, now)}</td>
<td>${s.error ? html`<strong><code>${s.error.code}</code></strong>: ${s.error.message} (${when(s.error.at, now)})` : 'none'}${s.held ? html`<div>replication on hold there</div>` : ''}</td>
<td>${s.pendingPlans.length > 0 ? s.pendingPlans.map((id) => html`<code>${id}</code> `) : 'none'}</td></tr>`;
}

function subscribersSection(v: SitesView, now: Date): Html {
  return html`<section><h2>Subscriber sites (${v.subscribers.length})</h2>
${
  v.subscribers.length === 0
    ? html`<p>None has reported yet: a subscriber reports with every request it makes to this publisher.</p>`
    : html`<table><tr><th>site</th><th>verdict</th><th>applied</th><th>lag</th><th>last seen</th><th>last error</th><th>pending plans</th></tr>
${v.subscribers.map((s) => subscriberRow(s, now))}</table>`
}
<p class="muted">Not seen: no request for ${Math.round(v.notSeenAfterMs / 1000)} s (publisher.notSeenAfterMs). Lag: since the first publication the site lacks was published here. As of ${v.at}.</p>
</section>`;
}

export function renderSitesPage(v: SitesView): string {
  const now = new Date(v.at);
  const head = headline(v);
  const site = v.publisher.site;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cibsync sites${site ? ` (${site})` : ''}: ${head.text}</title><style>${new Html(PAGE_CSS)}</style></head>
<body><header>cibsync publisher${site ? html` — site <strong>${site}</strong>` : ''} — every site</header><main>
<section class="state ${head.kind}"><h1>${head.text}</h1></section>
${publisherSection(v, now)}
${subscribersSection(v, now)}
</main></body></html>
`.text;
}
