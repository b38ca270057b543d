package store_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/store"
	"github.com/supportd/supportd/store/storetest"
)

// mustOpenBolt opens the bbolt store at path.
func mustOpenBolt(tb testing.TB, path string) *store.Bolt {
	tb.Helper()
	s, err := store.OpenBolt(path)
	if err != nil {
		tb.Fatalf("OpenBolt: %v", err)
	}
	return s
}

func TestBolt(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (store.Store, func() store.Store) {
		// OpenBolt creates the missing folders.
		path := filepath.Join(t.TempDir(), "data", "store", "supportd.db")
		return mustOpenBolt(t, path), func() store.Store { return mustOpenBolt(t, path) }
	})
}

func TestBoltLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "supportd.db")
	s := mustOpenBolt(t, path)
	defer s.Close()
	_, err := store.OpenBolt(path)
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("OpenBolt of an open file: %v, want ErrUnavailable", err)
	}
}

func BenchmarkAppendParallel(b *testing.B) {
	b.Run("bolt", func(b *testing.B) {
		s := mustOpenBolt(b, filepath.Join(b.TempDir(), "supportd.db"))
		defer s.Close()
		storetest.BenchAppendParallel(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		s := mustOpenPostgres(b, pgtest.URL(b))
		defer s.Close()
		storetest.BenchAppendParallel(b, s)
	})
}
