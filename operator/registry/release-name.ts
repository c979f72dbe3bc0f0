/**
 * Which name a registry's ModelRelease gets. Clients call the release (its Services) and the served model
 * by name, so both must stay the same when `active` moves from one entry to another:
 *   1. the registry's `release_name`, when it has one;
 *   2. else the family of an entry named <family>-<version> ("species-1.1.0" -> "species");
 *   3. else `--name`; else there is no stable name, and the error says what to add or pass.
 * `--name` always sets metadata.name; spec.model.name stays the stable name of 1 or 2 when there is one.
 */
import { RELEASE_NAME_MAX_LENGTH } from '../api/rules.js';
import { versionedFamily } from './registry.js';
import type { Registry, RegistryEntry } from './registry-schema.js';

export interface ReleaseNames {
  /** metadata.name of the ModelRelease. */
  release: string;
  /** spec.model.name: what clients call (/v2/models/<name>/infer). */
  model: string;
}

/** A rendering problem, with the JSON Pointer of the registry field to fix. */
export class RenderError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
  }
}

export function releaseNames(registry: Pick<Registry, 'release_name'>, entry: Pick<RegistryEntry, 'name' | 'version'>, flagName?: string): ReleaseNames {
  const stable = registry.release_name ?? versionedFamily(entry);
  const release = flagName ?? stable;
  if (release === undefined) {
    throw new RenderError(
      '/release_name',
      `is needed: entry "${entry.name}" is not named <family>-<version>, so no release name follows from it that stays the same when "active" moves. ` +
        `Add "release_name": "NAME" to the registry, or pass --name NAME (a DNS-1035 label of at most ${RELEASE_NAME_MAX_LENGTH} characters: lowercase letters, digits and "-", starting with a letter).`,
    );
  }
  return { release, model: stable ?? release };
}
