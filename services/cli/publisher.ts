import { startPublisher } from '../publisher/index.js';
import { daemonCommand } from './daemon-command.js';

export default daemonCommand({
  name: 'publisher',
  summary:
    'Run the publisher daemon: serves the publication and its change feed over mutual TLS while this site holds the ticket.',
  stops: 'stops',
  start: startPublisher,
});
