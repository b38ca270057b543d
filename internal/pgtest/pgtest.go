// Package pgtest gives tests a real, fresh and empty PostgreSQL database.
//
// The server is the one DATABASE_URL names when it is set (the user needs
// the CREATEDB privilege). Otherwise pgtest starts a throwaway server once
// per test binary from the PostgreSQL binaries installed on the machine
// (initdb and postgres, found in PATH or /usr/lib/postgresql/*/bin, newest
// version first), listening only on a Unix socket in a temporary folder,
// with fsync off; [Main] stops it and removes the folder. When neither is
// available the test fails: it never skips.
//
// A package whose tests use pgtest calls [Main] from its TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// mainCalled records that [Main] runs the tests, and so stops the server.
var mainCalled atomic.Bool

// The throwaway server, started by the first test that needs it.
var (
	serverMu      sync.Mutex
	serverStarted bool
	serverCluster *cluster
	serverErr     error
)

// server starts the throwaway server, once, and returns it.
func server() (*cluster, error) {
	serverMu.Lock()
	defer serverMu.Unlock()
	if !serverStarted {
		serverStarted = true
		serverCluster, serverErr = startCluster()
	}
	return serverCluster, serverErr
}

// stopServer stops the throwaway server if it was started.
func stopServer() error {
	serverMu.Lock()
	defer serverMu.Unlock()
	if serverCluster == nil {
		return nil
	}
	c := serverCluster
	serverCluster, serverErr = nil, errors.New("pgtest: the throwaway server was stopped")
	return c.stop()
}

// Main runs the tests of m, stops the throwaway server if a test started
// one, and exits with the tests' exit code. Call it from TestMain.
func Main(m *testing.M) {
	mainCalled.Store(true)
	code := m.Run()
	if err := stopServer(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: stop the throwaway server:", err)
	}
	os.Exit(code)
}

// URL creates a database with a unique name and returns its connection
// URL; the database is dropped when tb ends. It fails tb when no server
// is available, saying how to provide one.
func URL(tb testing.TB) string {
	tb.Helper()
	base, err := serverURL()
	if err != nil {
		tb.Fatal(err)
	}
	name := "pgtest_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// template0: a database nobody added anything to.
	if err := admin(ctx, base, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE ends the sessions a test left open (PostgreSQL 13+).
		if err := admin(ctx, base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database: %v", err)
		}
	})
	return withDatabase(base, name)
}

// serverURL returns the URL of a database of the server to use, through
// which to create others.
func serverURL() (string, error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u, nil
	}
	if !mainCalled.Load() {
		return "", fmt.Errorf("pgtest: DATABASE_URL is not set, and the throwaway server needs the package's TestMain to call pgtest.Main(m), which stops it")
	}
	c, err := server()
	if err != nil {
		return "", err
	}
	return c.url, nil
}

// admin runs one statement in the database at u.
func admin(ctx context.Context, u, sql string) error {
	// Parsed as for a pool: u may set pool_max_conns and the like.
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns the connection string u naming the database name
// instead of its own; u is a URL or a key=value string.
func withDatabase(u, name string) string {
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		if parsed, err := url.Parse(u); err == nil {
			parsed.Path = "/" + name
			parsed.RawPath = ""
			return parsed.String()
		}
	}
	return u + " dbname=" + name // the last dbname wins
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
