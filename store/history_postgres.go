package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
)

var _ History = (*Postgres)(nil)

// RecordClosed implements [History] (migration 0012).
func (s *Postgres) RecordClosed(ctx context.Context, c *Closed) error {
	nc, err := prepareClosed(c)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO closed_conversations (conversation_id, agent, resolution, customer_id, closed_at) VALUES ($1, $2, $3, $4, $5)`,
		nc.ConversationID, nc.Agent, nc.Resolution, nc.CustomerID, nc.ClosedAt)
	if err != nil {
		return errPostgres("record closing", err)
	}
	c.ClosedAt = nc.ClosedAt
	return nil
}

// FindClosed implements [History]. The text is matched in Go, in any
// case (PostgreSQL's ILIKE folds only ASCII under the C locale), over the
// messages of the latest 5,000 closings that pass the other filters.
func (s *Postgres) FindClosed(ctx context.Context, q HistoryQuery) ([]Closed, error) {
	text := strings.ToLower(strings.TrimSpace(q.Text))
	var from, to any
	if !q.From.IsZero() {
		from = q.From
	}
	if !q.To.IsZero() {
		to = q.To
	}
	limit := q.limit()
	if text != "" {
		limit = maxTextSearch
	}
	rows, err := s.pool.Query(ctx, `SELECT conversation_id, agent, resolution, customer_id, closed_at FROM closed_conversations
		WHERE ($1::timestamptz IS NULL OR closed_at >= $1) AND ($2::timestamptz IS NULL OR closed_at < $2)
		AND ($3 = '' OR lower(agent) = lower($3)) AND ($4 = '' OR resolution = $4)
		ORDER BY closed_at DESC LIMIT $5`, from, to, q.Agent, q.Resolution, limit)
	if err != nil {
		return nil, errPostgres("find closings", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Closed, error) {
		var c Closed
		err := row.Scan(&c.ConversationID, &c.Agent, &c.Resolution, &c.CustomerID, &c.ClosedAt)
		c.ClosedAt = c.ClosedAt.UTC()
		return c, err
	})
	if err != nil {
		return nil, errPostgres("find closings", err)
	}
	if text == "" {
		if len(list) == 0 {
			return nil, nil
		}
		return list, nil
	}
	var out []Closed
	for _, c := range list {
		if len(out) == q.limit() {
			break
		}
		holds, err := s.conversationHolds(ctx, c.ConversationID, text)
		if err != nil {
			return nil, err
		}
		if holds {
			out = append(out, c)
		}
	}
	return out, nil
}

// maxTextSearch is how many closings a text search reads at most.
const maxTextSearch = 5000

// conversationHolds reports whether a message of the conversation holds
// text, lower-cased.
func (s *Postgres) conversationHolds(ctx context.Context, conv, text string) (bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT text FROM messages WHERE conversation_id = $1`, conv)
	if err != nil {
		return false, errPostgres("find closings", err)
	}
	texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, errPostgres("find closings", err)
	}
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), text) {
			return true, nil
		}
	}
	return false, nil
}
