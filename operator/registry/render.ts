/**
 * Registry entry -> ModelRelease manifest (`tern registry render`). Pure and deterministic: the same
 * registry and options give the same bytes (fixed key order, extra metrics sorted), so GitOps tools
 * show no spurious diff.
 */
import { Document, isScalar, Scalar, visit } from 'yaml';
import { API_VERSION, KIND, type ModelRelease } from '../api/model-release-schema.js';
import { findEntry } from './registry.js';
import type { Registry, RegistryEntry } from './registry-schema.js';
import { releaseNames, RenderError } from './release-name.js';

/** Annotation naming the registry entry a manifest was rendered from. */
export const REGISTRY_ENTRY_ANNOTATION = 'serving.tern.dev/registry-entry';

export interface RenderOptions {
  /** metadata.name; defaults to the registry's release_name, else the entry's family (release-name.ts). */
  name?: string;
  namespace?: string;
  /** The entry to render; defaults to registry.active. */
  entry?: string;
  /** Replaces everything before the file name of weights_url (tests serve models/ over loopback HTTP). */
  weightsBaseUrl?: string;
}

/** "score_mean" -> "scoreMean". */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** weights_url with its base replaced: keeps the last path segment (the file name). */
export function rebaseWeightsUrl(weightsUrl: string, base: string): string {
  const fileName = new URL(weightsUrl).pathname.split('/').pop() ?? '';
  if (fileName === '') throw new Error(`weights_url ${weightsUrl} has no file name to keep`);
  return `${base.endsWith('/') ? base : `${base}/`}${fileName}`;
}

/** A trained_at date ("2022-04-18") as the API's date-time: midnight UTC. */
export function trainedAtDateTime(trainedAt: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(trainedAt) ? `${trainedAt}T00:00:00Z` : trainedAt;
}

/** The ModelRelease for one registry entry. Throws a RenderError (with what to do) when the entry does not exist or has no stable name. */
export function releaseFromRegistry(registry: Registry, options: RenderOptions = {}): ModelRelease {
  const entryName = options.entry ?? registry.active;
  const entry = findEntry(registry, entryName);
  if (entry === undefined) {
    throw new RenderError(options.entry === undefined ? '/active' : '', `entry "${entryName}" is not in the registry (entries: ${registry.models.map((m) => m.name).join(', ')})`);
  }
  const names = releaseNames(registry, entry, options.name);
  const metadata: ModelRelease['metadata'] = { name: names.release };
  if (options.namespace !== undefined) metadata.namespace = options.namespace;
  metadata.annotations = { [REGISTRY_ENTRY_ANNOTATION]: entry.name };
  return { apiVersion: API_VERSION, kind: KIND, metadata, spec: { model: modelOf(entry, names.model, options.weightsBaseUrl) } };
}

function modelOf(entry: RegistryEntry, modelName: string, weightsBaseUrl: string | undefined): ModelRelease['spec']['model'] {
  const { tpr, tnr, score_mean: scoreMean, ...extra } = entry.metrics_snapshot;
  const metrics: Record<string, number> = { tpr, tnr, scoreMean };
  for (const key of Object.keys(extra).sort()) {
    const camel = camelCase(key);
    if (camel in metrics) throw new Error(`metrics_snapshot of ${entry.name}: "${key}" and another key both become "${camel}"`);
    metrics[camel] = (extra as Record<string, number>)[key] as number;
  }
  return {
    name: modelName,
    ...(entry.display_name === undefined ? {} : { displayName: entry.display_name }),
    version: entry.version,
    ...(entry.architecture === undefined ? {} : { architecture: entry.architecture }),
    weightsUrl: weightsBaseUrl === undefined ? entry.weights_url : rebaseWeightsUrl(entry.weights_url, weightsBaseUrl),
    ...(entry.sha256 === null ? {} : { sha256: entry.sha256 }),
    ...(entry.trained_at === undefined ? {} : { trainedAt: trainedAtDateTime(entry.trained_at) }),
    metrics: metrics as ModelRelease['spec']['model']['metrics'],
  };
}

const LOOKS_LIKE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]/;

/** The manifest as YAML for `kubectl apply -f -`: insertion key order, timestamps quoted (YAML 1.1 readers). */
export function manifestYaml(manifest: ModelRelease): string {
  const doc = new Document(manifest, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (isScalar(node) && typeof node.value === 'string' && LOOKS_LIKE_TIME.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0 });
}
