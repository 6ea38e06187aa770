// The pages' only style sheet, inline (the page loads nothing else) and allowed by its hash in the
// Content-Security-Policy. Large type, strong colours for the state, buttons a hand can hit.
import { createHash } from 'node:crypto';

export const PAGE_CSS = `
body { font: 17px/1.45 system-ui, sans-serif; margin: 0; color: #111; background: #f4f4f4; }
header { background: #222; color: #fff; padding: .6em 1.2em; font-size: 1.05em; }
main { max-width: 62em; margin: 0 auto; padding: 1em 1.2em 3em; }
h1 { font-size: 1.7em; margin: .3em 0 .2em; }
h2 { font-size: 1.3em; margin: 1.4em 0 .4em; }
h3 { font-size: 1.08em; margin: 1.2em 0 .3em; }
section { background: #fff; border-radius: 6px; padding: .4em 1.2em 1em; margin: 1em 0; box-shadow: 0 1px 2px #0002; }
.state { border-left: 12px solid #888; }
.state.pending, .state.held { border-color: #d98c00; }
.state.ok, .state.applied { border-color: #1d7f34; }
.state.failing, .state.failed, .state.error { border-color: #c62828; }
.state.rejected, .state.superseded, .state.idle { border-color: #666; }
.notice { font-weight: 600; }
.notice.error { background: #fdecea; }
ul.changes, ul.actions { list-style: none; padding-left: .4em; font-family: ui-monospace, monospace; font-size: .95em; }
ul.changes li { margin: .25em 0; }
.added { color: #1d6b2f; } .removed { color: #b71c1c; } .changed, .set { color: #8a5a00; } .deleted { color: #b71c1c; }
.detail { color: #444; padding-left: 2em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3em 1.2em; }
dt { font-weight: 600; }
dd { margin: 0; }
code, .mono { font-family: ui-monospace, monospace; font-size: .95em; overflow-wrap: anywhere; }
.decide { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
.decide form { display: flex; flex-direction: column; gap: .5em; }
button { font-size: 1.25em; font-weight: 700; padding: .7em 2.2em; border: 0; border-radius: 6px; color: #fff; cursor: pointer; }
button.approve { background: #1d7f34; }
button.reject { background: #c62828; }
textarea { font: inherit; width: 24em; max-width: 90vw; height: 3.2em; }
table { border-collapse: collapse; }
td, th { text-align: left; padding: .2em .8em .2em 0; vertical-align: top; }
.muted { color: #555; }
td.verdict { font-weight: 700; border-left: 8px solid #888; padding-left: .5em; }
td.verdict.current { border-color: #1d7f34; } td.verdict.behind { border-color: #d98c00; }
td.verdict.failing, td.verdict.not-seen { border-color: #c62828; }
`;

/** The CSP source that admits exactly this style sheet. */
export const PAGE_CSS_HASH = `'sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}'`;

/** The headers of every page: no script, no frames, nothing from elsewhere; forms post only to the page's own daemon. */
export const PAGE_HEADERS = {
  'content-security-policy': `default-src 'none'; style-src ${PAGE_CSS_HASH}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer the browser sends "Origin: null" on the form posts.
  'referrer-policy': 'same-origin',
} as const;
