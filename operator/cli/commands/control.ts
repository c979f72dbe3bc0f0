/**
 * `tern promote NAME [--full]`, `tern abort NAME`, `tern retry NAME`, `tern pause NAME`, `tern resume NAME`,
 * `tern undo NAME`:
 * each sends one command to the operator through the annotations serving.tern.dev/command and
 * serving.tern.dev/command-nonce (never the spec, so GitOps tools see no drift) and waits for the
 * operator to record the nonce in status.lastCommandNonce.
 */
import type { ModelRelease } from '../../api/model-release-schema.js';
import type { CommandName } from '../../api/command-annotation.js';
import { EXIT, type Command } from '../command.js';
import { CLUSTER_OPTIONS, connect, sendCommand } from './release-client.js';

function control(
  word: string,
  summary: string,
  description: string,
  command: (options: Record<string, string | boolean | undefined>) => CommandName,
  extra: Command['options'] = {},
  afterwards?: (status: NonNullable<ModelRelease['status']>) => string | undefined,
): Command {
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
      const target = await connect(options);
      try {
        const which = command(options);
        const { release, handled } = await sendCommand(target, name, which);
        const st = release.status ?? {};
        if (!handled) {
          io.stderr(`${which} sent to ${target.namespace}/${name}, not handled yet: is tern-operator running? (it acts on the annotation when it sees it)\n`);
          return EXIT.ok;
        }
        io.stdout(`${which}: ${target.namespace}/${name} is ${st.phase ?? 'Pending'}: ${st.message ?? ''}\n`);
        const note = afterwards?.(st);
        if (note) io.stdout(`${note}\n`);
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
export const undo = control(
  'undo',
  'Restore the previous stable model now, with no staging or canary steps (instant while it is still warm in its bake)',
  'What changing spec.model back to the previous model in Git does, without Git: the previous model becomes stable again and the release is RolledBack until spec.model names it. Git should then follow.',
  () => 'undo',
  {},
  (st) => (st.restore || st.lastRestore ? `Git should follow: change spec.model (the registry's \`active\`) to ${st.stable?.version ?? 'the restored model'} and commit; until then the release stays RolledBack, with spec.model naming the undone model.` : undefined),
);
