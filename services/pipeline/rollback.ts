// Rollback: put back a configuration backup through the same guarded apply as an import, and put the
// source on hold, so that a running subscriber does not re-apply the source over it. Only what
// replicates comes from the backup: this site's own parts (nodes, fencing, booth, cibsync's own
// resources with the target-role an operator just set, cluster-owned properties, cibsync-local
// objects) stay as they are now, by the same rules an import splices them with.
import { basename } from 'node:path';
import { type CibVersion, configurationOfCib } from '../cib/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { readBackup } from '../state/backups.js';
import { type Hold, placeHold } from '../state/hold.js';
import { sameXml } from '../xml/index.js';
import { applyConfiguration } from './apply.js';
import { spliceSiteLocal } from './splice.js';

export interface RollbackOutcome {
  backup: string;
  changed: boolean;
  after?: CibVersion;
  /** The backup of the configuration that the rollback replaced. */
  replacedBackup?: string;
  /** The hold now in place (this rollback's, or one placed before it). */
  hold: Hold;
}

export async function rollback(
  pacemaker: Pacemaker,
  config: Config,
  number: number,
  logger: Logger,
): Promise<RollbackOutcome> {
  const { stateDir } = config;
  const { backup, configuration } = await readBackup(stateDir, number);
  // The hold comes first: from here on the subscriber plans nothing new over what is being restored.
  const { hold } = await placeHold(stateDir, `rollback to ${basename(backup.path)}`);
  logger.info({ step: 'hold', by: hold.by, reason: hold.reason }, 'replication on hold');
  const current = await pacemaker.queryCib();
  const target = spliceSiteLocal(configuration, configurationOfCib(current), config.siteLocal).configuration;
  if (sameXml(configurationOfCib(current), target)) return { backup: backup.path, changed: false, hold };
  const applied = await applyConfiguration(pacemaker, current, target, {
    stateDir,
    keepBackups: config.backups + 1,
    logger,
  });
  logger.info(
    { step: 'rollback', backup: backup.path, epoch: `${applied.after.admin_epoch}.${applied.after.epoch}` },
    'configuration rolled back',
  );
  return { backup: backup.path, changed: true, after: applied.after, replacedBackup: applied.backup, hold };
}
