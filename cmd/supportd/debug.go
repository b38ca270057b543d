package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// With --debug-addr, supportd serves Go's profiles (net/http/pprof) on a
// listener of their own, for operators who need to see where the time
// goes: go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=20.
// It is off by default, and on a loopback address only unless
// --debug-public says otherwise: profiles tell a lot about a server.

// checkDebugAddr refuses an address that is not loopback, unless public.
func checkDebugAddr(addr string, public bool) error {
	if addr == "" || public {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--debug-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--debug-addr %q is not a loopback address: profiles are for the operator; add --debug-public to serve them there anyway", addr)
	}
	return nil
}

// debugHandler serves Go's profiles under /debug/pprof/.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// serveAside serves h on an address of its own (the profiles, the
// metrics) until the returned server is closed.
func serveAside(addr string, h http.Handler, logger *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("no longer served", "addr", ln.Addr().String(), "err", err)
		}
	}()
	logger.Info("also serving", "addr", "http://"+ln.Addr().String()+"/")
	return srv, nil
}
