//go:build !unix

package main

import "time"

// processCPU is not available here; throughput falls back to wall time.
func processCPU() (time.Duration, bool) { return 0, false }
