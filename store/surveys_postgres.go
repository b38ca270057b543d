package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

var _ Surveys = (*Postgres)(nil)

// RecordSurvey implements [Surveys] (migration 0010).
func (s *Postgres) RecordSurvey(ctx context.Context, sv *Survey) error {
	ns, err := prepareSurvey(sv)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO surveys (conversation_id, seq, agent, rating, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		ns.ConversationID, ns.Seq, ns.Agent, ns.Rating, ns.Comment, ns.CreatedAt)
	if pgCode(err) == codeUniqueViolation {
		return fmt.Errorf("survey of %s: %w", ns.ConversationID, ErrExists)
	}
	if err != nil {
		return errPostgres("record survey", err)
	}
	sv.CreatedAt = ns.CreatedAt
	sv.Comment = ns.Comment
	return nil
}

// ListSurveys implements [Surveys].
func (s *Postgres) ListSurveys(ctx context.Context, limit int) ([]Survey, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.pool.Query(ctx, `SELECT conversation_id, seq, agent, rating, comment, created_at FROM surveys
		ORDER BY created_at DESC LIMIT NULLIF($1, -1)`, limit)
	if err != nil {
		return nil, errPostgres("list surveys", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Survey, error) {
		var sv Survey
		err := row.Scan(&sv.ConversationID, &sv.Seq, &sv.Agent, &sv.Rating, &sv.Comment, &sv.CreatedAt)
		sv.CreatedAt = sv.CreatedAt.UTC()
		return sv, err
	})
	if err != nil {
		return nil, errPostgres("list surveys", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}
