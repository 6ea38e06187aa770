// A failure after the CIB write is reported as such: the error says the CIB was written (and at which
// version), and the subscriber never logs it as "the local CIB was not changed".
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { type CibWriter, Pacemaker } from '../../services/pacemaker/index.js';
import { Applier } from '../../services/subscriber/applier.js';
import { subscriberMetrics } from '../../services/subscriber/metrics.js';
import { SubscriberStatus } from '../../services/subscriber/status.js';
import { exportFrom, importArgs, useSitesAB } from '../helpers/import.js';

const sites = useSitesAB();

describe('a failure after the CIB write', () => {
  it('carries written: true and is logged as happening after the write', async () => {
    const b = sites.b;
    // The configuration `cibsync import` gets in the other tests (chain and whatever else the shared setup adds).
    const args = importArgs(b, 'unused');
    const config = loadConfig(args[args.indexOf('--config') + 1], {
      site: 'siteB',
      ticket: 'ticketA',
      stateDir: b.stateDir,
      nodeMap: { a1: 'b1', a2: 'b2' },
    });
    // The state file becomes impossible to replace right after the write (as a disk filling up would).
    const sabotaged = new (class extends Pacemaker {
      override async write<T>(fn: (writer: CibWriter) => Promise<T>): Promise<T> {
        const result = await super.write(fn);
        mkdirSync(join(b.stateDir, 'sources', 'siteA.json', 'in-the-way'), { recursive: true });
        return result;
      }
    })({ cibFile: b.cibFile });
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const status = new SubscriberStatus('siteB');
    const applier = new Applier(config, sabotaged, logger, status, subscriberMetrics(status));
    const before = b.hash();

    const err = await applier.apply(readFileSync(exportFrom(sites.a), 'utf8'), 'test', 'test').catch((e) => e);
    expect(err).toMatchObject({ code: 'CIBSYNC_STATE_ACCESS', details: { written: true, after: { epoch: 8 } } });
    expect(err.message).toMatch(/the CIB was written \(now at 0\.8\), but recording it failed/);
    expect(b.hash()).not.toBe(before);
    const failed = lines.find((l) => l.event === 'import-failed');
    expect(failed).toMatchObject({ written: true, code: 'CIBSYNC_STATE_ACCESS' });
    expect(failed?.msg).not.toMatch(/not changed/);
    expect(failed?.msg).toMatch(/after the local CIB was written/);
  });
});
