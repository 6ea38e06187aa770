import { startSubscriber } from '../subscriber/index.js';
import { daemonCommand } from './daemon-command.js';

export default daemonCommand({
  name: 'subscriber',
  summary:
    "Run the subscriber daemon: follows the publishers' change feed and imports what the ticket holder publishes.",
  stops: 'stops after the apply in flight',
  start: startSubscriber,
});
