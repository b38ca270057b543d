package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"go.etcd.io/bbolt"
)

var _ History = (*Bolt)(nil)

// The history adds a bucket to the bbolt file, created by the first
// closing:
//
//	closed  closing time in ns, 8 bytes big-endian, then the conversation id -> Closed, JSON
var bucketClosed = []byte("closed")

// RecordClosed implements [History].
func (s *Bolt) RecordClosed(ctx context.Context, c *Closed) error {
	if err := ctx.Err(); err != nil {
		return errBolt("record closing", err)
	}
	nc, err := prepareClosed(c)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketClosed)
		if err != nil {
			return err
		}
		v, err := json.Marshal(nc)
		if err != nil {
			return err
		}
		return b.Put(append(seqKey(nc.ClosedAt.UnixNano()), nc.ConversationID...), v)
	})
	if err != nil {
		return errBolt("record closing", err)
	}
	c.ClosedAt = nc.ClosedAt
	return nil
}

// FindClosed implements [History]: it walks the closings from the latest,
// and for a text search reads the messages of each that passes the other
// filters.
func (s *Bolt) FindClosed(ctx context.Context, q HistoryQuery) ([]Closed, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("find closings", err)
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	var out []Closed
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketClosed)
		if b == nil {
			return nil
		}
		cur := b.Cursor()
		for k, v := cur.Last(); k != nil && len(out) < q.limit(); k, v = cur.Prev() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var c Closed
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			if !q.matches(c) || text != "" && !conversationHolds(tx, c.ConversationID, text) {
				continue
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, errBolt("find closings", err)
	}
	return out, nil
}

// errStop ends a bbolt ForEach early.
var errStop = errors.New("store: stop")

// conversationHolds reports whether a message of the conversation holds
// text, lower-cased.
func conversationHolds(tx *bbolt.Tx, conv, text string) bool {
	msgs := tx.Bucket(bucketMessages).Bucket([]byte(conv))
	if msgs == nil {
		return false
	}
	found := false
	msgs.ForEach(func(k, v []byte) error {
		if !isSeqKey(k) {
			return nil
		}
		var m boltMessage
		if json.Unmarshal(v, &m) == nil && strings.Contains(strings.ToLower(m.Text), text) {
			found = true
			return errStop
		}
		return nil
	})
	return found
}
