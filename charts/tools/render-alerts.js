// Prints the chart's alerts as a plain Prometheus rules file: files/alerts.yaml with its `${thresholds.NAME}`
// placeholders replaced by the chart values, exactly as the PrometheusRule carries them (helm template).
// Arguments go to helm: `node charts/tools/render-alerts.js --set monitoring.prometheusRule.thresholds.latencyP95Seconds=0.2`
// or `-f my-values.yaml`. Needs the helm that `make observe-tools` builds (charts/tools/helm/build.sh).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const chart = fileURLToPath(new URL('../tern', import.meta.url));
const helm = execFileSync(fileURLToPath(new URL('helm/build.sh', import.meta.url)), ['--print-path'], { encoding: 'utf8' }).trim();
let rendered;
try {
  rendered = execFileSync(
    helm,
    ['template', 'tern', chart, '--show-only', 'templates/prometheusrule.yaml', '--set', 'monitoring.prometheusRule.enabled=true', ...process.argv.slice(2)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
} catch (err) {
  // helm's own message went to stderr.
  process.exit(err.status ?? 1);
}
process.stdout.write(stringify(parse(rendered).spec, { lineWidth: 0 }));
