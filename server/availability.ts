// Availability over a sliding time window (default 5 minutes): the share of inference requests that did
// not end in a 5xx. Counted in one-second buckets so memory stays constant under any load.

/** Sliding-window success ratio. `now` is injectable for tests. */
export class AvailabilityWindow {
  readonly #ok: Float64Array;
  readonly #total: Float64Array;
  readonly #second: Float64Array;

  constructor(
    readonly windowSeconds = 300,
    private readonly now: () => number = Date.now,
  ) {
    this.#ok = new Float64Array(windowSeconds);
    this.#total = new Float64Array(windowSeconds);
    this.#second = new Float64Array(windowSeconds).fill(-1);
  }

  /** Records one finished request. */
  record(statusCode: number): void {
    const second = Math.floor(this.now() / 1000);
    const slot = second % this.windowSeconds;
    if (this.#second[slot] !== second) {
      this.#second[slot] = second;
      this.#ok[slot] = 0;
      this.#total[slot] = 0;
    }
    this.#total[slot] = (this.#total[slot] as number) + 1;
    if (statusCode < 500) this.#ok[slot] = (this.#ok[slot] as number) + 1;
  }

  /** Non-5xx share over the window; 1 when there were no requests (nothing failed). */
  ratio(): number {
    const oldest = Math.floor(this.now() / 1000) - this.windowSeconds + 1;
    let ok = 0;
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      if ((this.#second[i] as number) >= oldest) {
        ok += this.#ok[i] as number;
        total += this.#total[i] as number;
      }
    }
    return total === 0 ? 1 : ok / total;
  }
}
