// How a source of settings (the file, then the flags or OCF parameters) lands on what came before,
// read from the schema: a section (fixed keys) merges key by key, a map marked mergeByKey entry by
// entry, anything else is replaced. Nothing is checked here: validate.ts checks the result.
import type { TSchema } from '@sinclair/typebox';

type Settings = Record<string, unknown>;

const isObject = (value: unknown): value is Settings =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isSection = (schema: TSchema | undefined): schema is TSchema =>
  schema?.type === 'object' && isObject(schema.properties);

/** Defined, not assigned: a key named __proto__ stays an ordinary key, which the schema then refuses or keeps as a map entry. */
function put(target: Settings, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A list written as one string becomes a list of one, where the schema says so (oneIsList), in maps too. */
function normalise(value: unknown, schema: TSchema | undefined): unknown {
  if (schema?.oneIsList === true && typeof value === 'string') return [value];
  const entries = isObject(schema?.patternProperties)
    ? (Object.values(schema.patternProperties)[0] as TSchema)
    : undefined;
  if (entries && isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, entries)]));
  return value;
}

/** A section's defaults: its required keys, each its schema default (a fresh copy) or, for a section, that section's defaults. */
export function defaultsOf(schema: TSchema): Settings {
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.fromEntries(
    Object.entries(properties)
      .filter(([key]) => required.has(key))
      .map(([key, field]) => [key, isSection(field) ? defaultsOf(field) : structuredClone((field as TSchema).default)]),
  );
}

/** Lays `input` onto `target` (changed in place) as the schema says; a section met for the first time starts from its defaults. */
export function mergeSettings(target: Settings, input: Settings, schema: TSchema): void {
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  for (const [key, value] of Object.entries(input)) {
    const field = Object.hasOwn(properties, key) ? properties[key] : undefined;
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isSection(field) && isObject(value)) {
      const section = isObject(current) ? current : defaultsOf(field);
      mergeSettings(section, value, field);
      put(target, key, section);
    } else if (field?.mergeByKey === true && isObject(value) && isObject(current)) {
      put(target, key, { ...current, ...(normalise(value, field) as Settings) });
    } else {
      put(target, key, normalise(value, field));
    }
  }
}
