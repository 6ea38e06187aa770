// How both daemons end: SIGTERM (pacemaker-execd's stop) or SIGINT closes the listeners, lets the work
// in flight finish (an apply is never cut in half), logs, and only then resolves with exit status 0.
import type { Logger } from '../log.js';

export function untilStopped(logger: Logger, close: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      logger.info({ event: 'stopping', signal }, `${signal}: stopping`);
      close().then(
        () => {
          logger.info({ event: 'stopped' }, 'stopped');
          resolve(0);
        },
        (err: unknown) => {
          logger.error({ event: 'stop-failed', err: (err as Error).message }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
