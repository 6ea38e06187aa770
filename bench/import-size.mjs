// Export and import at real sizes, side by side with the by-hand Pacemaker commands, in one run.
//   npm run build && node bench/import-size.mjs [--runs N] [params-6] [1000] [10000]
// A configuration is `params-6` (the corpus CIB, ../shared/corpus/pacemaker-cts/cibs/params-6.xml)
// or a number N (bench/gen-cib.mjs N, wrapped in a <cib> with an empty status). Site A is that CIB
// in a file; site B is a fresh copy of test/fixtures/sites/site-b.xml for every first import: its
// own nodes b1 and b2 *online* (node_state), fencing, booth and cibsync resources, as a real site.
// Publications are unsigned (`export --unsigned`, B trusts them with trust.allowUnsigned): signing
// adds one RSA signature at A and one verification at B, the same at every size.
// Measured, medians of N runs (wall clock of the whole process, peak RSS from /usr/bin/time):
//   export           cibsync export at A
//   import           cibsync import onto a fresh site B (first import)
//   re-import        the same publication again onto that B (nothing changed)
//   replace+verify   by hand: cibadmin --replace --scope configuration (the configuration the import
//                    produced) onto a fresh copy of B, then crm_verify -L of the result
//   query            by hand: one cibadmin --query of B after the import
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateConfiguration } from './gen-cib.mjs';
import { machine, REPO } from './network-lib.mjs';

const CLI = join(REPO, 'dist/services/cli/main.js');
const PARAMS6 = join(REPO, '../shared/corpus/pacemaker-cts/cibs/params-6.xml');
const SITE_B = join(REPO, 'test/fixtures/sites/site-b.xml');

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
const configurations = args.length > 0 ? args : ['params-6', '1000'];

/** Runs a command with CIB_file set; returns seconds, peak RSS in MiB and, on failure, the message. */
function timed(cmd, cmdArgs, cibFile) {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'RSS_KB=%M', cmd, ...cmdArgs], {
    env: { ...process.env, CIB_file: cibFile, CIBSYNC_LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const seconds = (performance.now() - started) / 1000;
  const rss = Number(/RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  const failed =
    r.status === 0
      ? undefined
      : (
          r.stderr.split('\n').find((l) => l.startsWith('cibsync:')) ?? r.stderr.trim().split('\n').slice(-3).join(' ')
        ).slice(0, 300);
  return { seconds, rss, failed };
}

function siteA(dir, name) {
  const file = join(dir, 'a.xml');
  if (name === 'params-6') copyFileSync(PARAMS6, file);
  else
    writeFileSync(
      file,
      `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1">${generateConfiguration(Number(name))}<status/></cib>\n`,
    );
  return file;
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
const fmt = (s) => (s === undefined ? '—' : `${s.toFixed(2)} s`);

process.stdout.write(
  `machine: ${machine()}; runs: ${runs}; load average at start ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
const rows = [];
for (const name of configurations) {
  const dir = mkdtempSync(join(tmpdir(), 'cibsync-bench-size-'));
  try {
    const a = siteA(dir, name);
    const config = join(dir, 'b.json');
    writeFileSync(
      config,
      JSON.stringify({ site: 'siteB', trust: { allowUnsigned: true }, maxPublicationBytes: 2 ** 31 - 1 }),
    );
    const samples = { export: [], import: [], reimport: [], replaceVerify: [], query: [] };
    const failures = [];
    const rss = { export: 0, import: 0 };
    for (let run = 1; run <= runs; run++) {
      const pub = join(dir, `pub-${run}.xml`);
      const e = timed(process.execPath, [CLI, 'export', '--out', pub, '--site', 'siteA', '--unsigned'], a);
      if (e.failed) throw new Error(`export failed: ${e.failed}`);
      samples.export.push(e.seconds);
      rss.export = Math.max(rss.export, e.rss);

      const b = join(dir, `b-${run}.xml`);
      copyFileSync(SITE_B, b);
      const importArgs = [CLI, 'import', pub, '--config', config, '--state-dir', join(dir, `state-${run}`)];
      const first = timed(process.execPath, importArgs, b);
      rss.import = Math.max(rss.import, first.rss);
      if (first.failed) {
        failures.push(`import: ${first.failed} after ${fmt(first.seconds)}`);
        continue;
      }
      samples.import.push(first.seconds);
      const again = timed(process.execPath, importArgs, b);
      if (again.failed) failures.push(`re-import: ${again.failed}`);
      else samples.reimport.push(again.seconds);

      // By hand: the configuration the import produced, onto a fresh copy of B, then verified.
      const configuration = join(dir, `configuration-${run}.xml`);
      writeFileSync(
        configuration,
        execFileSync('cibadmin', ['--query', '--scope', 'configuration'], {
          env: { ...process.env, CIB_file: b },
          maxBuffer: 1 << 30,
        }),
      );
      const h = join(dir, `h-${run}.xml`);
      copyFileSync(SITE_B, h);
      const replace = timed('cibadmin', ['--replace', '--scope', 'configuration', '--xml-file', configuration], h);
      const verify = timed('crm_verify', ['-L'], h);
      if (replace.failed) failures.push(`cibadmin --replace: ${replace.failed}`);
      samples.replaceVerify.push(replace.seconds + verify.seconds);
      samples.query.push(timed('cibadmin', ['--query'], b).seconds);
    }
    const m = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, xs.length > 0 ? median(xs) : undefined]));
    const ratio = (x, y) => (x === undefined || y === undefined ? '—' : `${(x / y).toFixed(2)}×`);
    const size = (readFileSync(a).length / 1024).toFixed(0);
    rows.push(
      `| ${name} (${size} KB CIB) | ${fmt(m.export)} (${rss.export.toFixed(0)} MiB) | ${fmt(m.import)} (${rss.import.toFixed(0)} MiB) | ${fmt(m.reimport)} | ${fmt(m.replaceVerify)} | ${fmt(m.query)} | **${ratio(m.import, m.replaceVerify)}** | **${ratio(m.reimport, m.query)}** |`,
    );
    for (const f of failures) rows.push(`|   ${name}: ${f} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(
  '| configuration | export (peak RSS) | import, first (peak RSS) | re-import, unchanged | by hand: replace + crm_verify | by hand: one cibadmin --query | import ÷ by hand (goal ≤ 2) | re-import ÷ query (goal ≤ 1.5) |\n|---|---|---|---|---|---|---|---|\n',
);
process.stdout.write(`${rows.join('\n')}\n`);
process.stdout.write(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
