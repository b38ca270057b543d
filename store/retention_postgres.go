package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConversationsBefore implements [Retention].
func (s *Postgres) ConversationsBefore(ctx context.Context, t time.Time) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM conversations WHERE updated_at < $1 AND state NOT IN ('queued', 'agent') ORDER BY id COLLATE "C"`, t)
	if err != nil {
		return nil, errPostgres("old conversations", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, errPostgres("old conversations", err)
	}
	return ids, nil
}

// CustomerConversations implements [Retention].
func (s *Postgres) CustomerConversations(ctx context.Context, customerID string) ([]Conversation, error) {
	if customerID == "" || !validText(customerID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, selectConversations+` WHERE customer_id = $1 ORDER BY created_at, id COLLATE "C"`, customerID)
	if err != nil {
		return nil, errPostgres("customer conversations", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Conversation, error) { return scanConversation(row) })
	if err != nil {
		return nil, errPostgres("customer conversations", err)
	}
	return list, nil
}

// DeleteConversations implements [Retention] in one transaction; the
// messages, votes and tickets go with their conversation (ON DELETE
// CASCADE).
func (s *Postgres) DeleteConversations(ctx context.Context, ids []string) (int, error) {
	for _, id := range ids {
		if err := checkText("conversation", id); err != nil {
			return 0, err
		}
	}
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, table := range []string{"surveys", "closed_conversations", "phrasings"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE conversation_id = ANY ($1)", ids); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, "DELETE FROM conversations WHERE id = ANY ($1)", ids)
		n = int(tag.RowsAffected())
		return err
	})
	if err != nil {
		return 0, errPostgres("delete conversations", err)
	}
	return n, nil
}
