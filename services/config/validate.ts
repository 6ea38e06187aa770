// The settings checked against their schema by ajv (the validator fastify uses), compiled once. An
// error names the key's path and the value found: `subscriber.port must be at most 65535, got 70000`.
import { Ajv, type ErrorObject } from 'ajv';
import { CibsyncError } from '../errors.js';
import { type Config, ConfigSchema } from './schema.js';
import { scopePlan } from './scopes.js';

// schema.ts's own annotations: ajv's strict mode refuses keywords it does not know.
const ANNOTATIONS = ['requiredFor', 'waivedBy', 'mergeByKey', 'oneIsList', 'expected'];

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, useDefaults: false });
for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword, schemaType: ['array', 'string', 'boolean'] });
const validateConfig = ajv.compile<Config>(ConfigSchema);

const KIND: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

/** "/subscriber/publishers/0" → "subscriber.publishers[0]" (JSON Pointer, RFC 6901). */
export function settingPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^[0-9]+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function describe(error: ErrorObject): string {
  const path = settingPath(error.instancePath);
  const got = `got ${JSON.stringify(error.data)}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown setting ${path ? `${path}.` : ''}${String(params.additionalProperty)}`;
    case 'type':
      return `${path} must be ${KIND[String(params.type)] ?? String(params.type)}, ${got}`;
    case 'minimum':
      return `${path} must be at least ${String(params.limit)}, ${got}`;
    case 'maximum':
      return `${path} must be at most ${String(params.limit)}, ${got}`;
    case 'enum':
      return `${path} must be one of ${(params.allowedValues as string[]).join(', ')}, ${got}`;
    case 'pattern':
      return `${path} must be ${String((error.parentSchema as { expected?: string } | undefined)?.expected ?? `like /${String(params.pattern)}/`)}, ${got}`;
    default:
      return `${path || 'the settings'} ${error.message ?? 'are invalid'}`;
  }
}

/** Throws CIBSYNC_CONFIG_INVALID naming every setting that breaks the schema; `origin` says where they came from. */
export function checkSettings(config: unknown, origin: string): asserts config is Config {
  if (validateConfig(config)) {
    scopePlan(config, origin);
    return;
  }
  const problems = [...new Set((validateConfig.errors ?? []).map(describe))];
  throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `${origin}: ${problems.join('; ')}`);
}
