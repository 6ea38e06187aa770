// The layer rule of docs/architecture.md ("Module map and layers"), checked against every import of
// services/ and certs/: the table there is the rule, this file only reads it and walks the imports.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = 'docs/architecture.md';

interface Layers {
  /** module → layer number (1 is the top). */
  layerOf: Map<string, number>;
  /** "a → b" pairs of one layer that the doc allows. */
  sideways: Set<string>;
  /** module → the one file through which the other modules import it. */
  frontDoors: Map<string, string>;
}

interface Import {
  from: string; // repository path of the importing file
  line: number;
  to: string; // repository path of the imported file
}

/** Reads the layer table, the allowed sideways pairs and the front doors from the doc's section. */
function readLayers(markdown: string): Layers {
  const start = markdown.indexOf('## Module map and layers');
  if (start < 0) throw new Error(`${DOC} has no "## Module map and layers" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  const layerOf = new Map<string, number>();
  const sideways = new Set<string>();
  const frontDoors = new Map<string, string>();
  for (const line of section.split('\n')) {
    const row = /^\| (\d+) \| `([\w.-]+?)(?:\/|\.ts)` \|/.exec(line);
    if (row) layerOf.set(row[2] as string, Number(row[1]));
    const pair = /^- `([\w.-]+?)(?:\/|\.ts)` may import `([\w.-]+?)(?:\/|\.ts)`/.exec(line);
    if (pair) sideways.add(`${pair[1]} → ${pair[2]}`);
    const door = /^- `([\w.-]+)\/` is entered only through `([\w./-]+)`/.exec(line);
    if (door) frontDoors.set(door[1] as string, `services/${door[2]}`);
  }
  return { layerOf, sideways, frontDoors };
}

/** The module a repository path belongs to: `services/<m>/…`, `services/<m>.ts` or `certs/…`. */
function moduleOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] === 'certs') return 'certs';
  if (parts[0] !== 'services' || parts.length < 2) return undefined;
  return parts.length === 2 ? (parts[1] as string).replace(/\.ts$/, '') : parts[1];
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import of a file (static, `export … from`, `import()`), as repository paths of .ts files. */
function importsOf(path: string): Import[] {
  const text = readFileSync(join(ROOT, path), 'utf8');
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.filter((f) => f.fileName.startsWith('.'))
    .map((f) => ({
      from: path,
      line: text.slice(0, f.pos).split('\n').length,
      to: relative(ROOT, resolve(ROOT, dirname(path), f.fileName)).replace(/\.js$/, '.ts'),
    }));
}

/** What breaks the layer rule, one readable line each. */
function layerViolations(imports: Import[], layers: Layers): string[] {
  const problems: string[] = [];
  for (const { from, line, to } of imports) {
    const a = moduleOf(from);
    const b = moduleOf(to);
    if (a === undefined || b === undefined || a === b) continue;
    const la = layers.layerOf.get(a);
    const lb = layers.layerOf.get(b);
    if (la === undefined || lb === undefined) continue; // reported as missing from the doc
    const where = `${from}:${line} → ${to}`;
    const door = layers.frontDoors.get(b);
    if (lb < la) problems.push(`${where}: up, from ${a} (layer ${la}) to ${b} (layer ${lb})`);
    else if (lb === la && !layers.sideways.has(`${a} → ${b}`))
      problems.push(`${where}: sideways, ${a} and ${b} are both layer ${la}`);
    else if (door !== undefined && to !== door)
      problems.push(`${where}: past the front door, ${b} is entered only through ${door}`);
  }
  return problems;
}

/** Import cycles of a graph, each as its path (a → b → … → a), each reported once. */
function cycles(graph: Map<string, Set<string>>): string[] {
  const found = new Map<string, string>();
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = path.slice(at);
      const key = [...cycle].sort().join(' ');
      if (!found.has(key)) found.set(key, [...cycle, node].join(' → '));
      return;
    }
    if (done.has(node)) return;
    path.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) visit(node);
  return [...found.values()];
}

function graphOf(imports: Import[], key: (path: string) => string | undefined): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of imports) {
    const a = key(from);
    const b = key(to);
    if (a === undefined || b === undefined || a === b) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  return graph;
}

const layers = readLayers(readFileSync(join(ROOT, DOC), 'utf8'));
const files = [...sourceFiles('services'), ...sourceFiles('certs')];
const imports = files.flatMap(importsOf).filter((i) => moduleOf(i.to) !== undefined);
const report = (problems: string[]) => problems.map((p) => `\n  ${p}`).join('');

describe(`the layers of ${DOC}`, () => {
  it('name every module under services/ and certs/, and only those', () => {
    const present = new Set(files.map((f) => moduleOf(f) as string));
    const undocumented = [...present].filter((m) => !layers.layerOf.has(m)).sort();
    const absent = [...layers.layerOf.keys()].filter((m) => !present.has(m)).sort();
    expect(
      report([
        ...undocumented.map((m) => `${m}: a module without a row in the layer table of ${DOC}`),
        ...absent.map((m) => `${m}: a row of ${DOC} naming no module under services/ or certs/`),
      ]),
    ).toBe('');
  });

  it('are kept: every import goes to a lower layer (or a sideways pair the doc allows), through the front doors', () => {
    expect(report(layerViolations(imports, layers))).toBe('');
  });

  it('leave no import cycle between files', () => {
    expect(report(cycles(graphOf(imports, (path) => path)))).toBe('');
  });

  it('leave no import cycle between modules', () => {
    expect(report(cycles(graphOf(imports, moduleOf)))).toBe('');
  });

  it('catch what they should (the checks on a made-up module map)', () => {
    const made = readLayers(
      [
        '## Module map and layers',
        '| 1 | `top/` | x |',
        '| 2 | `mid/` | x |',
        '| 2 | `side.ts` | x |',
        '| 3 | `low/` | x |',
        '- `mid/` may import `side.ts`',
        '- `low/` is entered only through `low/index.ts`',
      ].join('\n'),
    );
    const up = { from: 'services/low/a.ts', line: 3, to: 'services/mid/b.ts' };
    expect(layerViolations([up], made)).toEqual([
      'services/low/a.ts:3 → services/mid/b.ts: up, from low (layer 3) to mid (layer 2)',
    ]);
    expect(layerViolations([{ from: 'services/side.ts', line: 1, to: 'services/mid/b.ts' }], made)).toEqual([
      'services/side.ts:1 → services/mid/b.ts: sideways, side and mid are both layer 2',
    ]);
    expect(layerViolations([{ from: 'services/mid/b.ts', line: 1, to: 'services/side.ts' }], made)).toEqual([]);
    expect(layerViolations([{ from: 'services/top/t.ts', line: 2, to: 'services/low/inner.ts' }], made)).toEqual([
      'services/top/t.ts:2 → services/low/inner.ts: past the front door, low is entered only through services/low/index.ts',
    ]);
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(graph)).toEqual(['a → b → c → a']);
  });
});
