// Predictions counted by class index on the hot path, added to the labelled Prometheus counter only when it
// is read. prom-client hashes the labels on every labelled inc: once per class per /v1/predict request cost
// more than the rest of the request's bookkeeping. Here a prediction is one typed-array increment, and the
// counter (tern_server_predictions_total{class}) gets the sums in its collect hook, before every scrape.

/** Counts per class index, drained into a labelled counter. */
export class ClassTally {
  #counts = new Float64Array(64);

  /** Counts one prediction of class `index` (a non-negative integer). */
  add(index: number): void {
    if (index >= this.#counts.length) {
      const grown = new Float64Array(Math.max(index + 1, this.#counts.length * 2));
      grown.set(this.#counts);
      this.#counts = grown;
    }
    this.#counts[index] = (this.#counts[index] as number) + 1;
  }

  /** Hands every class counted since the last drain to `into` (label from `labelOf`), then forgets them. */
  drain(labelOf: (index: number) => string, into: (label: string, count: number) => void): void {
    const counts = this.#counts;
    for (let i = 0; i < counts.length; i++) {
      const n = counts[i] as number;
      if (n === 0) continue;
      counts[i] = 0;
      into(labelOf(i), n);
    }
  }
}
