package store

import (
	"context"
	"time"
)

// Retention deletes what a shop must not keep: the conversations older
// than its retention period (supportd serve --retention), and, on a
// customer's request, their conversations (supportd customer forget).
// *Bolt and *Postgres implement it.
type Retention interface {
	// ConversationsBefore returns the ids of the conversations last
	// changed before t, but those the team has (queued or held), which
	// are never too old.
	ConversationsBefore(ctx context.Context, t time.Time) ([]string, error)
	// CustomerConversations returns the conversations of a verified
	// customer, oldest first.
	CustomerConversations(ctx context.Context, customerID string) ([]Conversation, error)
	// DeleteConversations deletes conversations and everything of theirs:
	// messages, votes, email requests (tickets), survey answers, the
	// history of their closing, and the phrasings they gave articles. It
	// returns how many conversations it deleted; ids that do not exist
	// are no error. The emails of the outbox are left: they are the
	// record of what the shop sent.
	DeleteConversations(ctx context.Context, ids []string) (int, error)
}
