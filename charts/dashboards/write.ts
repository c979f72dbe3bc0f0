/**
 * `make dashboards`: writes charts/tern/files/dashboards/*.json from the TypeScript in charts/dashboards/
 * (never edit the JSON by hand). charts/dashboards/generated.test.ts fails when a file is stale.
 * Usage: node dist/charts/dashboards/write.js [REPO_ROOT]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, DASHBOARD_FILES_DIR, renderDashboardJson } from './render.js';

const root = process.argv[2] ?? '.';
for (const [file, build] of Object.entries(DASHBOARDS)) {
  writeFileSync(join(root, DASHBOARD_FILES_DIR, file), renderDashboardJson(build));
  process.stdout.write(`wrote ${DASHBOARD_FILES_DIR}/${file}\n`);
}
