// The runbook's drift monitor: a rolling window of the last N target scores. Once it holds at least
// `minSamples` and a baseline is set (from the metrics snapshot; never learnt from traffic), the alarm is
// active while baseline - window mean >= alarmDrop. Each inactive -> active transition counts one alarm.

/** What /v1/drift-stats returns. */
export interface DriftStats {
  window_size: number;
  window_capacity: number;
  min_samples: number;
  mean: number | null;
  baseline: number | null;
  alarm_drop: number;
  alarms_total: number;
  active: boolean;
}

/** Tolerance so that e.g. 0.8 - 0.7 counts as a drop of 0.10 despite floating point. */
const EPSILON = 1e-9;

/** Rolling-window drift detector; O(1) per score. */
export class DriftMonitor {
  readonly #window: Float64Array;
  #next = 0;
  #size = 0;
  #sum = 0;
  #alarms = 0;
  #active = false;

  /**
   * @param capacity window length (runbook: 1000)
   * @param minSamples scores needed before the alarm can fire (runbook: 50)
   * @param baseline the snapshot's score mean, or undefined (then the alarm never fires)
   * @param alarmDrop drop below the baseline that fires the alarm (runbook: 0.10)
   * @param onAlarm called once per inactive -> active transition
   */
  constructor(
    capacity: number,
    readonly minSamples: number,
    readonly baseline: number | undefined,
    readonly alarmDrop: number,
    private readonly onAlarm: (stats: DriftStats) => void = () => {},
  ) {
    this.#window = new Float64Array(capacity);
  }

  /** Adds one score and re-evaluates the alarm. */
  add(score: number): void {
    if (this.#size === this.#window.length) this.#sum -= this.#window[this.#next] as number;
    else this.#size++;
    this.#window[this.#next] = score;
    this.#sum += score;
    this.#next = (this.#next + 1) % this.#window.length;
    // Re-sum once per lap so floating-point error cannot accumulate.
    if (this.#next === 0) this.#sum = this.#window.reduce((a, b) => a + b, 0);
    this.#evaluate();
  }

  /** Mean of the window, or null when it is empty. */
  mean(): number | null {
    return this.#size === 0 ? null : this.#sum / this.#size;
  }

  #evaluate(): void {
    const mean = this.mean();
    const firing =
      this.baseline !== undefined && mean !== null && this.#size >= this.minSamples &&
      this.baseline - mean >= this.alarmDrop - EPSILON;
    if (firing && !this.#active) {
      this.#active = true;
      this.#alarms++;
      this.onAlarm(this.stats());
    } else if (!firing) {
      this.#active = false;
    }
  }

  /** The state as /v1/drift-stats shows it. */
  stats(): DriftStats {
    return {
      window_size: this.#size,
      window_capacity: this.#window.length,
      min_samples: this.minSamples,
      mean: this.mean(),
      baseline: this.baseline ?? null,
      alarm_drop: this.alarmDrop,
      alarms_total: this.#alarms,
      active: this.#active,
    };
  }
}
