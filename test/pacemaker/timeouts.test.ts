// Tool timeouts grow with the CIB a tool reads, and a timeout names the tool, the size and the settings.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Pacemaker } from '../../services/pacemaker/index.js';
import { cli, makeSite, type Site } from '../helpers/sites.js';

let site: Site;
afterEach(() => site?.cleanup());

describe('tool timeouts', () => {
  it('a tiny configured timeout makes crm_verify time out, saying which tool, how big and which setting raises it', async () => {
    site = makeSite('site-b.xml');
    const cib = await site.pacemaker.queryCib();
    const pacemaker = new Pacemaker({ cibFile: site.cibFile, timeoutMs: 1, timeoutPerMiBMs: 0 });
    const err = await pacemaker.verify(cib).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'CIBSYNC_PCMK_TIMEOUT', details: { tool: 'crm_verify', timeoutMs: 1 } });
    expect((err as Error).message).toMatch(
      /^crm_verify gave no answer within 1 ms \(input 0\.0 MiB; .*toolTimeoutMs 1 \+ toolTimeoutPerMiBMs 0 per MiB: raise either/,
    );
  });

  it('derives the timeout from the size of the input', async () => {
    site = makeSite('site-b.xml');
    const cib = await site.pacemaker.queryCib();
    // 1 ms alone times out (above); an hour per MiB gives this ~3 KB CIB about ten seconds.
    const pacemaker = new Pacemaker({ cibFile: site.cibFile, timeoutMs: 1, timeoutPerMiBMs: 3_600_000 });
    await expect(pacemaker.verify(cib)).resolves.toMatchObject({ level: 'clean' });
  });

  it('takes the timeouts from the configuration (cibsync import)', () => {
    site = makeSite('site-b.xml');
    const config = join(site.dir, 'timeouts.json');
    writeFileSync(config, JSON.stringify({ toolTimeoutMs: 1, toolTimeoutPerMiBMs: 0, trust: { allowUnsigned: true } }));
    writeFileSync(
      join(site.dir, 'pub.xml'),
      cli(['export', '--unsigned', '--site', 'siteA'], { cibFile: site.cibFile }).stdout,
    );
    const r = cli(['import', join(site.dir, 'pub.xml'), '--config', config, '--state-dir', site.stateDir], {
      cibFile: site.cibFile,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/CIBSYNC_PCMK_TIMEOUT: \S+ gave no answer within 1 ms .*toolTimeoutMs 1/);
  });

  it('refuses a timeout below 1 ms in the configuration', () => {
    site = makeSite('site-b.xml');
    const config = join(site.dir, 'timeouts.json');
    writeFileSync(config, JSON.stringify({ toolTimeoutMs: 0 }));
    expect(cli(['export', '--unsigned', '--config', config], { cibFile: site.cibFile }).stderr).toMatch(
      /CIBSYNC_CONFIG_INVALID: .*toolTimeoutMs must be at least 1/,
    );
  });
});
