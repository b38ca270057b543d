package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

var _ CannedReplies = (*Postgres)(nil)

// SaveCanned implements [CannedReplies] (migration 0011).
func (s *Postgres) SaveCanned(ctx context.Context, r *CannedReply) error {
	nr, err := prepareCanned(r)
	if err != nil {
		return err
	}
	if nr.ID == 0 {
		err = s.pool.QueryRow(ctx, `INSERT INTO canned_replies (shortcut, text, updated_by, updated_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			nr.Shortcut, nr.Text, nr.UpdatedBy, nr.UpdatedAt).Scan(&nr.ID)
	} else {
		var tag interface{ RowsAffected() int64 }
		tag, err = s.pool.Exec(ctx, `UPDATE canned_replies SET shortcut = $2, text = $3, updated_by = $4, updated_at = $5 WHERE id = $1`,
			nr.ID, nr.Shortcut, nr.Text, nr.UpdatedBy, nr.UpdatedAt)
		if err == nil && tag.RowsAffected() == 0 {
			return fmt.Errorf("canned reply %d: %w", nr.ID, ErrNotFound)
		}
	}
	if pgCode(err) == codeUniqueViolation {
		return fmt.Errorf("shortcut %q: %w", nr.Shortcut, ErrExists)
	}
	if err != nil {
		return errPostgres("save canned reply", err)
	}
	*r = nr
	return nil
}

// ListCanned implements [CannedReplies].
func (s *Postgres) ListCanned(ctx context.Context) ([]CannedReply, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, shortcut, text, updated_by, updated_at FROM canned_replies ORDER BY shortcut COLLATE "C"`)
	if err != nil {
		return nil, errPostgres("list canned replies", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CannedReply, error) {
		var r CannedReply
		err := row.Scan(&r.ID, &r.Shortcut, &r.Text, &r.UpdatedBy, &r.UpdatedAt)
		r.UpdatedAt = r.UpdatedAt.UTC()
		return r, err
	})
	if err != nil {
		return nil, errPostgres("list canned replies", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// DeleteCanned implements [CannedReplies].
func (s *Postgres) DeleteCanned(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM canned_replies WHERE id = $1`, id)
	if err != nil {
		return errPostgres("delete canned reply", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("canned reply %d: %w", id, ErrNotFound)
	}
	return nil
}
