// Takeover decisions on disk (state directory, takeover/decisions.json, beside plans/): every grant
// asked for, refused, done or failed, newest last, the last KEPT of them. What a decision holds is the
// takeover module's (services/takeover/record.ts); this is only where and how it is kept.
import { join } from 'node:path';
import { readJson, writeJson } from './files.js';

const KEPT = 500;

export class DecisionLog<R> {
  readonly path: string;

  constructor(stateDir: string) {
    this.path = join(stateDir, 'takeover', 'decisions.json');
  }

  async list(): Promise<R[]> {
    return readJson<R[]>(this.path, []);
  }

  /** Appends one record (a read, then an atomic rewrite: the caller serialises its writers). */
  async append(record: R): Promise<void> {
    const records = await this.list();
    records.push(record);
    await writeJson(this.path, records.slice(-KEPT));
  }
}
