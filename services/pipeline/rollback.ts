// Rollback: put back a configuration backup through the same guarded apply as an import. The
// current <nodes> section is kept (node entries and their attributes belong to the running cluster).
import type { Logger } from '../log.js';
import type { CibVersion, Pacemaker } from '../pacemaker/index.js';
import { clone, firstChild, sameXml } from '../xml/index.js';
import { applyConfiguration, configurationOf } from './apply.js';
import { readBackup } from './backup.js';

export interface RollbackOutcome {
  backup: string;
  changed: boolean;
  after?: CibVersion;
  /** The backup of the configuration that the rollback replaced. */
  replacedBackup?: string;
}

export async function rollback(pacemaker: Pacemaker, stateDir: string, number: number, keepBackups: number, logger: Logger): Promise<RollbackOutcome> {
  const { backup, configuration } = await readBackup(stateDir, number);
  const current = await pacemaker.queryCib();
  const target = clone(configuration);
  const nodes = firstChild(configurationOf(current), 'nodes');
  target.children = target.children.filter((c) => !(c.kind === 'element' && c.name === 'nodes'));
  if (nodes) target.children.push(clone(nodes));
  if (sameXml(configurationOf(current), target)) return { backup: backup.path, changed: false };
  const applied = await applyConfiguration(pacemaker, current, target, { stateDir, keepBackups: keepBackups + 1, logger });
  logger.info({ step: 'rollback', backup: backup.path, epoch: `${applied.after.admin_epoch}.${applied.after.epoch}` }, 'configuration rolled back');
  return { backup: backup.path, changed: true, after: applied.after, replacedBackup: applied.backup };
}
