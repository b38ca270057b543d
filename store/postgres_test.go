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
var allMigrations = []string{"0001_init", "0002_append_function", "0003_append_exchange", "0004_outbox", "0005_tickets", "0006_agents", "0007_assignment", "0008_agent_presence", "0009_phrasings", "0010_surveys", "0011_canned", "0012_history", "0013_agent_roles", "0014_desk", "0015_reports", "0016_editor_role"}

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

// TestGroupCommitIsolatesFailures appends from many goroutines at once, so
// that writes share transactions, mixing in appends to a conversation that
// does not exist and retries: each gets its own answer, and every
// conversation's messages are numbered without gaps.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	s := mustOpenPostgres(t, pgtest.URL(t))
	defer s.Close()
	ctx := t.Context()
	const convs, perConv = 10, 30
	for i := range convs {
		if err := s.CreateConversation(ctx, &store.Conversation{ID: fmt.Sprintf("c%d", i), TokenHash: []byte("h"), Lang: "fr", State: "bot"}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, convs*perConv*3)
	for i := range convs {
		for j := range perConv {
			wg.Add(3)
			go func() {
				defer wg.Done()
				_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: fmt.Sprintf("c%d", i), ClientID: fmt.Sprintf("m%08d", j), Author: store.AuthorCustomer, Text: "bonjour"})
				errs <- err
			}()
			go func() {
				defer wg.Done()
				// The same client id again: stored once.
				_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: fmt.Sprintf("c%d", i), ClientID: fmt.Sprintf("m%08d", j), Author: store.AuthorCustomer, Text: "bonjour"})
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: "missing", Author: store.AuthorBot, Text: "x"})
				if !errors.Is(err, store.ErrNotFound) {
					errs <- fmt.Errorf("append to a missing conversation: %v", err)
					return
				}
				errs <- nil
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for i := range convs {
		msgs, err := s.Messages(ctx, fmt.Sprintf("c%d", i), 0, 0)
		if err != nil || len(msgs) != perConv {
			t.Fatalf("c%d: %d messages, %v", i, len(msgs), err)
		}
		for k, m := range msgs {
			if m.Seq != int64(k+1) {
				t.Fatalf("c%d: message %d has seq %d", i, k, m.Seq)
			}
		}
	}
	// Closed, the store refuses writes instead of hanging.
	s.Close()
	if _, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: "c0", Author: store.AuthorBot, Text: "x"}); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("append after Close: %v", err)
	}
}
