/** Entry point of tern-operator (bin/tern-operator.js imports dist/operator/main.js). */
import { runOperator } from './operator.js';
import { OPERATOR_USAGE, parseOperatorFlags } from './operator-flags.js';
import { jsonLogger } from '../common/log.js';

let flags;
try {
  flags = parseOperatorFlags(process.argv.slice(2));
} catch (err) {
  const message = (err as Error).message;
  process.stderr.write(message === OPERATOR_USAGE ? `${message}\n` : `tern-operator: ${message}\n\n${OPERATOR_USAGE}\n`);
  process.exit(message === OPERATOR_USAGE ? 0 : 2);
}
const log = jsonLogger(flags.logLevel, { program: 'tern-operator' });
runOperator(flags, log).catch((err: unknown) => {
  log.error('tern-operator failed to start', { err });
  process.exit(1);
});
