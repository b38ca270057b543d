package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

var _ Outbox = (*Postgres)(nil)

// insertEmail inserts the email of insertEmailArgs, returning its
// created_at and next_attempt.
const insertEmail = `INSERT INTO outbox_emails (id, recipients, sender, reply_to, subject, body, created_at, next_attempt)
	VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()), coalesce($8, $7, now()))
	RETURNING created_at, next_attempt`

func insertEmailArgs(e *Email) []any {
	return []any{e.ID, e.To, e.From, e.ReplyTo, e.Subject, e.Text, nullTime(e.CreatedAt), nullTime(e.NextAttempt)}
}

// EnqueueEmail implements [Outbox] (migration 0004). Like the other
// writes that callers wait for, it is committed in a group.
func (s *Postgres) EnqueueEmail(ctx context.Context, e *Email) error {
	if err := checkEmail(e); err != nil {
		return err
	}
	var created, next time.Time
	err := s.submit(ctx, &write{
		// An email locks no conversation: its id only orders the group.
		conversation: e.ID,
		sql:          insertEmail,
		args:         insertEmailArgs(e),
		scan:         func(row pgx.Row) error { return row.Scan(&created, &next) },
	})
	if pgCode(err) == codeUniqueViolation {
		return fmt.Errorf("email %q: %w", e.ID, ErrExists)
	}
	if err != nil {
		return errPostgres("enqueue email", err)
	}
	e.CreatedAt, e.NextAttempt = created.UTC(), next.UTC()
	e.Attempts, e.LastError, e.SentAt = 0, "", time.Time{}
	return nil
}

// DueEmails implements [Outbox], through the index outbox_emails_due_idx.
func (s *Postgres) DueEmails(ctx context.Context, now time.Time, limit int) ([]Email, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = int64(limit)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id, recipients, sender, reply_to, subject, body, created_at, attempts, next_attempt, last_error
		FROM outbox_emails WHERE sent_at IS NULL AND next_attempt <= $1
		ORDER BY next_attempt, id COLLATE "C" LIMIT $2`, storedTime(now), lim)
	if err != nil {
		return nil, errPostgres("list due emails", err)
	}
	list, err := collectEmails(rows)
	if err != nil {
		return nil, errPostgres("list due emails", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// collectEmails reads rows of the columns id, recipients, sender,
// reply_to, subject, body, created_at, attempts, next_attempt and
// last_error.
func collectEmails(rows pgx.Rows) ([]Email, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Email, error) {
		var e Email
		err := row.Scan(&e.ID, &e.To, &e.From, &e.ReplyTo, &e.Subject, &e.Text, &e.CreatedAt, &e.Attempts, &e.NextAttempt, &e.LastError)
		e.CreatedAt, e.NextAttempt = e.CreatedAt.UTC(), e.NextAttempt.UTC()
		return e, err
	})
}

// ClaimDueEmails implements [Outbox]: the due rows are locked with SKIP
// LOCKED, so that two senders claiming at once take different emails.
func (s *Postgres) ClaimDueEmails(ctx context.Context, now, until time.Time, limit int) ([]Email, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = int64(limit)
	}
	rows, err := s.pool.Query(ctx, `
		WITH due AS (
			SELECT id FROM outbox_emails WHERE sent_at IS NULL AND next_attempt <= $1
			ORDER BY next_attempt, id COLLATE "C" LIMIT $2
			FOR UPDATE SKIP LOCKED)
		UPDATE outbox_emails o SET next_attempt = $3 FROM due WHERE o.id = due.id
		RETURNING o.id, o.recipients, o.sender, o.reply_to, o.subject, o.body, o.created_at, o.attempts, o.next_attempt, o.last_error`,
		storedTime(now), lim, storedTime(until))
	if err != nil {
		return nil, errPostgres("claim due emails", err)
	}
	list, err := collectEmails(rows)
	if err != nil {
		return nil, errPostgres("claim due emails", err)
	}
	// The oldest first, as DueEmails.
	slices.SortFunc(list, func(a, b Email) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// updateEmail runs sql, an UPDATE of the unsent email $1 returning a row,
// and tells an email already sent from one that does not exist.
func (s *Postgres) updateEmail(ctx context.Context, op, id, sql string, args ...any) error {
	if !validText(id) {
		return fmt.Errorf("email %q: %w", id, ErrNotFound)
	}
	var one int
	err := s.pool.QueryRow(ctx, sql, append([]any{id}, args...)...).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		err = s.pool.QueryRow(ctx, "SELECT 1 FROM outbox_emails WHERE id = $1", id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("email %q: %w", id, ErrNotFound)
		}
	}
	if err != nil {
		return errPostgres(op, err)
	}
	return nil
}

// MarkEmailSent implements [Outbox].
func (s *Postgres) MarkEmailSent(ctx context.Context, id string, at time.Time) error {
	return s.updateEmail(ctx, "mark email sent", id, `
		UPDATE outbox_emails SET attempts = attempts + 1, sent_at = coalesce($2, now())
		WHERE id = $1 AND sent_at IS NULL RETURNING 1`, nullTime(at))
}

// RetryEmail implements [Outbox].
func (s *Postgres) RetryEmail(ctx context.Context, id string, next time.Time, lastErr string) error {
	if err := checkText("last error", lastErr); err != nil {
		return err
	}
	return s.updateEmail(ctx, "retry email", id, `
		UPDATE outbox_emails SET attempts = attempts + 1, next_attempt = $2, last_error = $3
		WHERE id = $1 AND sent_at IS NULL RETURNING 1`, storedTime(next), lastErr)
}
