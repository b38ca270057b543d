package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"go.etcd.io/bbolt"
)

var _ CannedReplies = (*Bolt)(nil)

// The canned replies add a bucket to the bbolt file, created by the first:
//
//	canned  id, 8 bytes big-endian -> CannedReply, JSON
var bucketCanned = []byte("canned")

// SaveCanned implements [CannedReplies].
func (s *Bolt) SaveCanned(ctx context.Context, r *CannedReply) error {
	if err := ctx.Err(); err != nil {
		return errBolt("save canned reply", err)
	}
	nr, err := prepareCanned(r)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCanned)
		if err != nil {
			return err
		}
		if nr.ID != 0 && b.Get(seqKey(nr.ID)) == nil {
			return fmt.Errorf("canned reply %d: %w", nr.ID, ErrNotFound)
		}
		err = b.ForEach(func(k, v []byte) error {
			var old CannedReply
			if err := json.Unmarshal(v, &old); err != nil {
				return err
			}
			if old.Shortcut == nr.Shortcut && old.ID != nr.ID {
				return fmt.Errorf("shortcut %q: %w", nr.Shortcut, ErrExists)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if nr.ID == 0 {
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			nr.ID = int64(id)
		}
		v, err := json.Marshal(nr)
		if err != nil {
			return err
		}
		return b.Put(seqKey(nr.ID), v)
	})
	if err != nil {
		return errBolt("save canned reply", err)
	}
	*r = nr
	return nil
}

// ListCanned implements [CannedReplies].
func (s *Bolt) ListCanned(ctx context.Context) ([]CannedReply, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("list canned replies", err)
	}
	var list []CannedReply
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketCanned)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var r CannedReply
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			list = append(list, r)
			return nil
		})
	})
	if err != nil {
		return nil, errBolt("list canned replies", err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Shortcut < list[j].Shortcut })
	return list, nil
}

// DeleteCanned implements [CannedReplies].
func (s *Bolt) DeleteCanned(ctx context.Context, id int64) error {
	if err := ctx.Err(); err != nil {
		return errBolt("delete canned reply", err)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketCanned)
		if b == nil || id <= 0 || b.Get(seqKey(id)) == nil {
			return fmt.Errorf("canned reply %d: %w", id, ErrNotFound)
		}
		return b.Delete(seqKey(id))
	})
	if err != nil {
		return errBolt("delete canned reply", err)
	}
	return nil
}
