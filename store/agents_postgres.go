package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

var _ Agents = (*Postgres)(nil)

const selectAgents = `SELECT login, name, password_hash, capacity, presence, role, disabled, created_at FROM agents`

func scanAgent(row pgx.Row) (Agent, error) {
	var a Agent
	err := row.Scan(&a.Login, &a.Name, &a.PasswordHash, &a.Capacity, &a.Presence, &a.Role, &a.Disabled, &a.CreatedAt)
	a.CreatedAt = a.CreatedAt.UTC()
	return a, err
}

// AddAgent implements [Agents] (migration 0006).
func (s *Postgres) AddAgent(ctx context.Context, a *Agent) error {
	na, err := prepareAgent(a)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO agents (login, name, password_hash, capacity, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		na.Login, na.Name, na.PasswordHash, na.Capacity, na.Role, na.CreatedAt)
	if pgCode(err) == codeUniqueViolation {
		return fmt.Errorf("agent %q: %w", na.Login, ErrExists)
	}
	if err != nil {
		return errPostgres("add agent", err)
	}
	a.Login, a.Capacity, a.Presence, a.Role, a.CreatedAt = na.Login, na.Capacity, na.Presence, na.Role, na.CreatedAt
	return nil
}

// Agent implements [Agents].
func (s *Postgres) Agent(ctx context.Context, login string) (*Agent, error) {
	if !validText(login) {
		return nil, fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	a, err := scanAgent(s.pool.QueryRow(ctx, selectAgents+" WHERE login = $1", strings.ToLower(login)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	if err != nil {
		return nil, errPostgres("get agent", err)
	}
	return &a, nil
}

// ListAgents implements [Agents].
func (s *Postgres) ListAgents(ctx context.Context) ([]Agent, error) {
	rows, err := s.pool.Query(ctx, selectAgents+` ORDER BY login COLLATE "C"`)
	if err != nil {
		return nil, errPostgres("list agents", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Agent, error) { return scanAgent(row) })
	if err != nil {
		return nil, errPostgres("list agents", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// SetAgentPassword implements [Agents].
func (s *Postgres) SetAgentPassword(ctx context.Context, login string, hash []byte) error {
	if len(hash) == 0 {
		return fmt.Errorf("%w: empty password hash", ErrInvalid)
	}
	if !validText(login) {
		return fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, "UPDATE agents SET password_hash = $2 WHERE login = $1", strings.ToLower(login), hash)
	if err != nil {
		return errPostgres("set agent password", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	return nil
}

// SetAgentPresence implements [Agents] (migration 0008).
func (s *Postgres) SetAgentPresence(ctx context.Context, login, presence string) error {
	if !ValidPresence(presence) {
		return fmt.Errorf("%w: presence %q", ErrInvalid, presence)
	}
	if !validText(login) {
		return fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	// The change is notified to the processes sharing the desk (deskChannel).
	tag, err := s.pool.Exec(ctx, `WITH changed AS (UPDATE agents SET presence = $2 WHERE login = $1 RETURNING login)
		SELECT pg_notify($3, 'a ' || login) FROM changed`, strings.ToLower(login), presence, deskChannel)
	if err != nil {
		return errPostgres("set agent presence", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	return nil
}

// SetAgentDisabled implements [Agents] (migration 0013).
func (s *Postgres) SetAgentDisabled(ctx context.Context, login string, disabled bool) error {
	if !validText(login) {
		return fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, "UPDATE agents SET disabled = $2 WHERE login = $1", strings.ToLower(login), disabled)
	if err != nil {
		return errPostgres("set agent disabled", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	return nil
}

// CreateSession implements [Agents]; it also deletes the expired sessions.
func (s *Postgres) CreateSession(ctx context.Context, as *AgentSession) error {
	ns, err := prepareSession(as)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM agent_sessions WHERE expires_at <= now()"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO agent_sessions (id_hash, login, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
			ns.IDHash, ns.Login, ns.CSRF, ns.CreatedAt, ns.ExpiresAt)
		return err
	})
	switch pgCode(err) {
	case codeForeignKeyViolation:
		return fmt.Errorf("agent %q: %w", ns.Login, ErrNotFound)
	case codeUniqueViolation:
		return fmt.Errorf("session: %w", ErrExists)
	}
	if err != nil {
		return errPostgres("create session", err)
	}
	as.IDHash, as.Login, as.CreatedAt, as.ExpiresAt = ns.IDHash, ns.Login, ns.CreatedAt, ns.ExpiresAt
	return nil
}

// Session implements [Agents].
func (s *Postgres) Session(ctx context.Context, idHash []byte) (*AgentSession, error) {
	as := AgentSession{IDHash: append([]byte(nil), idHash...)}
	err := s.pool.QueryRow(ctx, "SELECT login, csrf, created_at, expires_at FROM agent_sessions WHERE id_hash = $1 AND expires_at > now()", idHash).
		Scan(&as.Login, &as.CSRF, &as.CreatedAt, &as.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, errPostgres("get session", err)
	}
	as.CreatedAt, as.ExpiresAt = as.CreatedAt.UTC(), as.ExpiresAt.UTC()
	return &as, nil
}

// DeleteSession implements [Agents].
func (s *Postgres) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := s.pool.Exec(ctx, "DELETE FROM agent_sessions WHERE id_hash = $1", idHash); err != nil {
		return errPostgres("delete session", err)
	}
	return nil
}
