// The scope rules on Pacemaker's own ticket CIBs (read from ../shared, never copied here; see the
// NOTICE there): the parts are disjoint and rebuild each source; each ticket's scope, put into a
// different configuration, changes only that scope; put back into its source, it changes nothing.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VERDICT_RANK } from '../../services/cib/index.js';
import { applySettings, defaultConfig, scopePlan } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { Pacemaker } from '../../services/pacemaker/index.js';
import { importPublication } from '../../services/pipeline/index.js';
import { buildPublication } from '../../services/publication/build.js';
import { serializePublication } from '../../services/publication/index.js';
import { scopedBuild } from '../../services/publisher/scope.js';
import {
  extractScope,
  mergeScope,
  type ScopeRef,
  type ScopeSplit,
  siteLocalPart,
  splitScopes,
} from '../../services/scopes/index.js';
import {
  canonical,
  childElements,
  clone,
  element,
  ensureChild,
  firstChild,
  parseXml,
  removeChildren,
  serialize,
  type XmlElement,
} from '../../services/xml/index.js';
import { makeSite, REPO } from '../helpers/sites.js';
import { itemsInOrder, parts, rules } from './helpers.js';

const CORPUS = join(REPO, '../shared/corpus');
const SOURCES = [
  { dir: join(CORPUS, 'pacemaker-tickets/cibs'), take: (f: string) => f.endsWith('.xml') },
  { dir: join(CORPUS, 'pacemaker-cts/cibs'), take: (f: string) => /^ticket-.*\.xml$/.test(f) },
];
const missing = SOURCES.filter((s) => !existsSync(s.dir)).map((s) => s.dir);
if (missing.length > 0)
  console.warn(
    `scope corpus test skipped: ${missing.join(', ')} absent (the corpus lives in ../shared beside the repository)`,
  );
const files =
  missing.length > 0
    ? []
    : SOURCES.flatMap((s) =>
        readdirSync(s.dir)
          .filter(s.take)
          .sort()
          .map((f) => join(s.dir, f)),
      );

const pacemaker = new Pacemaker();
const name = (path: string) => path.slice(CORPUS.length + 1);

interface Row {
  file: string;
  tickets: number;
  items: Record<string, number>;
  fell: number;
  exactOrder: boolean;
  verdicts: string;
}
const rows: Row[] = [];

function topLevelItems(c: XmlElement): XmlElement[] {
  return ['resources', 'constraints', 'tags'].flatMap((s) =>
    firstChild(c, s) ? childElements(firstChild(c, s) as XmlElement) : [],
  );
}

const listed = (s: ScopeSplit) =>
  [...Object.values(s.tickets), s.global, s.siteLocal].flatMap((p) => [
    ...p.resources,
    ...p.templates,
    ...p.constraints,
    ...p.tags,
  ]);

/**
 * Site B: the same services, with its own mind everywhere except where it must not matter: another
 * cluster name and a booth resource of its own (site-local), another batch-limit and a resource of its
 * own (global), and every top-level resource of every scope described differently.
 */
function siteB(source: XmlElement): XmlElement {
  const b = clone(source);
  const crm = ensureChild(b, 'crm_config');
  const set = childElements(crm, 'cluster_property_set')[0] ?? ensureChild(crm, 'cluster_property_set');
  set.attrs.id ??= 'b-options';
  for (const nv of childElements(set, 'nvpair')) if (nv.attrs.name === 'cluster-name') nv.attrs.value = 'siteB';
  set.children.push(
    element('nvpair', { id: 'b-cluster-name', name: 'cluster-name', value: 'siteB' }),
    element('nvpair', { id: 'b-batch-limit', name: 'batch-limit', value: '7' }),
  );
  const resources = ensureChild(b, 'resources');
  resources.children.push(
    element('primitive', { id: 'b-booth', class: 'ocf', provider: 'pacemaker', type: 'booth-site' }),
    element('primitive', { id: 'b-global', class: 'ocf', provider: 'pacemaker', type: 'Dummy' }),
  );
  for (const top of childElements(resources))
    if (top.name !== 'template') top.attrs.description = `site B's ${top.attrs.id}`;
  return b;
}

function withConfiguration(cib: XmlElement, configuration: XmlElement): XmlElement {
  const copy = clone(cib);
  copy.children = copy.children.map((ch) =>
    ch.kind === 'element' && ch.name === 'configuration' ? configuration : ch,
  );
  return copy;
}

describe.skipIf(files.length === 0)('scopes on the ticket corpus', () => {
  afterAll(() => {
    const sum = (k: string) => rows.reduce((n, r) => n + (r.items[k] ?? 0), 0);
    console.log(
      `scope corpus: ${rows.length} CIBs, ${rows.reduce((n, r) => n + r.tickets, 0)} ticket scopes; top-level items: ${sum('tickets')} in ticket scopes, ${sum('global')} global, ${sum('site-local')} site-local; ` +
        `${rows.reduce((n, r) => n + r.fell, 0)} fell to global; rebuilt in the source's exact order: ${rows.filter((r) => r.exactOrder).length}/${rows.length}`,
    );
    for (const r of rows)
      console.log(
        `  ${r.file}: ${r.tickets} tickets, items ${JSON.stringify(r.items)}, fell ${r.fell}, exact order ${r.exactOrder}, crm_verify ${r.verdicts}`,
      );
  });

  it.each(files.map((f) => [name(f), f]))('%s', async (_name, file) => {
    const cib = parseXml(readFileSync(file, 'utf8'), { source: file });
    const source = firstChild(cib, 'configuration') as XmlElement;
    const split = splitScopes(source, rules);
    const tickets = Object.keys(split.tickets);
    expect(tickets.length).toBeGreaterThan(0);

    // Disjoint, and every top-level item in exactly one part.
    const ids = listed(split);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(
      topLevelItems(source)
        .map((e) => e.attrs.id)
        .sort(),
    );

    // The site-local part and the scopes rebuild the source.
    const scopes: ScopeRef[] = ['global', ...tickets.map((ticket) => ({ ticket }))];
    let rebuilt = siteLocalPart(source, rules);
    for (const scope of scopes) rebuilt = mergeScope(rebuilt, extractScope(source, rules, scope), scope, rules);
    expect(itemsInOrder(rebuilt)).toBe(itemsInOrder(source));

    const sourceVerdict = await pacemaker.verify(cib);
    const b = siteB(source);
    const bParts = parts(b);
    const sourceParts = parts(source);
    const verdicts: string[] = [`source ${sourceVerdict.level}`];
    for (const scope of scopes) {
      const key = scope === 'global' ? 'global' : `ticket ${scope.ticket}`;
      const fragment = extractScope(source, rules, scope);
      // Into a copy of its source: nothing changes.
      expect(canonical(mergeScope(source, fragment, scope, rules)), key).toBe(canonical(source));
      // Into site B: that scope becomes the source's, all else stays B's; again: nothing changes.
      const merged = mergeScope(b, fragment, scope, rules);
      const after = parts(merged);
      for (const part of Object.keys(bParts))
        expect(after[part], `${key}: ${part}`).toBe(part === key ? sourceParts[part] : bParts[part]);
      expect(canonical(mergeScope(merged, fragment, scope, rules)), key).toBe(canonical(merged));
      const verdict = await pacemaker.verify(withConfiguration(cib, merged));
      expect(
        VERDICT_RANK[verdict.level],
        `${key}: ${[...verdict.schemaErrors, ...verdict.errors].join('; ')}`,
      ).toBeLessThanOrEqual(VERDICT_RANK[sourceVerdict.level]);
      expect(
        [...verdict.schemaErrors, ...verdict.errors].filter((e) => !sourceVerdict.errors.includes(e)),
        `${key}: new errors`,
      ).toEqual([]);
      verdicts.push(`${key} ${verdict.level}`);
    }

    const count = (o: { resources: string[]; templates: string[]; constraints: string[]; tags: string[] }) =>
      o.resources.length + o.templates.length + o.constraints.length + o.tags.length;
    rows.push({
      file: name(file),
      tickets: tickets.length,
      items: {
        tickets: Object.values(split.tickets).reduce((n, c) => n + count(c), 0),
        global: count(split.global),
        'site-local': count(split.siteLocal),
      },
      fell: split.fellToGlobal.length,
      exactOrder: canonical(rebuilt) === canonical(source),
      verdicts: verdicts.join(', '),
    });
  });
});

interface ImportRow {
  file: string;
  ticket: string;
  outcome: string;
  verdict: string;
}
const imports: ImportRow[] = [];

/**
 * Site B's CIB file: site B's configuration (siteB above) with the source's status minus its tickets
 * (B holds none of them), at the crm_feature_set this Pacemaker writes (it refuses to patch a newer one).
 */
function siteBCib(cib: XmlElement): string {
  const b = withConfiguration(cib, siteB(firstChild(cib, 'configuration') as XmlElement));
  const status = firstChild(b, 'status');
  if (status) removeChildren(status, (c) => c.name === 'tickets');
  b.attrs.crm_feature_set = '3.16.1';
  return serialize(b);
}

describe.skipIf(files.length === 0)('a ticket scope exported at A and imported at B, on the ticket corpus', () => {
  afterAll(() => {
    const applied = imports.filter((r) => r.outcome === 'applied').length;
    console.log(
      `scoped import corpus: ${new Set(imports.map((r) => r.file)).size} CIBs, ${imports.length} ticket scopes exported at A and imported at B: ${applied} applied, ${imports.length - applied} unchanged; each re-import unchanged with B's CIB byte-identical; B's global scope, other scopes and site-local parts untouched every time`,
    );
    for (const r of imports) console.log(`  ${r.file} ${r.ticket}: ${r.outcome}, crm_verify ${r.verdict}`);
  });

  it.each(files.map((f) => [name(f), f]))('%s', async (_name, file) => {
    const cib = parseXml(readFileSync(file, 'utf8'), { source: file });
    const source = firstChild(cib, 'configuration') as XmlElement;
    const tickets = Object.keys(splitScopes(source, rules).tickets);
    // Every ticket replicated, the global scope by none: a ticket's publication carries its scope alone.
    const settings = { scopes: { tickets, global: 'none' }, trust: { allowUnsigned: true } };
    const a = makeSite(file);
    const sourceVerdict = await pacemaker.verify(cib);
    try {
      for (const ticket of tickets) {
        const b = makeSite(file);
        try {
          writeFileSync(b.cibFile, siteBCib(cib));
          const config = { ...applySettings(defaultConfig(), settings), site: 'siteB', stateDir: b.stateDir };
          const publication = await buildPublication(a.pacemaker, {
            site: 'siteA',
            ...scopedBuild(config, scopePlan(config), ticket),
            ignoreTicket: true,
          });
          expect(publication.scopes).toEqual([ticket]);
          const text = serializePublication(publication);
          const before = parts(firstChild(parseXml(b.read()), 'configuration') as XmlElement);
          const ctx = { config, pacemaker: b.pacemaker, logger: silentLogger };
          const result = await importPublication(text, ctx);
          const after = parts(firstChild(parseXml(b.read()), 'configuration') as XmlElement);
          const key = `ticket ${ticket}`;
          for (const part of Object.keys(after))
            expect(after[part], `${ticket}: ${part}`).toBe(part === key ? parts(source)[key] : before[part]);
          // Judged with the source's status: B holds none of the tickets, and a lost ticket with loss-policy=fence is a status matter.
          const bConfiguration = firstChild(parseXml(b.read()), 'configuration') as XmlElement;
          const verdict = await pacemaker.verify(withConfiguration(cib, bConfiguration));
          expect(
            VERDICT_RANK[verdict.level],
            `${ticket}: ${[...verdict.errors, ...verdict.warnings].join('; ')}`,
          ).toBeLessThanOrEqual(VERDICT_RANK[sourceVerdict.level]);
          const written = b.hash();
          const again = await importPublication(text, ctx);
          expect(again.outcome).toBe('unchanged');
          expect(b.hash()).toBe(written);
          imports.push({
            file: name(file),
            ticket,
            outcome: result.outcome,
            verdict: `source ${sourceVerdict.level}, B ${verdict.level}`,
          });
        } finally {
          b.cleanup();
        }
      }
    } finally {
      a.cleanup();
    }
  });
});
