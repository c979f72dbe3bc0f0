// Tests of the plugin's pure answers (devices.go) and of its command-line checks (main.go).
package main

import (
	"strings"
	"testing"

	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

func TestPreferredTakesMustIncludeThenLowestIndex(t *testing.T) {
	resp, err := preferred(&pluginapi.PreferredAllocationRequest{ContainerRequests: []*pluginapi.ContainerPreferredAllocationRequest{{
		AvailableDeviceIDs:   []string{"tern-gpu-10", "tern-gpu-7", "tern-gpu-2", "tern-gpu-5"},
		MustIncludeDeviceIDs: []string{"tern-gpu-7"},
		AllocationSize:       3,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(resp.ContainerResponses[0].DeviceIDs, ","); got != "tern-gpu-7,tern-gpu-2,tern-gpu-5" {
		t.Fatalf("preferred = %s", got)
	}
}

func TestPreferredRefusesOversizedRequest(t *testing.T) {
	_, err := preferred(&pluginapi.PreferredAllocationRequest{ContainerRequests: []*pluginapi.ContainerPreferredAllocationRequest{{
		AvailableDeviceIDs: []string{"tern-gpu-0"}, AllocationSize: 2,
	}}})
	if err == nil || !strings.Contains(err.Error(), "allocation size 2") {
		t.Fatalf("err = %v", err)
	}
}

func TestAllocateRefusesEmptyRequest(t *testing.T) {
	known := map[string]bool{"tern-gpu-0": true}
	if _, err := allocate(known, &pluginapi.AllocateRequest{ContainerRequests: []*pluginapi.ContainerAllocateRequest{{}}}); err == nil {
		t.Fatal("an allocation of no devices was accepted")
	}
}

func TestParseFlags(t *testing.T) {
	dir := t.TempDir()
	cfg, err := parseFlags([]string{"--plugin-dir=" + dir})
	if err != nil || cfg.resource != "nvidia.com/gpu" || cfg.count != 8 || cfg.pluginDir != dir {
		t.Fatalf("defaults = %+v, %v", cfg, err)
	}
	for _, bad := range [][]string{
		{"--plugin-dir=" + dir, "--count=0"},
		{"--plugin-dir=" + dir, "--count=5000"},
		{"--plugin-dir=" + dir, "--resource=gpu"},
		{"--plugin-dir=" + dir + "/missing"},
		{"--plugin-dir=" + dir, "extra"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}
