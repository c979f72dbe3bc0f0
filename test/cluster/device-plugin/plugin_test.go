// End-to-end tests of the plugin against a fake kubelet registration server on a unix socket in a
// temporary directory: registration, ListAndWatch, Allocate, re-registration after a kubelet restart,
// and a clean stop.
package main

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

// fakeKubelet records the Register calls it gets on <dir>/kubelet.sock.
type fakeKubelet struct {
	pluginapi.UnimplementedRegistrationServer
	requests chan *pluginapi.RegisterRequest
	server   *grpc.Server
}

func (k *fakeKubelet) Register(_ context.Context, req *pluginapi.RegisterRequest) (*pluginapi.Empty, error) {
	k.requests <- req
	return &pluginapi.Empty{}, nil
}

func startFakeKubelet(t *testing.T, dir string) *fakeKubelet {
	t.Helper()
	lis, err := net.Listen("unix", filepath.Join(dir, kubeletSocketName))
	if err != nil {
		t.Fatal(err)
	}
	k := &fakeKubelet{requests: make(chan *pluginapi.RegisterRequest, 4), server: grpc.NewServer()}
	pluginapi.RegisterRegistrationServer(k.server, k)
	go func() { _ = k.server.Serve(lis) }()
	t.Cleanup(k.server.Stop)
	return k
}

func (k *fakeKubelet) nextRegistration(t *testing.T) *pluginapi.RegisterRequest {
	t.Helper()
	select {
	case req := <-k.requests:
		return req
	case <-time.After(10 * time.Second):
		t.Fatal("the plugin did not register within 10s")
		return nil
	}
}

// shortTempDir keeps socket paths under the 108-byte unix socket limit.
func shortTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "dp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startPlugin runs the plugin until the test ends; the returned function stops it and waits.
func startPlugin(t *testing.T, dir string, count int) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, config{resource: "nvidia.com/gpu", count: count, pluginDir: dir, poll: 20 * time.Millisecond})
	}()
	stop := func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not return within 10s of cancel")
		}
	}
	t.Cleanup(cancel)
	return stop
}

func dialPlugin(t *testing.T, dir, endpoint string) pluginapi.DevicePluginClient {
	t.Helper()
	conn, err := grpc.NewClient("unix://"+filepath.Join(dir, endpoint), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pluginapi.NewDevicePluginClient(conn)
}

func TestRegistersListsAndAllocates(t *testing.T) {
	dir := shortTempDir(t)
	kubelet := startFakeKubelet(t, dir)
	stop := startPlugin(t, dir, 3)

	req := kubelet.nextRegistration(t)
	if req.Version != "v1beta1" || req.ResourceName != "nvidia.com/gpu" || req.Endpoint != "tern-nvidia.com-gpu.sock" {
		t.Fatalf("register request = %v", req)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := dialPlugin(t, dir, req.Endpoint)

	opts, err := client.GetDevicePluginOptions(ctx, &pluginapi.Empty{})
	if err != nil || opts.PreStartRequired || !opts.GetPreferredAllocationAvailable {
		t.Fatalf("options = %v, %v", opts, err)
	}
	stream, err := client.ListAndWatch(ctx, &pluginapi.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range list.Devices {
		if d.Health != pluginapi.Healthy {
			t.Errorf("device %s health %q", d.ID, d.Health)
		}
		got = append(got, d.ID)
	}
	if strings.Join(got, ",") != "tern-gpu-0,tern-gpu-1,tern-gpu-2" {
		t.Fatalf("ListAndWatch devices = %v", got)
	}

	alloc, err := client.Allocate(ctx, &pluginapi.AllocateRequest{ContainerRequests: []*pluginapi.ContainerAllocateRequest{{DevicesIds: []string{"tern-gpu-2", "tern-gpu-0"}}}})
	if err != nil {
		t.Fatal(err)
	}
	envs := alloc.ContainerResponses[0].Envs
	if envs["NVIDIA_VISIBLE_DEVICES"] != "tern-gpu-2,tern-gpu-0" || envs["TERN_GPU_DEVICES"] != "tern-gpu-2,tern-gpu-0" {
		t.Fatalf("Allocate envs = %v", envs)
	}

	_, err = client.Allocate(ctx, &pluginapi.AllocateRequest{ContainerRequests: []*pluginapi.ContainerAllocateRequest{{DevicesIds: []string{"tern-gpu-0", "tern-gpu-3"}}}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), `"tern-gpu-3"`) {
		t.Fatalf("Allocate of an unknown device: err = %v, want InvalidArgument naming tern-gpu-3", err)
	}

	if _, err := client.PreStartContainer(ctx, &pluginapi.PreStartContainerRequest{DevicesIds: []string{"tern-gpu-0"}}); err != nil {
		t.Fatalf("PreStartContainer: %v", err)
	}

	stop()
	if _, err := os.Stat(filepath.Join(dir, req.Endpoint)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("plugin socket still there after stop: %v", err)
	}
}

func TestReregistersWhenKubeletRestarts(t *testing.T) {
	dir := shortTempDir(t)
	first := startFakeKubelet(t, dir)
	startPlugin(t, dir, 2)
	req := first.nextRegistration(t)

	// A kubelet restart: its socket is recreated and the plugin sockets are deleted.
	first.server.Stop()
	os.Remove(filepath.Join(dir, kubeletSocketName))
	os.Remove(filepath.Join(dir, req.Endpoint))
	second := startFakeKubelet(t, dir)

	again := second.nextRegistration(t)
	if again.Endpoint != req.Endpoint || again.ResourceName != req.ResourceName {
		t.Fatalf("re-registration = %v, first was %v", again, req)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := dialPlugin(t, dir, again.Endpoint).GetDevicePluginOptions(ctx, &pluginapi.Empty{}); err != nil {
		t.Fatalf("the plugin does not serve again after the restart: %v", err)
	}
}

func TestWaitsForKubeletSocket(t *testing.T) {
	dir := shortTempDir(t)
	startPlugin(t, dir, 1)
	time.Sleep(100 * time.Millisecond) // the plugin polls for a kubelet that is not there yet
	kubelet := startFakeKubelet(t, dir)
	if req := kubelet.nextRegistration(t); req.ResourceName != "nvidia.com/gpu" {
		t.Fatalf("register request = %v", req)
	}
}
