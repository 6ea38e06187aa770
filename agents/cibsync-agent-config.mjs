// Turns a cibsync resource's OCF parameters into the daemon's configuration file, through the
// application's own configuration model, so the agent and the daemon can never disagree about
// what a setting means or whether it is valid.
//
//   node cibsync-agent-config.mjs ROLE INSTALL_DIR [OUT_FILE TLS_DIR]
//
// Reads the OCF_RESKEY_* variables. Exits 6 (OCF_ERR_CONFIGURED) for a bad setting and 5
// (OCF_ERR_INSTALLED) for a missing file, with the reason on stderr. On success, when given OUT_FILE
// and TLS_DIR, it points TLS_DIR/{cert,key,ca}.pem at the configured files and writes the daemon's
// configuration (the model as checked: the `config` file overlaid with the individual parameters, with those three stable
// paths) to OUT_FILE. The daemon reloads its certificates on SIGHUP, so moving the links is how the
// agent makes cert, key and ca reloadable without a restart. It prints the settings the agent itself needs (health check, state directory) as shell
// assignments daemon_port=…, daemon_address=…, daemon_name=…, daemon_cert=…, daemon_key=…, daemon_ca=…,
// daemon_state_dir=….
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const OCF_ERR_INSTALLED = 5;
const OCF_ERR_CONFIGURED = 6;

class AgentConfigError extends Error {
  constructor(exitCode, message) {
    super(message);
    this.exitCode = exitCode;
  }
}

const list = (text) => text.split(/[\s,]+/).filter(Boolean);
/** Digits become a number; anything else stays text, for the schema to refuse with the setting's name. */
const integer = (text) => (/^[0-9]+$/.test(text) ? Number(text) : text);

/** "siteA=pub-a siteA=AB:CD:… siteC=pub-c" → { siteA: ['pub-a', 'AB:CD:…'], siteC: ['pub-c'] } (trust.publishers). */
function trustedPublishers(text) {
  const bySite = new Map();
  for (const entry of list(text)) {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1)
      throw new AgentConfigError(
        OCF_ERR_CONFIGURED,
        `parameter trusted_publishers: '${entry}' is not SITE=CERTIFICATE (a CN or a SHA-256 fingerprint)`,
      );
    const site = entry.slice(0, at);
    bySite.set(site, [...(bySite.get(site) ?? []), entry.slice(at + 1)]);
  }
  return Object.fromEntries(bySite);
}

/** OCF parameter → [section ('' for top level, 'role' for the agent's own section, 'trust'), key, conversion]. */
function parameterTable(parseNodeMap) {
  const common = {
    site: ['', 'site', String],
    ticket: ['', 'ticket', String],
    state_dir: ['', 'stateDir', String],
    log_level: ['', 'logLevel', String],
    listen: ['role', 'listen', String],
    port: ['role', 'port', integer],
    cert: ['role', 'cert', String],
    key: ['role', 'key', String],
    ca: ['role', 'ca', String],
    allow: ['role', 'allow', list],
  };
  return {
    publisher: common,
    subscriber: {
      ...common,
      publishers: ['role', 'publishers', list],
      poll_interval_ms: ['role', 'pollIntervalMs', integer],
      approval: ['role', 'approval', String],
      transforms: ['', 'transforms', String],
      transform_chain: ['', 'transformChain', list],
      node_map: ['', 'nodeMap', parseNodeMap],
      trusted_publishers: ['trust', 'publishers', trustedPublishers],
    },
  };
}

function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

function requireFile(what, path) {
  if (!existsSync(path)) throw new AgentConfigError(OCF_ERR_INSTALLED, `${what} ${path} does not exist`);
}

/** The name the health check asks for (it must be in the certificate) and the address it connects to. */
function healthTarget(listen, certPem) {
  const cert = new X509Certificate(certPem);
  const names = (cert.subjectAltName ?? '').split(', ').map((entry) => entry.split(':'));
  const ips = names.filter(([kind]) => kind === 'IP Address').map(([, ...rest]) => rest.join(':'));
  const dns = names.filter(([kind]) => kind === 'DNS').map(([, name]) => name);
  const wildcard = ['', '0.0.0.0', '::'].includes(listen);
  const address = wildcard ? (listen === '::' ? '::1' : '127.0.0.1') : listen;
  const name = ips.includes(address) ? address : (dns[0] ?? ips[0] ?? /CN=([^\n]+)/.exec(cert.subject)?.[1]);
  if (!name) throw new AgentConfigError(OCF_ERR_CONFIGURED, 'the certificate names no host (no subjectAltName, no CN)');
  return { address, name };
}

/**
 * The daemon cannot serve with a key that is not its certificate's, and the health check would fail
 * with it. Checked before the links move, so a renewal made in two steps (crmsh sets `cert`, then
 * `key`) is refused at the first step and the daemon stays on the pair it has.
 */
function checkKeyPair(certFile, keyFile) {
  let cert;
  let key;
  try {
    cert = new X509Certificate(readFileSync(certFile));
  } catch (err) {
    throw new AgentConfigError(OCF_ERR_CONFIGURED, `certificate ${certFile} is not a PEM certificate: ${err.message}`);
  }
  try {
    key = createPrivateKey(readFileSync(keyFile));
  } catch (err) {
    throw new AgentConfigError(OCF_ERR_CONFIGURED, `key ${keyFile} is not a PEM private key: ${err.message}`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new AgentConfigError(
      OCF_ERR_CONFIGURED,
      `key ${keyFile} does not match certificate ${certFile}; change cert and key in one step (docs/operations.md, Renewing)`,
    );
  }
}

/** Creates or moves the symlink `link` to `target` in one rename, so a reader never finds it missing. */
function pointLink(link, target) {
  rmSync(`${link}.new`, { force: true });
  symlinkSync(target, `${link}.new`);
  renameSync(`${link}.new`, link);
}

async function main([role, installDir, outFile, tlsDir]) {
  const modulePath = join(installDir, 'dist/services/config/index.js');
  requireFile('cibsync is not installed:', modulePath);
  const { defaultConfig, applySettings, readConfigFile, parseNodeMap, settingsFor } = await import(
    pathToFileURL(modulePath).href
  );
  const table = parameterTable(parseNodeMap)[role];
  if (!table) throw new AgentConfigError(OCF_ERR_CONFIGURED, `unknown role '${role}'`);

  const configFile = process.env.OCF_RESKEY_config ?? '';
  if (configFile) requireFile('configuration file', configFile);
  const parameters = { [role]: {} };
  for (const [parameter, [section, key, convert]] of Object.entries(table)) {
    const text = process.env[`OCF_RESKEY_${parameter}`];
    if (text === undefined || text === '') continue;
    if (section === 'trust') parameters.trust ??= {};
    const target = section === 'role' ? parameters[role] : section === 'trust' ? parameters.trust : parameters;
    target[key] = convert(text);
  }
  // The daemon's own checks, in two steps so that an error names its origin (the file, or the resource
  // parameters): the schema (kinds, allowed values, ranges), then what the role cannot run without.
  const config = defaultConfig();
  if (configFile) applySettings(config, readConfigFile(configFile), configFile);
  applySettings(config, parameters, 'resource parameters');
  const daemon = settingsFor(config, role);
  // What only the agent needs: the files present now, a key that fits its certificate, and a fixed
  // IP address and port for the health check (the daemon itself may take port 0, or a host name).
  for (const key of ['cert', 'key', 'ca']) requireFile(key, daemon[key]);
  checkKeyPair(daemon.cert, daemon.key);
  if (daemon.port === 0)
    throw new AgentConfigError(OCF_ERR_CONFIGURED, `${role}.port is 0: the agent's health check needs a fixed port`);
  if (daemon.listen !== '' && isIP(daemon.listen) === 0)
    throw new AgentConfigError(OCF_ERR_CONFIGURED, `listen address '${daemon.listen}' is not an IP address`);
  if (role === 'subscriber' && config.transforms) {
    requireFile('transforms directory', config.transforms);
    if (!statSync(config.transforms).isDirectory())
      throw new AgentConfigError(OCF_ERR_CONFIGURED, `transforms ${config.transforms} is not a directory`);
  }

  const { address, name } = healthTarget(daemon.listen, readFileSync(daemon.cert));
  const tls = { cert: daemon.cert, key: daemon.key, ca: daemon.ca };
  if (outFile && tlsDir) {
    mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
    for (const key of Object.keys(tls)) {
      pointLink(join(tlsDir, `${key}.pem`), tls[key]);
      tls[key] = config[role][key] = join(tlsDir, `${key}.pem`);
    }
    writeFileSync(`${outFile}.new`, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${outFile}.new`, outFile);
  }
  const facts = { port: daemon.port, address, name, ...tls, state_dir: config.stateDir };
  process.stdout.write(
    Object.entries(facts)
      .map(([k, v]) => `daemon_${k}=${shellQuote(v)}\n`)
      .join(''),
  );
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err.message}\n`);
  // CibsyncError from the configuration model: the settings themselves are wrong.
  process.exitCode =
    err instanceof AgentConfigError ? err.exitCode : err?.code === 'CIBSYNC_CONFIG_INVALID' ? OCF_ERR_CONFIGURED : 1;
});
