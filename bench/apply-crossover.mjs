// Where a patch stops paying: the two writes the apply chooses between (services/pipeline/apply.ts),
// through the tool layer as the apply runs them (versioned cibadmin --patch, the file CIB written
// through its private copy), for K changed primitives out of N (bench/gen-cib.mjs N), and for all N
// added onto an empty configuration (what a first import writes):
//   crm_diff + patch   crm_diff of the two CIBs, then its patch (object by object)
//   sections           the sections that differ, deleted and created whole (cib/section-patch.ts)
//   by hand            one whole-<cib> cibadmin --replace of the same result (not version-checked)
//   npm run build && node bench/apply-crossover.mjs [N=1000] [RUNS=3] [K,K,…]
// A patch case whose crm_diff patch adds more than 2,000 objects is skipped at N > 1,000: at 10,000
// primitives it did not finish in 22 CPU-minutes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configurationOfCib, sectionReplacement, versionOf } from '../dist/services/cib/index.js';
import { Pacemaker } from '../dist/services/pacemaker/index.js';
import { parseXml, sameXml, serialize } from '../dist/services/xml/index.js';
import { generateConfiguration } from './gen-cib.mjs';
import { machine } from './network-lib.mjs';

const n = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 3);
const ks = (process.argv[4] ?? `1,10,30,100,300,${n}`).split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'cibsync-bench-apply-'));
const STATUS =
  '<status><node_state id="1" uname="b1" in_ccm="true" crmd="online" join="member" expected="member"/><node_state id="2" uname="b2" in_ccm="true" crmd="online" join="member" expected="member"/></status>';
const cibOf = (configuration, epoch) =>
  `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="${epoch}" num_updates="0" admin_epoch="0" have-quorum="1">${configuration}${STATUS}</cib>\n`;
const base = generateConfiguration(n);
/** The configuration with the first k primitives' target-role changed. */
const changed = (k) =>
  base.replace(/(<nvpair id="rsc(\d+)-meta-target-role" name="target-role" value=")Started"/g, (m, head, i) =>
    Number(i) < k ? `${head}Stopped"` : m,
  );
const empty = '<configuration><crm_config/><nodes/><resources/><constraints/></configuration>';
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
const file = join(dir, 'cib.xml');

/** Writes `from` as the CIB file; runs `write` on it; returns its ms and checks the result is `to`. */
async function timedWrite(from, to, write) {
  writeFileSync(file, cibOf(from, 10));
  const pacemaker = new Pacemaker({ cibFile: file });
  const current = await pacemaker.queryCib();
  const t = performance.now();
  const extra = await write(pacemaker, current);
  const ms = performance.now() - t;
  if (!sameXml(configurationOfCib(await pacemaker.queryCib()), configurationOfCib(parseXml(cibOf(to, 0)))))
    throw new Error('the write did not produce the target');
  return { ms, ...extra };
}

async function once(from, to, withPatch) {
  const target = parseXml(cibOf(to, 10));
  const sections = await timedWrite(from, to, async (pacemaker, current) => {
    const replace = sectionReplacement(configurationOfCib(current), configurationOfCib(target));
    await pacemaker.write((w) => w.patch(replace.patch, versionOf(current)));
    return { sections: replace.sections.join('+') };
  });
  let diffMs;
  const patched = withPatch
    ? await timedWrite(from, to, async (pacemaker, current) => {
        const t = performance.now();
        const patch = await pacemaker.diff(current, target);
        diffMs = performance.now() - t;
        await pacemaker.write((w) => w.patch(patch, versionOf(current)));
        return { patchBytes: serialize(patch).length };
      })
    : undefined;
  writeFileSync(file, cibOf(from, 10));
  writeFileSync(join(dir, 'whole.xml'), serialize(parseXml(cibOf(to, 11))));
  const t = performance.now();
  execFileSync('cibadmin', ['--replace', '--xml-file', join(dir, 'whole.xml')], {
    env: { ...process.env, CIB_file: file },
  });
  return { sections, patched, diffMs, replaced: performance.now() - t };
}

process.stdout.write(
  `machine: ${machine()}; N=${n}, runs ${runs}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
process.stdout.write(
  '| change | crm_diff patch size | crm_diff | crm_diff + patch | sections replaced | section replace | by hand: whole-<cib> replace | (crm_diff + patch) ÷ section replace | section replace ÷ by hand |\n|---|---|---|---|---|---|---|---|---|\n',
);
const cases = [
  ...ks.filter((k) => k <= n).map((k) => [`${k} of ${n} primitives changed`, base, changed(k), k]),
  [`${n} primitives added (first import)`, empty, base, 3 * n],
];
const fmt = (ms) => (ms === undefined ? '—' : `${ms.toFixed(0)} ms`);
try {
  for (const [name, from, to, objects] of cases) {
    const withPatch = n <= 1000 || objects <= 2000;
    const samples = [];
    for (let r = 0; r < runs; r++) samples.push(await once(from, to, withPatch));
    const s = median(samples.map((x) => x.sections.ms));
    const p = withPatch ? median(samples.map((x) => x.patched.ms)) : undefined;
    const d = withPatch ? median(samples.map((x) => x.diffMs)) : undefined;
    const q = median(samples.map((x) => x.replaced));
    const size = withPatch ? `${(samples[0].patched.patchBytes / 1024).toFixed(1)} KB` : 'not run';
    process.stdout.write(
      `| ${name} | ${size} | ${fmt(d)} | ${fmt(p)} | ${samples[0].sections.sections} | ${fmt(s)} | ${fmt(q)} | ${p === undefined ? '—' : `${(p / s).toFixed(2)}×`} | ${(s / q).toFixed(2)}× |\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
