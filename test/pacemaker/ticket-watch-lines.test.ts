// What cibsync makes of cibsync-ticket-watch's output: a ticket list per line, and anything else (a
// line that is not a list of {id, granted, standby}) stops the program with the line as the reason,
// so the watch falls back to polling and says why. The program itself is tested against a live CIB
// manager in test/watch; here stand-in scripts print the lines.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTicketLine, startTicketWatch, type WatchedTicket } from '../../services/pacemaker/ticket-watch.js';

const dir = mkdtempSync(join(tmpdir(), 'cibsync-ticket-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for the program that prints `lines`, then waits for its standard input to close. */
function program(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${lines.map((l) => `printf '%s\\n' '${l}'`).join('\n')}\ncat >/dev/null\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('cibsync-ticket-watch lines', () => {
  it('parses a ticket list, and refuses anything else', () => {
    expect(parseTicketLine('[{"id":"ticketA","granted":true,"standby":false}]')).toEqual([
      { id: 'ticketA', granted: true, standby: false },
    ]);
    expect(parseTicketLine('[]')).toEqual([]);
    for (const bad of [
      '',
      'not json',
      '{"id":"ticketA","granted":true,"standby":false}',
      '[{"id":"ticketA","granted":"true","standby":false}]',
      '[{"id":"ticketA","granted":true}]',
      '[{"id":1,"granted":true,"standby":false}]',
      '[null]',
    ])
      expect(parseTicketLine(bad), bad).toBeUndefined();
  });

  it('hands each list over, and stops the program at a bad line, naming it', async () => {
    const seen: WatchedTicket[][] = [];
    const watch = startTicketWatch(
      program('bad-line', ['[{"id":"ticketA","granted":false,"standby":false}]', 'oops: not a list']),
      process.env,
      (tickets) => seen.push(tickets),
    );
    expect(await watch.ended).toBe('printed a line that is not a ticket list: oops: not a list');
    expect(seen).toEqual([[{ id: 'ticketA', granted: false, standby: false }]]);
  });
});
