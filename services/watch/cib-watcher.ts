// Notices CIB changes cheaply, so the daemons react within a second without re-reading the CIB.
// It watches a file: the file-backed CIB (CIB_file), or for the live cluster the copy pacemaker-based
// keeps on disk, which it rewrites on every configuration change. An fs.watch on the file's directory
// (cibadmin rewrites in place, pacemaker-based by rename) plus a stat() every pollMs in case an event
// is missed. A changed file-backed CIB costs reading its root tag; a changed disk copy of the live CIB
// costs a `cibadmin --query --xpath /cib --no-children` (the disk copy lags the live CIB). Without a
// readable disk copy, that root-only query runs every pollMs instead. 'change' is emitted only when
// admin_epoch, epoch or num_updates moved.
//
// Status-only changes of the live cluster (a ticket granted or revoked) never reach the disk copy:
// the ticket watch (ticket-watch.ts) covers those (docs/network.md).
import { EventEmitter } from 'node:events';
import { accessSync, constants, type FSWatcher, watch } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { CibVersion } from '../cib/index.js';
import { asCibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Pacemaker } from '../pacemaker/index.js';

/** Where pacemaker-based keeps the live CIB's configuration on disk. */
export const LIVE_CIB_ON_DISK = '/var/lib/pacemaker/cib/cib.xml';

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Lets a writer finish: a file event arrives when cibadmin starts writing, not when it is done. */
const SETTLE_MS = 15;

/**
 * The version counters of a file-backed CIB read from its root tag, without spawning cibadmin; undefined
 * when the head does not parse (a file caught mid-write, a compressed file), and the caller asks cibadmin.
 */
export async function versionFromHead(file: string): Promise<CibVersion | undefined> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const tag = /<cib\s[^>]*>/.exec(buffer.toString('utf8', 0, bytesRead))?.[0];
    const counter = (name: string) => (tag ? new RegExp(`\\s${name}="(\\d+)"`).exec(tag)?.[1] : undefined);
    const [admin_epoch, epoch, num_updates] = [counter('admin_epoch'), counter('epoch'), counter('num_updates')];
    if (admin_epoch === undefined || epoch === undefined || num_updates === undefined) return undefined;
    return { admin_epoch: Number(admin_epoch), epoch: Number(epoch), num_updates: Number(num_updates) };
  } finally {
    await handle.close();
  }
}

export interface CibChange {
  previous: CibVersion | undefined;
  current: CibVersion;
  /** admin_epoch or epoch moved: the configuration changed (not only the status section). */
  configurationChanged: boolean;
}

export function sameVersion(a: CibVersion | undefined, b: CibVersion): boolean {
  return a !== undefined && a.admin_epoch === b.admin_epoch && a.epoch === b.epoch && a.num_updates === b.num_updates;
}

export class CibWatcher extends EventEmitter<{ change: [CibChange] }> {
  private version: CibVersion | undefined;
  private fileStamp = '';
  private watched: string | undefined;
  /** The file stamp of the last completed check. */
  private checkedStamp: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private fsWatcher: FSWatcher | undefined;
  private checking: Promise<void> | undefined;
  private again = false;
  /** Root queries run (for the idle-cost figure in the metrics). */
  checks = 0;

  constructor(
    private readonly pacemaker: Pacemaker,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    const file = this.pacemaker.cibFile ?? (readable(LIVE_CIB_ON_DISK) ? LIVE_CIB_ON_DISK : undefined);
    this.watched = file;
    if (file) {
      this.fileStamp = await this.stampOf(file);
      this.fsWatcher = watch(dirname(file), { persistent: false }, (_event, name) => {
        if (name === null || name === basename(file)) this.scheduleCheck();
      });
      this.fsWatcher.on('error', (err) =>
        this.logger.warn({ event: 'cib-watch-error', err: err.message }, 'fs.watch failed; the stat poll goes on'),
      );
    }
    await this.check();
    this.timer = setInterval(() => void (file ? this.pollFile(file) : this.check()), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.settle);
    this.fsWatcher?.close();
  }

  /** Runs a check now (or right after the one under way): for callers that know something changed. */
  check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = this.runCheck().finally(() => {
      this.checking = undefined;
      if (this.again) {
        this.again = false;
        void this.check();
      }
    });
    return this.checking;
  }

  private scheduleCheck(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => void this.check(), SETTLE_MS);
  }

  private async stampOf(file: string): Promise<string> {
    try {
      const s = await stat(file);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private async pollFile(file: string): Promise<void> {
    const stamp = await this.stampOf(file);
    if (stamp !== this.fileStamp) this.scheduleCheck();
  }

  private async runCheck(): Promise<void> {
    if (this.watched) this.fileStamp = await this.stampOf(this.watched);
    const stamp = this.fileStamp;
    this.checks += 1;
    let current: CibVersion;
    try {
      current =
        (this.pacemaker.cibFile && (await versionFromHead(this.pacemaker.cibFile))) ||
        (await this.pacemaker.rootVersion());
    } catch (err) {
      const error = asCibsyncError(err);
      this.logger.warn(
        { event: 'cib-check-failed', code: error.code, err: error.message },
        'could not read the CIB version; will retry',
      );
      this.fileStamp = 'retry'; // the next stat poll checks again
      return;
    }
    // A file-backed CIB rewritten under the same version: cibadmin writes in place, so an earlier
    // check may have caught it half written (the root tag comes first). Treat it as a configuration
    // change; rebuilding an unchanged publication gives the same digest and publishes nothing.
    const rewritten =
      this.pacemaker.cibFile !== undefined && this.checkedStamp !== undefined && stamp !== this.checkedStamp;
    this.checkedStamp = stamp;
    const previous = this.version;
    if (sameVersion(previous, current) && !rewritten) return;
    this.version = current;
    const configurationChanged =
      !previous ||
      previous.admin_epoch !== current.admin_epoch ||
      previous.epoch !== current.epoch ||
      sameVersion(previous, current);
    this.emit('change', { previous, current, configurationChanged });
  }
}
