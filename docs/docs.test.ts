// The docs hold together: every relative link in README.md, docs/ and the chart's READMEs reaches a file
// (and a heading, when it names one), and the `make` commands they name are the Makefile's, each
// documented command (a `##` help line) named somewhere in them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Pages written on other branches (issues 16 and 19) and linked from docs/README.md; delete each entry once it is merged. */
const PENDING_PAGES = new Set<string>([]);

const PAGES = ['README.md', 'charts/tern/README.md', 'charts/tern/argocd/README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Markdown without fenced code blocks and inline code, where links are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of markdown.replace(/^```[\s\S]*?^```/gm, '').split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return result;
}

/** Every relative link of `page` that does not resolve, as "page: target (why)". */
function brokenLinks(page: string): string[] {
  const text = prose(readFileSync(join(ROOT, page), 'utf8'));
  const broken: string[] = [];
  for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue;
    const [file = '', anchor] = target.split('#');
    const path = file === '' ? page : relative(ROOT, join(ROOT, dirname(page), file));
    if (PENDING_PAGES.has(path)) continue;
    if (!existsSync(join(ROOT, path))) {
      broken.push(`${page}: ${target} (no file ${path})`);
      continue;
    }
    if (anchor && path.endsWith('.md') && !anchors(readFileSync(join(ROOT, path), 'utf8')).has(anchor)) {
      broken.push(`${page}: ${target} (no heading #${anchor} in ${path})`);
    }
  }
  return broken;
}

describe('docs', () => {
  it('computes GitHub heading anchors', () => {
    expect([...anchors('# A `make demo` and `make test`\n## Release commands (the `tern` CLI -> tern-operator)\n## Tests\n## Tests\n```\n# not a heading\n```')]).toEqual([
      'a-make-demo-and-make-test',
      'release-commands-the-tern-cli---tern-operator',
      'tests',
      'tests-1',
    ]);
  });

  it.each(PAGES)('%s: every relative link resolves', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
  const targets = new Set([...makefile.matchAll(/^([a-zA-Z0-9_-]+):/gm)].map((m) => m[1]));
  const documented = [...makefile.matchAll(/^([a-zA-Z0-9_-]+):.*## /gm)].map((m) => m[1] ?? '');
  const docs = PAGES.map((p) => readFileSync(join(ROOT, p), 'utf8')).join('\n');

  it('names only make targets the Makefile has', () => {
    const named = new Set([...docs.matchAll(/`make ([a-z0-9-]+)/g)].map((m) => m[1] ?? ''));
    expect([...named].filter((t) => !targets.has(t))).toEqual([]);
  });

  it('names every command `make help` lists', () => {
    expect(documented.filter((t) => !new RegExp(`\`make ${t}[\\s\`]`).test(docs))).toEqual([]);
  });

  it('gives make demo the warm time README.md gives it', () => {
    const help = /^demo:.*## .*\((~[\d.]+ min) warm\)/m.exec(makefile)?.[1];
    const readme = /make demo\s+#.*?(~[\d.]+ min) warm/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1];
    expect(help).toBeDefined();
    expect(help).toBe(readme);
  });
});
