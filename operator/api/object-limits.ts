/**
 * The API server's limits on any object, checked offline so that `tern validate` refuses what `kubectl
 * apply` would: annotations at most 256 KiB in all (keys and values, as apimachinery's
 * ValidateAnnotationsSize counts them) with qualified-name keys, and the whole object within etcd's
 * default request limit (1.5 MiB), past which the apiserver's write fails with "request is too large".
 * The annotation messages are the apiserver's own words.
 */
import type { ValidationError } from './validation-error.js';

/** apimachinery's TotalAnnotationSizeLimitB. */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;
/** etcd's default --max-request-bytes: the largest object the apiserver can store. */
export const OBJECT_LIMIT_BYTES = 1.5 * 1024 * 1024;

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const shown = (s: string): string => JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);

/** Why `key` is not a qualified name (prefix/name), or undefined. */
function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash).toLowerCase() : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'prefix part must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")';
  }
  if (name.length === 0 || name.length > 63) return 'name part must be 1 to 63 characters';
  if (!NAME_PART.test(name)) return 'name part must consist of alphanumeric characters, "-", "_" or ".", and must start and end with an alphanumeric character';
  return undefined;
}

/** The size and key problems of `manifest` (a parsed object) that the apiserver would refuse. */
export function objectLimitProblems(manifest: Record<string, unknown>): ValidationError[] {
  const errors: ValidationError[] = [];
  const metadata = manifest.metadata;
  const annotations = typeof metadata === 'object' && metadata !== null ? (metadata as { annotations?: unknown }).annotations : undefined;
  if (typeof annotations === 'object' && annotations !== null && !Array.isArray(annotations)) {
    let total = 0;
    for (const [key, value] of Object.entries(annotations)) {
      total += utf8Bytes(key) + (typeof value === 'string' ? utf8Bytes(value) : 0);
      const problem = keyProblem(key);
      if (problem) errors.push({ pointer: '/metadata/annotations', message: `Invalid value: ${shown(key)}: ${problem}` });
      if (typeof value !== 'string') errors.push({ pointer: `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: 'must be a string' });
    }
    if (total > ANNOTATIONS_LIMIT_BYTES) {
      errors.push({ pointer: '/metadata/annotations', message: `Too long: may not be more than ${ANNOTATIONS_LIMIT_BYTES} bytes (these are ${total})` });
    }
  }
  const size = utf8Bytes(JSON.stringify(manifest));
  if (size > OBJECT_LIMIT_BYTES) {
    errors.push({ pointer: '', message: `is ${size} bytes as JSON; the API server stores at most ${OBJECT_LIMIT_BYTES} bytes per object (etcd's request limit)` });
  }
  return errors;
}
