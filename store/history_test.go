package store_test

import (
	"path/filepath"
	"testing"

	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/store"
	"github.com/supportd/supportd/store/storetest"
)

func TestBoltHistory(t *testing.T) {
	storetest.RunHistory(t, func(t *testing.T) (store.Store, func() store.Store) {
		path := filepath.Join(t.TempDir(), "supportd.db")
		return mustOpenBolt(t, path), func() store.Store { return mustOpenBolt(t, path) }
	})
}

func TestPostgresHistory(t *testing.T) {
	storetest.RunHistory(t, func(t *testing.T) (store.Store, func() store.Store) {
		url := pgtest.URL(t)
		return mustOpenPostgres(t, url), func() store.Store { return mustOpenPostgres(t, url) }
	})
}
