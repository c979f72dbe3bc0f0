// tern-gpu-plugin: a fake-GPU Kubernetes device plugin for the local cluster's real node. It advertises
// --count healthy devices (tern-gpu-0..N-1) of --resource to the kubelet whose device-plugin directory
// is --plugin-dir, and hands containers NVIDIA_VISIBLE_DEVICES / TERN_GPU_DEVICES naming their devices.
// It re-registers when the kubelet restarts and exits cleanly on SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"
)

// resourcePattern is an extended resource name: a DNS domain, a slash, a name.
var resourcePattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)

// parseFlags reads and checks the command line.
func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("tern-gpu-plugin", flag.ContinueOnError)
	cfg := config{poll: 500 * time.Millisecond}
	fs.StringVar(&cfg.resource, "resource", "nvidia.com/gpu", "extended resource name to advertise")
	fs.IntVar(&cfg.count, "count", 8, "number of fake devices")
	fs.StringVar(&cfg.pluginDir, "plugin-dir", "/var/lib/kubelet/device-plugins", "the kubelet's device-plugin directory (<kubelet --root-dir>/device-plugins)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if !resourcePattern.MatchString(cfg.resource) {
		return cfg, fmt.Errorf("--resource=%q is not an extended resource name like nvidia.com/gpu", cfg.resource)
	}
	if cfg.count < 1 || cfg.count > maxDevices {
		return cfg, fmt.Errorf("--count=%d is out of range 1..%d", cfg.count, maxDevices)
	}
	if info, err := os.Stat(cfg.pluginDir); err != nil || !info.IsDir() {
		return cfg, fmt.Errorf("--plugin-dir=%q is not a directory", cfg.pluginDir)
	}
	return cfg, nil
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("tern-gpu-plugin: ")
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "tern-gpu-plugin: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		log.Fatal(err)
	}
	log.Printf("stopped")
}
