import { describeHold, liftHold } from '../state/hold.js';
import { CONFIG_OPTIONS, type Command, configFromFlags, parse, printHelp, usageLine } from './command.js';

const command: Command = {
  name: 'resume',
  summary: 'Lift the hold (`cibsync hold`, or a rollback): the subscriber follows the source again.',
  usage: usageLine('resume'),
  async run(argv) {
    const { values } = parse(this, argv, CONFIG_OPTIONS, false);
    if (values.help) {
      return printHelp(
        this,
        CONFIG_OPTIONS,
        "\nThe running subscriber notices within its poll interval and fetches the source's current publication, which it applies as usual (after a rollback: the source as it is now, so fix it there first).\n",
      );
    }
    const config = configFromFlags(values);
    const lifted = await liftHold(config.stateDir);
    process.stdout.write(
      lifted
        ? `hold lifted (it was ${describeHold(lifted)}); the subscriber follows the source again\n`
        : 'not on hold; nothing to do\n',
    );
    return 0;
  },
};
export default command;
