// Package pgschema applies versioned SQL migrations to a PostgreSQL
// database. Each package that owns tables (the conversation store, the
// orders) embeds its own folder of migrations and applies it with
// [Migrate]; all record their versions in one table, schema_migrations.
package pgschema

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/jackc/pgx/v5"
)

// lockKey is the key of the advisory lock that serializes the migrations
// of supportd processes starting together.
const lockKey = 0x73757070_6f727464 // "supportd"

// Beginner starts transactions: a *pgx.Conn or a *pgxpool.Pool.
type Beginner interface {
	Begin(context.Context) (pgx.Tx, error)
}

// Migrate applies the files matching "*.sql" in the folder dir of
// migrations that are not applied yet, in the order of their names, each in its own
// transaction, and returns the versions it applied. A file's version is
// prefix followed by its name without ".sql" (such as "0001_init" or
// "orders_0001_init"), so that several packages share the table
// schema_migrations. Processes migrating the same database at once wait
// for one another.
func Migrate(ctx context.Context, db Beginner, migrations fs.FS, dir, prefix string) ([]string, error) {
	migrations, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "*.sql") // sorted
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var applied []string
	for _, name := range names {
		version := prefix + strings.TrimSuffix(path.Base(name), ".sql")
		sql, err := fs.ReadFile(migrations, name)
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", version, err)
		}
		done, err := migrateOne(ctx, db, version, string(sql))
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", version, err)
		}
		if done {
			applied = append(applied, version)
		}
	}
	return applied, nil
}

// migrateOne applies one migration unless it was applied, and reports
// whether it applied it.
func migrateOne(ctx context.Context, db Beginner, version, sql string) (bool, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// Held until the transaction ends; creating schema_migrations under
	// the lock too keeps two first starts from racing on it.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockKey)); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return false, err
	}
	var done bool
	err = tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", version).Scan(&done)
	if err != nil || done {
		return false, err
	}
	// Without arguments, Exec uses the simple protocol, which runs
	// several statements.
	if _, err := tx.Exec(ctx, sql); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())", version); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}
