// A seeded fuzz of the publication reader: thousands of mutated publications (byte flips,
// truncations, duplicated and removed elements and attributes, huge numbers, odd entities, deep
// nesting, wrong digests, and mutations re-sealed with a correct digest so they reach the checks
// behind it) through readPublication, and a sample through the whole import pipeline on a
// file-backed CIB. Every refusal must carry a stable code (never CIBSYNC_INTERNAL, never a bare
// Error) and the CIB file must stay byte-identical. Reproduce a run with FUZZ_SEED=<seed>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { CibsyncError } from '../../services/errors.js';
import { silentLogger } from '../../services/log.js';
import { importPublication } from '../../services/pipeline/index.js';
import { buildPublication } from '../../services/publication/build.js';
import { digestOf, readPublication, serializePublication } from '../../services/publication/index.js';
import { parseXml } from '../../services/xml/index.js';
import { generator, seedFrom } from '../helpers/random.js';
import type { Site } from '../helpers/sites.js';
import { makeSites } from '../network/helpers.js';

const SEED = seedFrom('FUZZ_SEED', 20261202);
const DOCUMENTS = 5000;
/** Mutations that go through the pipeline: refused ones for real, re-sealed ones as a dry run. */
const PIPELINE_REFUSED = 60;
const PIPELINE_RESEALED = 20;

const ODD = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '/',
  '=',
  ' ',
  '\u0000',
  '\uffff',
  '\ud800',
  'é',
  '\r',
  ']]>',
  '<!--',
  '<?',
  '&#0;',
  '&#xD800;',
  '&#99999999;',
  '&foo;',
  '&#x;',
  '&amp',
  '&lt;',
  '&#10;',
];
const NUMBERS = [
  '-1',
  '1e400',
  '99999999999999999999999',
  '0x10',
  'NaN',
  '',
  ' 1',
  '1.5',
  '9007199254740993',
  '00000000000000000007',
];

type Mutation = (doc: string, rnd: () => number) => string;

const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)] as T;
const at = (doc: string, rnd: () => number) => Math.floor(rnd() * doc.length);

/** Every match of `re` in `doc`, as [start, end]. */
function spans(doc: string, re: RegExp): [number, number][] {
  return [...doc.matchAll(re)].map((m) => [m.index as number, (m.index as number) + m[0].length]);
}

function onSpan(re: RegExp, change: (text: string, rnd: () => number) => string): Mutation {
  return (doc, rnd) => {
    const found = spans(doc, re);
    if (found.length === 0) return doc;
    const [start, end] = pick(found, rnd);
    return doc.slice(0, start) + change(doc.slice(start, end), rnd) + doc.slice(end);
  };
}

const MUTATIONS: Record<string, Mutation> = {
  flip: (doc, rnd) => {
    const i = at(doc, rnd);
    return doc.slice(0, i) + String.fromCharCode(doc.charCodeAt(i) ^ (1 << Math.floor(rnd() * 7))) + doc.slice(i + 1);
  },
  odd: (doc, rnd) => {
    const i = at(doc, rnd);
    return doc.slice(0, i) + pick(ODD, rnd) + doc.slice(i + (rnd() < 0.5 ? 1 : 0));
  },
  truncate: (doc, rnd) => doc.slice(0, at(doc, rnd)),
  duplicateElement: onSpan(
    /<(nvpair|op|primitive|rsc_location|node|message|configuration|node-attributes|source-verdict)\b[^>]*\/>/g,
    (el) => el + el,
  ),
  removeElement: onSpan(/<(nvpair|op|rsc_location|node|message)\b[^>]*\/>/g, () => ''),
  duplicateAttribute: onSpan(/ [\w-]+="[^"]*"/g, (attr) => attr + attr),
  removeAttribute: onSpan(/ [\w-]+="[^"]*"/g, () => ''),
  oddAttributeValue: onSpan(/="[^"]*"/g, (_v, rnd) => `="${pick(ODD, rnd)}"`),
  hugeNumber: onSpan(/ (admin_epoch|epoch|num_updates|score|interval|format)="[^"]*"/g, (attr, rnd) =>
    attr.replace(/"[^"]*"/, `"${pick(NUMBERS, rnd)}"`),
  ),
  oddVerdict: onSpan(
    /<source-verdict level="[^"]*"/g,
    (_s, rnd) =>
      `<source-verdict level="${pick(['constructor', '__proto__', 'toString', 'fatal', 'ERRORS', ''], rnd)}"`,
  ),
  prototypeNames: onSpan(/ (name|id|uname)="[^"]*"/g, (attr, rnd) =>
    attr.replace(/"[^"]*"/, `"${pick(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype'], rnd)}"`),
  ),
  deepNesting: (doc, rnd) => {
    const depth = pick([200, 300, 5000], rnd);
    return doc.replace('<resources>', `<resources>${'<group>'.repeat(depth)}${'</group>'.repeat(depth)}`);
  },
  wrongDigest: (doc, rnd) =>
    doc.replace(/ digest="([0-9a-f])/, (_m, c: string) => ` digest="${c === '0' ? (rnd() < 0.5 ? '1' : 'X') : '0'}`),
  wrongRoot: (doc, rnd) =>
    doc.replace(/cibsync-publication/g, pick(['cib', 'cibsync-publicatio', 'x:cibsync-publication'], rnd)),
};

/** The mutated document with its digest attribute set to the digest of its new content (when it still parses). */
function reseal(doc: string): string | undefined {
  try {
    const root = parseXml(doc, { source: 'fuzz' });
    return doc.replace(/ digest="[^"]*"/, ` digest="${digestOf(root)}"`);
  } catch {
    return undefined;
  }
}

interface Case {
  n: number;
  mutations: string[];
  resealed: boolean;
  text: string;
}

function* cases(base: string, rnd: () => number): Generator<Case> {
  const names = Object.keys(MUTATIONS);
  for (let n = 0; n < DOCUMENTS; n += 1) {
    const mutations = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(names, rnd));
    let text = base;
    for (const m of mutations) text = (MUTATIONS[m] as Mutation)(text, rnd);
    const resealed = rnd() < 0.35 ? reseal(text) : undefined;
    yield { n, mutations, resealed: resealed !== undefined, text: resealed ?? text };
  }
}

/** The stable code of a refusal; a bare Error or CIBSYNC_INTERNAL fails the test with the case that caused it. */
function refusalCode(err: unknown, c: Case): string {
  const where = `case ${c.n} (${c.mutations.join('+')}${c.resealed ? ', re-sealed' : ''}, seed ${SEED})`;
  expect(err, `${where}: not a CibsyncError: ${String(err)}`).toBeInstanceOf(CibsyncError);
  const code = (err as CibsyncError).code;
  expect(code, `${where}: ${(err as Error).message}`).not.toBe('CIBSYNC_INTERNAL');
  return code;
}

let a: Site;
let b: Site;
let base: string;

beforeAll(async () => {
  ({ a, b } = makeSites());
  base = serializePublication(await buildPublication(a.pacemaker, { site: 'siteA', ticket: 'ticketA' }));
}, 30_000);

afterAll(() => {
  a?.cleanup();
  b?.cleanup();
});

describe(`fuzz of the publication reader (seed ${SEED})`, () => {
  it(`reads ${DOCUMENTS} mutated publications: each refused with a stable code or read whole; the pipeline never changes the CIB on one it refuses`, async () => {
    const rnd = generator(SEED);
    const codes = new Map<string, number>();
    const pipelineRefused: Case[] = [];
    const pipelineResealed: Case[] = [];
    let read = 0;
    for (const c of cases(base, rnd)) {
      let code = 'read';
      try {
        const p = readPublication(c.text);
        expect(p.configuration.name).toBe('configuration');
        read += 1;
      } catch (err) {
        code = refusalCode(err, c);
      }
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (code !== 'read' && !c.resealed && pipelineRefused.length < PIPELINE_REFUSED && c.n % 7 === 0)
        pipelineRefused.push(c);
      if (c.resealed && pipelineResealed.length < PIPELINE_RESEALED && c.n % 5 === 0) pipelineResealed.push(c);
    }
    // The mutations reach past the parser: refusals of several kinds, and some documents read whole.
    for (const code of [
      'CIBSYNC_XML_MALFORMED',
      'CIBSYNC_DIGEST_MISMATCH',
      'CIBSYNC_PUBLICATION_INVALID',
      'CIBSYNC_XML_TOO_DEEP',
      'CIBSYNC_XML_ENTITY',
    ])
      expect(codes.get(code), `${code} in ${JSON.stringify([...codes])}`).toBeGreaterThan(0);
    expect(read).toBeGreaterThan(0);

    const config = loadConfig(undefined, {
      site: 'siteB',
      ticket: 'ticketA',
      stateDir: b.stateDir,
      nodeMap: { a1: 'b1', a2: 'b2' },
    });
    const before = b.hash();
    for (const [sample, dryRun] of [
      [pipelineRefused, false],
      [pipelineResealed, true],
    ] as const) {
      for (const c of sample) {
        try {
          await importPublication(c.text, { config, pacemaker: b.pacemaker, logger: silentLogger, dryRun });
        } catch (err) {
          refusalCode(err, c);
        }
        expect(b.hash(), `case ${c.n} changed the CIB`).toBe(before);
      }
    }
    expect(pipelineRefused.length + pipelineResealed.length).toBeGreaterThanOrEqual(50);
  }, 120_000);

  it.each([['fatal'], ['constructor'], ['__proto__'], ['']])(
    'refuses a correctly sealed publication whose source-verdict level is %j',
    (level) => {
      const text = reseal(base.replace(/<source-verdict level="[^"]*"/, `<source-verdict level="${level}"`)) as string;
      expect(() => readPublication(text)).toThrow(expect.objectContaining({ code: 'CIBSYNC_PUBLICATION_INVALID' }));
    },
  );
});
