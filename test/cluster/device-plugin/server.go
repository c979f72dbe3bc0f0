// The gRPC DevicePlugin service the kubelet calls on the plugin's socket: it wraps the pure answers of
// devices.go and keeps ListAndWatch streams open until the plugin stops.
package main

import (
	"context"
	"log"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

type devicePlugin struct {
	pluginapi.UnimplementedDevicePluginServer
	ids   []string
	known map[string]bool
	stop  <-chan struct{} // closed when the server stops: ends the ListAndWatch streams
}

func newDevicePlugin(count int, stop <-chan struct{}) *devicePlugin {
	ids := deviceIDs(count)
	known := make(map[string]bool, len(ids))
	for _, id := range ids {
		known[id] = true
	}
	return &devicePlugin{ids: ids, known: known, stop: stop}
}

func (p *devicePlugin) GetDevicePluginOptions(context.Context, *pluginapi.Empty) (*pluginapi.DevicePluginOptions, error) {
	return &pluginapi.DevicePluginOptions{PreStartRequired: false, GetPreferredAllocationAvailable: true}, nil
}

// ListAndWatch sends the device list once (the fake devices never change health), then holds the stream.
func (p *devicePlugin) ListAndWatch(_ *pluginapi.Empty, stream grpc.ServerStreamingServer[pluginapi.ListAndWatchResponse]) error {
	log.Printf("ListAndWatch: advertising %d healthy devices", len(p.ids))
	if err := stream.Send(&pluginapi.ListAndWatchResponse{Devices: healthyDevices(p.ids)}); err != nil {
		return err
	}
	select {
	case <-stream.Context().Done():
	case <-p.stop:
	}
	return nil
}

func (p *devicePlugin) GetPreferredAllocation(_ context.Context, req *pluginapi.PreferredAllocationRequest) (*pluginapi.PreferredAllocationResponse, error) {
	resp, err := preferred(req)
	if err != nil {
		log.Printf("GetPreferredAllocation refused: %v", err)
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return resp, nil
}

func (p *devicePlugin) Allocate(_ context.Context, req *pluginapi.AllocateRequest) (*pluginapi.AllocateResponse, error) {
	resp, err := allocate(p.known, req)
	if err != nil {
		log.Printf("Allocate refused: %v", err)
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	for _, c := range req.GetContainerRequests() {
		log.Printf("Allocate: %s", strings.Join(c.GetDevicesIds(), ","))
	}
	return resp, nil
}

// PreStartContainer is not required (PreStartRequired is false); it answers for completeness.
func (p *devicePlugin) PreStartContainer(context.Context, *pluginapi.PreStartContainerRequest) (*pluginapi.PreStartContainerResponse, error) {
	return &pluginapi.PreStartContainerResponse{}, nil
}
