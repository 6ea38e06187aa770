// Runs a TicketGate fed by a TicketWatch (the built ones, from dist/) against the CIB the environment
// names, and prints each 'change' of the gate as a JSON line on stdout; the logger's lines (with the
// ticket-watch-* events) go to stderr. Nothing else asks the gate: a change it prints can only come
// from the watch.
//   node test/watch/ticket-probe.mjs TICKET TICKET_POLL_MS
import { createLogger } from '../../dist/services/log.js';
import { Pacemaker } from '../../dist/services/pacemaker/index.js';
import { TicketGate } from '../../dist/services/watch/ticket-gate.js';
import { TicketWatch } from '../../dist/services/watch/ticket-watch.js';

const [ticket = 'T', pollMs = '1000'] = process.argv.slice(2);
const logger = createLogger('info');
const pacemaker = Pacemaker.fromEnv();
const gate = new TicketGate(pacemaker, ticket, 86_400_000, logger);
gate.on('change', (verdict) => console.log(JSON.stringify({ change: verdict })));
const watch = new TicketWatch(pacemaker, gate, Number(pollMs), logger);
watch.start();
const stop = () => {
  watch.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
