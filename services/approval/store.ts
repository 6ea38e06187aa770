// Plans on disk (state directory, plans/): a JSON record per plan plus the three documents it was
// made from (the publication, the local CIB at planning time, the candidate), so that a plan
// survives restarts and "make it so" applies exactly what was shown.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CibVersion } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import type { SimulatedAction, Verdict } from '../pacemaker/index.js';
import type { AttributePlan } from '../pipeline/attributes.js';
import type { ImportResult, ObjectChange } from '../pipeline/index.js';
import { readJson, writeFileAtomic, writeJson } from '../pipeline/state.js';

export type PlanStatus = 'pending' | 'applied' | 'rejected' | 'superseded' | 'failed';

export interface Decision {
  at: string;
  by: string;
  action: 'created' | 'edited' | 'approved' | 'rejected' | 'superseded' | 'failed';
  reason?: string;
}

export interface PlanRecord {
  id: string;
  status: PlanStatus;
  createdAt: string;
  source: ImportResult['source'];
  /** The local CIB version the plan was made against; approval is refused once it moved. */
  localVersion: CibVersion;
  changes: ObjectChange[];
  attributes: AttributePlan;
  /** What the scheduler would do at this site if the plan were applied, beyond what it would do anyway. */
  transition: SimulatedAction[];
  verdict: { baseline: Verdict; candidate: Verdict };
  edited: boolean;
  decisions: Decision[];
  outcome?: Pick<ImportResult, 'outcome' | 'after' | 'backup' | 'method'>;
  error?: { code: string; message: string };
}

export type PlanDocument = 'publication' | 'local' | 'candidate';

export class PlanStore {
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

  async save(record: PlanRecord): Promise<void> {
    await writeJson(this.recordPath(record.id), record);
  }

  async saveDocument(id: string, doc: PlanDocument, text: string): Promise<void> {
    await writeFileAtomic(this.documentPath(id, doc), text);
  }

  async readDocument(id: string, doc: PlanDocument): Promise<string> {
    return readFile(this.documentPath(id, doc), 'utf8');
  }

  async get(id: string): Promise<PlanRecord> {
    const record = await readJson<PlanRecord | undefined>(this.recordPath(id), undefined);
    if (!record) throw new CibsyncError('CIBSYNC_PLAN_NOT_FOUND', `no plan ${id} in ${this.dir}`);
    return record;
  }

  /** Every plan, newest first. */
  async list(): Promise<PlanRecord[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const ids = (await readdir(this.dir)).filter((n) => /^[0-9a-f-]+\.json$/.test(n)).map((n) => n.slice(0, -'.json'.length));
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  /** The plan waiting for a decision, if any (there is at most one: a newer one supersedes it). */
  async pending(): Promise<PlanRecord | undefined> {
    return (await this.list()).find((p) => p.status === 'pending');
  }
}
