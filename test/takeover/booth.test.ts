// How cibsync tells whether booth manages a ticket: the booth configurations in a folder, read as
// booth reads them, and booth's own marks on the CIB's ticket. Real files in a temporary folder.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCibsyncError } from '../../services/errors.js';
import { boothConfigFor, ticketsDeclared } from '../../services/takeover/booth.js';
import { tempDir } from '../helpers/sites.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = tempDir('cibsync-booth-');
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const NONE = { details: {} };

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (isCibsyncError(err, 'CIBSYNC_BOOTH_CONFIG')) return err.message;
    throw err;
  }
  throw new Error('not refused');
}

describe('booth configurations', () => {
  it('declare tickets quoted or not, with comments and indented ticket options', () => {
    const text = [
      '# booth.conf',
      'transport = UDP',
      'site = 192.0.2.1',
      'ticket = "ticketA"',
      '\texpire = 30',
      "ticket='ticket-b'   # the web ticket",
      'ticket = ticketC',
      '#ticket = "commented"',
    ].join('\n');
    expect(ticketsDeclared(text)).toEqual(['ticketA', 'ticket-b', 'ticketC']);
  });

  it('name the configuration that declares the ticket; none for a ticket booth never touched', async () => {
    const dir = folder({
      'booth.conf': 'ticket = "ticketA"\n',
      'web.conf': 'ticket = "ticketW"\n',
      'notes.txt': 'ticket = "ticketX"\n',
    });
    await expect(boothConfigFor('ticketW', dir, NONE)).resolves.toBe(join(dir, 'web.conf'));
    await expect(boothConfigFor('ticketA', dir, NONE)).resolves.toBe(join(dir, 'booth.conf'));
    await expect(boothConfigFor('ticketX', dir, NONE)).resolves.toBeUndefined();
    await expect(boothConfigFor('ticketA', join(dir, 'absent'), NONE)).resolves.toBeUndefined();
  });

  it('refuse when it cannot be told safely: two configurations, booth marks without one, an unreadable one', async () => {
    const two = folder({ 'a.conf': 'ticket = "ticketA"\n', 'b.conf': 'ticket = "ticketA"\n' });
    expect(await refusal(boothConfigFor('ticketA', two, NONE))).toMatch(/declared by 2 booth configurations/);
    const none = folder({ 'booth.conf': 'ticket = "other"\n' });
    expect(await refusal(boothConfigFor('ticketA', none, { details: { owner: '2', term: '5' } }))).toMatch(
      /carries booth's owner, term/,
    );
    if (process.getuid?.() !== 0) {
      const locked = folder({ 'booth.conf': 'ticket = "ticketA"\n' });
      chmodSync(join(locked, 'booth.conf'), 0);
      expect(await refusal(boothConfigFor('ticketA', locked, NONE))).toMatch(/cannot read the booth configuration/);
    }
    mkdirSync(join(none, 'sub.conf')); // a folder named like a configuration cannot be read either
    expect(await refusal(boothConfigFor('ticketA', none, NONE))).toMatch(/cannot read the booth configuration/);
  });
});
