// What `cibsync certs issue` costs: RSA key generation (native, through OpenSSL) and forge's
// pure-JavaScript signing, for 2048- and 4096-bit keys. Medians (and ranges) over RUNS issues; the
// difference of the two medians is what forge's signing adds.
//   node bench/certs-cost.mjs [RUNS=7]
import { createCa, generateRsaKey, issueCertificate } from '../dist/certs/authority.js';
import { machine, percentile } from './network-lib.mjs';

const runs = Number(process.argv[2] ?? 7);
const summary = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  return {
    median: Math.round(percentile(sorted, 50)),
    min: Math.round(sorted[0]),
    max: Math.round(sorted[sorted.length - 1]),
  };
};
const result = {};
for (const bits of [2048, 4096]) {
  const ca = createCa({ name: `bench CA ${bits}`, days: 1, bits });
  const keygen = [];
  const issue = [];
  for (let i = 0; i < runs; i += 1) {
    let t = performance.now();
    generateRsaKey(bits);
    keygen.push(performance.now() - t);
    t = performance.now();
    issueCertificate(ca, { name: `c${i}`, ips: ['127.0.0.1'], dns: [], days: 1, bits, usage: 'both' });
    issue.push(performance.now() - t);
  }
  result[`rsa${bits}`] = { keygen_ms: summary(keygen), issue_total_ms: summary(issue) };
}
console.log(
  JSON.stringify(
    { benchmark: 'certificate issue cost (CA key of the same size)', machine: machine(), runs, ...result },
    null,
    2,
  ),
);
