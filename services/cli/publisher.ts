import { createLogger } from '../log.js';
import { untilStopped } from '../net/daemon.js';
import { startPublisher } from '../publisher/index.js';
import { CONFIG_OPTIONS, configFromFlags, pacemakerFor, parse, printHelp, type Command } from './command.js';

const command: Command = {
  name: 'publisher',
  summary: 'Run the publisher daemon: serves the publication and its change feed over mutual TLS while this site holds the ticket.',
  usage: 'cibsync publisher --config FILE [--ticket NAME] [--site NAME] [--log-level LEVEL]',
  async run(argv) {
    const { values } = parse(this, argv, CONFIG_OPTIONS, false);
    if (values.help) return printHelp(this, '\nThe CIB is the live cluster, or the file CIB_file names. Logs are JSON lines on stderr. SIGHUP reloads the certificates; SIGTERM stops.\n');
    const config = configFromFlags(values);
    const logger = createLogger(config.logLevel, 'cibsync-publisher');
    const publisher = await startPublisher(config, pacemakerFor(), logger);
    return untilStopped(logger, () => publisher.close());
  },
};
export default command;
