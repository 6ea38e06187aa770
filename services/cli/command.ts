// Shared by every subcommand: option parsing, config loading, and how errors end the process.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CibsyncError, asCibsyncError } from '../errors.js';
import { loadConfig, parseNodeMap, type Config } from '../config/index.js';
import { Pacemaker } from '../pacemaker/index.js';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function parse(command: Pick<Command, 'name' | 'usage'>, argv: string[], options: Options, allowPositionals = true): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
    return { values: values as Values, positionals };
  } catch (err) {
    throw new CibsyncError('CIBSYNC_USAGE', `${(err as Error).message}\nusage: ${command.usage}`);
  }
}

/** The options that map onto the config model; every pipeline command accepts them. */
export const CONFIG_OPTIONS: Options = {
  config: { type: 'string', short: 'c' },
  site: { type: 'string' },
  ticket: { type: 'string' },
  transforms: { type: 'string' },
  engine: { type: 'string' },
  'node-map': { type: 'string' },
  'state-dir': { type: 'string' },
  'verify-baseline': { type: 'string' },
  'allow-empty': { type: 'boolean' },
  'log-level': { type: 'string' },
};

export function configFromFlags(values: Record<string, unknown>): Config {
  const overrides: Record<string, unknown> = {};
  const map: Record<string, string> = { site: 'site', ticket: 'ticket', transforms: 'transforms', engine: 'engine', 'state-dir': 'stateDir', 'verify-baseline': 'verifyBaseline', 'allow-empty': 'allowEmpty', 'log-level': 'logLevel' };
  for (const [flag, key] of Object.entries(map)) if (values[flag] !== undefined) overrides[key] = values[flag];
  if (typeof values['node-map'] === 'string') overrides.nodeMap = parseNodeMap(values['node-map']);
  return loadConfig(typeof values.config === 'string' ? values.config : undefined, overrides);
}

/** The tool layer for CIB_file or the live cluster, with the configuration's tool timeouts. */
export function pacemakerFor(config: Pick<Config, 'toolTimeoutMs' | 'toolTimeoutPerMiBMs'>): Pacemaker {
  return Pacemaker.fromEnv(process.env, { timeoutMs: config.toolTimeoutMs, timeoutPerMiBMs: config.toolTimeoutPerMiBMs });
}

export function printHelp(command: Pick<Command, 'name' | 'summary' | 'usage'>, details = ''): number {
  process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n${details}`);
  return 0;
}

/** Prints an error the way Pacemaker's tools do (`cibsync: CODE: message`) and returns its exit status. */
export function reportError(err: unknown, json = false): number {
  const error = asCibsyncError(err);
  if (json) process.stdout.write(`${JSON.stringify({ error: error.toJSON() })}\n`);
  process.stderr.write(`cibsync: ${error.code}: ${error.message}\n`);
  if (error.code === 'CIBSYNC_INTERNAL' && error.details.stack) process.stderr.write(`${String(error.details.stack)}\n`);
  return error.exitCode;
}
