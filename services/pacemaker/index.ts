// The Pacemaker tool layer: every question cibsync asks of Pacemaker and every change it makes to a
// CIB goes through here, against the live cluster or the file that CIB_file names.
import { closeSync, openSync, writeSync } from 'node:fs';
import { chown, mkdtemp, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type AttributeMap, type CibVersion, formatVersion, type VerdictLevel, versionOf } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import {
  canonicalDigest,
  childElements,
  element,
  firstChild,
  parseXml,
  serializeTo,
  sha256,
  type XmlElement,
} from '../xml/index.js';
import { WriteLock } from './lock.js';
import { runTool, type ToolResult } from './run.js';
import { removeStaleTempsOf, tempPathFor } from './temp-files.js';
import { startTicketWatch, type TicketWatchProcess, ticketWatchProgram, type WatchedTicket } from './ticket-watch.js';

export { errorCodeForExit } from './run.js';
export type { TicketWatchProcess, WatchedTicket } from './ticket-watch.js';

export type CibScope =
  | 'configuration'
  | 'nodes'
  | 'resources'
  | 'constraints'
  | 'crm_config'
  | 'rsc_defaults'
  | 'op_defaults'
  | 'status';

export type AttributeLifetime = 'forever' | 'reboot';

export interface TicketState {
  ticket: string;
  granted: boolean;
  standby: boolean;
  owner?: string;
  /** Every key=value crm_ticket --details printed. */
  details: Record<string, string>;
}

export interface Verdict {
  level: VerdictLevel;
  exit: number;
  errors: string[];
  warnings: string[];
  /** Relax-NG (schema) errors; a non-empty list also counts as errors. */
  schemaErrors: string[];
}

export interface SimulatedAction {
  action: string;
  resource: string;
  node?: string;
  source?: string;
  dest?: string;
  reason?: string;
  attrs: Record<string, string>;
}

export interface PacemakerOptions {
  /** A file-backed CIB (what CIB_file names); undefined means the live cluster. */
  cibFile?: string;
  /** A tool run's timeout: timeoutMs plus timeoutPerMiBMs per MiB of CIB it reads (config toolTimeoutMs, toolTimeoutPerMiBMs). */
  timeoutMs?: number;
  timeoutPerMiBMs?: number;
  /** Cross-process write lock; default `<cibFile>.lock`, or /run/cibsync-cib.lock for the live cluster. */
  lockFile?: string;
  lockWaitMs?: number;
}

/**
 * The write operations; only handed out inside Pacemaker.write(), which holds the write lock. There is
 * no replace: every configuration write is a patch that cibadmin checks against the version it was
 * made for, so a write never lands on a CIB that someone else changed in between.
 */
export interface CibWriter {
  /**
   * Applies `diff` (crm_diff's version-less patch) as a versioned patch whose source is `source`, the
   * version the caller read under the lock: cibadmin refuses it (CIBSYNC_CIB_CHANGED, nothing written)
   * unless the CIB is still exactly at that version, num_updates included.
   */
  patch(diff: XmlElement, source: CibVersion): Promise<void>;
  grantTicket(ticket: string): Promise<void>;
  revokeTicket(ticket: string): Promise<void>;
  standbyTicket(ticket: string): Promise<void>;
  activateTicket(ticket: string): Promise<void>;
  /**
   * Sets or deletes transient node attributes with `crm_attribute --lifetime reboot` (on the live
   * cluster through pacemaker-attrd, as Pacemaker's own tools do); on a CIB file all of them land in
   * one replacement of the file.
   */
  transientAttributes(changes: TransientAttributeChange[]): Promise<void>;
}

/** One transient attribute to write: `value` undefined deletes it. */
export interface TransientAttributeChange {
  node: string;
  name: string;
  value?: string;
}

const VERDICT_TTL_MS = 60_000;
const VERDICT_CACHE_SIZE = 8;

export class Pacemaker {
  readonly cibFile: string | undefined;
  private readonly timeoutMs: number;
  private readonly timeoutPerMiBMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly lock: WriteLock;
  private readonly verdicts = new Map<string, { verdict: Promise<Verdict>; at: number }>();

  constructor(options: PacemakerOptions = {}) {
    this.cibFile = options.cibFile;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.timeoutPerMiBMs = options.timeoutPerMiBMs ?? 120_000;
    const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
    delete env.CIB_file;
    delete env.CIB_shadow;
    if (this.cibFile) env.CIB_file = this.cibFile;
    this.env = env;
    const lockFile = options.lockFile ?? (this.cibFile ? `${this.cibFile}.lock` : '/run/cibsync-cib.lock');
    this.lock = new WriteLock(lockFile, options.lockWaitMs ?? 30_000);
  }

  /** The tool layer for the CIB that the environment names: CIB_file when set, else the live cluster. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: Omit<PacemakerOptions, 'cibFile'> = {}): Pacemaker {
    return new Pacemaker({ ...options, cibFile: env.CIB_file || undefined });
  }

  describe(): string {
    return this.cibFile ? `CIB file ${this.cibFile}` : 'live cluster CIB';
  }

  private run(
    tool: string,
    args: string[],
    extra: { input?: string; inputFile?: string; okCodes?: number[]; inputBytes?: number } = {},
  ): Promise<ToolResult> {
    const { inputBytes = Buffer.byteLength(extra.input ?? ''), ...rest } = extra;
    return runTool(tool, args, { env: this.env, ...this.timeoutFor(inputBytes), ...rest });
  }

  /**
   * crm_verify, crm_diff and a patch take time in proportion to the CIB they read (crm_verify of
   * 10,000 resources: 90 s here), so the timeout grows with it; a timeout says how big it was and
   * which settings raise it.
   */
  private timeoutFor(inputBytes: number): { timeoutMs: number; timeoutHint: string } {
    const mib = inputBytes / (1024 * 1024);
    const timeoutMs = this.timeoutMs + Math.ceil(mib * this.timeoutPerMiBMs);
    return {
      timeoutMs,
      timeoutHint: `input ${mib.toFixed(1)} MiB; the timeout is toolTimeoutMs ${this.timeoutMs} + toolTimeoutPerMiBMs ${this.timeoutPerMiBMs} per MiB: raise either in the configuration`,
    };
  }

  // ---- queries -------------------------------------------------------------------------------

  async queryCib(): Promise<XmlElement> {
    const { stdout } = await this.run('cibadmin', ['--query']);
    return parseXml(stdout, { source: `cibadmin --query (${this.describe()})` });
  }

  async querySection(scope: CibScope): Promise<XmlElement> {
    const { stdout } = await this.run('cibadmin', ['--query', '--scope', scope]);
    return parseXml(stdout, { source: `cibadmin --query --scope ${scope}` });
  }

  async version(): Promise<CibVersion> {
    return versionOf(await this.queryCib());
  }

  /** The version counters alone (`<cib>` without children): the cheapest way to notice any CIB change. */
  async rootVersion(): Promise<CibVersion> {
    const { stdout } = await this.run('cibadmin', ['--query', '--xpath', '/cib', '--no-children']);
    return versionOf(parseXml(stdout, { source: 'cibadmin --query --xpath /cib --no-children' }));
  }

  async queryNodeAttribute(
    node: string,
    name: string,
    lifetime: AttributeLifetime = 'forever',
  ): Promise<string | undefined> {
    try {
      const { stdout } = await this.run('crm_attribute', [
        '--node',
        node,
        '--name',
        name,
        '--lifetime',
        lifetime,
        '--query',
        '--output-as=xml',
      ]);
      const result = parseXml(stdout, { source: 'crm_attribute --query' });
      const attr = [...childElements(result, 'attribute')][0];
      return attr?.attrs.value;
    } catch (err) {
      if (err instanceof CibsyncError && err.code === 'CIBSYNC_PCMK_NO_SUCH_OBJECT') return undefined;
      throw err;
    }
  }

  /**
   * The transient (`--lifetime reboot`) node attributes of every node the configuration lists, by node
   * name (a node without any has an empty map): one root-anchored query of the `<nodes>` and of each
   * `<node_state>`'s `<transient_attributes>`, not the whole status section (its resource history).
   */
  async queryTransientAttributes(): Promise<AttributeMap> {
    const xpath = '/cib/configuration/nodes/node|/cib/status/node_state/transient_attributes';
    let stdout: string;
    try {
      ({ stdout } = await this.run('cibadmin', ['--query', '--xpath', xpath]));
    } catch (err) {
      if (err instanceof CibsyncError && err.code === 'CIBSYNC_PCMK_NO_SUCH_OBJECT') return new Map();
      throw err;
    }
    const answer = parseXml(stdout, { source: `cibadmin --query --xpath ${xpath}` });
    // Several matches come wrapped in <xpath-query>, a single one bare.
    const found = answer.name === 'xpath-query' ? childElements(answer) : [answer];
    const nameOf = new Map<string, string>();
    const result: AttributeMap = new Map();
    for (const node of found.filter((e) => e.name === 'node')) {
      const name = node.attrs.uname ?? node.attrs.id;
      if (name === undefined) continue;
      nameOf.set(node.attrs.id ?? name, name);
      result.set(name, new Map());
    }
    for (const transient of found.filter((e) => e.name === 'transient_attributes')) {
      // Its id is the node's id; a Pacemaker Remote node's id is its name.
      const id = transient.attrs.id ?? '';
      const values = result.get(nameOf.get(id) ?? id) ?? new Map<string, string>();
      for (const set of childElements(transient, 'instance_attributes'))
        for (const nv of childElements(set, 'nvpair'))
          if (nv.attrs.name !== undefined) values.set(nv.attrs.name, nv.attrs.value ?? '');
      result.set(nameOf.get(id) ?? id, values);
    }
    return result;
  }

  async ticket(ticket: string): Promise<TicketState> {
    let result: ToolResult;
    try {
      result = await this.run('crm_ticket', ['--ticket', ticket, '--details']);
    } catch (err) {
      if (err instanceof CibsyncError && err.code === 'CIBSYNC_PCMK_NO_SUCH_OBJECT')
        return { ticket, granted: false, standby: false, details: {} };
      throw err;
    }
    return parseTicketDetails(ticket, result.stdout);
  }

  /**
   * One ticket's state from its `<ticket_state>` alone (`cibadmin --query --xpath`): the cheapest
   * reliable query of it, for polling when the ticket watcher cannot run. No state yet is not granted.
   */
  async ticketState(ticket: string): Promise<TicketState> {
    const xpath = `/cib/status/tickets/ticket_state[@id=${xpathLiteral(ticket)}]`;
    let stdout: string;
    try {
      ({ stdout } = await this.run('cibadmin', ['--query', '--xpath', xpath]));
    } catch (err) {
      if (err instanceof CibsyncError && err.code === 'CIBSYNC_PCMK_NO_SUCH_OBJECT')
        return { ticket, granted: false, standby: false, details: {} };
      throw err;
    }
    const state = parseXml(stdout, { source: `cibadmin --query --xpath ${xpath}` });
    return {
      ticket,
      granted: isTrue(state.attrs.granted),
      standby: isTrue(state.attrs.standby),
      owner: state.attrs.owner,
      details: { ...state.attrs },
    };
  }

  /**
   * Starts cibsync-ticket-watch: `onTickets` gets every ticket's state at once and after each change.
   * Undefined for a CIB file (it has no notifications) or when the build could not make the program.
   */
  watchTickets(onTickets: (tickets: WatchedTicket[]) => void): TicketWatchProcess | undefined {
    const program = this.cibFile ? undefined : ticketWatchProgram();
    return program ? startTicketWatch(program, this.env, onTickets) : undefined;
  }

  /**
   * crm_verify on a whole CIB document; never throws for a bad verdict, only when crm_verify cannot run.
   * Verdicts are remembered briefly by content: every round of a subscriber asks about the same local
   * CIB, and an unchanged candidate is that same CIB (asked at the same moment: one run answers both).
   * Briefly, because rules can depend on the date.
   */
  verify(cib: XmlElement | string): Promise<Verdict> {
    // A tree is written to a file and streamed to crm_verify from there, its key hashed piece by
    // piece: a large CIB is never held as one more string (or two) beside its tree.
    const key = typeof cib === 'string' ? sha256(cib) : canonicalDigest(cib);
    const now = Date.now();
    const cached = this.verdicts.get(key);
    if (cached && now - cached.at < VERDICT_TTL_MS) return cached.verdict;
    const args = ['--xml-pipe', '-VV'];
    const okCodes = [76, 78, 1];
    const run =
      typeof cib === 'string'
        ? this.run('crm_verify', args, { input: cib, okCodes })
        : this.withTempFiles({ 'cib.xml': cib }, (dir, bytes) =>
            this.run('crm_verify', args, { inputFile: join(dir, 'cib.xml'), inputBytes: bytes, okCodes }),
          );
    const verdict = run.then(parseVerdict);
    verdict.catch(() => this.verdicts.delete(key));
    this.verdicts.set(key, { verdict, at: now });
    for (const old of this.verdicts.keys()) if (this.verdicts.size > VERDICT_CACHE_SIZE) this.verdicts.delete(old);
    return verdict;
  }

  /** A version-less patch (crm_diff -u) turning `from` into `to`; null when they are the same. */
  async diff(from: XmlElement, to: XmlElement): Promise<XmlElement | null> {
    return this.withTempFiles({ 'old.xml': from, 'new.xml': to }, async (dir, bytes) => {
      const result = await this.run(
        'crm_diff',
        ['--original', join(dir, 'old.xml'), '--new', join(dir, 'new.xml'), '--no-version'],
        { okCodes: [1], inputBytes: bytes },
      );
      if (result.code === 0) return null;
      return parseXml(result.stdout, { source: 'crm_diff' });
    });
  }

  /**
   * The actions the scheduler would take for this whole CIB (crm_simulate --run), in crm_simulate's
   * order; with `ticketGrant`, as if that ticket were granted (--ticket-grant; nothing is written).
   */
  async simulate(cib: XmlElement, options: { ticketGrant?: string } = {}): Promise<SimulatedAction[]> {
    const grant = options.ticketGrant === undefined ? [] : ['--ticket-grant', checkedTicketName(options.ticketGrant)];
    return this.withTempFiles({ 'cib.xml': cib }, async (dir, bytes) => {
      const args = ['--run', '--xml-file', join(dir, 'cib.xml'), ...grant, '--output-as=xml'];
      const result = await this.run('crm_simulate', args, { inputBytes: bytes });
      const doc = parseXml(result.stdout, { source: 'crm_simulate' });
      const actions = firstChild(doc, 'actions');
      return (actions ? childElements(actions, 'rsc_action') : []).map((a) => {
        const { action = '', resource = '', node, source, dest, reason } = a.attrs;
        return { action, resource, node, source, dest, reason, attrs: { ...a.attrs } };
      });
    });
  }

  /**
   * `booth grant -C -c CONFIG TICKET`: asks booth to grant the ticket to this site and waits until it
   * is committed to the CIB (boothd writes it, so no write lock is taken here). Booth answers with
   * its own exit statuses, not Pacemaker's: any failure is CIBSYNC_BOOTH_GRANT_FAILED with booth's message.
   */
  async boothGrant(ticket: string, configFile: string): Promise<void> {
    try {
      await this.run('booth', ['grant', '-C', '-c', configFile, checkedTicketName(ticket)]);
    } catch (err) {
      if (!(err instanceof CibsyncError) || err.code === 'CIBSYNC_TOOL_MISSING') throw err;
      throw new CibsyncError('CIBSYNC_BOOTH_GRANT_FAILED', `booth did not grant ${ticket}: ${err.message}`, {
        ...err.details,
        ticket,
        config: configFile,
      });
    }
  }

  // ---- writes --------------------------------------------------------------------------------

  /** Runs `fn` holding the write lock (in-process and cross-process); every write goes through here. */
  write<T>(fn: (writer: CibWriter) => Promise<T>): Promise<T> {
    return this.lock.run(() => fn(this.writer()));
  }

  private writer(): CibWriter {
    const ticketOp = (op: string) => async (ticket: string) => {
      await this.writeTools([{ tool: 'crm_ticket', args: ['--ticket', ticket, op, '--force'] }]);
    };
    return {
      // cibadmin reads its input in libxml2's recover mode, which would write whatever it could make
      // of a damaged file: the file our serializer wrote is read back strictly first (a section
      // replace carries whole sections), so only a complete, well-formed document reaches it.
      patch: async (diff, source) => {
        await this.withTempFiles({ 'patch.xml': versionedPatch(diff, source) }, async (dir, bytes) => {
          const file = join(dir, 'patch.xml');
          parseXml(await readFile(file, 'utf8'), { source: `the patch for cibadmin (${file})`, maxBytes: bytes });
          try {
            await this.writeTools([{ tool: 'cibadmin', args: ['--patch', '--xml-file', file] }], bytes);
          } catch (err) {
            if (!isVersionRefusal(err)) throw err;
            throw new CibsyncError(
              'CIBSYNC_CIB_CHANGED',
              `${this.describe()} is no longer at ${formatVersion(source, true)}, the version the patch was made for; cibadmin refused it and nothing was written`,
              { expected: formatVersion(source, true) },
            );
          }
        });
      },
      grantTicket: ticketOp('--grant'),
      revokeTicket: ticketOp('--revoke'),
      standbyTicket: ticketOp('--standby'),
      activateTicket: ticketOp('--activate'),
      transientAttributes: async (changes) => {
        if (changes.length === 0) return;
        await this.writeTools(
          changes.map(({ node, name, value }) => ({
            tool: 'crm_attribute',
            // `--option=value`: a name or value starting with '-' (a negative counter) stays a value.
            args: [
              `--node=${node}`,
              `--name=${name}`,
              '--lifetime=reboot',
              value === undefined ? '--delete' : `--update=${value}`,
            ],
          })),
        );
      },
    };
  }

  /**
   * Runs writing tools, in order. On the live cluster the CIB manager applies each change atomically. A
   * CIB file is written in place by the tools (truncate, then write): here the tools write a private
   * copy, which replaces the file by rename only if the file is still byte for byte what was copied. A
   * kill -9 at any moment leaves the old file or the new one, never a torn one; a writer that bypasses
   * the lock (pcs -f, crm_attribute) during the write makes this write fail (CIBSYNC_CIB_CHANGED), not theirs.
   */
  private async writeTools(runs: { tool: string; args: string[] }[], inputBytes = 0): Promise<void> {
    const file = this.cibFile;
    if (!file) {
      for (const { tool, args } of runs) await this.run(tool, args, { inputBytes });
      return;
    }
    await removeStaleTempsOf(file);
    const original = await readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new CibsyncError(
        err.code === 'ENOENT' ? 'CIBSYNC_PCMK_NO_SUCH_OBJECT' : 'CIBSYNC_PCMK_ERROR',
        `cannot read ${file}: ${err.message}`,
        { path: file },
      );
    });
    const copy = tempPathFor(file);
    try {
      const { mode, uid, gid } = await stat(file);
      await writeFile(copy, original, { mode: mode & 0o7777 });
      await chown(copy, uid, gid).catch(() => undefined); // only root may, and only root needs to
      for (const { tool, args } of runs)
        await runTool(tool, args, {
          env: { ...this.env, CIB_file: copy },
          ...this.timeoutFor(original.length + inputBytes),
        });
      if (!(await readFile(file)).equals(original)) {
        throw new CibsyncError(
          'CIBSYNC_CIB_CHANGED',
          `${file} was changed by another writer while cibsync wrote it; cibsync's change was dropped, theirs is kept`,
          { path: file },
        );
      }
      parseXml(await readFile(copy, 'utf8'), { source: copy });
      await rename(copy, file);
    } catch (err) {
      const errno = (err as NodeJS.ErrnoException).code;
      // A full disk or a read-only folder beside the CIB file: the file itself is untouched.
      if (!(err instanceof CibsyncError) && typeof errno === 'string')
        throw new CibsyncError(
          'CIBSYNC_PCMK_ERROR',
          `cannot write ${file} through ${copy}: ${errno} (${(err as Error).message}); the file is unchanged`,
          { path: file, errno },
        );
      throw err;
    } finally {
      await rm(copy, { force: true });
    }
    await syncDirectory(dirname(file));
  }

  /** Writes each tree into a private temporary folder for `fn` (with their total size in bytes), then removes it. */
  private async withTempFiles<T>(
    files: Record<string, XmlElement>,
    fn: (dir: string, bytes: number) => Promise<T>,
  ): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'cibsync-'));
    try {
      let bytes = 0;
      for (const [name, tree] of Object.entries(files)) bytes += writeXmlFile(join(dir, name), tree);
      return await fn(dir, bytes);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * A version-less patch made into one that cibadmin applies only to a CIB at exactly `source`. A new
 * root over the same changes (trees are never changed once built): a large patch is not copied.
 */
export function versionedPatch(diff: XmlElement, source: CibVersion): XmlElement {
  const attrs = (v: CibVersion) => ({
    admin_epoch: String(v.admin_epoch),
    epoch: String(v.epoch),
    num_updates: String(v.num_updates),
  });
  // The target only has to differ from the source; the CIB manager bumps the epoch itself.
  const target = { admin_epoch: source.admin_epoch, epoch: source.epoch + 1, num_updates: 0 };
  const changes = diff.children.filter((c) => !(c.kind === 'element' && c.name === 'version'));
  return element(diff.name, diff.attrs, [
    element('version', {}, [element('source', attrs(source)), element('target', attrs(target))]),
    ...changes,
  ]);
}

/**
 * Serialises `tree` into a new file (mode 0600) piece by piece, synchronously like serialize() itself:
 * the whole text never exists in memory. Returns the file's size in bytes.
 */
function writeXmlFile(path: string, tree: XmlElement): number {
  const fd = openSync(path, 'wx', 0o600);
  let bytes = 0;
  try {
    serializeTo(tree, (piece) => {
      const buffer = Buffer.from(piece, 'utf8');
      for (let at = 0; at < buffer.length; ) at += writeSync(fd, buffer, at);
      bytes += buffer.length;
    });
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** cibadmin's answers to a versioned patch whose source is not the CIB's version: older (103) or newer (resync). */
function isVersionRefusal(err: unknown): boolean {
  if (!(err instanceof CibsyncError)) return false;
  return (
    err.code === 'CIBSYNC_PCMK_OLD_DATA' ||
    (err.code === 'CIBSYNC_PCMK_ERROR' && /requesting full refresh/.test(String(err.details.stderr ?? err.message)))
  );
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Pacemaker's booleans (crm_is_true): true, on, yes, y, 1. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['true', 'on', 'yes', 'y', '1'].includes(value.toLowerCase());
}

/** A string as an XPath 1.0 literal; a ticket name holding both kinds of quote is refused. */
function xpathLiteral(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `ticket name ${value} holds both ' and ": it cannot be queried`);
}

/** A ticket name as booth and Pacemaker write them; anything else (a leading '-' would be an option) is refused. */
export function checkedTicketName(ticket: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/.test(ticket))
    throw new CibsyncError('CIBSYNC_USAGE', `'${ticket}' is not a ticket name (letters, digits, _ . : -)`, { ticket });
  return ticket;
}

export function parseTicketDetails(ticket: string, stdout: string): TicketState {
  const line = stdout.split('\n').find((l) => l.startsWith(`${ticket}\t`) || l.startsWith(`${ticket} `)) ?? '';
  const details: Record<string, string> = {};
  for (const m of line.matchAll(/([\w-]+)=('([^']*)'|[^,)\s]*)/g)) details[m[1] as string] = m[3] ?? (m[2] as string);
  const state = line.slice(ticket.length).trim().split(/\s+/)[0];
  return {
    ticket,
    granted: details.granted ? details.granted === 'true' : state === 'granted',
    standby: details.standby === 'true' || line.includes('[standby]'),
    owner: details.owner,
    details,
  };
}

export function parseVerdict(result: ToolResult): Verdict {
  const errors = new Set<string>();
  const warnings = new Set<string>();
  const schemaErrors = new Set<string>();
  for (const raw of `${result.stderr}\n${result.stdout}`.split('\n')) {
    const line = raw.trim();
    if (line.includes('Relax-NG validity error')) schemaErrors.add(line.replace(/^[^:]*:\d+:\s*/, ''));
    const m = /^(?:\([^)]*\)\s*)?(error|warning):\s*(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'error') errors.add(m[2] as string);
    else warnings.add(m[2] as string);
  }
  if (schemaErrors.size > 0 || /config not valid/.test(result.stderr)) {
    if (errors.size === 0 && schemaErrors.size === 0) errors.add('crm_verify: config not valid');
  }
  const level: VerdictLevel =
    errors.size > 0 || schemaErrors.size > 0
      ? 'errors'
      : warnings.size > 0 || /Warnings found/.test(result.stderr)
        ? 'warnings'
        : 'clean';
  return { level, exit: result.code, errors: [...errors], warnings: [...warnings], schemaErrors: [...schemaErrors] };
}
