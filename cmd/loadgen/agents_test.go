package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var d []time.Duration
		for _, n := range ns {
			d = append(d, time.Duration(n)*time.Millisecond)
		}
		return d
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, test := range []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
		ok     bool
	}{
		{nil, 50, 0, false},
		{ms(7), 50, 7 * time.Millisecond, true},
		{ms(7), 100, 7 * time.Millisecond, true},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond, true},
		{ms(1, 2, 3, 4), 51, 3 * time.Millisecond, true},
		{ms(1, 2, 3, 4), 100, 4 * time.Millisecond, true},
		{ms(1, 2, 3, 4), 0, time.Millisecond, true},
		{hundred, 99, 99 * time.Millisecond, true},
		{hundred, 90, 90 * time.Millisecond, true},
		{hundred, 99.5, 100 * time.Millisecond, true},
	} {
		got, ok := percentile(test.sorted, test.p)
		if got != test.want || ok != test.ok {
			t.Errorf("percentile(%d durations, %v) = %v, %v; want %v, %v", len(test.sorted), test.p, got, ok, test.want, test.ok)
		}
	}
	if got := formatPercentile(nil, 99); got != "-" {
		t.Errorf("formatPercentile(nil) = %q, want -", got)
	}
}

func TestTextID(t *testing.T) {
	if got := textID("loadagent3", 17); got != "lg:loadagent3:17" {
		t.Errorf("textID = %q", got)
	}
	for _, test := range []struct {
		text, want string
		ok         bool
	}{
		{"lg:loadagent3:17 Je regarde votre commande, un instant.", "lg:loadagent3:17", true},
		{"lg:c12:1", "lg:c12:1", true},
		{"lg:c12:1 merci", "lg:c12:1", true},
		{"lg:loadagent.x-1:42 texte", "lg:loadagent.x-1:42", true},
		{"", "", false},
		{"bonjour", "", false},
		{"lg:", "", false},
		{"lg::3", "", false},
		{"lg:c12:", "", false},
		{"lg:c12:1x", "", false},
		{"lg:c12:-1", "", false},
		{"lg:c:12:1", "", false},
		{" lg:c12:1", "", false},
		{"LG:c12:1", "", false},
	} {
		got, ok := parseTextID(test.text)
		if got != test.want || ok != test.ok {
			t.Errorf("parseTextID(%q) = %q, %v; want %q, %v", test.text, got, ok, test.want, test.ok)
		}
	}
}

func TestAgentAddr(t *testing.T) {
	for _, test := range []struct {
		i    int
		want string
	}{
		{0, "127.0.0.2"},
		{1, "127.0.0.3"},
		{49, "127.0.0.51"},
		{253, "127.0.0.255"},
		{254, "127.0.1.0"},
		{1<<24 - 4, "127.255.255.254"},
	} {
		ip, err := agentAddr(test.i)
		if err != nil || ip.String() != test.want {
			t.Errorf("agentAddr(%d) = %v, %v; want %s", test.i, ip, err, test.want)
		}
		if err == nil && !ip.IsLoopback() {
			t.Errorf("agentAddr(%d) = %v, not loopback", test.i, ip)
		}
	}
	for _, i := range []int{-1, 1<<24 - 3} {
		if ip, err := agentAddr(i); err == nil {
			t.Errorf("agentAddr(%d) = %v, want an error", i, ip)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.3.2.1": true, "::1": true,
		"10.0.0.1": false, "example.com": false, "": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestHTTPOrigin(t *testing.T) {
	for _, test := range []struct{ url, origin, want string }{
		{"ws://127.0.0.1:18481/ws", "", "http://127.0.0.1:18481"},
		{"wss://chat.example/ws", "", "https://chat.example"},
		{"ws://localhost:8080", "", "http://localhost:8080"},
		{"ws://localhost:8080/ws", "https://shop.example", "https://shop.example"},
	} {
		if got := httpOrigin(config{url: test.url, origin: test.origin}); got != test.want {
			t.Errorf("httpOrigin(%q, %q) = %q, want %q", test.url, test.origin, got, test.want)
		}
	}
}

func TestParseCSRF(t *testing.T) {
	page := `<form method="post" action="/agent/login">
<input type="hidden" name="csrf" value="Ab-9_x&#43;y">
<label for="login">Identifiant</label>`
	if got, ok := parseCSRF(page); !ok || got != "Ab-9_x+y" {
		t.Errorf("parseCSRF = %q, %v", got, ok)
	}
	for _, page := range []string{"", `<input name="csrf" value="">`, `<input name="login">`} {
		if got, ok := parseCSRF(page); ok {
			t.Errorf("parseCSRF(%q) = %q, want none", page, got)
		}
	}
}

func TestJittered(t *testing.T) {
	for _, test := range []struct {
		r    float64
		want time.Duration
	}{
		{0, 8 * time.Second},
		{0.5, 10 * time.Second},
		{1, 12 * time.Second},
	} {
		if got := jittered(10*time.Second, test.r); got != test.want {
			t.Errorf("jittered(10s, %v) = %v, want %v", test.r, got, test.want)
		}
	}
}

func TestRelays(t *testing.T) {
	r := newRelays()
	r.send("lg:loadagent1:1", toCustomer)
	r.send("lg:loadagent1:2", toCustomer)
	r.send("lg:c1:1", toAgent)
	r.receive("lg:loadagent1:1 Je regarde", toCustomer)
	r.receive("lg:loadagent1:1 Je regarde", toCustomer) // twice
	r.receive("lg:c1:1 merci", toCustomer)              // wrong way
	r.receive("bonjour", toAgent)
	r.receive("lg:c1:1 merci", toAgent)
	if n := r.inFlight(); n != 1 {
		t.Errorf("inFlight = %d, want 1", n)
	}
	var res agentResult
	r.result(&res)
	if len(res.toCustomer) != 1 || len(res.toAgent) != 1 || res.sentToCustomer != 2 || res.sentToAgent != 1 ||
		res.lostToCustomer != 1 || res.lostToAgent != 0 || res.strays != 3 {
		t.Errorf("result: %d/%d to customers, %d/%d to agents, lost %d, %d, strays %d",
			len(res.toCustomer), res.sentToCustomer, len(res.toAgent), res.sentToAgent, res.lostToCustomer, res.lostToAgent, res.strays)
	}
}

func TestFormatErrors(t *testing.T) {
	if got := formatErrors(nil); got != "none" {
		t.Errorf("formatErrors(nil) = %q", got)
	}
	var e errorCounts
	e.add("agent", "taken")
	e.add("agent", "taken")
	e.add("customer", "rate_limited")
	e.add("agent", "capacity")
	if got, want := formatErrors(e.snapshot()), "agent capacity 1, agent taken 2, customer rate_limited 1"; got != want {
		t.Errorf("formatErrors = %q, want %q", got, want)
	}
}

// TestConnectAgent logs an agent in against a fake of supportd's login
// and /agent/ws, and checks the address it comes from, the cookies, the
// origin, and that it goes online and claims what it is offered.
func TestConnectAgent(t *testing.T) {
	frames := make(chan map[string]any, 10)
	upgrader := websocket.Upgrader{}
	var sawAddr []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /agent/login", func(w http.ResponseWriter, r *http.Request) {
		sawAddr = append(sawAddr, r.RemoteAddr)
		http.SetCookie(w, &http.Cookie{Name: "supportd_csrf", Value: "tok-123", Path: "/agent"})
		w.Write([]byte(`<input type="hidden" name="csrf" value="tok-123">`))
	})
	mux.HandleFunc("POST /agent/login", func(w http.ResponseWriter, r *http.Request) {
		sawAddr = append(sawAddr, r.RemoteAddr)
		c, err := r.Cookie("supportd_csrf")
		if err != nil || c.Value != "tok-123" || r.PostFormValue("csrf") != "tok-123" {
			http.Error(w, "csrf", http.StatusForbidden)
			return
		}
		if r.PostFormValue("login") != "loadagent2" || r.PostFormValue("password") != "secret-password" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "supportd_agent", Value: "session-1", Path: "/agent"})
		http.Redirect(w, r, "/agent", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /agent/ws", func(w http.ResponseWriter, r *http.Request) {
		sawAddr = append(sawAddr, r.RemoteAddr)
		if c, err := r.Cookie("supportd_agent"); err != nil || c.Value != "session-1" {
			http.Error(w, "no session", http.StatusUnauthorized)
			return
		}
		if r.Header.Get("Origin") != "http://"+r.Host {
			http.Error(w, "origin", http.StatusForbidden)
			return
		}
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		ws.WriteJSON(map[string]any{"type": "welcome", "v": 1, "assign": "claim",
			"agent": map[string]any{"login": "loadagent2", "capacity": 1, "status": "offline"}})
		for {
			var f map[string]any
			if ws.ReadJSON(&f) != nil {
				return
			}
			frames <- f
			if f["type"] == "presence" {
				ws.WriteJSON(map[string]any{"type": "presence", "agent": map[string]any{"login": "loadagent2", "status": "online"}})
				ws.WriteJSON(map[string]any{"type": "queued", "item": map[string]any{"conversation": "c_1"}})
				ws.WriteJSON(map[string]any{"type": "queued", "item": map[string]any{"conversation": "c_2"}})
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cfg := config{url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws", agents: 2, agentPrefix: "loadagent",
		agentPassword: "secret-password", agentInterval: time.Second}
	tg := target{customerURL: cfg.url, origin: httpOrigin(cfg), base: srv.URL, loginURL: srv.URL + "/agent/login",
		wsURL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/agent/ws"}
	run := &agentRun{cfg: cfg, targets: []target{tg}, measuring: make(chan struct{}),
		relays: newRelays(), errs: &errorCounts{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run.writeCtx = ctx
	a, err := run.connectAgent(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer a.ws.Close()
	for _, addr := range sawAddr {
		if host, _, _ := net.SplitHostPort(addr); host != "127.0.0.3" {
			t.Errorf("request from %s, want 127.0.0.3", addr)
		}
	}
	if len(sawAddr) != 3 {
		t.Errorf("%d requests, want 3", len(sawAddr))
	}
	want := []map[string]any{
		{"type": "presence", "status": "online"},
		{"type": "claim", "conversation": "c_1"}, // capacity 1: c_2 is not claimed
	}
	for _, w := range want {
		select {
		case f := <-frames:
			if f["type"] != w["type"] || f["status"] != w["status"] || f["conversation"] != w["conversation"] {
				t.Errorf("frame %v, want %v", f, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no frame, want %v", w)
		}
	}
	select {
	case f := <-frames:
		t.Errorf("unexpected frame %v", f)
	case <-time.After(100 * time.Millisecond):
	}
	if !waitFor(ctx, 5*time.Second, func() bool { return run.online.Load() == 1 }) {
		t.Error("the agent is not counted online")
	}
	if got := run.assignMode(); got != "claim" {
		t.Errorf("assign = %q", got)
	}
}

// TestNoClaimInRoundRobin: where the server assigns, agents claim nothing.
func TestNoClaimInRoundRobin(t *testing.T) {
	run := &agentRun{errs: &errorCounts{}}
	run.assign.Store("round-robin")
	// No socket: a claim sent would panic.
	a := &agent{run: run, capacity: 3, held: map[string]context.CancelFunc{}, claiming: map[string]bool{}}
	a.claim("c_1")
	if len(a.claiming) != 0 {
		t.Errorf("claiming %v in round-robin", a.claiming)
	}
}
