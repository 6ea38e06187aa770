// The two daemon commands differ only in what they start; everything around it is shared.
import type { Config } from '../config/index.js';
import { createLogger, type Logger } from '../log.js';
import { untilStopped } from '../net/daemon.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { CONFIG_OPTIONS, type Command, configFromFlags, pacemakerFor, parse, printHelp, usageLine } from './command.js';

export interface DaemonSpec {
  name: 'publisher' | 'subscriber';
  summary: string;
  /** What SIGTERM waits for, for --help. */
  stops: string;
  start(config: Config, pacemaker: Pacemaker, logger: Logger): Promise<{ close(): Promise<void> }>;
}

export function daemonCommand(spec: DaemonSpec): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: usageLine(spec.name, '--config FILE'),
    async run(argv) {
      const { values } = parse(this, argv, CONFIG_OPTIONS, false);
      if (values.help)
        return printHelp(
          this,
          CONFIG_OPTIONS,
          `\nThe CIB is the live cluster, or the file CIB_file names. Logs are JSON lines on stderr. SIGHUP reloads the certificates; SIGTERM ${spec.stops}.\n`,
        );
      const config = configFromFlags(values);
      const logger = createLogger(config.logLevel, `cibsync-${spec.name}`);
      const daemon = await spec.start(config, pacemakerFor(config), logger);
      return untilStopped(logger, () => daemon.close());
    },
  };
}
