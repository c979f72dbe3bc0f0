// `make models`: regenerates the demo model family into models/species/ and models/registry.json.
// Deterministic: running it twice gives byte-identical files (a unit test checks the committed ones).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateVersion, RECIPES, registryEntry } from './species-family.js';

const outDir = resolve(process.argv[2] ?? 'models');
mkdirSync(join(outDir, 'species'), { recursive: true });
const generated = RECIPES.map((r) => generateVersion(r));
for (const g of generated) {
  const file = join(outDir, 'species', `species-${g.recipe.version}.onnx`);
  writeFileSync(file, g.onnx);
  console.log(
    `${file}: ${g.onnx.length} bytes sha256=${g.sha256} tpr=${g.metrics.tpr} tnr=${g.metrics.tnr} ` +
      `score_mean=${g.metrics.score_mean} accuracy=${g.metrics.accuracy} live_score_mean=${g.liveScoreMean}`,
  );
}
const registry = { schema_version: 1, active: 'species-1.0.0', models: generated.map(registryEntry) };
writeFileSync(join(outDir, 'registry.json'), `${JSON.stringify(registry, null, 2)}\n`);
console.log(`${join(outDir, 'registry.json')}: ${generated.length} models`);
