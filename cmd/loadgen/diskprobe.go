package main

import (
	"fmt"
	"os"
	"slices"
	"time"
)

// With -disk-probe DIR, loadgen times the disk under the store instead of
// putting load: 4 KiB written over a file's written blocks and flushed
// (fdatasync on Linux), diskProbeWrites times in a row, as a commit of the
// embedded store flushes its pages. The embedded store's tail at a few
// hundred answers a second follows these flushes (docs/benchmarks.md), and
// on this project's shared machine they have ranged from 36 µs to 270 µs
// at the median from one evening to the next: bench-ab.sh prints the
// probe before and after its runs, so that a figure comes with the state
// of the disk it was measured on.

const (
	diskProbeWrites = 2000
	// diskProbeSpan is the file written over, in blocks of 4 KiB.
	diskProbeSpan = 64
)

// diskProbe is the result of a probe: the time of one write and its flush.
type diskProbe struct {
	p50, p99, max time.Duration
}

func (p diskProbe) String() string {
	return fmt.Sprintf("disk: 4 KiB written and flushed, %d times: p50 %v  p99 %v  max %v",
		diskProbeWrites, p.p50.Round(time.Microsecond), p.p99.Round(time.Microsecond), p.max.Round(time.Microsecond))
}

// probeDisk runs the probe in a file of its own in dir, removed after.
func probeDisk(dir string) (diskProbe, error) {
	f, err := os.CreateTemp(dir, "loadgen-disk-probe-*")
	if err != nil {
		return diskProbe{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	block := make([]byte, 4096)
	// The blocks are written and flushed once first, so that the probe
	// times flushes of data, not the file system allocating blocks.
	for i := range diskProbeSpan {
		if _, err := f.WriteAt(block, int64(i)*int64(len(block))); err != nil {
			return diskProbe{}, err
		}
	}
	if err := flushData(f); err != nil {
		return diskProbe{}, err
	}
	took := make([]time.Duration, diskProbeWrites)
	for i := range took {
		began := time.Now()
		if _, err := f.WriteAt(block, int64(i%diskProbeSpan)*int64(len(block))); err != nil {
			return diskProbe{}, err
		}
		if err := flushData(f); err != nil {
			return diskProbe{}, err
		}
		took[i] = time.Since(began)
	}
	slices.Sort(took)
	return diskProbe{p50: took[len(took)/2], p99: took[len(took)*99/100], max: took[len(took)-1]}, nil
}

// runDiskProbe prints the probe of the folder dir.
func runDiskProbe(dir string) error {
	p, err := probeDisk(dir)
	if err != nil {
		return fmt.Errorf("disk probe: %w", err)
	}
	fmt.Println(p)
	return nil
}
