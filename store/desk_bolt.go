package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// bucketHeld indexes the conversations each agent holds, to count them
// against the agent's capacity without reading every conversation:
// agent login, a NUL byte, conversation id -> nothing. Every write of a
// conversation's state or agent keeps it (indexHeld); a file written
// before the index had it is indexed when opened (openHeldIndex).
var bucketHeld = []byte("desk_held")

func heldKey(agent, conv string) []byte { return []byte(agent + "\x00" + conv) }

// indexHeld updates the index of held conversations for conversation id
// going from old (nil for a new one) to rec.
func indexHeld(tx *bbolt.Tx, id string, old, rec *boltConversation) error {
	b := tx.Bucket(bucketHeld)
	if old != nil && old.State == StateAgent && old.Agent != "" && (rec.State != StateAgent || rec.Agent != old.Agent) {
		if err := b.Delete(heldKey(old.Agent, id)); err != nil {
			return err
		}
	}
	if rec.State == StateAgent && rec.Agent != "" {
		return b.Put(heldKey(rec.Agent, id), nil)
	}
	return nil
}

// openHeldIndex creates the index of held conversations when the file
// has none, from the conversations.
func openHeldIndex(tx *bbolt.Tx) error {
	if tx.Bucket(bucketHeld) != nil {
		return nil
	}
	if _, err := tx.CreateBucket(bucketHeld); err != nil {
		return err
	}
	return tx.Bucket(bucketConversations).ForEach(func(k, v []byte) error {
		var rec boltConversation
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("conversation %q: %w", k, err)
		}
		return indexHeld(tx, string(k), nil, &rec)
	})
}

// heldCount counts the conversations agent holds, but conv.
func heldCount(tx *bbolt.Tx, agent, conv string) int {
	prefix := []byte(agent + "\x00")
	n := 0
	c := tx.Bucket(bucketHeld).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if string(k[len(prefix):]) != conv {
			n++
		}
	}
	return n
}

// MoveConversation implements [Desk] in one write transaction, which
// bbolt runs one at a time.
func (s *Bolt) MoveConversation(ctx context.Context, m DeskMove) error {
	if err := ctx.Err(); err != nil {
		return errBolt("move conversation", err)
	}
	if err := checkMove(m); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		rec, err := getConversation(tx, m.Conversation)
		if err != nil {
			return err
		}
		if deskState(rec.State) != m.FromState || m.FromState != StateBot && rec.Agent != m.FromAgent {
			return fmt.Errorf("conversation %q: %w", m.Conversation, ErrMoved)
		}
		if m.ToState == StateAgent {
			a, err := getAgent(tx, strings.ToLower(m.ToAgent))
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err == nil && a.Presence != "online" {
				return fmt.Errorf("agent %q: %w", m.ToAgent, ErrAbsent)
			}
			if m.Capacity > 0 && heldCount(tx, m.ToAgent, m.Conversation) >= m.Capacity {
				return fmt.Errorf("agent %q: %w", m.ToAgent, ErrFull)
			}
		}
		old := *rec
		now := storedTime(time.Now())
		rec.State, rec.Agent, rec.Front, rec.UpdatedAt = m.ToState, m.ToAgent, m.Front, now
		switch {
		case m.ToState == StateBot:
			rec.QueuedAt = time.Time{}
		case m.FromState == StateBot:
			rec.QueuedAt = now
		}
		if m.Info != nil {
			rec.DeskInfo = m.Info
		}
		if err := indexHeld(tx, m.Conversation, &old, rec); err != nil {
			return err
		}
		return putConversation(tx, m.Conversation, rec)
	})
	if err != nil {
		return errBolt("move conversation", err)
	}
	return nil
}
