package store

import (
	"context"
	"time"
)

// Reports reads what the editors' and the team's reports are made of
// (package report): the conversations of a period, with the votes given
// in each. *Bolt and *Postgres implement it.
type Reports interface {
	// ConversationsSince returns the conversations created at or after
	// since, oldest first (then by ID, byte order).
	ConversationsSince(ctx context.Context, since time.Time) ([]Conversation, error)
	// ConversationFeedback returns the votes given in a conversation, by
	// the sequence number of the message voted on; none for a
	// conversation that does not exist.
	ConversationFeedback(ctx context.Context, id string) ([]Feedback, error)
}
