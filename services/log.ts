// Logging: pino JSON lines on stderr (stdout is for command output), one line per pipeline step,
// with the publication digest as correlation id (`digest`).
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(level = process.env.CIBSYNC_LOG_LEVEL ?? 'info', name = 'cibsync'): Logger {
  return pino(
    { name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
