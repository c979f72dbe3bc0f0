// NVIDIA_VISIBLE_DEVICES as device plugins set it: lists of indices or UUIDs, all, none; hostile values refused.
import { gpuDevicesJson, parseVisibleDevices } from './gpu-devices.js';

describe('parseVisibleDevices', () => {
  it('is undefined when the variable is not set (no device plugin)', () => {
    expect(parseVisibleDevices(undefined)).toBeUndefined();
  });

  it('counts a list of UUIDs, MIG ids or indices', () => {
    expect(parseVisibleDevices('GPU-8e3f2a10-4c5d-11ee-be56-0242ac120002,GPU-9a1b2c3d-0000-11ee-be56-0242ac120002')).toEqual({
      visibleDevices: 'GPU-8e3f2a10-4c5d-11ee-be56-0242ac120002,GPU-9a1b2c3d-0000-11ee-be56-0242ac120002',
      ids: ['GPU-8e3f2a10-4c5d-11ee-be56-0242ac120002', 'GPU-9a1b2c3d-0000-11ee-be56-0242ac120002'],
      count: 2,
    });
    expect(parseVisibleDevices(' 0, 1 ,2 ')?.count).toBe(3);
    expect(parseVisibleDevices('MIG-5c1d9e2f-7a3b-5e6f-9d8c-1b2a3c4d5e6f')?.count).toBe(1);
    expect(parseVisibleDevices('0:1')?.ids).toEqual(['0:1']);
  });

  it('reports none, void and empty as 0 and all as not countable', () => {
    for (const none of ['none', 'void', '']) expect(parseVisibleDevices(none)).toMatchObject({ ids: [], count: 0 });
    expect(parseVisibleDevices('all')).toEqual({ visibleDevices: 'all', ids: undefined, count: undefined });
    expect(gpuDevicesJson(parseVisibleDevices('all')!)).toEqual({ visible_devices: 'all', count: null });
    expect(gpuDevicesJson(parseVisibleDevices('0,1')!)).toEqual({ visible_devices: '0,1', count: 2 });
  });

  it('refuses values no device plugin writes, naming the bad entry', () => {
    expect(() => parseVisibleDevices('0,$(reboot)')).toThrow('NVIDIA_VISIBLE_DEVICES names "$(reboot)", not a GPU index or UUID');
    expect(() => parseVisibleDevices('GPU-a\nGPU-b')).toThrow('not a GPU index or UUID');
    expect(() => parseVisibleDevices('0,'.repeat(3000))).toThrow('NVIDIA_VISIBLE_DEVICES is 6000 characters long');
  });
});
