package main

import (
	"context"
	"flag"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supportd/supportd/chat"
	"github.com/supportd/supportd/mail"
	"github.com/supportd/supportd/store"
	"github.com/supportd/supportd/web"
)

// supportdStore is everything serve keeps in its store. Both stores
// implement all of it, which the compiler checks here: a feature is never
// switched off at run time because a store lacks a method.
type supportdStore interface {
	store.Store
	store.Agents
	store.CannedReplies
	store.Desk
	store.History
	store.Outbox
	store.Phrasings
	store.Reports
	store.Retention
	store.Surveys
	store.Tickets
}

var (
	_ supportdStore = (*store.Bolt)(nil)
	_ supportdStore = (*store.Postgres)(nil)

	// What the other packages ask of it.
	_ chat.Assignments      = supportdStore(nil)
	_ chat.AgentDirectory   = supportdStore(nil)
	_ chat.PhrasingRecorder = supportdStore(nil)
	_ chat.SurveyStore      = supportdStore(nil)
	_ chat.HistoryStore     = supportdStore(nil)
	_ chat.TicketStore      = supportdStore(nil)
	_ web.AgentStore        = supportdStore(nil)
	_ mail.Queue            = supportdStore(nil)
)

// openedStore is the store serve opened, and its PostgreSQL pool when it
// is PostgreSQL, for the orders to share when they live in the same
// database: one pool per database.
type openedStore struct {
	supportdStore
	where string
	pool  *pgxpool.Pool
	url   string
	// feed tells of the messages other processes store and of the desk
	// they share, with PostgreSQL.
	feed chat.MessageFeed
}

// storeFlags adds to fs the flags that choose the store, --data and
// --database-url, for every command that opens it as serve does.
func storeFlags(fs *flag.FlagSet, c *serveConfig) {
	fs.StringVar(&c.dataDir, "data", env("SUPPORTD_DATA", "data"), "folder of the embedded store, used without DATABASE_URL (SUPPORTD_DATA)")
	fs.StringVar(&c.databaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL; empty: the embedded store (DATABASE_URL)")
}

// openStore opens PostgreSQL when a URL is given, else the embedded store.
func openStore(ctx context.Context, c serveConfig) (openedStore, error) {
	if c.databaseURL != "" {
		s, err := store.OpenPostgres(ctx, c.databaseURL)
		if err != nil {
			return openedStore{}, err
		}
		return openedStore{supportdStore: s, where: "postgresql", pool: s.Pool(), url: c.databaseURL, feed: s}, nil
	}
	path := filepath.Join(c.dataDir, "supportd.db")
	s, err := store.OpenBolt(path)
	if err != nil {
		return openedStore{}, err
	}
	return openedStore{supportdStore: s, where: path}, nil
}
