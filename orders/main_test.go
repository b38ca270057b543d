package orders_test

import (
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/orders"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The fixtures of the tests: the conformance tests' and the demo shop's.
const (
	shopFixture = "testdata/shop.yaml"
	demoFixture = "../cmd/supportd/demo/orders.yaml"
)

// mustLoad loads the fixture at path.
func mustLoad(tb testing.TB, path string) *orders.Fixture {
	tb.Helper()
	file, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer file.Close()
	f, err := orders.LoadFixture(file)
	if err != nil {
		tb.Fatalf("LoadFixture(%s): %v", path, err)
	}
	return f
}

// mustPool connects to a fresh database with the orders' tables.
func mustPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	pool, err := pgxpool.New(tb.Context(), pgtest.URL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	if _, err := orders.Migrate(tb.Context(), pool); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return pool
}

// mustSeeded returns a Postgres source seeded with f, in a fresh database.
func mustSeeded(tb testing.TB, f *orders.Fixture) *orders.Postgres {
	tb.Helper()
	p := orders.NewPostgres(mustPool(tb))
	if err := p.Seed(tb.Context(), f); err != nil {
		tb.Fatalf("Seed: %v", err)
	}
	return p
}
