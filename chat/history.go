package chat

import (
	"context"
	"encoding/json"
	"time"

	"github.com/supportd/supportd/store"
)

// Closed conversations stay findable: each closing is recorded
// (HistoryStore), and the console lists them by date, agent and
// resolution, or by a text their messages hold, and reads their
// transcripts.

// HistoryStore keeps the conversations agents closed. *store.Bolt and
// *store.Postgres implement it.
type HistoryStore interface {
	RecordClosed(ctx context.Context, c *store.Closed) error
	FindClosed(ctx context.Context, q store.HistoryQuery) ([]store.Closed, error)
}

// HistoryItem is a closed conversation as the console lists it.
type HistoryItem struct {
	Conversation string    `json:"conversation"`
	Agent        string    `json:"agent"`
	AgentName    string    `json:"agent_name"`
	Resolution   string    `json:"resolution"`
	Customer     string    `json:"customer,omitempty"`
	ClosedAt     time.Time `json:"closed_at"`
	// First is the customer's first message, to recognise the
	// conversation by.
	First string `json:"first,omitempty"`
}

// recordClosed records a closing for the history; a failure is logged,
// the close itself stands.
func (s *Service) recordClosed(ctx context.Context, conv, agent, resolution, customer string) {
	if s.cfg.History == nil {
		return
	}
	if err := s.cfg.History.RecordClosed(ctx, &store.Closed{ConversationID: conv, Agent: agent, Resolution: resolution, CustomerID: customer}); err != nil {
		s.log.Error("chat: record closing", "conversation", conv, "err", err)
	}
}

// History finds the closed conversations that match q, the latest first.
func (s *Service) History(ctx context.Context, q store.HistoryQuery) ([]HistoryItem, error) {
	if s.cfg.History == nil {
		return []HistoryItem{}, nil
	}
	list, err := s.cfg.History.FindClosed(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]HistoryItem, 0, len(list))
	for _, c := range list {
		it := HistoryItem{Conversation: c.ConversationID, Agent: c.Agent, AgentName: s.agentName(c.Agent), Resolution: c.Resolution, Customer: c.CustomerID, ClosedAt: c.ClosedAt.UTC()}
		if msgs, err := s.cfg.Store.Messages(ctx, c.ConversationID, 0, 20); err == nil {
			for _, m := range msgs {
				if m.Author == store.AuthorCustomer {
					it.First = truncateRunes(m.Text, 200)
					break
				}
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// Transcript returns a conversation's messages as the console shows them,
// internal notes included; store.ErrNotFound for an unknown conversation.
func (s *Service) Transcript(ctx context.Context, conv string) ([]json.RawMessage, error) {
	if _, err := s.cfg.Store.Conversation(ctx, conv); err != nil {
		return nil, err
	}
	msgs, err := s.cfg.Store.Messages(ctx, conv, 0, 0)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(msgs))
	for i := range msgs {
		out = append(out, s.agentMessageFrame(&msgs[i]))
	}
	return out, nil
}

// truncateRunes cuts s to n characters, with "…" when cut.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
