import { EventEmitter } from 'node:events';
import { installShutdown } from './shutdown.js';

describe('installShutdown', () => {
  it('runs the steps in order once on SIGTERM, then exits 0', async () => {
    const signals = new EventEmitter();
    const order: string[] = [];
    const exits: number[] = [];
    let done!: () => void;
    const exited = new Promise<void>((r) => (done = r));
    const { uninstall } = installShutdown({
      signalSource: signals,
      exit: (code) => {
        exits.push(code);
        done();
      },
      steps: [
        { name: 'queue', run: async () => void order.push('queue') },
        { name: 'lease', run: () => void order.push('lease') },
        { name: 'server', run: async () => void order.push('server') },
      ],
    });
    signals.emit('SIGTERM', 'SIGTERM');
    await exited;
    expect(order).toEqual(['queue', 'lease', 'server']);
    expect(exits).toEqual([0]);
    uninstall();
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('keeps going past a failing or hanging step and exits 1', async () => {
    const signals = new EventEmitter();
    const order: string[] = [];
    let done!: (code: number) => void;
    const exited = new Promise<number>((r) => (done = r));
    const { uninstall } = installShutdown({
      signalSource: signals,
      exit: (code) => done(code),
      stepTimeoutMs: 50,
      steps: [
        { name: 'hangs', run: () => new Promise<void>(() => undefined) },
        {
          name: 'fails',
          run: () => {
            throw new Error('x');
          },
        },
        { name: 'last', run: () => void order.push('last') },
      ],
    });
    signals.emit('SIGINT', 'SIGINT');
    expect(await exited).toBe(1);
    expect(order).toEqual(['last']);
    uninstall();
  });

  it('exits 1 at once on a second signal', () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    const { uninstall } = installShutdown({
      signalSource: signals,
      exit: (code) => exits.push(code),
      steps: [{ name: 'slow', run: () => new Promise<void>(() => undefined) }],
      stepTimeoutMs: 60_000,
      totalTimeoutMs: 60_000,
    });
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([1]);
    uninstall();
  });
});
