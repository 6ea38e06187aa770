// What each daemon cannot run without, read from the schema's requiredFor marks: checked when a
// daemon starts and by the OCF agents' validate-all, the same way.
import type { TSchema } from '@sinclair/typebox';
import { CibsyncError } from '../errors.js';
import { type Config, ConfigSchema, type PublisherConfig, type Role, type SubscriberConfig } from './schema.js';

export interface Setting {
  /** Dotted path: `subscriber.port`. */
  path: string;
  schema: TSchema;
}

/** Every setting the schema declares, sections first, then their keys (depth first). */
export function settingsOf(schema: TSchema = ConfigSchema, prefix = ''): Setting[] {
  return Object.entries((schema.properties ?? {}) as Record<string, TSchema>).flatMap(([key, field]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [{ path, schema: field }, ...(field.type === 'object' && field.properties ? settingsOf(field, path) : [])];
  });
}

function valueAt(config: Config, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        typeof value === 'object' && value !== null && Object.hasOwn(value, key)
          ? (value as Record<string, unknown>)[key]
          : undefined,
      config,
    );
}

const unset = (value: unknown) =>
  value === undefined ||
  value === '' ||
  (Array.isArray(value)
    ? value.length === 0
    : typeof value === 'object' && value !== null && Object.keys(value).length === 0);

/** A waiver is a boolean setting that is true, or a list that is not empty. */
const waives = (value: unknown) => value === true || (Array.isArray(value) && value.length > 0);

/** The settings `role` needs and `config` lacks (inside a section that is itself missing, only the section). */
export function missingFor(config: Config, role: Role): Setting[] {
  const needed = settingsOf().filter(({ schema }) => (schema.requiredFor as Role[] | undefined)?.includes(role));
  const missing = needed.filter(
    ({ path, schema }) =>
      unset(valueAt(config, path)) && !(schema.waivedBy && waives(valueAt(config, schema.waivedBy as string))),
  );
  return missing.filter(({ path }) => !missing.some((outer) => path.startsWith(`${outer.path}.`)));
}

type DaemonSettings<R extends Role> = (R extends 'publisher' ? PublisherConfig : SubscriberConfig) & { ticket: string };

/** The daemon's own section and the ticket, or CIBSYNC_CONFIG_INVALID naming every required setting that is missing. */
export function settingsFor<R extends Role>(config: Config, role: R): DaemonSettings<R> {
  const missing = missingFor(config, role);
  if (missing.length > 0) {
    const named = missing.map(
      ({ path, schema }) =>
        `${path} (${schema.description}${schema.waivedBy ? `; or ${schema.waivedBy as string}` : ''})`,
    );
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `the ${role} needs ${named.join(', ')}`);
  }
  return {
    ...(config[role] as R extends 'publisher' ? PublisherConfig : SubscriberConfig),
    ticket: config.ticket as string,
  } as DaemonSettings<R>;
}
