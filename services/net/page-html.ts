// The pages' HTML building blocks (the subscriber's approval page, the publisher's sites page): a tagged template that escapes every interpolated value unless it
// is already rendered, and how a time reads (UTC, and how long ago).

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** Tagged template: interpolated values are escaped unless they are already rendered `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const render = (v: unknown): string =>
    v instanceof Html
      ? v.text
      : Array.isArray(v)
        ? v.map(render).join('')
        : v === undefined || v === null || v === false
          ? ''
          : escapeHtml(v);
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ''), ''));
}

function ago(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

export function when(iso: string, now: Date): Html {
  return html`<span title="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (${ago(iso, now)})</span>`;
}
