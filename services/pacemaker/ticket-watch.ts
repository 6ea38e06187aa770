// The ticket watcher: cibsync-ticket-watch (ticket-watch.c, built by scripts/build-native.sh into
// dist/bin) signs on to the live CIB, takes Pacemaker's diff notifications and prints the tickets'
// states as a JSON line whenever they change. Here it is started as a long-running child and its lines
// are read back; watch/ticket-watch.ts decides what to do when it is missing or ends.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ProcessOutcome, startLineProcess } from '../process/run.js';

export interface WatchedTicket {
  id: string;
  granted: boolean;
  standby: boolean;
}

export interface TicketWatchProcess {
  readonly pid: number | undefined;
  /** Why it ended, in words (its exit status and its message on stderr); never rejects. */
  readonly ended: Promise<string>;
  stop(): void;
}

/** Where the build puts the program: dist/bin, seen from dist/services/pacemaker (built) or services/pacemaker (sources). */
const CANDIDATES = ['../../bin/cibsync-ticket-watch', '../../dist/bin/cibsync-ticket-watch'].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
);

/** The built program, or undefined when the build had no Pacemaker headers. */
export function ticketWatchProgram(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path));
}

/** One line of the program: the tickets, or undefined for a line that is not what it prints. */
export function parseTicketLine(line: string): WatchedTicket[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const tickets = value.filter(
    (t): t is WatchedTicket =>
      typeof t === 'object' &&
      t !== null &&
      typeof t.id === 'string' &&
      typeof t.granted === 'boolean' &&
      typeof t.standby === 'boolean',
  );
  return tickets.length === value.length ? tickets : undefined;
}

function describeEnd(outcome: ProcessOutcome): string {
  switch (outcome.kind) {
    case 'exited':
      return `exited with status ${outcome.code}${outcome.stderr.trim() ? `: ${outcome.stderr.trim()}` : ''}`;
    case 'signalled':
      return `killed by ${outcome.signal}`;
    case 'output-too-large':
      return `printed a line over ${outcome.maxBytes} bytes`;
    case 'spawn-failed':
      return `could not be started: ${outcome.message}`;
    case 'timed-out':
      return 'timed out';
  }
}

/** A line longer than this is not a ticket list (a cluster has a handful of tickets). */
const MAX_LINE_BYTES = 1024 * 1024;

export function startTicketWatch(
  program: string,
  env: NodeJS.ProcessEnv,
  onTickets: (tickets: WatchedTicket[]) => void,
): TicketWatchProcess {
  let badLine: string | undefined;
  const child = startLineProcess(program, [], {
    env,
    maxLineBytes: MAX_LINE_BYTES,
    onLine: (line) => {
      const tickets = parseTicketLine(line);
      if (tickets) return onTickets(tickets);
      badLine ??= line.slice(0, 200);
      child.stop();
    },
  });
  return {
    pid: child.pid,
    ended: child.outcome.then((outcome) =>
      badLine === undefined ? describeEnd(outcome) : `printed a line that is not a ticket list: ${badLine}`,
    ),
    stop: () => child.stop(),
  };
}
