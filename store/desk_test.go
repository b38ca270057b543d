package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/store"
	"github.com/supportd/supportd/store/storetest"
)

func TestBoltDesk(t *testing.T) {
	storetest.RunDesk(t, func(t *testing.T) (store.Store, func() store.Store) {
		path := filepath.Join(t.TempDir(), "supportd.db")
		return mustOpenBolt(t, path), func() store.Store { return mustOpenBolt(t, path) }
	})
}

func TestPostgresDesk(t *testing.T) {
	storetest.RunDesk(t, func(t *testing.T) (store.Store, func() store.Store) {
		url := pgtest.URL(t)
		return mustOpenPostgres(t, url), func() store.Store { return mustOpenPostgres(t, url) }
	})
}

// TestHeartbeat: an agent online whose console no process has told of
// lately is absent; one a process tells of is not, until it forgets them.
func TestHeartbeat(t *testing.T) {
	s := mustOpenPostgres(t, pgtest.URL(t))
	ctx := t.Context()
	for _, login := range []string{"marie", "paul", "zoe"} {
		if err := s.AddAgent(ctx, &store.Agent{Login: login, PasswordHash: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, login := range []string{"marie", "paul"} {
		if err := s.SetAgentPresence(ctx, login, "online"); err != nil {
			t.Fatal(err)
		}
	}
	absent := func() []string {
		t.Helper()
		got, err := s.AbsentAgents(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// Zoe is offline: never absent.
	if got := absent(); !slices.Equal(got, []string{"marie", "paul"}) {
		t.Errorf("before any heartbeat, absent %v, want marie and paul", got)
	}
	if err := s.Heartbeat(ctx, "p_b", []string{"marie"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Heartbeat(ctx, "p_c", []string{"paul", "marie"}); err != nil {
		t.Fatal(err)
	}
	if got := absent(); len(got) != 0 {
		t.Errorf("after heartbeats, absent %v", got)
	}
	// C forgets Paul; Marie still has B.
	if err := s.Heartbeat(ctx, "p_c", []string{"marie"}); err != nil {
		t.Fatal(err)
	}
	if got := absent(); !slices.Equal(got, []string{"paul"}) {
		t.Errorf("after C forgot Paul, absent %v", got)
	}
	// Told of too long ago: absent.
	if got, err := s.AbsentAgents(ctx, 0); err != nil || !slices.Equal(got, []string{"marie", "paul"}) {
		t.Errorf("within 0, absent %v, %v", got, err)
	}
	if err := s.Heartbeat(ctx, "p_b", []string{"bad\x00login"}); err == nil {
		t.Error("a login with a NUL byte was taken")
	}
}

// TestHoldLock: of two processes, one holds the lock; when it stops, the
// other takes it.
func TestHoldLock(t *testing.T) {
	url := pgtest.URL(t)
	one, two := mustOpenPostgres(t, url), mustOpenPostgres(t, url)
	var heldOne, heldTwo atomic.Bool
	ctxOne, stopOne := context.WithCancel(t.Context())
	doneOne := make(chan struct{})
	go func() { one.HoldLock(ctxOne, "supportd.test", &heldOne); close(doneOne) }()
	waitFor(t, "the first to hold the lock", heldOne.Load)
	go two.HoldLock(t.Context(), "supportd.test", &heldTwo)
	time.Sleep(3 * time.Second)
	if heldTwo.Load() {
		t.Fatal("both hold the lock")
	}
	stopOne()
	<-doneOne
	if heldOne.Load() {
		t.Error("the first still says it holds the lock after it stopped")
	}
	waitFor(t, "the second to take the lock over", heldTwo.Load)
}

// waitFor polls cond every 50 ms for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after 30 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBoltReports(t *testing.T) {
	storetest.RunReports(t, func(t *testing.T) (store.Store, func() store.Store) {
		path := filepath.Join(t.TempDir(), "supportd.db")
		return mustOpenBolt(t, path), func() store.Store { return mustOpenBolt(t, path) }
	})
}

func TestPostgresReports(t *testing.T) {
	storetest.RunReports(t, func(t *testing.T) (store.Store, func() store.Store) {
		url := pgtest.URL(t)
		return mustOpenPostgres(t, url), func() store.Store { return mustOpenPostgres(t, url) }
	})
}

func TestBoltRetention(t *testing.T) {
	storetest.RunRetention(t, func(t *testing.T) (store.Store, func() store.Store) {
		path := filepath.Join(t.TempDir(), "supportd.db")
		return mustOpenBolt(t, path), func() store.Store { return mustOpenBolt(t, path) }
	})
}

func TestPostgresRetention(t *testing.T) {
	storetest.RunRetention(t, func(t *testing.T) (store.Store, func() store.Store) {
		url := pgtest.URL(t)
		return mustOpenPostgres(t, url), func() store.Store { return mustOpenPostgres(t, url) }
	})
}
