// Does booth manage a ticket at this site? Booth reads one configuration per instance, each a
// `<dir>/<name>.conf` (`booth -c NAME`; booth.conf by default), and a ticket it manages is declared
// there by a `ticket = "NAME"` line. So: booth manages T here when a configuration in the folder
// declares T, and `booth grant` is asked with that file. Fail closed wherever it is not clear: an
// unreadable configuration, T declared by two of them, or no configuration declaring T while the CIB's
// ticket carries the attributes only boothd writes (owner, expires, term) are each refused rather
// than granted behind booth's back with crm_ticket, which would let two sites run the same resources.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CibsyncError } from '../errors.js';
import type { TicketState } from '../pacemaker/index.js';

/** The tickets a booth configuration declares: `ticket = NAME`, the value quoted or not, `#` comments skipped. */
export function ticketsDeclared(text: string): string[] {
  const tickets: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^ticket\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))\s*$/.exec(line);
    if (m) tickets.push((m[1] ?? m[2] ?? m[3]) as string);
  }
  return tickets;
}

async function configFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.conf')).map((n) => join(dir, n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CibsyncError(
      'CIBSYNC_BOOTH_CONFIG',
      `cannot list the booth configurations in ${dir}: ${(err as Error).message}`,
      {
        dir,
      },
    );
  }
}

/** The booth configuration that declares `ticket`, or undefined when none does (and booth has never written it). */
export async function boothConfigFor(
  ticket: string,
  dir: string,
  state: Pick<TicketState, 'details'>,
): Promise<string | undefined> {
  const declaring: string[] = [];
  for (const file of await configFiles(dir)) {
    const text = await readFile(file, 'utf8').catch((err: Error) => {
      throw new CibsyncError(
        'CIBSYNC_BOOTH_CONFIG',
        `cannot read the booth configuration ${file}, so cannot tell whether booth manages ${ticket}: ${err.message}`,
        { file },
      );
    });
    if (ticketsDeclared(text).includes(ticket)) declaring.push(file);
  }
  if (declaring.length > 1)
    throw new CibsyncError(
      'CIBSYNC_BOOTH_CONFIG',
      `ticket ${ticket} is declared by ${declaring.length} booth configurations (${declaring.join(', ')}); grant it with booth -c yourself`,
      { files: declaring },
    );
  if (declaring.length === 1) return declaring[0];
  const marks = ['owner', 'expires', 'term'].filter((k) => state.details[k] !== undefined);
  if (marks.length > 0)
    throw new CibsyncError(
      'CIBSYNC_BOOTH_CONFIG',
      `no booth configuration in ${dir} declares ${ticket}, but the CIB's ticket carries booth's ${marks.join(', ')}: booth manages it from elsewhere; refused rather than granted behind booth's back`,
      { dir, marks },
    );
  return undefined;
}
