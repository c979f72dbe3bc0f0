// Registration with the kubelet: a Register call on the kubelet's kubelet.sock (in the plugin directory)
// naming this plugin's socket and resource.
package main

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

// kubeletSocketName is the kubelet's registration socket in the plugin directory.
const kubeletSocketName = "kubelet.sock"

// register tells the kubelet listening on kubeletSocket that resource is served on endpoint (a socket
// file name in the same directory).
func register(ctx context.Context, kubeletSocket, endpoint, resource string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := grpc.NewClient("unix://"+kubeletSocket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", kubeletSocket, err)
	}
	defer conn.Close()
	_, err = pluginapi.NewRegistrationClient(conn).Register(ctx, &pluginapi.RegisterRequest{
		Version:      pluginapi.Version,
		Endpoint:     endpoint,
		ResourceName: resource,
		Options:      &pluginapi.DevicePluginOptions{GetPreferredAllocationAvailable: true},
	}, grpc.WaitForReady(true))
	if err != nil {
		return fmt.Errorf("register %s with %s: %w", resource, kubeletSocket, err)
	}
	return nil
}
