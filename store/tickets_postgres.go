package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

var _ Tickets = (*Postgres)(nil)

// ticketColumns are the columns scanTicket reads.
const ticketColumns = "number, conversation_id, client_id, customer_id, email, name, message, lang, status, created_at, answered_by, answered_at"

const selectTickets = "SELECT " + ticketColumns + " FROM tickets"

func scanTicket(row pgx.Row) (Ticket, error) {
	var (
		t          Ticket
		answeredAt *time.Time // NULL until answered
	)
	err := row.Scan(&t.Number, &t.ConversationID, &t.ClientID, &t.CustomerID, &t.Email, &t.Name, &t.Message, &t.Lang, &t.Status, &t.CreatedAt,
		&t.AnsweredBy, &answeredAt)
	t.CreatedAt = t.CreatedAt.UTC()
	if answeredAt != nil {
		t.AnsweredAt = answeredAt.UTC()
	}
	return t, err
}

// CreateTicket implements [Tickets] (migration 0005) in one transaction,
// outside the group commits. A retry and a missing conversation are found
// before the insert, so that they take no number; a creation that fails
// later, or that races with its own retry, leaves a gap in the numbers.
func (s *Postgres) CreateTicket(ctx context.Context, t *Ticket, compose func(Ticket) []Email) (*Ticket, bool, error) {
	if err := checkTicket(t); err != nil {
		return nil, false, err
	}
	var (
		stored Ticket
		dup    bool
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		dup = false
		var err error
		stored, err = scanTicket(tx.QueryRow(ctx, selectTickets+" WHERE conversation_id = $1 AND client_id = $2", t.ConversationID, t.ClientID))
		if err == nil {
			dup = true
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var one int
		err = tx.QueryRow(ctx, "SELECT 1 FROM conversations WHERE id = $1 FOR KEY SHARE", t.ConversationID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("conversation %q: %w", t.ConversationID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		stored, err = scanTicket(tx.QueryRow(ctx, `
			INSERT INTO tickets (conversation_id, client_id, customer_id, email, name, message, lang, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', coalesce($8, now()))
			ON CONFLICT (conversation_id, client_id) DO NOTHING
			RETURNING `+ticketColumns,
			t.ConversationID, t.ClientID, t.CustomerID, t.Email, t.Name, t.Message, t.Lang, nullTime(t.CreatedAt)))
		if errors.Is(err, pgx.ErrNoRows) {
			// Created meanwhile by a retry.
			stored, err = scanTicket(tx.QueryRow(ctx, selectTickets+" WHERE conversation_id = $1 AND client_id = $2", t.ConversationID, t.ClientID))
			dup = err == nil
			return err
		}
		if err != nil {
			return err
		}
		emails, err := composeEmails(&stored, compose)
		if err != nil {
			return err
		}
		for i := range emails {
			e := &emails[i]
			_, err := tx.Exec(ctx, insertEmail, insertEmailArgs(e)...)
			if pgCode(err) == codeUniqueViolation {
				return fmt.Errorf("email %q: %w", e.ID, ErrExists)
			}
			if err != nil {
				return err
			}
		}
		// Told to the processes sharing the desk, for their agents'
		// consoles (deskChannel).
		_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", deskChannel, "t "+strconv.FormatInt(stored.Number, 10))
		return err
	})
	if pgCode(err) == codeForeignKeyViolation {
		return nil, false, fmt.Errorf("conversation %q: %w", t.ConversationID, ErrNotFound)
	}
	if err != nil {
		return nil, false, errPostgres("create ticket", err)
	}
	if !dup {
		t.Number, t.Status, t.CreatedAt = stored.Number, stored.Status, stored.CreatedAt
	}
	return &stored, dup, nil
}

// Ticket implements [Tickets].
func (s *Postgres) Ticket(ctx context.Context, number int64) (*Ticket, error) {
	t, err := scanTicket(s.pool.QueryRow(ctx, selectTickets+" WHERE number = $1", number))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("ticket %d: %w", number, ErrNotFound)
	}
	if err != nil {
		return nil, errPostgres("get ticket", err)
	}
	return &t, nil
}

// ListTickets implements [Tickets], through the primary key or, with a
// status, the index tickets_status_idx.
func (s *Postgres) ListTickets(ctx context.Context, status string, limit int) ([]Ticket, error) {
	if !validText(status) {
		return nil, nil
	}
	var lim any // NULL: no limit
	if limit > 0 {
		lim = int64(limit)
	}
	rows, err := s.pool.Query(ctx, selectTickets+" WHERE $1 = '' OR status = $1 ORDER BY number DESC LIMIT $2", status, lim)
	if err != nil {
		return nil, errPostgres("list tickets", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Ticket, error) { return scanTicket(row) })
	if err != nil {
		return nil, errPostgres("list tickets", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// AnswerTicket implements [Tickets] (answered_by and answered_at:
// migration 0007) in one transaction: the update of the ticket and the
// insert of its email.
func (s *Postgres) AnswerTicket(ctx context.Context, number int64, status, agent string, email *Email) (*Ticket, error) {
	e, err := checkAnswer(status, agent, email)
	if err != nil {
		return nil, err
	}
	var t Ticket
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		t, err = scanTicket(tx.QueryRow(ctx, `
			UPDATE tickets SET status = $2, answered_by = $3, answered_at = now()
			WHERE number = $1 RETURNING `+ticketColumns, number, status, agent))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("ticket %d: %w", number, ErrNotFound)
		}
		if err != nil || e == nil {
			return err
		}
		var created, next time.Time
		err = tx.QueryRow(ctx, insertEmail, insertEmailArgs(e)...).Scan(&created, &next)
		if pgCode(err) == codeUniqueViolation {
			return fmt.Errorf("email %q: %w", e.ID, ErrExists)
		}
		e.CreatedAt, e.NextAttempt = created.UTC(), next.UTC()
		return err
	})
	if err != nil {
		return nil, errPostgres("answer ticket", err)
	}
	if e != nil {
		*email = *e
	}
	return &t, nil
}
