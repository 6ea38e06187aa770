// Plans on disk (state directory, plans/): a JSON record per plan plus the three documents it was
// made from (the publication, the local CIB at planning time, the candidate), so that a plan
// survives restarts and "make it so" applies exactly what was shown. What a record holds is the
// approval flow's (services/approval/record.ts); this is only where and how it is kept.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CibsyncError } from '../errors.js';
import { readJson, writeFileAtomic, writeJson } from './files.js';

/** What the store itself reads of a record: the rest is the approval flow's. */
export interface StoredPlan {
  id: string;
  status: string;
  createdAt: string;
}

export type PlanDocument = 'publication' | 'local' | 'candidate';

export class PlanFiles<R extends StoredPlan> {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'plans');
  }

  private recordPath(id: string): string {
    if (!/^[0-9a-f-]{8,64}$/.test(id)) throw new CibsyncError('CIBSYNC_PLAN_NOT_FOUND', `no plan ${id}`);
    return join(this.dir, `${id}.json`);
  }

  documentPath(id: string, doc: PlanDocument): string {
    return join(this.dir, `${id}.${doc}.xml`);
  }

  async save(record: R): Promise<void> {
    await writeJson(this.recordPath(record.id), record);
  }

  async saveDocument(id: string, doc: PlanDocument, text: string): Promise<void> {
    await writeFileAtomic(this.documentPath(id, doc), text);
  }

  async readDocument(id: string, doc: PlanDocument): Promise<string> {
    return readFile(this.documentPath(id, doc), 'utf8');
  }

  async get(id: string): Promise<R> {
    const record = await readJson<R | undefined>(this.recordPath(id), undefined);
    if (!record) throw new CibsyncError('CIBSYNC_PLAN_NOT_FOUND', `no plan ${id} in ${this.dir}`);
    return record;
  }

  /** Every plan, newest first. */
  async list(): Promise<R[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const ids = (await readdir(this.dir))
      .filter((n) => /^[0-9a-f-]+\.json$/.test(n))
      .map((n) => n.slice(0, -'.json'.length));
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  /** The plan waiting for a decision, if any (there is at most one: a newer one supersedes it). */
  async pending(): Promise<R | undefined> {
    return (await this.list()).find((p) => p.status === 'pending');
  }
}
