package main

import (
	"os"
	"strings"
	"testing"
)

// TestDiskProbe: the probe times its writes in order (p50 ≤ p99 ≤ max,
// none free), prints them, and leaves no file behind.
func TestDiskProbe(t *testing.T) {
	dir := t.TempDir()
	p, err := probeDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.p50 <= 0 || p.p50 > p.p99 || p.p99 > p.max {
		t.Errorf("probe out of order: %+v", p)
	}
	if s := p.String(); !strings.Contains(s, "p50") || !strings.Contains(s, "max") {
		t.Errorf("printed as %q", s)
	}
	if left, err := os.ReadDir(dir); err != nil || len(left) != 0 {
		t.Errorf("left behind: %v, %v", left, err)
	}
	if _, err := probeDisk(dir + "/missing"); err == nil {
		t.Error("a missing folder: no error")
	}
}
