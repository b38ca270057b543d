package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConversationsSince implements [Reports] through the index of
// migration 0015.
func (s *Postgres) ConversationsSince(ctx context.Context, since time.Time) ([]Conversation, error) {
	rows, err := s.pool.Query(ctx, selectConversations+` WHERE created_at >= $1 ORDER BY created_at, id COLLATE "C"`, since)
	if err != nil {
		return nil, errPostgres("list conversations", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Conversation, error) { return scanConversation(row) })
	if err != nil {
		return nil, errPostgres("list conversations", err)
	}
	return list, nil
}

// ConversationFeedback implements [Reports].
func (s *Postgres) ConversationFeedback(ctx context.Context, id string) ([]Feedback, error) {
	if !validText(id) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT conversation_id, article_id, seq, helpful, created_at FROM feedback
		WHERE conversation_id = $1 ORDER BY seq, article_id COLLATE "C"`, id)
	if err != nil {
		return nil, errPostgres("conversation feedback", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Feedback, error) {
		var f Feedback
		err := row.Scan(&f.ConversationID, &f.ArticleID, &f.Seq, &f.Helpful, &f.CreatedAt)
		f.CreatedAt = f.CreatedAt.UTC()
		return f, err
	})
	if err != nil {
		return nil, errPostgres("conversation feedback", err)
	}
	return list, nil
}
