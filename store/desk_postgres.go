package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// deskChannel is the channel of the desk's changes: a line "c id" when a
// conversation moved, "a login" when an agent's presence changed, "t
// number" when an email request was taken. Like
// the messages, a change is notified when it commits and only named:
// each listener reads it from the tables.
const deskChannel = "supportd_desk"

// MoveConversation implements [Desk] in one transaction. A move to an
// agent takes a transaction-level advisory lock named after the agent, so
// that two processes giving them a conversation at once count their
// conversations one after the other; the conversation's conditional
// UPDATE makes one move win when several move it at once.
func (s *Postgres) MoveConversation(ctx context.Context, m DeskMove) error {
	if err := checkMove(m); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if m.ToState == StateAgent {
			if err := s.mayHold(ctx, tx, m); err != nil {
				return err
			}
		}
		var info []byte
		if m.Info != nil {
			info = m.Info
		}
		tag, err := tx.Exec(ctx, `
			UPDATE conversations SET
				state = $4, agent = $5, front = $6, updated_at = now(),
				queued_at = CASE WHEN $4 = 'bot' THEN NULL WHEN $2 = 'bot' THEN now() ELSE queued_at END,
				desk_info = coalesce($7::jsonb, desk_info)
			WHERE id = $1 AND ($2 = 'bot' OR agent = $3) AND CASE WHEN $2 = 'bot' THEN state NOT IN ('queued', 'agent') ELSE state = $2 END`,
			m.Conversation, m.FromState, m.FromAgent, m.ToState, m.ToAgent, m.Front, info)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1)", m.Conversation).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("conversation %q: %w", m.Conversation, ErrNotFound)
			}
			return fmt.Errorf("conversation %q: %w", m.Conversation, ErrMoved)
		}
		_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", deskChannel, "c "+m.Conversation)
		return err
	})
	if err != nil {
		return errPostgres("move conversation", err)
	}
	return nil
}

// mayHold checks, in tx and under the agent's advisory lock, that m's
// agent may take one more conversation.
func (s *Postgres) mayHold(ctx context.Context, tx pgx.Tx, m DeskMove) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('supportd.agent.' || $1, 0))", m.ToAgent); err != nil {
		return err
	}
	var presence string
	err := tx.QueryRow(ctx, "SELECT presence FROM agents WHERE login = $1", strings.ToLower(m.ToAgent)).Scan(&presence)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if err == nil && presence != "online" {
		return fmt.Errorf("agent %q: %w", m.ToAgent, ErrAbsent)
	}
	if m.Capacity <= 0 {
		return nil
	}
	var held int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM conversations WHERE state = 'agent' AND agent = $1 AND id <> $2", m.ToAgent, m.Conversation).Scan(&held); err != nil {
		return err
	}
	if held >= m.Capacity {
		return fmt.Errorf("agent %q: %w", m.ToAgent, ErrFull)
	}
	return nil
}

// Heartbeat implements [Replicas]; rows of processes not heard of for a
// day are dropped on the way.
func (s *Postgres) Heartbeat(ctx context.Context, replica string, logins []string) error {
	if err := checkText("replica", replica); err != nil {
		return err
	}
	for _, l := range logins {
		if err := checkText("login", l); err != nil {
			return err
		}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO desk_consoles (login, replica, seen_at) SELECT l, $1, now() FROM unnest($2::text[]) AS l
			ON CONFLICT (login, replica) DO UPDATE SET seen_at = now()`, replica, logins); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM desk_consoles WHERE (replica = $1 AND login <> ALL ($2::text[])) OR seen_at < now() - interval '1 day'`, replica, logins)
		return err
	})
	if err != nil {
		return errPostgres("heartbeat", err)
	}
	return nil
}

// AbsentAgents implements [Replicas].
func (s *Postgres) AbsentAgents(ctx context.Context, within time.Duration) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT login FROM agents a WHERE presence IN ('online', 'away') AND NOT EXISTS (
			SELECT 1 FROM desk_consoles c WHERE c.login = a.login AND c.seen_at > now() - $1::interval)
		ORDER BY login`, within)
	if err != nil {
		return nil, errPostgres("absent agents", err)
	}
	logins, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, errPostgres("absent agents", err)
	}
	return logins, nil
}

// HoldLock holds, until ctx ends, PostgreSQL's session-level advisory
// lock named name whenever it can, on a connection of its own, and keeps
// held telling whether this process holds it: of the processes sharing
// the database, one at a time does what only one should (the desk's
// round-robin). It tries every 2 s while another holds it, and checks the
// connection every 2 s while it does; a process that dies releases the
// lock with its connection. It returns when ctx ends, held false.
func (s *Postgres) HoldLock(ctx context.Context, name string, held *atomic.Bool) {
	defer held.Store(false)
	for ctx.Err() == nil {
		s.holdLockOnce(ctx, name, held)
		held.Store(false)
		sleepCtx(ctx, 2*time.Second)
	}
}

// holdLockOnce is HoldLock on one connection, until it fails.
func (s *Postgres) holdLockOnce(ctx context.Context, name string, held *atomic.Bool) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	for ctx.Err() == nil {
		if held.Load() {
			if conn.Ping(ctx) != nil {
				return
			}
		} else {
			var ok bool
			if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", name).Scan(&ok); err != nil {
				return
			}
			held.Store(ok)
		}
		sleepCtx(ctx, 2*time.Second)
	}
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
