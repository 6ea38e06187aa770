// Node-side XML work at size: cibsync's strict parse, canonical digest and serialisation of a whole
// CIB of N generated primitives (bench/gen-cib.mjs), to check that each grows in proportion to the
// size (no quadratic step). Each figure is the median of RUNS in one process after one warm-up run;
// "per MB" divides by the text's size, so a flat column is linear.
//   npm run build && node bench/xml-size.mjs [RUNS=5] [N,N,…=1000,10000,50000]
import { loadavg } from 'node:os';
import { canonicalDigest, parseXml, serialize } from '../dist/services/xml/index.js';
import { generateConfiguration } from './gen-cib.mjs';
import { machine } from './network-lib.mjs';

const runs = Number(process.argv[2] ?? 5);
const sizes = (process.argv[3] ?? '1000,10000,50000').split(',').map(Number);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
const time = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

process.stdout.write(
  `machine: ${machine()}; runs: ${runs}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
process.stdout.write(
  '| primitives | CIB (MB) | parse (ms) | canonical digest (ms) | serialise (ms) | parse per MB | digest per MB |\n|---|---|---|---|---|---|---|\n',
);
for (const n of sizes) {
  const text = `<cib epoch="1" num_updates="0" admin_epoch="0">${generateConfiguration(n)}<status/></cib>\n`;
  const mb = Buffer.byteLength(text) / 1e6;
  const samples = { parse: [], digest: [], serialize: [] };
  for (let r = 0; r <= runs; r++) {
    let tree;
    const parse = time(() => {
      tree = parseXml(text, { maxBytes: 2 ** 31 - 1 });
    });
    const digest = time(() => canonicalDigest(tree));
    const write = time(() => serialize(tree));
    if (r === 0) continue; // the warm-up: the JIT compiles on it
    samples.parse.push(parse);
    samples.digest.push(digest);
    samples.serialize.push(write);
  }
  const [p, d, s] = [median(samples.parse), median(samples.digest), median(samples.serialize)];
  process.stdout.write(
    `| ${n.toLocaleString('en')} | ${mb.toFixed(1)} | ${p.toFixed(0)} | ${d.toFixed(0)} | ${s.toFixed(0)} | ${(p / mb).toFixed(0)} | ${(d / mb).toFixed(0)} |\n`,
  );
}
process.stdout.write(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
