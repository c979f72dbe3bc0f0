// Pure logic of the fake-GPU device plugin: the device list it advertises and its answers to the
// kubelet's Allocate and GetPreferredAllocation requests (no I/O, so the tests exercise it directly).
package main

import (
	"fmt"
	"sort"
	"strings"

	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

// maxDevices bounds --count: a fake node never needs more, and a typo must not make a huge list.
const maxDevices = 1024

// deviceIDs returns the IDs tern-gpu-0 .. tern-gpu-(n-1).
func deviceIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("tern-gpu-%d", i)
	}
	return ids
}

// healthyDevices is what ListAndWatch sends: every device, healthy.
func healthyDevices(ids []string) []*pluginapi.Device {
	devices := make([]*pluginapi.Device, len(ids))
	for i, id := range ids {
		devices[i] = &pluginapi.Device{ID: id, Health: pluginapi.Healthy}
	}
	return devices
}

// allocate answers an Allocate request: each container gets the environment naming its devices.
// An ID this plugin does not advertise is an error naming it.
func allocate(known map[string]bool, req *pluginapi.AllocateRequest) (*pluginapi.AllocateResponse, error) {
	resp := &pluginapi.AllocateResponse{}
	for i, c := range req.GetContainerRequests() {
		ids := c.GetDevicesIds()
		if len(ids) == 0 {
			return nil, fmt.Errorf("container request %d asks for no devices", i)
		}
		for _, id := range ids {
			if !known[id] {
				return nil, fmt.Errorf("container request %d: unknown device ID %q (this plugin has tern-gpu-0..tern-gpu-%d)", i, id, len(known)-1)
			}
		}
		list := strings.Join(ids, ",")
		resp.ContainerResponses = append(resp.ContainerResponses, &pluginapi.ContainerAllocateResponse{
			Envs: map[string]string{"NVIDIA_VISIBLE_DEVICES": list, "TERN_GPU_DEVICES": list},
		})
	}
	return resp, nil
}

// preferred answers GetPreferredAllocation: the must-include devices, then the available ones with the
// lowest index, up to the allocation size.
func preferred(req *pluginapi.PreferredAllocationRequest) (*pluginapi.PreferredAllocationResponse, error) {
	resp := &pluginapi.PreferredAllocationResponse{}
	for i, c := range req.GetContainerRequests() {
		size := int(c.GetAllocationSize())
		if size < 0 || size > len(c.GetAvailableDeviceIDs()) {
			return nil, fmt.Errorf("container request %d: allocation size %d but %d devices available", i, size, len(c.GetAvailableDeviceIDs()))
		}
		chosen := append([]string{}, c.GetMustIncludeDeviceIDs()...)
		taken := map[string]bool{}
		for _, id := range chosen {
			taken[id] = true
		}
		rest := append([]string{}, c.GetAvailableDeviceIDs()...)
		sort.Slice(rest, func(a, b int) bool { return deviceIndex(rest[a]) < deviceIndex(rest[b]) })
		for _, id := range rest {
			if len(chosen) >= size {
				break
			}
			if !taken[id] {
				chosen = append(chosen, id)
				taken[id] = true
			}
		}
		resp.ContainerResponses = append(resp.ContainerResponses, &pluginapi.ContainerPreferredAllocationResponse{DeviceIDs: chosen})
	}
	return resp, nil
}

// deviceIndex is N of tern-gpu-N (a foreign ID sorts last).
func deviceIndex(id string) int {
	var n int
	if _, err := fmt.Sscanf(id, "tern-gpu-%d", &n); err != nil {
		return maxDevices
	}
	return n
}
