// A minimal Prometheus text-format registry: counters (with labels) and gauges read at scrape time.
// Both daemons expose a handful of series; a client library would be more code than it saves.

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  series: Map<string, { labels: Labels; value: number }>;
  read?: () => number;
  /** A family whose labelled series are all read from the daemon's state when scraped. */
  readAll?: () => { labels: Labels; value: number }[];
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const family: Family = { help, type: 'counter', series: new Map() };
    this.families.set(name, family);
    return (labels = {}, by = 1) => {
      const key = labelText(labels);
      const entry = family.series.get(key) ?? { labels, value: 0 };
      entry.value += by;
      family.series.set(key, entry);
    };
  }

  /** A series whose value is read from the daemon's state when scraped (a gauge, or a counter kept elsewhere). */
  gauge(name: string, help: string, read: () => number, type: Family['type'] = 'gauge'): void {
    this.families.set(name, { help, type, series: new Map(), read });
  }

  /** Labelled gauges read when scraped (one series per site, say); none at all while `read` gives none. */
  gauges(name: string, help: string, read: () => { labels: Labels; value: number }[]): void {
    this.families.set(name, { help, type: 'gauge', series: new Map(), readAll: read });
  }

  /** The series of a family as they stand now. */
  private seriesOf(family: Family): { labels: Labels; value: number }[] {
    return family.readAll ? family.readAll() : [...family.series.values()];
  }

  /** The current value of a series (tests and status pages). */
  value(name: string, labels: Labels = {}): number {
    const family = this.families.get(name);
    if (!family) return 0;
    if (family.read) return family.read();
    const key = labelText(labels);
    return this.seriesOf(family).find((entry) => labelText(entry.labels) === key)?.value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      if (family.read) lines.push(`${name} ${family.read()}`);
      else if (family.readAll)
        for (const { labels, value } of family.readAll()) lines.push(`${name}${labelText(labels)} ${value}`);
      else if (family.series.size === 0) lines.push(`${name} 0`);
      else for (const { labels, value } of family.series.values()) lines.push(`${name}${labelText(labels)} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
