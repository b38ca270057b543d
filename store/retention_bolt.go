package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// ConversationsBefore implements [Retention] by reading every
// conversation.
func (s *Bolt) ConversationsBefore(ctx context.Context, t time.Time) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("old conversations", err)
	}
	list, err := s.scanConversations(func(rec *boltConversation) bool { return rec.UpdatedAt.Before(t) && deskState(rec.State) == StateBot })
	if err != nil {
		return nil, errBolt("old conversations", err)
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	slices.Sort(ids)
	return ids, nil
}

// CustomerConversations implements [Retention] by reading every
// conversation.
func (s *Bolt) CustomerConversations(ctx context.Context, customerID string) ([]Conversation, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("customer conversations", err)
	}
	if customerID == "" {
		return nil, nil
	}
	list, err := s.scanConversations(func(rec *boltConversation) bool { return rec.CustomerID == customerID })
	if err != nil {
		return nil, errBolt("customer conversations", err)
	}
	sortConversations(list, func(c *Conversation) time.Time { return c.CreatedAt })
	return list, nil
}

// DeleteConversations implements [Retention] in one write transaction.
// The history and the phrasings are not keyed by conversation: their
// buckets are read whole.
func (s *Bolt) DeleteConversations(ctx context.Context, ids []string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, errBolt("delete conversations", err)
	}
	gone := map[string]bool{}
	for _, id := range ids {
		gone[id] = true
	}
	n := 0
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for _, id := range ids {
			rec, err := getConversation(tx, id)
			if err != nil {
				continue
			}
			n++
			if err := indexHeld(tx, id, rec, &boltConversation{}); err != nil {
				return err
			}
			if err := tx.Bucket(bucketConversations).Delete([]byte(id)); err != nil {
				return err
			}
			for _, b := range [][]byte{bucketMessages, bucketClientIDs} {
				if tx.Bucket(b).Bucket([]byte(id)) != nil {
					if err := tx.Bucket(b).DeleteBucket([]byte(id)); err != nil {
						return err
					}
				}
			}
			if err := deletePrefix(tx.Bucket(bucketFeedback), feedbackKey(id, "")); err != nil {
				return err
			}
			if err := deletePrefix(tx.Bucket(bucketSurveys), append([]byte(id), 0)); err != nil {
				return err
			}
			if ids := tx.Bucket(bucketTicketIDs); ids != nil {
				prefix := binary.AppendUvarint(nil, uint64(len(id)))
				prefix = append(prefix, id...)
				c := ids.Cursor()
				for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Seek(prefix) {
					if err := tx.Bucket(bucketTickets).Delete(v); err != nil {
						return err
					}
					if err := ids.Delete(k); err != nil {
						return err
					}
				}
			}
		}
		if err := deleteWhere(tx.Bucket(bucketClosed), func(v []byte) bool {
			var c Closed
			return json.Unmarshal(v, &c) == nil && gone[c.ConversationID]
		}); err != nil {
			return err
		}
		return deleteWhere(tx.Bucket(bucketPhrasings), func(v []byte) bool {
			var p Phrasing
			return json.Unmarshal(v, &p) == nil && gone[p.ConversationID]
		})
	})
	if err != nil {
		return 0, errBolt("delete conversations", err)
	}
	return n, nil
}

// deletePrefix deletes the keys of b (nil: none) that start with prefix.
func deletePrefix(b *bbolt.Bucket, prefix []byte) error {
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// deleteWhere deletes the keys of b (nil: none) whose value matches.
func deleteWhere(b *bbolt.Bucket, match func(v []byte) bool) error {
	if b == nil {
		return nil
	}
	var keys [][]byte
	b.ForEach(func(k, v []byte) error {
		if match(v) {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
