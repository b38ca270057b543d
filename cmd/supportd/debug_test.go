package main

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestDebugAddr: --debug-addr serves the profiles on a loopback address;
// one that is not loopback is refused, unless --debug-public.
func TestDebugAddr(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:6060": true, "localhost:6060": true, "[::1]:6060": true, "0.0.0.0:6060": false, ":6060": false, "192.0.2.1:6060": false} {
		if err := checkDebugAddr(addr, false); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if err := checkDebugAddr("0.0.0.0:6060", true); err != nil {
		t.Errorf("with --debug-public: %v", err)
	}
	if _, stderr, err := runCmd(t, "", "serve", "--debug-addr", "0.0.0.0:6060"); !errors.Is(err, errUsage) || !strings.Contains(stderr, "loopback") {
		t.Errorf("serve --debug-addr 0.0.0.0:6060: %v, %q", err, stderr)
	}

	addr := freeAddr(t)
	srv := startServer(t, t.TempDir(), "--debug-addr", addr)
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine profile") {
		t.Errorf("profiles: %d %.200s", resp.StatusCode, body)
	}
	// The chat's own address serves no profile.
	resp, err = http.Get("http://" + srv.addr + "/debug/pprof/")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("the chat's address serves the profiles")
		}
	}
}

// freeAddr returns a loopback address with a port free at the time.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestParseSize reads the sizes --memory-limit takes, and refuses the rest
// with an error.
func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"400MiB": 400 << 20, "1GiB": 1 << 30, "512 MB": 512 << 20, "2048": 2048, "64KiB": 64 << 10, "10B": 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1MiB", "0", "1.5GiB", "12TB", "99999999999999GiB", "lots"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
	var out strings.Builder
	if _, err := parseServeFlags([]string{"--memory-limit", "beaucoup"}, &out); err == nil || !strings.Contains(out.String(), "--memory-limit") {
		t.Errorf("a bad --memory-limit: %v, %q", err, out.String())
	}
}

// TestGCPercent: the collector's target is 50 % unless GOGC or the flag
// set another, and a negative one is refused.
func TestGCPercent(t *testing.T) {
	var out strings.Builder
	t.Setenv("GOGC", "")
	t.Setenv("SUPPORTD_GC_PERCENT", "")
	if cfg, err := parseServeFlags(nil, &out); err != nil || cfg.gcPercent != defaultGCPercent {
		t.Errorf("default: %d, %v", cfg.gcPercent, err)
	}
	if cfg, err := parseServeFlags([]string{"--gc-percent", "80"}, &out); err != nil || cfg.gcPercent != 80 {
		t.Errorf("--gc-percent 80: %d, %v", cfg.gcPercent, err)
	}
	t.Setenv("GOGC", "200")
	if cfg, err := parseServeFlags(nil, &out); err != nil || cfg.gcPercent != 0 {
		t.Errorf("with GOGC set: %d (0: GOGC's), %v", cfg.gcPercent, err)
	}
	out.Reset()
	if _, err := parseServeFlags([]string{"--gc-percent", "-5"}, &out); err == nil || !strings.Contains(out.String(), "--gc-percent") {
		t.Errorf("a negative --gc-percent: %v, %q", err, out.String())
	}
}

// FuzzParseSize: any text gets a size or an error, never a panic, and a
// size is positive.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"400MiB", "1 GiB", "12", "-3KB", "9223372036854775807B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := parseSize(s); err == nil && n <= 0 {
			t.Errorf("parseSize(%q) = %d", s, n)
		}
	})
}
