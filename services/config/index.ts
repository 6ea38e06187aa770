// One configuration model (schema.ts). A JSON file (--config), command-line flags and the OCF agents'
// parameters all map onto it, in that order, and each step is checked against the schema: an unknown
// key, a value of the wrong kind or out of range is CIBSYNC_CONFIG_INVALID naming the key and where it
// came from, so a typo never silently falls back to a default.
import { readFileSync } from 'node:fs';
import { CibsyncError } from '../errors.js';
import { defaultsOf, mergeSettings } from './merge.js';
import { type Config, ConfigSchema } from './schema.js';
import { checkSettings } from './validate.js';

export { missingFor, type Setting, settingsFor, settingsOf } from './roles.js';
export {
  type Config,
  ConfigSchema,
  GLOBAL_SCOPE,
  LOG_LEVELS,
  type LogLevel,
  NO_GLOBAL,
  type PublisherConfig,
  type ReadinessConfig,
  ROLES,
  type Role,
  type RuntimeAttributesConfig,
  type ScopesConfig,
  type SiteLocalConfig,
  type SubscriberConfig,
  type TlsConfig,
  type TrustConfig,
} from './schema.js';
export { type ScopePlan, scopePlan, scopesOfTicket, ticketOfScope } from './scopes.js';

/** The schema's defaults; the log level's comes from $CIBSYNC_LOG_LEVEL when set. */
export function defaultConfig(): Config {
  const config = defaultsOf(ConfigSchema) as Config;
  const level = process.env.CIBSYNC_LOG_LEVEL;
  if (level === undefined) return config;
  const withLevel = { ...config, logLevel: level };
  checkSettings(withLevel, 'CIBSYNC_LOG_LEVEL');
  return withLevel;
}

/** Lays `input` onto `config` (which it changes and returns) when the result passes the schema; `origin` names the source in errors. */
export function applySettings(config: Config, input: Record<string, unknown>, origin = 'settings'): Config {
  const next = structuredClone(config) as unknown as Record<string, unknown>;
  mergeSettings(next, input, ConfigSchema);
  checkSettings(next, origin);
  return Object.assign(config, next);
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('top level must be an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new CibsyncError(
      'CIBSYNC_CONFIG_INVALID',
      `config file ${path} is not valid JSON: ${(err as Error).message}`,
    );
  }
}

/** Defaults, then the config file, then the overrides (flags or OCF parameters), in that order. */
export function loadConfig(file: string | undefined, overrides: Record<string, unknown> = {}): Config {
  const config = defaultConfig();
  if (file) applySettings(config, readConfigFile(file), file);
  return applySettings(config, overrides, 'command line');
}

/** "remote=local,remote2=local2" → { remote: 'local', … } */
export function parseNodeMap(text: string): Record<string, string> {
  // Own properties only (Object.fromEntries): a server named __proto__ maps like any other.
  return Object.fromEntries(
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((pair) => {
        const [remote, local, ...rest] = pair.split('=');
        if (!remote || !local || rest.length > 0)
          throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `node map entry '${pair}': expected remote=local`);
        return [remote, local];
      }),
  );
}
