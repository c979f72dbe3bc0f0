// Predictions tallied by class index reach tern_server_predictions_total{class} whenever it is read, once.
import { ClassTally } from './class-tally.js';
import { ServerMetrics } from './metrics.js';

describe('ClassTally', () => {
  it('hands each counted class over once, with its label, and grows past its first size', () => {
    const tally = new ClassTally();
    for (const i of [0, 3, 3, 200, 3]) tally.add(i);
    const seen: Array<[string, number]> = [];
    tally.drain((i) => `c${i}`, (label, n) => seen.push([label, n]));
    expect(seen).toEqual([['c0', 1], ['c3', 3], ['c200', 1]]);
    const again: string[] = [];
    tally.drain((i) => `c${i}`, (label) => again.push(label));
    expect(again).toEqual([]);
  });
});

describe('ServerMetrics predictions', () => {
  const series = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('tern_server_predictions_total{'));

  it('shows tallied predictions in every scrape, counted once, next to the classes set to 0', async () => {
    const m = new ServerMetrics();
    const labels = ['tern', 'gull', 'skua'];
    m.predictionLabel = (i) => labels[i] ?? `class_${i}`;
    for (const l of labels) m.predictions.inc({ class: l }, 0);
    for (const i of [1, 1, 2, 5]) m.pendingPredictions.add(i);
    expect(series(await m.registry.metrics())).toEqual([
      'tern_server_predictions_total{class="tern"} 0',
      'tern_server_predictions_total{class="gull"} 2',
      'tern_server_predictions_total{class="skua"} 1',
      'tern_server_predictions_total{class="class_5"} 1',
    ]);
    m.pendingPredictions.add(0);
    expect(series(await m.registry.metrics())).toEqual([
      'tern_server_predictions_total{class="tern"} 1',
      'tern_server_predictions_total{class="gull"} 2',
      'tern_server_predictions_total{class="skua"} 1',
      'tern_server_predictions_total{class="class_5"} 1',
    ]);
  });

  it('counts them when the counter itself is read, too', async () => {
    const m = new ServerMetrics();
    m.pendingPredictions.add(4);
    const { values } = await m.predictions.get();
    expect(values).toEqual([expect.objectContaining({ labels: { class: 'class_4' }, value: 1 })]);
  });
});
