// Package report tells the shop what its conversations say: the questions
// the assistant could not answer, grouped so that the variants of one
// question make one line; how each article did; and, per day and per
// week, the assistant's resolution rate, the handoffs, the email
// requests, the waits and the satisfaction (docs/reports.md).
//
// It reads the conversations as the store keeps them (Load), and builds
// everything from their messages and votes: a report is computed when it
// is asked for, nothing is counted on the way.
package report

import (
	"encoding/json"
	"time"

	"github.com/supportd/supportd/store"
)

// Conversation is one conversation with what a report reads of it.
type Conversation struct {
	store.Conversation
	Messages []store.Message
	Votes    []store.Feedback
	// Ratings are the satisfaction ratings given in it (1 to 5).
	Ratings []int
}

// Article is an article of the knowledge base, as the per-article report
// names it: the editor opens Path.
type Article struct {
	ID, Title, Path string
}

// messageData is what a report reads of a message's data (the chat's
// messageData, docs/protocol.md).
type messageData struct {
	Route    string `json:"route"`
	Articles []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"articles"`
	Form    json.RawMessage `json:"form"`
	FormSeq int64           `json:"form_seq"`
	Event   string          `json:"event"`
	Agent   string          `json:"agent"`
}

// Routes of bot messages (assistant.Route*): the report reads them as
// stored, without importing the assistant.
const (
	routeFAQ      = "faq"
	routeFallback = "fallback"
	routeHandoff  = "handoff"
)

func dataOf(m *store.Message) messageData {
	var d messageData
	if len(m.Data) > 0 {
		json.Unmarshal(m.Data, &d)
	}
	return d
}

// articleIDs returns the ids of the articles of a message's data.
func (d messageData) articleIDs() []string {
	ids := make([]string, 0, len(d.Articles))
	for _, a := range d.Articles {
		ids = append(ids, a.ID)
	}
	return ids
}

// isAnswer reports whether a message is an answer of the assistant from
// the knowledge base.
func isAnswer(m *store.Message, d messageData) bool {
	return m.Author == store.AuthorBot && d.Route == routeFAQ && len(d.Articles) > 0
}

// isHandoff reports whether a message is the assistant's reply to a
// request for a person (queued or offered the email form).
func isHandoff(m *store.Message, d messageData) bool {
	return m.Author == store.AuthorBot && d.Route == routeHandoff && d.FormSeq == 0
}

// Period is the span a report covers.
type Period struct {
	Since, Until time.Time
}
