/**
 * `tern promote NAME [--full]`, `tern abort NAME`, `tern retry NAME`, `tern pause NAME`, `tern resume NAME`:
 * each sends one command to the operator through the annotations serving.tern.dev/command and
 * serving.tern.dev/command-nonce (never the spec, so GitOps tools see no drift) and waits for the
 * operator to record the nonce in status.lastCommandNonce.
 */
import type { CommandName } from '../../planner/types.js';
import { EXIT, type Command } from '../command.js';
import { CLUSTER_OPTIONS, connect, sendCommand } from './release-client.js';

function control(word: string, summary: string, description: string, command: (options: Record<string, string | boolean | undefined>) => CommandName, extra: Command['options'] = {}): Command {
  return {
    path: [word],
    summary,
    argsUsage: 'NAME',
    minArgs: 1,
    maxArgs: 1,
    options: { ...CLUSTER_OPTIONS, ...extra },
    description,
    async run({ args, options, io }) {
      const name = args[0] ?? '';
      const target = connect(options);
      try {
        const which = command(options);
        const { release, handled } = await sendCommand(target, name, which);
        const st = release.status ?? {};
        if (!handled) {
          io.stderr(`${which} sent to ${target.namespace}/${name}, not handled yet: is tern-operator running? (it acts on the annotation when it sees it)\n`);
          return EXIT.ok;
        }
        io.stdout(`${which}: ${target.namespace}/${name} is ${st.phase ?? 'Pending'}: ${st.message ?? ''}\n`);
        return EXIT.ok;
      } finally {
        target.close();
      }
    },
  };
}

export const promote = control(
  'promote',
  'End the canary step in force now (--full: skip every remaining step and promote)',
  'A step without a pause waits for this. A failing check still rolls back. The operator ignores promote outside Canary/Paused (an event says so).',
  (o) => (o.full ? 'promote-full' : 'promote'),
  { full: { type: 'boolean', help: 'skip every remaining step (and staging\'s soak) and promote the candidate now' } },
);
export const abort = control('abort', 'Roll the candidate back now: weight 0, candidate scaled down, stable untouched', 'Like a failed check, with reason Manual. `tern retry` starts the same model again.', () => 'abort');
export const retry = control('retry', 'Start a rolled back or failed release again (same spec.model)', 'Staging starts over; the previous attempt stays in status.history.', () => 'retry');
export const pause = control('pause', 'Hold the canary step in force (weights stay; analysis keeps running, a Fail still rolls back)', '`tern resume` continues.', () => 'pause');
export const resume = control('resume', 'Continue a paused canary (the step\'s pause starts again)', '', () => 'resume');
