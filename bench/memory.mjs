// Peak memory of a subscriber taking a large publication: generated configurations of N primitives
// (bench/gen-cib.mjs) sealed as publications, then, each in a fresh process,
//   parse:   readPublication() alone (strict parse + digest check), the first step of every import;
//   dry-run: `cibsync import FILE --dry-run` on a file-backed copy of test/fixtures/sites/site-b.xml
//            (parse, origin, freshness, transform-less splice, crm_verify and crm_diff of the candidate);
//   apply:   `cibsync import FILE` for real, the round of a large site: site B already holds the
//            previous version of the configuration (its CIB file written as an import of it leaves
//            it), and the publication changes the target-role of every 100th primitive. All of the
//            above, with a local CIB as large as the publication, then the backup, the versioned
//            patch, the read-back and the state files. (A first import of 10,000 primitives is not
//            measured for real: Pacemaker's `cibadmin --patch` of 10,000 creates takes hours here.)
// Peak RSS is the node process's own (getrusage maxRSS at exit; Pacemaker tools it spawns are not
// counted). Uses the built code:
//   npm run build && node bench/memory.mjs [--sizes 1000,10000,17000] [--modes parse,dry-run,apply] [--runs 3]
// Prints a Markdown table for docs/benchmarks.md, with the bound of issue 14 (8 × size + 150 MB).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateConfiguration } from './gen-cib.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(REPO, 'dist/services');
const CLI = join(DIST, 'cli/main.js');
const LOCAL_CIB = join(REPO, 'test/fixtures/sites/site-b.xml');
const MB = 2 ** 20;
/** Reports the process's peak RSS on stderr as it exits (loaded with --import before the CLI). */
const PRELOAD = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss-kb='+process.resourceUsage().maxRSS+'\\n'))`;

/** The generated configuration of n primitives; `next`: its next version, every 100th primitive stopped. */
function configurationText(n, next) {
  const text = generateConfiguration(n);
  return next ? text.replace(/(id="rsc\d*00-meta-target-role" name="target-role" value=")Started/g, '$1Stopped') : text;
}

async function makePublication(n, file, next) {
  const { parseXml } = await import(join(DIST, 'xml/index.js'));
  const { sealPublication, serializePublication } = await import(join(DIST, 'publication/index.js'));
  const configuration = parseXml(configurationText(n, next), { maxBytes: Infinity });
  // What crm_verify says of the generated configuration at the source (stonith-enabled=false): the
  // candidate, which keeps that property, is then no worse, and the import runs to its end.
  const sourceVerdict = {
    level: 'warnings',
    messages: [{ level: 'warning', text: 'Blind faith: not fencing unseen nodes' }],
  };
  const publication = sealPublication({
    site: 'siteA',
    ticket: 'ticketA',
    adminEpoch: 1,
    epoch: next ? 2 : 1,
    created: new Date().toISOString(),
    configuration,
    nodeAttributes: {},
    sourceVerdict,
  });
  writeFileSync(file, serializePublication(publication));
}

async function parseChild(file) {
  const { readPublication } = await import(join(DIST, 'publication/index.js'));
  const text = readFileSync(file, 'utf8');
  const started = performance.now();
  readPublication(text, { maxBytes: Infinity });
  process.stdout.write(JSON.stringify({ ms: performance.now() - started, maxRssKb: process.resourceUsage().maxRSS }));
}

function runParse(file) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`parse of ${file} failed: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout);
}

/** Site B's CIB as an import of the previous version of the n-primitive configuration leaves it. */
async function writeSiteWithPrevious(n, file) {
  const { firstChild, parseXml, toDocument } = await import(join(DIST, 'xml/index.js'));
  const { defaultConfig } = await import(join(DIST, 'config/index.js'));
  const { spliceSiteLocal } = await import(join(DIST, 'pipeline/splice.js'));
  const site = parseXml(readFileSync(LOCAL_CIB, 'utf8'));
  const local = firstChild(site, 'configuration');
  const { configuration } = spliceSiteLocal(
    parseXml(configurationText(n, false), { maxBytes: Infinity }),
    local,
    defaultConfig().siteLocal,
  );
  site.children = site.children.map((c) => (c === local ? configuration : c));
  writeFileSync(file, toDocument(site));
}

/** `cibsync import FILE`: `--dry-run` onto a fresh copy of site B, or for real onto `siteCib` (copied). */
function runImport(file, work, siteCib) {
  const apply = siteCib !== LOCAL_CIB;
  const cib = join(work, 'cib.xml');
  const state = join(work, 'state');
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state);
  copyFileSync(siteCib, cib);
  // No size limit here: the point is what a publication of this size costs.
  const config = join(work, 'config.json');
  // Unsigned: the bench measures memory, not origin checks (a signature adds one RSA verification).
  // Tool timeouts of an hour: on a loaded machine crm_verify of 15 MiB takes many minutes, and what is measured is memory.
  writeFileSync(
    config,
    JSON.stringify({ maxPublicationBytes: 2 ** 31 - 1, toolTimeoutMs: 3_600_000, trust: { allowUnsigned: true } }),
  );
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      PRELOAD,
      CLI,
      'import',
      file,
      ...(apply ? [] : ['--dry-run']),
      '--config',
      config,
      '--site',
      'siteB',
      '--state-dir',
      state,
      '--node-map',
      'a1=b1,a2=b2',
      '--log-level',
      'error',
      '--output-as=json',
    ],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LC_ALL: 'C', CIB_file: cib },
      maxBuffer: 256 * MB,
    },
  );
  const ms = performance.now() - started;
  const rss = /maxrss-kb=(\d+)/.exec(r.stderr);
  if (!rss) throw new Error(`import of ${file} printed no maxrss (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  return {
    ms,
    maxRssKb: Number(rss[1]),
    exit: r.status,
    error: r.status === 0 ? undefined : /CIBSYNC_[A-Z_]+/.exec(r.stderr)?.[0],
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,10000,17000' },
      modes: { type: 'string', default: 'parse,dry-run,apply' },
      runs: { type: 'string', default: '3' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const modes = values.modes.split(',');
  for (const mode of modes)
    if (!['parse', 'dry-run', 'apply'].includes(mode)) throw new Error(`unknown mode ${mode} (parse, dry-run, apply)`);
  const runs = Number(values.runs);
  const work = mkdtempSync(join(tmpdir(), 'cibsync-bench-memory-'));
  process.stderr.write(
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  const rows = [];
  try {
    for (const n of sizes) {
      const first = join(work, `publication-${n}.xml`);
      await makePublication(n, first, false);
      const next = join(work, `publication-${n}-next.xml`);
      const previousSite = join(work, `site-b-${n}.xml`);
      if (modes.includes('apply')) {
        await makePublication(n, next, true);
        await writeSiteWithPrevious(n, previousSite);
      }
      for (const mode of modes) {
        const file = mode === 'apply' ? next : first;
        const bytes = readFileSync(file).length;
        const results = [];
        for (let i = 0; i < runs; i++)
          results.push(
            mode === 'parse' ? runParse(file) : runImport(file, work, mode === 'apply' ? previousSite : LOCAL_CIB),
          );
        const peakMb = median(results.map((r) => r.maxRssKb)) / 1024;
        const bound = (8 * bytes) / MB + 150;
        const errors = [...new Set(results.map((r) => r.error).filter(Boolean))];
        rows.push(
          `| ${n.toLocaleString('en')} | ${(bytes / MB).toFixed(1)} | ${mode} | ${Math.round(median(results.map((r) => r.ms))).toLocaleString('en')} | ${Math.round(peakMb)} | ${(peakMb / (bytes / MB)).toFixed(1)} | ${Math.round(bound)} | ${peakMb <= bound ? 'yes' : '**no**'}${errors.length ? ` (${errors.join(', ')})` : ''} |`,
        );
        process.stderr.write(`${rows.at(-1)}\n`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(
    `load at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; medians of ${runs} runs\n\n`,
  );
  process.stdout.write(
    '| primitives | publication (MiB) | step | time (ms) | peak RSS (MiB) | RSS / size | bound (MiB) | within |\n|---|---|---|---|---|---|---|---|\n',
  );
  process.stdout.write(`${rows.join('\n')}\n`);
}

if (process.argv[2] === '--child') await parseChild(process.argv[3]);
else await main();
