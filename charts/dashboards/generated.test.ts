// The dashboard JSON the chart ships is generated: the committed files are exactly what charts/dashboards/
// renders (run `make dashboards` when this fails), none is hand-written beside them, and the data source
// is named in one place of the TypeScript.
import { readFileSync, readdirSync } from 'node:fs';
import { REPO_ROOT } from '../lib/conventions.js';
import { DASHBOARDS, DASHBOARD_FILES_DIR, renderDashboardJson } from './render.js';

const dir = `${REPO_ROOT}${DASHBOARD_FILES_DIR}`;

describe(`${DASHBOARD_FILES_DIR}/*.json`, () => {
  it.each(Object.entries(DASHBOARDS))('%s is up to date with charts/dashboards (run `make dashboards` when this fails)', (file, build) => {
    expect(readFileSync(`${dir}/${file}`, 'utf8')).toBe(renderDashboardJson(build));
  });

  it('are all generated: no dashboard file without its TypeScript', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(DASHBOARDS).sort());
  });

  it('render the same bytes every time', () => {
    for (const build of Object.values(DASHBOARDS)) expect(renderDashboardJson(build)).toBe(renderDashboardJson(build));
  });
});

describe('charts/dashboards/*.ts', () => {
  const sources = (sub: string): string[] =>
    readdirSync(`${REPO_ROOT}charts/dashboards/${sub}`).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `charts/dashboards/${sub}${f}`);

  it('name the ${datasource} variable once (shared/datasource.ts), however many panels use it', () => {
    const naming = [...sources(''), ...sources('shared/')].filter((file) => readFileSync(`${REPO_ROOT}${file}`, 'utf8').includes('${datasource}'));
    expect(naming).toEqual(['charts/dashboards/shared/datasource.ts']);
    const shipped = Object.keys(DASHBOARDS).map((file) => readFileSync(`${dir}/${file}`, 'utf8').split('${datasource}').length - 1);
    expect(shipped.every((n) => n > 10)).toBe(true);
  });
});
