// Shared by every subcommand: option parsing, config loading, and how errors end the process.

import { type Config, ConfigSchema, loadConfig, parseNodeMap } from '../config/index.js';
import { asCibsyncError } from '../errors.js';
import { Pacemaker } from '../pacemaker/index.js';
import { type OptionSpec, type OptionTable, optionsHelp, parseOptions, type Values } from './options.js';

export type { OptionTable, Values } from './options.js';

export interface Command {
  name: string;
  summary: string;
  /** `cibsync NAME …` lines, without the options (--help lists them from the table). */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** `cibsync NAME SYNOPSIS [options]`: a usage line; the options come from the command's table. */
export function usageLine(name: string, synopsis = ''): string {
  return `cibsync ${name}${synopsis ? ` ${synopsis}` : ''} [options]`;
}

export function parse(
  command: Pick<Command, 'usage'>,
  argv: string[],
  table: OptionTable,
  allowPositionals = true,
): { values: Values; positionals: string[] } {
  return parseOptions(command.usage, argv, table, allowPositionals);
}

/** The flags that set a setting of the configuration model, by name: every pipeline command accepts them. */
export const CONFIG_FLAGS = {
  site: 'site',
  ticket: 'ticket',
  transforms: 'transforms',
  engine: 'engine',
  'node-map': 'nodeMap',
  'state-dir': 'stateDir',
  'verify-baseline': 'verifyBaseline',
  'allow-empty': 'allowEmpty',
  'log-level': 'logLevel',
} as const;

const VALUE_NAMES: Record<string, string> = {
  site: 'NAME',
  ticket: 'NAME',
  transforms: 'DIR',
  nodeMap: 'r=l,…',
  stateDir: 'DIR',
  logLevel: 'LEVEL',
};

/** A setting's flag, described (and its allowed values shown) by the settings schema; the schema checks the value. */
function settingOption(setting: keyof typeof ConfigSchema.properties): OptionSpec {
  const schema = ConfigSchema.properties[setting] as { type?: string; enum?: string[]; description?: string };
  const named = VALUE_NAMES[setting];
  const choices = schema.enum && named ? `; one of ${schema.enum.join(', ')}` : '';
  const description = `${schema.description ?? setting}${choices} (setting ${setting})`;
  if (schema.type === 'boolean') return { kind: 'flag', description };
  return { kind: 'text', value: named ?? schema.enum?.join('|') ?? 'VALUE', description };
}

/** The options that map onto the config model; every pipeline command accepts them. */
export const CONFIG_OPTIONS: OptionTable = {
  config: {
    kind: 'text',
    short: 'c',
    value: 'FILE',
    description: 'the configuration file (JSON, docs/configuration.md); the options below override it',
  },
  ...Object.fromEntries(Object.entries(CONFIG_FLAGS).map(([flag, setting]) => [flag, settingOption(setting)])),
};

export function configFromFlags(values: Values): Config {
  const overrides: Record<string, unknown> = {};
  for (const [flag, setting] of Object.entries(CONFIG_FLAGS)) {
    const value = values[flag];
    if (value !== undefined) overrides[setting] = setting === 'nodeMap' ? parseNodeMap(String(value)) : value;
  }
  return loadConfig(typeof values.config === 'string' ? values.config : undefined, overrides);
}

/** The tool layer for CIB_file or the live cluster, with the configuration's tool timeouts. */
export function pacemakerFor(config: Pick<Config, 'toolTimeoutMs' | 'toolTimeoutPerMiBMs'>): Pacemaker {
  return Pacemaker.fromEnv(process.env, {
    timeoutMs: config.toolTimeoutMs,
    timeoutPerMiBMs: config.toolTimeoutPerMiBMs,
  });
}

/** The summary, the usage, the options of `table` (one table, or one per subcommand) and `details`. */
export function printHelp(
  command: Pick<Command, 'summary' | 'usage'>,
  table: OptionTable | Record<string, OptionTable>,
  details = '',
): number {
  const tables = Object.values(table).every((entry) => 'kind' in entry)
    ? { '': table as OptionTable }
    : (table as Record<string, OptionTable>);
  const options = Object.entries(tables).map(
    ([sub, t]) => `\n${sub ? `${sub} options` : 'options'}:\n${optionsHelp(t)}\n`,
  );
  process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n${options.join('')}${details}`);
  return 0;
}

/** Prints an error the way Pacemaker's tools do (`cibsync: CODE: message`) and returns its exit status. */
export function reportError(err: unknown, json = false): number {
  const error = asCibsyncError(err);
  if (json) process.stdout.write(`${JSON.stringify({ error: error.toJSON() })}\n`);
  process.stderr.write(`cibsync: ${error.code}: ${error.message}\n`);
  if (error.code === 'CIBSYNC_INTERNAL' && error.details.stack)
    process.stderr.write(`${String(error.details.stack)}\n`);
  return error.exitCode;
}
