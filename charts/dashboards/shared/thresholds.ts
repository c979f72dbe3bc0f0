/** Threshold colours shared by the panels: the same reading means the same colour on every dashboard. */
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';

/** Red below `minimum`, green from it up (e.g. availability against its alert). */
export function redBelow(minimum: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'red' },
    { value: minimum, color: 'green' },
  ]);
}
