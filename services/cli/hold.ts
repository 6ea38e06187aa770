import { describeHold, placeHold } from '../state/hold.js';
import {
  CONFIG_OPTIONS,
  type Command,
  configFromFlags,
  type OptionTable,
  parse,
  printHelp,
  usageLine,
} from './command.js';

const OPTIONS: OptionTable = {
  reason: { kind: 'text', value: 'TEXT', description: 'why, for the record (shown by status and the page)' },
  ...CONFIG_OPTIONS,
};

const command: Command = {
  name: 'hold',
  summary: 'Put replication on hold: this site applies nothing from the source until `cibsync resume`.',
  usage: usageLine('hold'),
  async run(argv) {
    const { values } = parse(this, argv, OPTIONS, false);
    if (values.help) {
      return printHelp(
        this,
        OPTIONS,
        "\nThe hold (who, when, why) is kept in the state directory. While it is in place the import pipeline refuses with CIBSYNC_ON_HOLD, and the running subscriber fetches nothing; `cibsync status` and the subscriber's page show it. `cibsync rollback` places one by itself. A hold already in place is kept as it is.\n",
      );
    }
    const config = configFromFlags(values);
    const { hold, placed } = await placeHold(config.stateDir, typeof values.reason === 'string' ? values.reason : '');
    process.stdout.write(
      placed
        ? `replication is ${describeHold(hold)}; \`cibsync resume\` lifts it\n`
        : `already ${describeHold(hold)}; nothing changed\n`,
    );
    return 0;
  },
};
export default command;
