package store

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// ConversationsSince implements [Reports] by reading every conversation,
// as a report does once, not for each request.
func (s *Bolt) ConversationsSince(ctx context.Context, since time.Time) ([]Conversation, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("list conversations", err)
	}
	list, err := s.scanConversations(func(rec *boltConversation) bool { return !rec.CreatedAt.Before(since) })
	if err != nil {
		return nil, errBolt("list conversations", err)
	}
	sortConversations(list, func(c *Conversation) time.Time { return c.CreatedAt })
	return list, nil
}

// ConversationFeedback implements [Reports]: the votes of a conversation
// share the prefix of their keys.
func (s *Bolt) ConversationFeedback(ctx context.Context, id string) ([]Feedback, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("conversation feedback", err)
	}
	var list []Feedback
	prefix := feedbackKey(id, "")
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketFeedback).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			article, rec, err := decodeFeedback(k, v)
			if err != nil {
				return err
			}
			list = append(list, Feedback{ConversationID: id, ArticleID: article, Seq: rec.Seq, Helpful: rec.Helpful, CreatedAt: rec.CreatedAt})
		}
		return nil
	})
	if err != nil {
		return nil, errBolt("conversation feedback", err)
	}
	slices.SortFunc(list, func(a, b Feedback) int {
		if a.Seq != b.Seq {
			return int(a.Seq - b.Seq)
		}
		return strings.Compare(a.ArticleID, b.ArticleID)
	})
	return list, nil
}
