// The plugin's life cycle: serve the DevicePlugin socket in the plugin directory, register with the
// kubelet, and start over when the kubelet restarts (it recreates kubelet.sock and deletes the plugin
// sockets) until the context ends; then stop serving and remove the socket.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

type config struct {
	resource  string
	count     int
	pluginDir string
	poll      time.Duration // how often the sockets are checked
}

// socketName is this plugin's socket file in the plugin directory, derived from the resource name.
func socketName(resource string) string {
	return "tern-" + strings.NewReplacer("/", "-").Replace(resource) + ".sock"
}

// run serves and registers until ctx ends, starting over whenever the kubelet restarts.
func run(ctx context.Context, cfg config) error {
	kubeletSocket := filepath.Join(cfg.pluginDir, kubeletSocketName)
	for ctx.Err() == nil {
		kubeletID, err := waitForSocket(ctx, kubeletSocket, cfg.poll)
		if err != nil {
			return nil // ctx ended while waiting
		}
		if err := serveOnce(ctx, cfg, kubeletSocket, kubeletID); err != nil {
			log.Printf("%v; retrying in 1s", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}

// serveOnce serves the plugin socket and registers, then returns when ctx ends (nil) or when the
// kubelet restarted or deleted the plugin socket (nil: the caller starts over), or on an error.
func serveOnce(ctx context.Context, cfg config, kubeletSocket string, kubeletID fileID) error {
	name := socketName(cfg.resource)
	path := filepath.Join(cfg.pluginDir, name)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale %s: %w", path, err)
	}
	lis, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", path, err)
	}
	own, err := statID(path)
	if err != nil {
		lis.Close()
		return fmt.Errorf("stat own socket: %w", err)
	}
	stop := make(chan struct{})
	server := grpc.NewServer()
	pluginapi.RegisterDevicePluginServer(server, newDevicePlugin(cfg.count, stop))
	served := make(chan error, 1)
	go func() { served <- server.Serve(lis) }()
	defer func() { // Stop closes the listener, which unlinks the socket file
		close(stop)
		server.Stop()
	}()
	log.Printf("serving %s (%d devices) on %s", cfg.resource, cfg.count, path)
	if err := register(ctx, kubeletSocket, name, cfg.resource); err != nil {
		return err
	}
	log.Printf("registered %s with %s", cfg.resource, kubeletSocket)
	ticker := time.NewTicker(cfg.poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			log.Printf("stopping: removing %s", path)
			return nil
		case err := <-served:
			return fmt.Errorf("gRPC server on %s stopped: %v", path, err)
		case <-ticker.C:
			if id, err := statID(kubeletSocket); err != nil || id != kubeletID {
				log.Printf("kubelet restarted (%s recreated): serving and registering again", kubeletSocket)
				return nil
			}
			if id, err := statID(path); err != nil || id != own {
				log.Printf("%s was deleted (kubelet restart): serving and registering again", path)
				return nil
			}
		}
	}
}

// fileID tells one file from a later one at the same path.
type fileID struct{ dev, ino uint64 }

func statID(path string) (fileID, error) {
	info, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, fmt.Errorf("no inode for %s", path)
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino}, nil
}

// waitForSocket waits until path exists (logging once while it does not) and returns its fileID.
func waitForSocket(ctx context.Context, path string, poll time.Duration) (fileID, error) {
	logged := false
	for {
		if id, err := statID(path); err == nil {
			return id, nil
		}
		if !logged {
			log.Printf("waiting for the kubelet's %s", path)
			logged = true
		}
		select {
		case <-ctx.Done():
			return fileID{}, ctx.Err()
		case <-time.After(poll):
		}
	}
}
