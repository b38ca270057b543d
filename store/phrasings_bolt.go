package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"go.etcd.io/bbolt"
)

var _ Phrasings = (*Bolt)(nil)

// The phrasings add a bucket to the bbolt file, created by the first one:
//
//	phrasings  id, 8 bytes big-endian -> Phrasing, JSON
var bucketPhrasings = []byte("phrasings")

// AddPhrasing implements [Phrasings].
func (s *Bolt) AddPhrasing(ctx context.Context, p *Phrasing) error {
	if err := ctx.Err(); err != nil {
		return errBolt("add phrasing", err)
	}
	np, err := preparePhrasing(p)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketPhrasings)
		if err != nil {
			return err
		}
		key := phrasingKey(np.ArticleID, np.Text)
		err = b.ForEach(func(_, v []byte) error {
			var old Phrasing
			if err := json.Unmarshal(v, &old); err != nil {
				return err
			}
			if phrasingKey(old.ArticleID, old.Text) == key {
				return fmt.Errorf("phrasing of %s: %w", np.ArticleID, ErrExists)
			}
			return nil
		})
		if err != nil {
			return err
		}
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		np.ID = int64(id)
		v, err := json.Marshal(np)
		if err != nil {
			return err
		}
		return b.Put(seqKey(np.ID), v)
	})
	if err != nil {
		return errBolt("add phrasing", err)
	}
	*p = np
	return nil
}

// Phrasings implements [Phrasings].
func (s *Bolt) Phrasings(ctx context.Context, status string) ([]Phrasing, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("list phrasings", err)
	}
	var list []Phrasing
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketPhrasings)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var p Phrasing
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			if status == "" || p.Status == status {
				list = append(list, p)
			}
			return nil
		})
	})
	if err != nil {
		return nil, errBolt("list phrasings", err)
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].ArticleID < list[j].ArticleID })
	return list, nil
}

// SetPhrasingStatus implements [Phrasings].
func (s *Bolt) SetPhrasingStatus(ctx context.Context, id int64, status string) error {
	if err := ctx.Err(); err != nil {
		return errBolt("set phrasing status", err)
	}
	if !validPhrasingStatus(status) {
		return fmt.Errorf("%w: phrasing status %q", ErrInvalid, status)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketPhrasings)
		var v []byte
		if b != nil && id > 0 {
			v = b.Get(seqKey(id))
		}
		if v == nil {
			return fmt.Errorf("phrasing %d: %w", id, ErrNotFound)
		}
		var p Phrasing
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
		p.Status = status
		nv, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return b.Put(seqKey(id), nv)
	})
	if err != nil {
		return errBolt("set phrasing status", err)
	}
	return nil
}
