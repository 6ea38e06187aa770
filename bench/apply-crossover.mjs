// Where a patch stops paying: cibsync's versioned patch (crm_diff + cibadmin --patch through the tool
// layer, file CIB written through its private copy) against one whole-<cib> cibadmin --replace of
// the same result, for K changed primitives out of N (bench/gen-cib.mjs N), and for all N added
// onto an empty configuration (what a first import writes).
//   npm run build && node bench/apply-crossover.mjs [N=1000] [RUNS=3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { versionOf } from '../dist/services/cib/index.js';
import { Pacemaker } from '../dist/services/pacemaker/index.js';
import { parseXml, serialize } from '../dist/services/xml/index.js';
import { generateConfiguration } from './gen-cib.mjs';
import { machine } from './network-lib.mjs';

const n = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 3);
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

async function once(from, to) {
  const file = join(dir, 'cib.xml');
  writeFileSync(file, cibOf(from, 10));
  const pacemaker = new Pacemaker({ cibFile: file });
  const current = await pacemaker.queryCib();
  const target = parseXml(cibOf(to, 10));
  let t = performance.now();
  const patch = await pacemaker.diff(current, target);
  await pacemaker.write((w) => w.patch(patch, versionOf(current)));
  const patched = performance.now() - t;
  writeFileSync(file, cibOf(from, 10));
  writeFileSync(join(dir, 'whole.xml'), serialize(parseXml(cibOf(to, 11))));
  t = performance.now();
  execFileSync('cibadmin', ['--replace', '--xml-file', join(dir, 'whole.xml')], {
    env: { ...process.env, CIB_file: file },
  });
  return { patched, replaced: performance.now() - t, patchBytes: serialize(patch).length };
}

process.stdout.write(
  `machine: ${machine()}; N=${n}, runs ${runs}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
process.stdout.write(
  '| change | patch size | crm_diff + versioned cibadmin --patch | whole-<cib> cibadmin --replace | patch ÷ replace |\n|---|---|---|---|---|\n',
);
const cases = [
  ...[1, 10, 100, n].filter((k) => k <= n).map((k) => [`${k} of ${n} primitives changed`, base, changed(k)]),
  [`${n} primitives added (first import)`, empty, base],
];
try {
  for (const [name, from, to] of cases) {
    const samples = [];
    for (let r = 0; r < runs; r++) samples.push(await once(from, to));
    const p = median(samples.map((s) => s.patched));
    const q = median(samples.map((s) => s.replaced));
    process.stdout.write(
      `| ${name} | ${(samples[0].patchBytes / 1024).toFixed(1)} KB | ${p.toFixed(0)} ms | ${q.toFixed(0)} ms | ${(p / q).toFixed(2)}× |\n`,
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
