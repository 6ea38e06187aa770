import { CibsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import { rollback } from '../pipeline/index.js';
import { listBackups } from '../state/backups.js';
import { describeHold } from '../state/hold.js';
import {
  CONFIG_OPTIONS,
  type Command,
  configFromFlags,
  type OptionTable,
  pacemakerFor,
  parse,
  printHelp,
  usageLine,
} from './command.js';

const OPTIONS: OptionTable = {
  list: { kind: 'flag', description: 'list the backups, newest (1) first, and change nothing' },
  ...CONFIG_OPTIONS,
};

const command: Command = {
  name: 'rollback',
  summary: 'Restore a configuration backup taken before an apply (1 = the newest), and put the source on hold.',
  usage: usageLine('rollback', '[N]'),
  async run(argv) {
    const { values, positionals } = parse(this, argv, OPTIONS);
    if (values.help) {
      return printHelp(
        this,
        OPTIONS,
        "\nOnly what replicates comes from the backup: this site's own parts (nodes, fencing, booth, cibsync's own resources, cluster-owned properties, objects tagged cibsync-local) stay as they are now. The replaced configuration is itself backed up first.\nReplication is put on hold first, so a running subscriber does not re-apply the source; `cibsync resume` follows it again.\n",
      );
    }
    const config = configFromFlags(values);
    if (values.list) {
      const backups = await listBackups(config.stateDir);
      if (backups.length === 0) process.stdout.write(`no backups in ${config.stateDir}/backups\n`);
      for (const b of backups) process.stdout.write(`${b.number}\t${b.file}\n`);
      return 0;
    }
    const number = positionals[0] === undefined ? 1 : Number(positionals[0]);
    if (!Number.isInteger(number) || number < 1)
      throw new CibsyncError('CIBSYNC_USAGE', `backup number must be a positive integer\nusage: ${this.usage}`);
    const outcome = await rollback(pacemakerFor(config), config, number, createLogger(config.logLevel));
    process.stdout.write(
      outcome.changed
        ? `rolled back to ${outcome.backup}; local CIB now at epoch ${outcome.after?.admin_epoch}.${outcome.after?.epoch}; the replaced configuration is in ${outcome.replacedBackup}\n`
        : `the configuration already equals ${outcome.backup} (site-local parts kept); nothing written\n`,
    );
    process.stdout.write(
      `replication is ${describeHold(outcome.hold)}: the subscriber applies nothing until \`cibsync resume\`\n`,
    );
    return 0;
  },
};
export default command;
