/** `tern status NAME [-n NS] [--watch]`: what a release is doing and what to do next. */
import { EXIT, type Command } from '../command.js';
import { connect, getRelease, releaseEvents } from './release-client.js';
import { CLUSTER_OPTIONS } from './release-client.js';
import { renderStatus } from './status-view.js';

export const status: Command = {
  path: ['status'],
  summary: 'Show a ModelRelease: phase, step, weights, checks against thresholds, conditions, recent events',
  argsUsage: 'NAME',
  minArgs: 1,
  maxArgs: 1,
  options: {
    ...CLUSTER_OPTIONS,
    watch: { type: 'boolean', short: 'w', help: 'keep printing the status whenever it changes (Ctrl-C stops)' },
    interval: { type: 'string', value: 'SECONDS', help: 'how often --watch looks (default 1)' },
  },
  description: 'Reads the ModelRelease and its events.k8s.io/v1 Events; writes nothing.',
  async run({ args, options, io }) {
    const name = args[0] ?? '';
    const target = await connect(options);
    try {
      const show = async (): Promise<string> => renderStatus(await getRelease(target, name), await releaseEvents(target, name));
      if (!options.watch) {
        io.stdout(await show());
        return EXIT.ok;
      }
      const everyMs = Math.max(0.2, Number(options.interval ?? '1')) * 1000;
      let last = '';
      let stopped = false;
      const stop = () => {
        stopped = true;
      };
      process.once('SIGINT', stop);
      while (!stopped) {
        const text = await show();
        // Ages tick every second; redraw only when something other than an age changed.
        const key = text.replace(/\b\d+[smh]\b/g, '');
        if (key !== last) {
          io.stdout(`\n--- ${new Date().toISOString()}\n${text}`);
          last = key;
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
      return EXIT.ok;
    } finally {
      target.close();
    }
  },
};
