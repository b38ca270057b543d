package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// RunAgents runs the conformance suite of [store.Agents], as subtests of t
// that run in parallel. open and reopen are as for [Run]; the stores they
// return must implement store.Agents.
func RunAgents(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	for _, test := range []struct {
		name string
		fn   func(t *testing.T, h *harness, ag func() store.Agents)
	}{
		{"AddAgent", testAddAgent},
		{"AgentInvalid", testAgentInvalid},
		{"Password", testAgentPassword},
		{"Presence", testAgentPresence},
		{"RoleAndDisabled", testAgentRoleAndDisabled},
		{"Session", testSession},
		{"SessionExpired", testSessionExpired},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			s, reopen := open(t)
			t.Cleanup(func() { s.Close() })
			h := &harness{s: s, reopen: reopen}
			ag := func() store.Agents {
				a, ok := h.s.(store.Agents)
				if !ok {
					t.Fatalf("%T does not implement store.Agents", h.s)
				}
				return a
			}
			ag()
			test.fn(t, h, ag)
		})
	}
}

var agentBase = time.Date(2026, 11, 23, 9, 30, 0, 123456000, time.UTC)

func testAddAgent(t *testing.T, h *harness, ag func() store.Agents) {
	ctx := t.Context()
	if list, err := ag().ListAgents(ctx); err != nil || len(list) != 0 {
		t.Fatalf("ListAgents of an empty store: %v, %v", list, err)
	}
	a := &store.Agent{Login: "Zoe.Martin", Name: "Zoé <Martin>", PasswordHash: []byte("$2a$hash")}
	if err := ag().AddAgent(ctx, a); err != nil {
		t.Fatalf("AddAgent: %v", err)
	}
	if a.Login != "zoe.martin" || a.Capacity != store.DefaultCapacity || a.CreatedAt.IsZero() {
		t.Errorf("AddAgent set %+v; want lower-cased login, capacity %d, a creation time", a, store.DefaultCapacity)
	}
	if err := ag().AddAgent(ctx, &store.Agent{Login: "ZOE.MARTIN", PasswordHash: []byte("x")}); !errors.Is(err, store.ErrExists) {
		t.Errorf("AddAgent of a taken login in another case: %v, want ErrExists", err)
	}
	b := &store.Agent{Login: "alex_1-b", PasswordHash: []byte("h2"), Capacity: 5, CreatedAt: agentBase}
	if err := ag().AddAgent(ctx, b); err != nil {
		t.Fatal(err)
	}
	h.closeAndReopen(t)
	got, err := ag().Agent(ctx, "ZOE.martin")
	if err != nil {
		t.Fatalf("Agent after reopening: %v", err)
	}
	if got.Login != "zoe.martin" || got.Name != a.Name || !bytes.Equal(got.PasswordHash, a.PasswordHash) || got.Capacity != 3 || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("Agent = %+v, want %+v", got, a)
	}
	if _, err := ag().Agent(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Agent(nobody): %v, want ErrNotFound", err)
	}
	list, err := ag().ListAgents(ctx)
	if err != nil || len(list) != 2 || list[0].Login != "alex_1-b" || list[1].Login != "zoe.martin" {
		t.Fatalf("ListAgents = %+v, %v; want alex_1-b, zoe.martin", list, err)
	}
	if list[0].Capacity != 5 || !list[0].CreatedAt.Equal(agentBase) {
		t.Errorf("ListAgents[0] = %+v", list[0])
	}
}

func testAgentInvalid(t *testing.T, h *harness, ag func() store.Agents) {
	ctx := t.Context()
	long := string(bytes.Repeat([]byte("a"), 65))
	for _, a := range []store.Agent{
		{Login: "", PasswordHash: []byte("h")},
		{Login: long, PasswordHash: []byte("h")},
		{Login: "zoé", PasswordHash: []byte("h")},
		{Login: "a b", PasswordHash: []byte("h")},
		{Login: "a@b", PasswordHash: []byte("h")},
		{Login: "ok"},
		{Login: "ok", PasswordHash: []byte("h"), Capacity: -1},
		{Login: "ok", PasswordHash: []byte("h"), Name: "a\x00b"},
	} {
		if err := ag().AddAgent(ctx, &a); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AddAgent(%q, %q, %d): %v, want ErrInvalid", a.Login, a.PasswordHash, a.Capacity, err)
		}
	}
	if err := ag().AddAgent(ctx, &store.Agent{Login: long[:64], PasswordHash: []byte("h")}); err != nil {
		t.Errorf("AddAgent of a 64-character login: %v", err)
	}
	if list, _ := ag().ListAgents(ctx); len(list) != 1 {
		t.Errorf("%d agents stored, want 1", len(list))
	}
}

func testAgentPresence(t *testing.T, h *harness, ag func() store.Agents) {
	ctx := t.Context()
	a := &store.Agent{Login: "zoe", PasswordHash: []byte("h")}
	if err := ag().AddAgent(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Presence != "offline" {
		t.Errorf("a new agent's presence is %q, want offline", a.Presence)
	}
	if got, err := ag().Agent(ctx, "zoe"); err != nil || got.Presence != "offline" {
		t.Errorf("Agent of a new agent: %+v, %v; want presence offline", got, err)
	}
	if err := ag().SetAgentPresence(ctx, "Zoe", "online"); err != nil {
		t.Fatalf("SetAgentPresence: %v", err)
	}
	if err := ag().SetAgentPresence(ctx, "zoe", "busy"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetAgentPresence(busy): %v, want ErrInvalid", err)
	}
	if err := ag().SetAgentPresence(ctx, "nobody", "online"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetAgentPresence(nobody): %v, want ErrNotFound", err)
	}
	h.closeAndReopen(t)
	if got, err := ag().Agent(ctx, "zoe"); err != nil || got.Presence != "online" {
		t.Errorf("Agent after SetAgentPresence(online) and a reopen: %+v, %v", got, err)
	}
	if list, err := ag().ListAgents(ctx); err != nil || len(list) != 1 || list[0].Presence != "online" {
		t.Errorf("ListAgents after SetAgentPresence(online): %+v, %v", list, err)
	}
	// Another change keeps the password.
	if err := ag().SetAgentPresence(ctx, "zoe", "away"); err != nil {
		t.Fatal(err)
	}
	if got, err := ag().Agent(ctx, "zoe"); err != nil || got.Presence != "away" || string(got.PasswordHash) != "h" {
		t.Errorf("Agent after SetAgentPresence(away): %+v, %v", got, err)
	}
}

func testAgentRoleAndDisabled(t *testing.T, h *harness, ag func() store.Agents) {
	ctx := t.Context()
	a := &store.Agent{Login: "zoe", PasswordHash: []byte("h")}
	b := &store.Agent{Login: "boss", PasswordHash: []byte("h"), Role: store.RoleAdmin}
	for _, x := range []*store.Agent{a, b} {
		if err := ag().AddAgent(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if a.Role != store.RoleAgent {
		t.Errorf("the default role is %q", a.Role)
	}
	if err := ag().AddAgent(ctx, &store.Agent{Login: "x", PasswordHash: []byte("h"), Role: "root"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an unknown role: %v, want ErrInvalid", err)
	}
	if err := ag().SetAgentDisabled(ctx, "ZOE", true); err != nil {
		t.Fatalf("SetAgentDisabled: %v", err)
	}
	if err := ag().SetAgentDisabled(ctx, "nobody", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetAgentDisabled(nobody): %v, want ErrNotFound", err)
	}
	h.closeAndReopen(t)
	if got, _ := ag().Agent(ctx, "zoe"); got == nil || !got.Disabled || got.Role != store.RoleAgent || string(got.PasswordHash) != "h" {
		t.Errorf("zoe after being disabled: %+v", got)
	}
	if got, _ := ag().Agent(ctx, "boss"); got == nil || got.Disabled || got.Role != store.RoleAdmin {
		t.Errorf("boss: %+v", got)
	}
	if err := ag().SetAgentDisabled(ctx, "zoe", false); err != nil {
		t.Fatal(err)
	}
	if got, _ := ag().Agent(ctx, "zoe"); got == nil || got.Disabled {
		t.Errorf("zoe enabled again: %+v", got)
	}
}

func testAgentPassword(t *testing.T, h *harness, ag func() store.Agents) {
	ctx := t.Context()
	if err := ag().AddAgent(ctx, &store.Agent{Login: "zoe", PasswordHash: []byte("old")}); err != nil {
		t.Fatal(err)
	}
	if err := ag().SetAgentPassword(ctx, "Zoe", []byte("new")); err != nil {
		t.Fatalf("SetAgentPassword: %v", err)
	}
	if err := ag().SetAgentPassword(ctx, "nobody", []byte("new")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetAgentPassword(nobody): %v, want ErrNotFound", err)
	}
	if err := ag().SetAgentPassword(ctx, "zoe", nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetAgentPassword(empty hash): %v, want ErrInvalid", err)
	}
	h.closeAndReopen(t)
	if a, err := ag().Agent(ctx, "zoe"); err != nil || string(a.PasswordHash) != "new" {
		t.Errorf("Agent after SetAgentPassword: %+v, %v", a, err)
	}
}

func testSession(t *testing.T, h *harness, ag func() store.Agents) {
	ctx := t.Context()
	if err := ag().AddAgent(ctx, &store.Agent{Login: "zoe", PasswordHash: []byte("h")}); err != nil {
		t.Fatal(err)
	}
	s := &store.AgentSession{ID: "secret-1", Login: "Zoe", CSRF: "csrf-1", CreatedAt: agentBase, ExpiresAt: time.Now().Add(time.Hour)}
	if err := ag().CreateSession(ctx, s); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if !bytes.Equal(s.IDHash, store.SessionHash("secret-1")) {
		t.Errorf("IDHash = %x, want the SHA-256 of the id", s.IDHash)
	}
	if err := ag().CreateSession(ctx, &store.AgentSession{ID: "secret-1", Login: "zoe", CSRF: "c", ExpiresAt: time.Now().Add(time.Hour)}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateSession with the same id: %v, want ErrExists", err)
	}
	if err := ag().CreateSession(ctx, &store.AgentSession{ID: "secret-2", Login: "nobody", CSRF: "c", ExpiresAt: time.Now().Add(time.Hour)}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CreateSession of an unknown agent: %v, want ErrNotFound", err)
	}
	for _, bad := range []store.AgentSession{
		{Login: "zoe", CSRF: "c", ExpiresAt: time.Now().Add(time.Hour)},
		{ID: "x", Login: "zoe", ExpiresAt: time.Now().Add(time.Hour)},
		{ID: "x", Login: "zoe", CSRF: "c"},
	} {
		if err := ag().CreateSession(ctx, &bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("CreateSession(%+v): %v, want ErrInvalid", bad, err)
		}
	}
	h.closeAndReopen(t)
	got, err := ag().Session(ctx, store.SessionHash("secret-1"))
	if err != nil {
		t.Fatalf("Session after reopening: %v", err)
	}
	if got.ID != "" || got.Login != "zoe" || got.CSRF != "csrf-1" || !got.CreatedAt.Equal(agentBase) || !got.ExpiresAt.Equal(s.ExpiresAt) {
		t.Errorf("Session = %+v, want %+v without ID", got, s)
	}
	for _, hash := range [][]byte{nil, []byte("secret-1"), store.SessionHash("secret-2")} {
		if _, err := ag().Session(ctx, hash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Session(%x): %v, want ErrNotFound", hash, err)
		}
	}
	if err := ag().DeleteSession(ctx, store.SessionHash("secret-1")); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := ag().Session(ctx, store.SessionHash("secret-1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session after DeleteSession: %v, want ErrNotFound", err)
	}
	if err := ag().DeleteSession(ctx, store.SessionHash("secret-1")); err != nil {
		t.Errorf("DeleteSession again: %v", err)
	}
}

func testSessionExpired(t *testing.T, h *harness, ag func() store.Agents) {
	ctx := t.Context()
	if err := ag().AddAgent(ctx, &store.Agent{Login: "zoe", PasswordHash: []byte("h")}); err != nil {
		t.Fatal(err)
	}
	for i, exp := range []time.Duration{-time.Hour, -time.Second, time.Hour} {
		s := &store.AgentSession{ID: fmt.Sprint("s", i), Login: "zoe", CSRF: "c", ExpiresAt: time.Now().Add(exp)}
		if err := ag().CreateSession(ctx, s); err != nil {
			t.Fatalf("CreateSession(expires in %v): %v", exp, err)
		}
	}
	for i, want := range []bool{false, false, true} {
		_, err := ag().Session(ctx, store.SessionHash(fmt.Sprint("s", i)))
		if found := err == nil; found != want || (err != nil && !errors.Is(err, store.ErrNotFound)) {
			t.Errorf("Session(s%d): %v; want found %v", i, err, want)
		}
	}
}
