// Golden-file tests for transforms, in the manner of Pacemaker's cts-schemas: each case directory
// holds an input, the expected output (or the expected error) and the parameters, and every case runs
// in every engine, because a transform that passes in one engine and differs in the other is a
// production incident. Layout (docs/transforms.md):
//   <dir>/<transform>.xsl
//   <dir>/fixtures/<transform>/<case>/input.xml
//                                     expected.xml | expected-error.txt
//                                     params.json            (optional, {"name": "value"})
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CibsyncError, isCibsyncError } from '../errors.js';
import {
  canonical,
  clone,
  parseXml,
  sameXml,
  serialize,
  stripWhitespace,
  toDocument,
  type XmlElement,
} from '../xml/index.js';
import { type ChainParams, runChain } from './chain.js';
import type { EngineName, TransformEngine } from './engine.js';
import { unifiedDiff } from './line-diff.js';

export const FIXTURES_SUBDIR = 'fixtures';
export const INPUT_FILE = 'input.xml';
export const EXPECTED_FILE = 'expected.xml';
export const EXPECTED_ERROR_FILE = 'expected-error.txt';
export const PARAMS_FILE = 'params.json';

/** local_site and source_site when a case's params.json does not set them. */
export const FIXTURE_SITES = { local_site: 'siteB', source_site: 'siteA' } as const;

export interface Fixture {
  transform: string;
  name: string;
  dir: string;
  stylesheet: string;
  params: ChainParams;
}

export interface EngineRun {
  engine: EngineName;
  output?: XmlElement;
  error?: CibsyncError;
  ms: number;
}

export interface FixtureResult {
  fixture: Fixture;
  runs: EngineRun[];
  /** One line per problem: mismatch with the golden file, wrong or missing error, engines disagreeing. */
  problems: string[];
  /** Unified diffs that go with the problems (expected vs an engine, or engine vs engine). */
  diffs: string[];
  /** No expected.xml nor expected-error.txt yet (a new case; `--update` writes one). */
  missingExpected: boolean;
  /** The engines gave different outputs, or only some of them failed. */
  enginesDisagree: boolean;
}

export function passed(result: FixtureResult): boolean {
  return result.problems.length === 0;
}

/** Every case under <dir>/fixtures, sorted; `only` limits it to those transform names. */
export async function findFixtures(dir: string, only: string[] = []): Promise<Fixture[]> {
  const root = join(dir, FIXTURES_SUBDIR);
  if (!existsSync(root))
    throw new CibsyncError(
      'CIBSYNC_USAGE',
      `${dir}: no ${FIXTURES_SUBDIR}/ directory (see docs/transforms.md for the layout)`,
    );
  const fixtures: Fixture[] = [];
  for (const transform of (await subdirectories(root)).filter((t) => only.length === 0 || only.includes(t))) {
    const stylesheet = resolve(dir, `${transform}.xsl`);
    for (const name of await subdirectories(join(root, transform))) {
      const caseDir = resolve(root, transform, name);
      fixtures.push({ transform, name, dir: caseDir, stylesheet, params: await readParams(caseDir) });
    }
  }
  const unknown = only.filter((t) => !fixtures.some((f) => f.transform === t));
  if (unknown.length > 0)
    throw new CibsyncError('CIBSYNC_USAGE', `no fixtures for ${unknown.join(', ')} under ${root}`);
  return fixtures;
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function readParams(caseDir: string): Promise<ChainParams> {
  const file = join(caseDir, PARAMS_FILE);
  const params: ChainParams = { ...FIXTURE_SITES };
  if (!existsSync(file)) return params;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${file}: expected an object of string parameters`);
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string')
      throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${file}: parameter ${name} must be a string`);
    // Map files sit beside the case; the stylesheet would resolve a relative path against itself.
    params[name] = name.endsWith('_file') && value !== '' ? resolve(caseDir, value) : value;
  }
  return params;
}

/** Runs each case in each engine and compares against the golden files and across engines. */
export async function runFixture(fixture: Fixture, engines: TransformEngine[]): Promise<FixtureResult> {
  const input = parseXml(await readFile(join(fixture.dir, INPUT_FILE), 'utf8'), {
    source: join(fixture.dir, INPUT_FILE),
  });
  const expectedPath = join(fixture.dir, EXPECTED_FILE);
  const expectedErrorPath = join(fixture.dir, EXPECTED_ERROR_FILE);
  const expected = existsSync(expectedPath)
    ? parseXml(await readFile(expectedPath, 'utf8'), { source: expectedPath })
    : undefined;
  const expectedError = existsSync(expectedErrorPath) ? (await readFile(expectedErrorPath, 'utf8')).trim() : undefined;
  const result: FixtureResult = {
    fixture,
    runs: [],
    problems: [],
    diffs: [],
    missingExpected: expected === undefined && expectedError === undefined,
    enginesDisagree: false,
  };
  if (!existsSync(fixture.stylesheet)) {
    result.problems.push(`no stylesheet ${fixture.stylesheet}`);
    return result;
  }

  for (const engine of engines) {
    const started = performance.now();
    try {
      const output = await runChain(engine, [fixture.stylesheet], clone(input), fixture.params);
      result.runs.push({ engine: engine.name, output, ms: performance.now() - started });
    } catch (err) {
      if (!isCibsyncError(err)) throw err;
      result.runs.push({ engine: engine.name, error: err, ms: performance.now() - started });
    }
  }

  for (const run of result.runs) {
    if (expected) {
      if (run.error) result.problems.push(`${run.engine}: failed: ${run.error.message}`);
      else if (run.output && !sameXml(run.output, expected)) {
        result.problems.push(`${run.engine}: output differs from ${EXPECTED_FILE}`);
        result.diffs.push(
          unifiedDiff(displayForm(expected), displayForm(run.output), {
            expected: EXPECTED_FILE,
            actual: `${run.engine} output`,
          }),
        );
      }
    } else if (expectedError !== undefined) {
      if (!run.error)
        result.problems.push(
          `${run.engine}: succeeded, but ${EXPECTED_ERROR_FILE} expects an error containing "${expectedError}"`,
        );
      else if (!run.error.message.includes(expectedError))
        result.problems.push(`${run.engine}: failed with "${run.error.message}", not with "${expectedError}"`);
    } else if (run.error) {
      result.problems.push(`${run.engine}: failed: ${run.error.message}`);
    }
  }
  if (result.missingExpected)
    result.problems.push(`no ${EXPECTED_FILE} or ${EXPECTED_ERROR_FILE} yet (run with --update to write it)`);
  compareEngines(result);
  return result;
}

// Whatever the golden file says, two engines must not produce different configurations.
function compareEngines(result: FixtureResult): void {
  const [reference, ...others] = result.runs;
  if (!reference) return;
  for (const other of others) {
    const what = `${reference.engine} and ${other.engine} disagree`;
    if (reference.output && other.output) {
      if (!sameXml(reference.output, other.output)) {
        result.enginesDisagree = true;
        result.problems.push(`${what}: different output`);
        result.diffs.push(
          unifiedDiff(displayForm(reference.output), displayForm(other.output), {
            expected: `${reference.engine} output`,
            actual: `${other.engine} output`,
          }),
        );
      }
    } else if (reference.output || other.output) {
      const failed = reference.error ? reference : other;
      result.enginesDisagree = true;
      result.problems.push(`${what}: only ${failed.engine} failed (${failed.error?.message ?? ''})`);
    }
  }
}

/** Indented, attributes sorted, whitespace-only text dropped: what diffs are computed on. */
export function displayForm(root: XmlElement): string {
  return serialize(parseXml(canonical(root)), { indent: true });
}

/** The golden file for a case, from the reference (first) engine's output. */
export function goldenText(output: XmlElement): string {
  return toDocument(stripWhitespace(clone(output)));
}

export async function writeExpected(result: FixtureResult, output: XmlElement): Promise<string> {
  const path = join(result.fixture.dir, EXPECTED_FILE);
  await writeFile(path, goldenText(output));
  return path;
}
