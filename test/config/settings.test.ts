// The settings schema: each rule refuses with CIBSYNC_CONFIG_INVALID and names the key's path, the
// value and where it came from; the merge rules users rely on (file, then flags; sections key by key;
// trust.publishers site by site, one string a list of one) hold.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applySettings,
  type Config,
  defaultConfig,
  loadConfig,
  scopePlan,
  scopesOfTicket,
  settingsFor,
} from '../../services/config/index.js';
import { isCibsyncError } from '../../services/errors.js';
import { cli, tempDir } from '../helpers/sites.js';

/** The error message of a refused setting (and that it is CIBSYNC_CONFIG_INVALID). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (!isCibsyncError(err)) throw err;
    expect(err.code).toBe('CIBSYNC_CONFIG_INVALID');
    return err.message;
  }
  throw new Error('the settings were accepted');
}

const refused = (input: Record<string, unknown>) =>
  refusal(() => applySettings(defaultConfig(), input, 'cibsync.json'));

let dir: string;
beforeAll(() => {
  dir = tempDir('cibsync-settings-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('each rule names the key, the value and the origin', () => {
  it('an unknown key, at the top or in a section', () => {
    expect(refused({ stateDri: '/tmp' })).toBe('cibsync.json: unknown setting stateDri');
    expect(refused({ subscriber: { prot: 7444 } })).toBe('cibsync.json: unknown setting subscriber.prot');
    expect(refused({ siteLocal: { tags: 'x' } })).toBe('cibsync.json: unknown setting siteLocal.tags');
    expect(refused(JSON.parse('{"__proto__": {"stateDir": "/tmp"}}'))).toBe('cibsync.json: unknown setting __proto__');
  });

  it('a value of the wrong kind', () => {
    expect(refused({ subscriber: { port: '7444' } })).toBe(
      'cibsync.json: subscriber.port must be a whole number, got "7444"',
    );
    expect(refused({ allowEmpty: 'yes' })).toBe('cibsync.json: allowEmpty must be true or false, got "yes"');
    expect(refused({ siteLocal: 'none' })).toBe('cibsync.json: siteLocal must be an object, got "none"');
    expect(refused({ nodeMap: { a1: 1 } })).toBe('cibsync.json: nodeMap.a1 must be a string, got 1');
    expect(refused({ transformChain: 'a.xsl' })).toBe('cibsync.json: transformChain must be a list, got "a.xsl"');
    expect(refused({ trust: { publishers: { siteA: 3 } } })).toBe(
      'cibsync.json: trust.publishers.siteA must be a list, got 3',
    );
  });

  it('a port or a duration out of range', () => {
    expect(refused({ subscriber: { port: 70000 } })).toBe(
      'cibsync.json: subscriber.port must be at most 65535, got 70000',
    );
    expect(refused({ publisher: { port: -1 } })).toBe('cibsync.json: publisher.port must be at least 0, got -1');
    expect(refused({ subscriber: { pollIntervalMs: 0 } })).toBe(
      'cibsync.json: subscriber.pollIntervalMs must be at least 1, got 0',
    );
    expect(refused({ subscriber: { waitMs: -5 } })).toBe('cibsync.json: subscriber.waitMs must be at least 0, got -5');
    // Past 2^31-1 ms Node's timers fire at once: a day is the ceiling.
    expect(refused({ publisher: { certCheckMs: 3_000_000_000 } })).toBe(
      'cibsync.json: publisher.certCheckMs must be at most 86400000, got 3000000000',
    );
    expect(refused({ toolTimeoutMs: 1.5 })).toBe('cibsync.json: toolTimeoutMs must be a whole number, got 1.5');
    expect(refused({ backups: 0 })).toBe('cibsync.json: backups must be at least 1, got 0');
  });

  it('a value that is not among the allowed ones', () => {
    expect(refused({ logLevel: 'loud' })).toBe(
      'cibsync.json: logLevel must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
    expect(refused({ engine: 'saxon' })).toMatch(
      /^cibsync\.json: engine must be one of xsltproc, xslt-processor, got "saxon"$/,
    );
    expect(refused({ subscriber: { approval: 'later' } })).toMatch(
      /subscriber\.approval must be one of auto, manual, got "later"/,
    );
    expect(refused({ subscriber: { feed: 'push' } })).toMatch(
      /subscriber\.feed must be one of long-poll, poll, got "push"/,
    );
    expect(refused({ verifyBaseline: 'none' })).toMatch(/verifyBaseline must be one of local, source, got "none"/);
    expect(refused({ subscriber: { publishers: ['https://a:7443', 'http://b:7443'] } })).toBe(
      'cibsync.json: subscriber.publishers[1] must be an https:// URL, got "http://b:7443"',
    );
  });

  it('every problem at once', () => {
    expect(refused({ logLevel: 'loud', subscriber: { port: 70000, prot: 1 } })).toBe(
      'cibsync.json: logLevel must be one of fatal, error, warn, info, debug, trace, silent, got "loud"; unknown setting subscriber.prot; subscriber.port must be at most 65535, got 70000',
    );
  });

  it('a bad log level from the environment names CIBSYNC_LOG_LEVEL', () => {
    const before = process.env.CIBSYNC_LOG_LEVEL;
    process.env.CIBSYNC_LOG_LEVEL = 'loud';
    try {
      expect(refusal(() => defaultConfig())).toMatch(/^CIBSYNC_LOG_LEVEL: logLevel must be one of/);
    } finally {
      if (before === undefined) delete process.env.CIBSYNC_LOG_LEVEL;
      else process.env.CIBSYNC_LOG_LEVEL = before;
    }
  });

  it('the command line: a bad --log-level or --engine is a configuration error, not CIBSYNC_INTERNAL', () => {
    const level = cli(['scopes', '--log-level', 'foo']);
    expect(level.code, level.stderr).toBe(2);
    expect(level.stderr).toContain(
      'cibsync: CIBSYNC_CONFIG_INVALID: command line: logLevel must be one of fatal, error, warn, info, debug, trace, silent, got "foo"',
    );
    const engine = cli(['transform', 'run', '--site', 'b', '--engine', 'saxon', 'x.xml']);
    expect(engine.stderr).toContain(
      'CIBSYNC_CONFIG_INVALID: command line: engine must be one of xsltproc, xslt-processor, got "saxon"',
    );
  });

  it('a configuration file names itself', () => {
    const file = join(dir, 'port.json');
    writeFileSync(file, JSON.stringify({ ticket: 't', subscriber: { port: 70000 } }));
    expect(refusal(() => loadConfig(file))).toBe(`${file}: subscriber.port must be at most 65535, got 70000`);
    const r = cli(['scopes', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`CIBSYNC_CONFIG_INVALID: ${file}: subscriber.port must be at most 65535`);
  });
});

describe('what each daemon needs', () => {
  const withSubscriber = (): Config =>
    applySettings(defaultConfig(), {
      ticket: 't',
      subscriber: { cert: 'c.crt', key: 'c.key', ca: 'ca.crt', publishers: ['https://a:7443'] },
      trust: { publishers: { siteA: 'pub.a' } },
    });

  it('the subscriber: ticket, its section with cert, key, ca and publishers, and trusted publishers unless unsigned ones are allowed', () => {
    expect(settingsFor(withSubscriber(), 'subscriber')).toMatchObject({
      ticket: 't',
      port: 7444,
      publishers: ['https://a:7443'],
    });
    expect(refusal(() => settingsFor(defaultConfig(), 'subscriber'))).toMatch(
      /^the subscriber needs ticket \(.*\), trust\.publishers \(.*; or trust\.allowUnsigned\), subscriber \(the subscriber daemon\)$/,
    );
    const bare = applySettings(defaultConfig(), { ticket: 't', subscriber: {}, trust: { allowUnsigned: true } });
    expect(refusal(() => settingsFor(bare, 'subscriber'))).toMatch(
      /^the subscriber needs subscriber\.cert \(.*\), subscriber\.key \(.*\), subscriber\.ca \(.*\), subscriber\.publishers \(https:\/\/ URL of the publisher of every other site\)$/,
    );
    expect(
      refusal(() => settingsFor(applySettings(withSubscriber(), { subscriber: { publishers: [] } }), 'subscriber')),
    ).toBe('the subscriber needs subscriber.publishers (https:// URL of the publisher of every other site)');
  });

  it('the publisher: ticket and its section with cert, key and ca', () => {
    const config = applySettings(defaultConfig(), { publisher: { cert: 'p.crt', key: 'p.key' } });
    expect(refusal(() => settingsFor(config, 'publisher'))).toMatch(
      /^the publisher needs ticket \(.*\), publisher\.ca \(.*\)$/,
    );
    applySettings(config, { ticket: 't', publisher: { ca: 'ca.crt' } });
    expect(settingsFor(config, 'publisher')).toMatchObject({ ticket: 't', port: 7443, cert: 'p.crt', ca: 'ca.crt' });
  });
});

describe('scopes (ticket-scoped replication)', () => {
  it('absent: the whole configuration follows ticket, as before', () => {
    const config = applySettings(defaultConfig(), { ticket: 't' });
    expect(scopePlan(config)).toEqual({ scoped: false, tickets: ['t'], globalTicket: 't' });
  });

  it('tickets and the one carrying the global scope (or none); tickets waive ticket for the daemons', () => {
    const config = applySettings(defaultConfig(), {
      scopes: { tickets: ['ticketA', 'ticketB'], global: 'ticketA' },
      publisher: { cert: 'p.crt', key: 'p.key', ca: 'ca.crt' },
    });
    expect(scopePlan(config)).toEqual({ scoped: true, tickets: ['ticketA', 'ticketB'], globalTicket: 'ticketA' });
    expect(scopesOfTicket(scopePlan(config), 'ticketA')).toEqual(['ticketA', 'global']);
    expect(scopesOfTicket(scopePlan(config), 'ticketB')).toEqual(['ticketB']);
    expect(settingsFor(config, 'publisher')).toMatchObject({ port: 7443 });
    const none = applySettings(defaultConfig(), { scopes: { tickets: ['ticketA'], global: 'none' } });
    expect(scopePlan(none).globalTicket).toBeUndefined();
  });

  it('refused: global not among the tickets, global without tickets, a ticket twice, a ticket called global, ticket not listed', () => {
    expect(refused({ scopes: { tickets: ['a', 'b'], global: 'c' } })).toBe(
      `cibsync.json: scopes.global must be one of scopes.tickets (a, b) or 'none', got "c"`,
    );
    expect(refused({ scopes: { tickets: ['a'] } })).toMatch(
      /scopes.global must be one of scopes.tickets \(a\) or 'none', got ""/,
    );
    expect(refused({ scopes: { global: 'a' } })).toBe('cibsync.json: scopes.global needs scopes.tickets');
    expect(refused({ scopes: { tickets: ['a', 'a'], global: 'a' } })).toBe(
      'cibsync.json: scopes.tickets lists a more than once',
    );
    expect(refused({ scopes: { tickets: ['global'], global: 'none' } })).toMatch(
      /scopes\.tickets\[0\] must be a ticket name other than 'global', got "global"/,
    );
    expect(refused({ ticket: 'c', scopes: { tickets: ['a'], global: 'a' } })).toBe(
      'cibsync.json: ticket c is not one of scopes.tickets (a)',
    );
  });
});

describe('how the sources combine', () => {
  it('file, then flags; a section starts from its defaults and merges key by key', () => {
    const file = join(dir, 'merge.json');
    writeFileSync(
      file,
      JSON.stringify({
        site: 'siteB',
        stateDir: '/srv/a',
        siteLocal: { ids: ['x'] },
        subscriber: { port: 9000 },
        nodeMap: { a1: 'b1', a2: 'b2' },
      }),
    );
    const config = loadConfig(file, {
      stateDir: '/srv/b',
      siteLocal: { tag: 'mine' },
      subscriber: { approval: 'manual' },
      nodeMap: { a3: 'b3' },
    });
    expect(config).toMatchObject({
      site: 'siteB',
      stateDir: '/srv/b',
      siteLocal: { ids: ['x'], tag: 'mine', stonith: true },
      subscriber: { port: 9000, approval: 'manual', feed: 'long-poll' },
    });
    // A map other than trust.publishers is replaced whole.
    expect(config.nodeMap).toEqual({ a3: 'b3' });
    expect(config.publisher).toBeUndefined();
  });

  it('trust.publishers: one string is a list of one; a later source adds or replaces sites', () => {
    const config = applySettings(defaultConfig(), {
      trust: { publishers: { siteA: 'pub.a', siteC: ['pub.c', 'AB:CD'] } },
    });
    applySettings(config, { trust: { publishers: { siteA: ['pub.a2'], siteD: 'pub.d' } } });
    expect(config.trust.publishers).toEqual({ siteA: ['pub.a2'], siteC: ['pub.c', 'AB:CD'], siteD: ['pub.d'] });
  });

  it('a refused source leaves the configuration as it was', () => {
    const config = defaultConfig();
    refusal(() => applySettings(config, { stateDir: '/elsewhere', backups: 0 }));
    expect(config).toEqual(defaultConfig());
  });
});
