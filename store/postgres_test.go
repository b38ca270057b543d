package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/store"
	"github.com/supportd/supportd/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// mustOpenPostgres opens the PostgreSQL store at url.
func mustOpenPostgres(tb testing.TB, url string) *store.Postgres {
	tb.Helper()
	s, err := store.OpenPostgres(tb.Context(), url)
	if err != nil {
		tb.Fatalf("OpenPostgres: %v", err)
	}
	return s
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (store.Store, func() store.Store) {
		url := pgtest.URL(t)
		return mustOpenPostgres(t, url), func() store.Store { return mustOpenPostgres(t, url) }
	})
}

// allMigrations are the versions in store/migrations, in order.
var allMigrations = []string{"0001_init", "0002_append_function"}

// TestMigrateTogether migrates one database from several processes at
// once, as replicas starting together do.
func TestMigrateTogether(t *testing.T) {
	dbURL := pgtest.URL(t)
	url := withPoolSize(dbURL, 2) // Migrate accepts OpenPostgres's url
	const n = 4
	results := make([][]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			applied, err := store.Migrate(t.Context(), url)
			if err != nil {
				t.Errorf("Migrate %d: %v", i, err)
			}
			results[i] = applied
		})
	}
	wg.Wait()
	var all []string
	for _, applied := range results {
		all = append(all, applied...)
	}
	slices.Sort(all)
	if want := allMigrations; !slices.Equal(all, want) {
		t.Errorf("migrations applied by %d processes together: %v, want %v once", n, all, want)
	}
	if applied, err := store.Migrate(t.Context(), url); err != nil || len(applied) != 0 {
		t.Errorf("Migrate again: %v, %v; want nothing to do", applied, err)
	}
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var versions []string
	rows, err := conn.Query(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	if err == nil {
		versions, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil || !slices.Equal(versions, allMigrations) {
		t.Errorf("schema_migrations: %v, %v", versions, err)
	}
	// OpenPostgres finds the schema up to date.
	mustOpenPostgres(t, url).Close()
}

func TestPostgresUnreachable(t *testing.T) {
	_, err := store.OpenPostgres(t.Context(), "postgres://supportd@127.0.0.1:1/supportd?connect_timeout=5")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("OpenPostgres(nothing listening): %v, want ErrUnavailable", err)
	}
}

// withPoolSize returns the connection string u setting pool_max_conns.
func withPoolSize(u string, n int) string {
	if !strings.Contains(u, "://") {
		return fmt.Sprintf("%s pool_max_conns=%d", u, n)
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%s%spool_max_conns=%d", u, sep, n)
}
