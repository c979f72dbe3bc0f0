/**
 * An EventSink that keeps the Events written, as the apiserver would: the created Events and every
 * series update (a repeat folded into an existing Event), for tests of what a user sees in `kubectl
 * get events`. Not used by the operator itself.
 */
import type { EventSeries, EventSink, K8sEvent } from '../events.js';

/** A JSON copy (structuredClone's objects come from another realm under jest). */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class MemoryEventSink implements EventSink {
  readonly created: K8sEvent[] = [];
  readonly seriesUpdates: EventSeries[] = [];

  async create(event: K8sEvent): Promise<void> {
    this.created.push(copy(event));
  }

  async updateSeries(_namespace: string, name: string, series: EventSeries): Promise<boolean> {
    const e = this.created.find((c) => c.metadata.name === name);
    if (!e) return false;
    e.series = series;
    this.seriesUpdates.push(series);
    return true;
  }
}
