// Every command's options as one table: kind, value name, description. The parser (node:util
// parseArgs), the checks of each value (a bad one is CIBSYNC_USAGE naming the option, never a NaN)
// and the options part of --help all come from it.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CibsyncError } from '../errors.js';

export interface OptionSpec {
  /**
   * text: one string; texts: repeatable; flag: no value; choice: one of `choices`;
   * seconds: a positive number of seconds; count: a positive integer.
   */
  kind: 'text' | 'texts' | 'flag' | 'choice' | 'seconds' | 'count';
  /** The value's name in the help: FILE, NAME, … (a choice shows its choices). */
  value?: string;
  choices?: readonly string[];
  short?: string;
  description: string;
}

export type OptionTable = Record<string, OptionSpec>;

export type Values = Record<string, string | boolean | number | string[] | undefined>;

const HELP: OptionTable = { help: { kind: 'flag', short: 'h', description: 'show this help' } };

function parserOptions(table: OptionTable): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(table).map(([name, spec]) => [
      name,
      {
        type: spec.kind === 'flag' ? 'boolean' : 'string',
        ...(spec.kind === 'texts' ? { multiple: true } : {}),
        ...(spec.short ? { short: spec.short } : {}),
      },
    ]),
  );
}

const oneOf = (choices: readonly string[]) =>
  choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}` : String(choices[0]);

/** A value checked and converted as its kind says. */
function checked(name: string, spec: OptionSpec, raw: string): string | number {
  switch (spec.kind) {
    case 'choice':
      if (!spec.choices?.includes(raw))
        throw new CibsyncError('CIBSYNC_USAGE', `--${name} must be ${oneOf(spec.choices ?? [])}, got '${raw}'`);
      return raw;
    case 'seconds': {
      const seconds = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(seconds) || seconds <= 0)
        throw new CibsyncError('CIBSYNC_USAGE', `--${name} must be a positive number of seconds, got '${raw}'`);
      return seconds;
    }
    case 'count': {
      const n = Number(raw);
      if (!/^[0-9]+$/.test(raw.trim()) || !Number.isInteger(n) || n <= 0)
        throw new CibsyncError('CIBSYNC_USAGE', `--${name} must be a positive integer, got '${raw}'`);
      return n;
    }
    default:
      return raw;
  }
}

/** Parses `argv` by `table` (plus -h/--help); a usage error ends with the command's usage. */
export function parseOptions(
  usage: string,
  argv: string[],
  table: OptionTable,
  allowPositionals = true,
): { values: Values; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: parserOptions({ ...table, ...HELP }), allowPositionals, strict: true });
  } catch (err) {
    throw new CibsyncError('CIBSYNC_USAGE', `${(err as Error).message}\nusage: ${usage}`);
  }
  const values: Values = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    const spec = table[name];
    values[name] = typeof value === 'string' && spec ? checked(name, spec, value) : (value as Values[string]);
  }
  return { values, positionals: parsed.positionals };
}

/** The options part of --help: one line each, names aligned, in the table's order. */
export function optionsHelp(table: OptionTable): string {
  const rows = Object.entries({ ...table, ...HELP }).map(([name, spec]) => {
    const value =
      spec.kind === 'choice'
        ? (spec.choices ?? []).join('|')
        : spec.kind === 'flag'
          ? ''
          : (spec.value ?? (spec.kind === 'seconds' ? 'SECONDS' : spec.kind === 'count' ? 'N' : 'VALUE'));
    const repeat = spec.kind === 'texts' ? ' …' : '';
    return [
      `${spec.short ? `-${spec.short}, ` : '    '}--${name}${value ? ` ${value}` : ''}${repeat}`,
      spec.description,
    ] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, description]) => `  ${left.padEnd(width)}  ${description}`).join('\n');
}

/** --output-as: text or json, for every command that prints a result (in its own module: not every one of them talks to a subscriber, whose client loads undici). */
export const OUTPUT_AS: OptionSpec = {
  kind: 'choice',
  choices: ['text', 'json'],
  description: 'output format (default: text)',
};

/** --output-as (checked against OUTPUT_AS's choices when parsed). */
export function outputAs(values: Values): 'text' | 'json' {
  return values['output-as'] === 'json' ? 'json' : 'text';
}
