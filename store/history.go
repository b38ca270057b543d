package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Closed is a conversation an agent closed, as the history of the console
// finds it. A conversation closed twice (after a second handoff) has two.
type Closed struct {
	ConversationID string
	Agent          string
	Resolution     string
	CustomerID     string
	ClosedAt       time.Time // set by the store when zero
}

// HistoryQuery filters the closed conversations. A zero field filters
// nothing.
type HistoryQuery struct {
	// From and To bound ClosedAt: From included, To excluded.
	From, To   time.Time
	Agent      string
	Resolution string
	// Text is looked for in the conversation's messages, in any case.
	Text string
	// Limit caps the answers; 0 means 100.
	Limit int
}

// History keeps the conversations agents closed. *Bolt and *Postgres
// implement it. Errors other than those documented wrap ErrUnavailable.
type History interface {
	// RecordClosed stores a closing, setting c.ClosedAt when zero;
	// ErrInvalid for an empty conversation id.
	RecordClosed(ctx context.Context, c *Closed) error
	// FindClosed returns the closings that match q, the latest first.
	FindClosed(ctx context.Context, q HistoryQuery) ([]Closed, error)
}

func prepareClosed(c *Closed) (Closed, error) {
	if c.ConversationID == "" {
		return Closed{}, fmt.Errorf("%w: closing without a conversation", ErrInvalid)
	}
	if err := checkText("conversation", c.ConversationID, "agent", c.Agent, "resolution", c.Resolution, "customer", c.CustomerID); err != nil {
		return Closed{}, err
	}
	nc := *c
	if nc.ClosedAt.IsZero() {
		nc.ClosedAt = time.Now()
	}
	nc.ClosedAt = storedTime(nc.ClosedAt)
	return nc, nil
}

// matches reports whether c passes q's filters other than Text.
func (q HistoryQuery) matches(c Closed) bool {
	return (q.From.IsZero() || !c.ClosedAt.Before(q.From)) && (q.To.IsZero() || c.ClosedAt.Before(q.To)) &&
		(q.Agent == "" || strings.EqualFold(c.Agent, q.Agent)) && (q.Resolution == "" || c.Resolution == q.Resolution)
}

func (q HistoryQuery) limit() int {
	if q.Limit <= 0 {
		return 100
	}
	return q.Limit
}
