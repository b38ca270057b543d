package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

var _ Phrasings = (*Postgres)(nil)

// AddPhrasing implements [Phrasings] (migration 0009).
func (s *Postgres) AddPhrasing(ctx context.Context, p *Phrasing) error {
	np, err := preparePhrasing(p)
	if err != nil {
		return err
	}
	_, key, _ := strings.Cut(phrasingKey(np.ArticleID, np.Text), "\x00")
	err = s.pool.QueryRow(ctx, `INSERT INTO phrasings (article_id, text, text_key, source, conversation_id, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		np.ArticleID, np.Text, key, np.Source, np.ConversationID, np.Status, np.CreatedAt).Scan(&np.ID)
	if pgCode(err) == codeUniqueViolation {
		return fmt.Errorf("phrasing of %s: %w", np.ArticleID, ErrExists)
	}
	if err != nil {
		return errPostgres("add phrasing", err)
	}
	*p = np
	return nil
}

// Phrasings implements [Phrasings].
func (s *Postgres) Phrasings(ctx context.Context, status string) ([]Phrasing, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, article_id, text, source, conversation_id, status, created_at FROM phrasings
		WHERE $1 = '' OR status = $1 ORDER BY article_id COLLATE "C", id`, status)
	if err != nil {
		return nil, errPostgres("list phrasings", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Phrasing, error) {
		var p Phrasing
		err := row.Scan(&p.ID, &p.ArticleID, &p.Text, &p.Source, &p.ConversationID, &p.Status, &p.CreatedAt)
		p.CreatedAt = p.CreatedAt.UTC()
		return p, err
	})
	if err != nil {
		return nil, errPostgres("list phrasings", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// SetPhrasingStatus implements [Phrasings].
func (s *Postgres) SetPhrasingStatus(ctx context.Context, id int64, status string) error {
	if !validPhrasingStatus(status) {
		return fmt.Errorf("%w: phrasing status %q", ErrInvalid, status)
	}
	tag, err := s.pool.Exec(ctx, "UPDATE phrasings SET status = $2 WHERE id = $1", id, status)
	if err != nil {
		return errPostgres("set phrasing status", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("phrasing %d: %w", id, ErrNotFound)
	}
	return nil
}
