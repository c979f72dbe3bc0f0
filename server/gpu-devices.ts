// The GPUs this process was given: NVIDIA_VISIBLE_DEVICES, which the NVIDIA device plugin (or the container
// toolkit) sets to the devices allocated to the container: a comma-separated list of indices or UUIDs
// (GPU-…, MIG-…), `all`, or `none`/`void`/empty for none. Parsed once at start; reported in the start log,
// in /readyz and as tern_server_gpu_devices. Pure.

/** The environment variable the device plugin sets. */
export const VISIBLE_DEVICES_ENV = 'NVIDIA_VISIBLE_DEVICES';

/** What NVIDIA_VISIBLE_DEVICES said. `count` is undefined for `all` (every GPU of the node: not countable from here). */
export interface GpuDevices {
  /** The variable's value as given (trimmed). */
  visibleDevices: string;
  /** The device ids named, in order ([] for none, undefined for all). */
  ids: string[] | undefined;
  count: number | undefined;
}

/** Longest value reported as is: a list of 64 UUIDs fits; anything longer is not a device list. */
const MAX_VALUE_CHARS = 4096;

/** Parses NVIDIA_VISIBLE_DEVICES; undefined when it is not set. Throws on a value no device plugin writes. */
export function parseVisibleDevices(value: string | undefined): GpuDevices | undefined {
  if (value === undefined) return undefined;
  const visibleDevices = value.trim();
  if (visibleDevices.length > MAX_VALUE_CHARS) throw new Error(`${VISIBLE_DEVICES_ENV} is ${visibleDevices.length} characters long; expected a list of GPU indices or UUIDs`);
  if (visibleDevices === 'all') return { visibleDevices, ids: undefined, count: undefined };
  if (visibleDevices === '' || visibleDevices === 'none' || visibleDevices === 'void') return { visibleDevices, ids: [], count: 0 };
  const ids = visibleDevices.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = ids.find((id) => !/^[A-Za-z0-9][A-Za-z0-9_./:-]*$/.test(id));
  if (bad !== undefined) throw new Error(`${VISIBLE_DEVICES_ENV} names ${JSON.stringify(bad.slice(0, 64))}, not a GPU index or UUID (expected e.g. "0,1" or "GPU-8e3f...")`);
  return { visibleDevices, ids, count: ids.length };
}

/** The /readyz form. */
export function gpuDevicesJson(gpus: GpuDevices): { visible_devices: string; count: number | null } {
  return { visible_devices: gpus.visibleDevices, count: gpus.count ?? null };
}
