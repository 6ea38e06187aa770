import { createInterface } from 'node:readline/promises';
import type { Config } from '../config/index.js';
import { CibsyncError, isCibsyncError } from '../errors.js';
import { createEngine, ENGINE_NAMES } from '../transform/engine.js';
import { type FixtureResult, findFixtures, passed, runFixture, writeExpected } from '../transform/fixtures.js';
import { readTransformInput } from '../transform/input.js';
import { formatFinding, lintConfiguration } from '../transform/lint.js';
import { scaffoldTransform } from '../transform/scaffold.js';
import { hasChain, parseParams, runSiteChain } from '../transform/site.js';
import { toDocument } from '../xml/index.js';
import {
  CONFIG_OPTIONS,
  type Command,
  configFromFlags,
  type OptionTable,
  parse,
  printHelp,
  usageLine,
  type Values,
} from './command.js';

const CHAIN_OPTIONS: OptionTable = {
  chain: {
    kind: 'text',
    value: 'a.xsl,…',
    description: 'the stylesheets in order, a comma list (setting transformChain)',
  },
  param: { kind: 'texts', value: 'NAME=VALUE', description: 'a stylesheet parameter, besides transformParams' },
  'source-site': { kind: 'text', value: 'NAME', description: "source_site (default: the publication's site)" },
  ...CONFIG_OPTIONS,
};

const SUBCOMMANDS = {
  test: {
    synopsis: '[DIR]',
    summary: 'Run every fixture case in every engine.',
    options: {
      only: { kind: 'text', value: 'NAME,…', description: 'only these transforms' },
      update: { kind: 'flag', description: "write the golden files from xsltproc's output, asking for each" },
      yes: { kind: 'flag', short: 'y', description: 'with --update: do not ask' },
      ...CONFIG_OPTIONS,
    },
  },
  run: {
    synopsis: 'FILE',
    summary: "Print the result of a site's transform chain on a configuration, CIB or publication.",
    options: CHAIN_OPTIONS,
  },
  new: {
    synopsis: 'NAME [DIR]',
    summary: 'Scaffold a transform and a passing fixture case.',
    options: {
      drop: {
        kind: 'texts',
        value: 'PATTERN',
        description: 'an XSLT match pattern of elements the new transform drops',
      },
      input: { kind: 'text', value: 'FILE', description: "the fixture's input (a configuration, CIB or publication)" },
      ...CONFIG_OPTIONS,
    },
  },
  lint: {
    synopsis: 'FILE…',
    summary: "Report source-site addresses and paths left in a site chain's output.",
    options: {
      'source-networks': {
        kind: 'text',
        value: 'CIDR,…',
        description: "the other sites' networks (default: setting sourceNetworks)",
      },
      'source-paths': {
        kind: 'text',
        value: 'PREFIX,…',
        description: "the other sites' path prefixes (default: setting sourcePathPrefixes)",
      },
      ...CHAIN_OPTIONS,
    },
  },
} satisfies Record<string, { synopsis: string; summary: string; options: OptionTable }>;

const USAGE = Object.entries(SUBCOMMANDS)
  .map(([name, sub]) => usageLine(`transform ${name}`, sub.synopsis))
  .join('\n       ');

/** The subcommand's own usage, options and help. */
function subcommand(name: keyof typeof SUBCOMMANDS) {
  const sub = SUBCOMMANDS[name];
  return {
    name: `transform ${name}`,
    summary: sub.summary,
    usage: usageLine(`transform ${name}`, sub.synopsis),
    options: sub.options as OptionTable,
  };
}

const command: Command = {
  name: 'transform',
  summary: 'Author site transforms: run the fixtures in every engine, run a chain, scaffold, lint.',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'test':
        return test(rest);
      case 'run':
        return runChainCommand(rest);
      case 'new':
        return scaffold(rest);
      case 'lint':
        return lint(rest);
      case undefined:
      case '--help':
      case '-h':
        return printHelp(
          this,
          Object.fromEntries(Object.entries(SUBCOMMANDS).map(([name, sub]) => [name, sub.options as OptionTable])),
          '\nFixture layout, parameters and the shipped transforms: docs/transforms.md.\n',
        );
      default:
        throw new CibsyncError('CIBSYNC_USAGE', `unknown transform subcommand '${sub}'\nusage: ${USAGE}`);
    }
  },
};
export default command;

/** The config with --chain mapped onto transformChain (a comma list of names or paths). */
function chainConfig(values: Values): Config {
  const config = configFromFlags(values);
  if (typeof values.chain === 'string') config.transformChain = list(values.chain);
  return config;
}

function list(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

async function test(argv: string[]): Promise<number> {
  const sub = subcommand('test');
  const { values, positionals } = parse(sub, argv, sub.options);
  if (values.help) return printHelp(sub, sub.options);
  const config = configFromFlags(values);
  const dir = positionals[0] ?? config.transforms ?? 'transforms';
  const engines = await Promise.all(
    (typeof values.engine === 'string' ? [config.engine] : ENGINE_NAMES).map((name) => createEngine(name)),
  );
  if (values.update === true && engines[0]?.name !== 'xsltproc')
    throw new CibsyncError(
      'CIBSYNC_USAGE',
      "--update writes golden files from xsltproc's output; run it without --engine",
    );
  const fixtures = await findFixtures(dir, list(values.only));
  const ask = values.update === true && values.yes !== true ? await confirmer() : undefined;
  let failed = 0;
  let updated = 0;
  for (const fixture of fixtures) {
    const result = await runFixture(fixture, engines);
    process.stdout.write(describe(result));
    if (passed(result)) continue;
    if (values.update === true && (await update(result, ask))) updated++;
    else failed++;
  }
  ask?.close();
  const counts = [
    `${fixtures.length - failed - updated} passed`,
    ...(updated > 0 ? [`${updated} updated`] : []),
    `${failed} failed`,
  ];
  process.stdout.write(
    `\n${fixtures.length} cases in ${engines.map((e) => e.name).join(', ')}: ${counts.join(', ')}\n`,
  );
  if (failed > 0)
    throw new CibsyncError('CIBSYNC_TRANSFORM_TEST_FAILED', `${failed} of ${fixtures.length} fixture cases failed`);
  return 0;
}

function describe(result: FixtureResult): string {
  const timings = result.runs.map((r) => `${r.engine} ${Math.round(r.ms)} ms`).join(', ');
  const lines = [`${passed(result) ? 'PASS' : 'FAIL'} ${result.fixture.transform}/${result.fixture.name} (${timings})`];
  for (const problem of result.problems) lines.push(`  ${problem}`);
  for (const diff of result.diffs) lines.push(diff.replace(/^/gm, '    ').trimEnd());
  return `${lines.join('\n')}\n`;
}

interface Confirmer {
  question(prompt: string): Promise<string>;
  close(): void;
}

async function confirmer(): Promise<Confirmer> {
  if (!process.stdin.isTTY)
    throw new CibsyncError('CIBSYNC_USAGE', '--update asks before writing; stdin is not a terminal, so add --yes');
  return createInterface({ input: process.stdin, output: process.stderr });
}

/** Writes expected.xml from the reference engine's output (the diff was shown); true if written. */
async function update(result: FixtureResult, ask: Confirmer | undefined): Promise<boolean> {
  const reference = result.runs[0];
  if (!reference?.output || result.enginesDisagree) return false;
  const label = `${result.fixture.transform}/${result.fixture.name}`;
  if (
    ask &&
    !/^y(es)?$/i.test(
      (await ask.question(`write ${label}/expected.xml from ${reference.engine}'s output? [y/N] `)).trim(),
    )
  )
    return false;
  process.stdout.write(`  wrote ${await writeExpected(result, reference.output)}\n`);
  return true;
}

async function runChainCommand(argv: string[]): Promise<number> {
  const sub = subcommand('run');
  const { values, positionals } = parse(sub, argv, sub.options);
  if (values.help) return printHelp(sub, sub.options);
  if (positionals.length !== 1) throw new CibsyncError('CIBSYNC_USAGE', `expected one input file\nusage: ${sub.usage}`);
  const config = chainConfig(values);
  const input = await readTransformInput(positionals[0] as string);
  const run = await runSiteChain(
    config,
    input.configuration,
    sourceSite(values, input.sourceSite),
    parseParams((values.param as string[] | undefined) ?? []),
  );
  process.stderr.write(
    `cibsync: ${run.stylesheets.length} stylesheet(s), engine ${config.engine}: ${run.stylesheets.join(' → ')}\n`,
  );
  process.stdout.write(toDocument(run.output));
  return 0;
}

function sourceSite(values: Values, fromPublication: string | undefined): string {
  return typeof values['source-site'] === 'string' ? values['source-site'] : (fromPublication ?? '');
}

async function scaffold(argv: string[]): Promise<number> {
  const sub = subcommand('new');
  const { values, positionals } = parse(sub, argv, sub.options);
  if (values.help) return printHelp(sub, sub.options);
  const [name, dirArg, ...extra] = positionals;
  if (!name || extra.length > 0) throw new CibsyncError('CIBSYNC_USAGE', `expected NAME [DIR]\nusage: ${sub.usage}`);
  const config = configFromFlags(values);
  const dir = dirArg ?? config.transforms ?? 'transforms';
  const input = typeof values.input === 'string' ? (await readTransformInput(values.input)).configuration : undefined;
  const made = await scaffoldTransform({
    dir,
    name,
    drop: (values.drop as string[] | undefined) ?? [],
    input,
    engine: await createEngine(config.engine),
  });
  process.stdout.write(
    `created ${made.stylesheet}\ncreated ${made.caseDir}/ (input.xml, expected.xml, params.json)\nnext: edit both, then cibsync transform test ${dir} --only ${name}\n`,
  );
  return 0;
}

async function lint(argv: string[]): Promise<number> {
  const sub = subcommand('lint');
  const { values, positionals } = parse(sub, argv, sub.options);
  if (values.help) return printHelp(sub, sub.options);
  if (positionals.length === 0)
    throw new CibsyncError('CIBSYNC_USAGE', `expected one or more input files\nusage: ${sub.usage}`);
  const config = chainConfig(values);
  const rules = {
    networks: values['source-networks'] !== undefined ? list(values['source-networks']) : config.sourceNetworks,
    pathPrefixes: values['source-paths'] !== undefined ? list(values['source-paths']) : config.sourcePathPrefixes,
  };
  if (rules.networks.length === 0 && rules.pathPrefixes.length === 0) {
    throw new CibsyncError(
      'CIBSYNC_USAGE',
      'nothing to look for: give --source-networks and/or --source-paths, or sourceNetworks/sourcePathPrefixes in the config file',
    );
  }
  const extraParams = parseParams((values.param as string[] | undefined) ?? []);
  if (!hasChain(config)) process.stderr.write('cibsync: no transform chain configured; linting the input as it is\n');
  let total = 0;
  let withFindings = 0;
  for (const file of positionals) {
    try {
      const input = await readTransformInput(file);
      const output = hasChain(config)
        ? (await runSiteChain(config, input.configuration, sourceSite(values, input.sourceSite), extraParams)).output
        : input.configuration;
      const findings = lintConfiguration(output, rules);
      for (const finding of findings) process.stdout.write(`${file}: ${formatFinding(finding)}\n`);
      total += findings.length;
      if (findings.length > 0) withFindings++;
    } catch (err) {
      if (!isCibsyncError(err)) throw err;
      throw new CibsyncError(err.code, `${file}: ${err.message}`, err.details);
    }
  }
  process.stdout.write(`${total} finding(s) in ${withFindings} of ${positionals.length} file(s)\n`);
  if (total > 0)
    throw new CibsyncError('CIBSYNC_LINT_FINDINGS', `${total} source-site address(es) or path(s) left in the output`);
  return 0;
}
