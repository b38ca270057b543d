package report

import (
	"context"
	"fmt"
	"time"

	"github.com/supportd/supportd/store"
)

// Source is the store a report is read from.
type Source interface {
	store.Reports
	Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]store.Message, error)
	ListSurveys(ctx context.Context, limit int) ([]store.Survey, error)
}

// Load reads the conversations started at or after since, with their
// messages, votes and satisfaction ratings.
func Load(ctx context.Context, src Source, since time.Time) ([]Conversation, error) {
	list, err := src.ConversationsSince(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("report: conversations: %w", err)
	}
	surveys, err := src.ListSurveys(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("report: surveys: %w", err)
	}
	ratings := map[string][]int{}
	for _, s := range surveys {
		ratings[s.ConversationID] = append(ratings[s.ConversationID], s.Rating)
	}
	convs := make([]Conversation, 0, len(list))
	for _, c := range list {
		msgs, err := src.Messages(ctx, c.ID, 0, 0)
		if err != nil {
			return nil, fmt.Errorf("report: messages of %s: %w", c.ID, err)
		}
		votes, err := src.ConversationFeedback(ctx, c.ID)
		if err != nil {
			return nil, fmt.Errorf("report: votes of %s: %w", c.ID, err)
		}
		convs = append(convs, Conversation{Conversation: c, Messages: msgs, Votes: votes, Ratings: ratings[c.ID]})
	}
	return convs, nil
}
