// Benchmark of the shipped transforms/rewrite-ip.xsl in each engine, against xsltproc, on the
// configuration of the largest corpus CIB and on generated configurations of 1,000 and 10,000
// primitives. Uses the built code:
//   npm run build && node bench/transform-ip.mjs [--runs 5] [--xp-runs 3] [--timeout 120] [--sizes 100,1000,10000] [--skip-corpus]
// Each run is a child process (so a runaway xslt-processor run can be killed at the timeout); the
// time is that of TransformEngine.transform() inside the child, as the import pipeline calls it:
// for xsltproc a spawn with the document on stdin, for xslt-processor in-process. Results are
// printed as a Markdown table for docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateConfiguration, vipAddress } from './gen-cib.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(REPO, 'dist/services');
const STYLESHEET = join(REPO, 'transforms/rewrite-ip.xsl');
const CORPUS = join(REPO, '../shared/corpus/pacemaker-cts/cibs');
const SOURCE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'];
/** Entries in the map for generated inputs: a site's worth of service addresses. */
const GENERATED_MAP_ENTRIES = 20;

const dist = async (path) => import(join(DIST, path));

async function child([engineName, inputPath, paramsPath]) {
  const { createEngine } = await dist('transform/engine.js');
  const { canonical, parseXml, sha256 } = await dist('xml/index.js');
  const engine = await createEngine(engineName);
  const input = readFileSync(inputPath, 'utf8');
  const params = JSON.parse(readFileSync(paramsPath, 'utf8'));
  const started = performance.now();
  const output = await engine.transform(STYLESHEET, input, params);
  const ms = performance.now() - started;
  process.stdout.write(
    JSON.stringify({
      ms,
      digest: sha256(canonical(parseXml(output))),
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    }),
  );
}

function runOnce(engine, input, params, timeoutS) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', engine, input, params], {
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 20,
  });
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL') return { timedOut: true };
  if (r.status !== 0) throw new Error(`${engine} on ${input} failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms).toLocaleString('en')} ms`);

async function prepareInputs(dir, sizes, withCorpus) {
  const { parseXml, serialize } = await dist('xml/index.js');
  const { suppliedConfiguration } = await dist('cib/index.js');
  const { lintConfiguration } = await dist('transform/lint.js');
  const inputs = [];
  if (withCorpus && existsSync(CORPUS)) {
    const largest = readdirSync(CORPUS)
      .filter((f) => f.endsWith('.xml'))
      .sort((a, b) => statSync(join(CORPUS, b)).size - statSync(join(CORPUS, a)).size)[0];
    const configuration = suppliedConfiguration(
      parseXml(readFileSync(join(CORPUS, largest), 'utf8'), { source: largest }),
    );
    // Map every source address the configuration holds (what lint finds) to one outside those networks.
    const literals = [
      ...new Set(
        lintConfiguration(configuration, { networks: SOURCE_NETWORKS, pathPrefixes: [] }).map((f) => f.literal),
      ),
    ];
    const ipMap = literals
      .map(
        (a, i) => `${a}=${a.includes(':') ? `2001:db8:ffff::${(i + 1).toString(16)}` : `198.18.${i >> 8}.${i & 255}`}`,
      )
      .join(',');
    const text = serialize(configuration);
    inputs.push({
      name: `corpus ${largest} (configuration)`,
      primitives: (text.match(/<primitive /g) ?? []).length,
      text,
      ipMap,
      entries: literals.length,
    });
  } else if (withCorpus) {
    process.stderr.write(`corpus input skipped: ${CORPUS} is absent (it lives in ../shared beside the repository)\n`);
  }
  for (const n of sizes) {
    const ipMap = Array.from(
      { length: GENERATED_MAP_ENTRIES },
      (_, i) => `${vipAddress(i)}=10.200.${i >> 8}.${i & 255}`,
    ).join(',');
    inputs.push({
      name: `generated, ${n.toLocaleString('en')} primitives`,
      primitives: n,
      text: generateConfiguration(n),
      ipMap,
      entries: GENERATED_MAP_ENTRIES,
    });
  }
  return inputs.map((input, i) => {
    const inputPath = join(dir, `input-${i}.xml`);
    const paramsPath = join(dir, `params-${i}.json`);
    writeFileSync(inputPath, input.text);
    writeFileSync(paramsPath, JSON.stringify({ local_site: 'siteB', source_site: 'siteA', ip_map: input.ipMap }));
    return { ...input, inputPath, paramsPath, bytes: Buffer.byteLength(input.text) };
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      'xp-runs': { type: 'string', default: '3' },
      timeout: { type: 'string', default: '120' },
      sizes: { type: 'string', default: '100,1000,10000' },
      'skip-corpus': { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const xpRuns = Number(values['xp-runs']);
  const timeoutS = Number(values.timeout);
  const dir = mkdtempSync(join(tmpdir(), 'cibsync-bench-'));
  const inputs = await prepareInputs(dir, values.sizes.split(',').map(Number), !values['skip-corpus']);
  const rows = [];
  for (const input of inputs) {
    const measure = (engine, count) => {
      const results = [];
      for (let i = 0; i < count; i++) {
        const r = runOnce(engine, input.inputPath, input.paramsPath, timeoutS);
        process.stderr.write(
          `${input.name}: ${engine} run ${i + 1}: ${r.timedOut ? `did not finish within ${timeoutS} s` : `${fmt(r.ms)}, child RSS ${r.rssMb} MB`}\n`,
        );
        if (r.timedOut) return { timedOut: true, results };
        results.push(r);
        // A run of a minute or more is measured once: the point is made, and the machine is shared.
        if (r.ms >= 60_000) break;
      }
      return { timedOut: false, results };
    };
    const ref = measure('xsltproc', runs);
    const xp = measure('xslt-processor', xpRuns);
    const refMs = median(ref.results.map((r) => r.ms));
    const xpMs = xp.results.length > 0 ? median(xp.results.map((r) => r.ms)) : undefined;
    const same =
      xp.results.length > 0 ? (xp.results.every((r) => r.digest === ref.results[0].digest) ? 'yes' : '**no**') : '–';
    const xpCell =
      xp.timedOut && xp.results.length === 0
        ? `did not finish within ${timeoutS} s`
        : `${fmt(xpMs)} (${xp.results.length} run${xp.results.length === 1 ? '' : 's'}, RSS ${Math.max(...xp.results.map((r) => r.rssMb))} MB)`;
    const ratio = xpMs === undefined ? `> ${Math.floor((timeoutS * 1000) / refMs)}×` : `${(xpMs / refMs).toFixed(1)}×`;
    rows.push(
      `| ${input.name} | ${input.primitives.toLocaleString('en')} | ${(input.bytes / 1024).toFixed(0)} KB | ${input.entries} | ${fmt(refMs)} (${fmt(Math.min(...ref.results.map((r) => r.ms)))}–${fmt(Math.max(...ref.results.map((r) => r.ms)))}, ${runs} runs) | ${xpCell} | ${ratio} | ${same} |`,
    );
  }
  process.stdout.write(
    [
      `Node ${process.version}, ${cpus().length} vCPU, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}; xsltproc runs ${runs}, xslt-processor runs ${xpRuns}, timeout ${timeoutS} s`,
      '',
      '| input | primitives | size | map entries | xsltproc median (min–max) | xslt-processor median | xslt-processor / xsltproc | same output |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

if (process.argv[2] === '--child') await child(process.argv.slice(3));
else await main();
