import { createLogger } from '../log.js';
import { untilStopped } from '../net/daemon.js';
import { startSubscriber } from '../subscriber/index.js';
import { CONFIG_OPTIONS, configFromFlags, pacemakerFor, parse, printHelp, type Command } from './command.js';

const command: Command = {
  name: 'subscriber',
  summary: "Run the subscriber daemon: follows the publishers' change feed and imports what the ticket holder publishes.",
  usage: 'cibsync subscriber --config FILE [--ticket NAME] [--site NAME] [--log-level LEVEL]',
  async run(argv) {
    const { values } = parse(this, argv, CONFIG_OPTIONS, false);
    if (values.help) return printHelp(this, '\nThe CIB is the live cluster, or the file CIB_file names. Logs are JSON lines on stderr. SIGHUP reloads the certificates; SIGTERM stops after the apply in flight.\n');
    const config = configFromFlags(values);
    const logger = createLogger(config.logLevel, 'cibsync-subscriber');
    const subscriber = await startSubscriber(config, pacemakerFor(), logger);
    return untilStopped(logger, () => subscriber.close());
  },
};
export default command;
