package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// RunRetention runs the conformance suite of [store.Retention], as
// subtests of t that run in parallel. open is as for [Run]; the store
// must also implement the tickets, surveys, history and phrasings.
func RunRetention(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	t.Run("DeleteEverything", func(t *testing.T) {
		t.Parallel()
		s, reopen := open(t)
		t.Cleanup(func() { s.Close() })
		ctx := t.Context()
		type full interface {
			store.Store
			store.Retention
			store.Tickets
			store.Surveys
			store.History
			store.Phrasings
			store.Reports
		}
		r, ok := s.(full)
		if !ok {
			t.Fatalf("%T does not implement store.Retention and the rest", s)
		}
		old := time.Now().Add(-48 * time.Hour)
		mk := func(id, customer, state string) {
			if err := s.CreateConversation(ctx, &store.Conversation{ID: id, TokenHash: []byte("h"), CustomerID: customer, State: state, CreatedAt: old, UpdatedAt: old}); err != nil {
				t.Fatal(err)
			}
		}
		mk("gone", "cust-7", "bot")
		mk("kept", "cust-8", "bot")
		mk("waiting", "cust-7", "queued")
		for _, id := range []string{"gone", "kept"} {
			appendMessage(t, s, &store.Message{ConversationID: id, Author: store.AuthorCustomer, ClientID: "m_" + id, Text: "Bonjour, je suis " + id})
			if err := s.RecordFeedback(ctx, store.Feedback{ConversationID: id, ArticleID: "retour", Seq: 1, Helpful: true}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := r.CreateTicket(ctx, &store.Ticket{ConversationID: id, ClientID: "f_" + id, Email: id + "@example.com", Message: "aide", Lang: "fr"}, nil); err != nil {
				t.Fatal(err)
			}
			if err := r.RecordSurvey(ctx, &store.Survey{ConversationID: id, Seq: 1, Agent: "marie", Rating: 4}); err != nil {
				t.Fatal(err)
			}
			if err := r.RecordClosed(ctx, &store.Closed{ConversationID: id, Agent: "marie", Resolution: "answered", ClosedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if err := r.AddPhrasing(ctx, &store.Phrasing{ArticleID: "retour", Text: "question de " + id, Source: store.PhrasingFromVote, ConversationID: id}); err != nil {
				t.Fatal(err)
			}
		}
		// Every one is older than an hour from now; but the queued one,
		// which the team has, is never too old.
		ids, err := r.ConversationsBefore(ctx, time.Now().Add(time.Hour))
		if err != nil || len(ids) != 2 || ids[0] != "gone" && ids[1] != "gone" {
			t.Errorf("ConversationsBefore: %v, %v; want gone and kept", ids, err)
		}
		if ids, _ := r.ConversationsBefore(ctx, time.Now().Add(-time.Hour)); len(ids) != 0 {
			t.Errorf("ConversationsBefore an older time: %v", ids)
		}
		convs, err := r.CustomerConversations(ctx, "cust-7")
		if err != nil || len(convs) != 2 {
			t.Errorf("CustomerConversations(cust-7): %d, %v; want 2", len(convs), err)
		}
		if n, err := r.DeleteConversations(ctx, []string{"gone", "no-such"}); err != nil || n != 1 {
			t.Fatalf("DeleteConversations: %d, %v; want 1", n, err)
		}
		check := func() {
			t.Helper()
			if _, err := s.Conversation(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the conversation deleted: %v", err)
			}
			if msgs, _ := s.Messages(ctx, "gone", 0, 0); len(msgs) != 0 {
				t.Errorf("messages left: %v", msgs)
			}
			if votes, _ := r.ConversationFeedback(ctx, "gone"); len(votes) != 0 {
				t.Errorf("votes left: %v", votes)
			}
			tickets, _ := r.ListTickets(ctx, "", 0)
			surveys, _ := r.ListSurveys(ctx, 0)
			closed, _ := r.FindClosed(ctx, store.HistoryQuery{})
			phrasings, _ := r.Phrasings(ctx, "")
			if len(tickets) != 1 || tickets[0].ConversationID != "kept" || len(surveys) != 1 || surveys[0].ConversationID != "kept" ||
				len(closed) != 1 || closed[0].ConversationID != "kept" || len(phrasings) != 1 || phrasings[0].ConversationID != "kept" {
				t.Errorf("left: tickets %v, surveys %v, closed %v, phrasings %v; want the kept conversation's only", tickets, surveys, closed, phrasings)
			}
			if msgs, _ := s.Messages(ctx, "kept", 0, 0); len(msgs) != 1 {
				t.Errorf("the kept conversation has %d messages", len(msgs))
			}
			// A new conversation may take the id again.
		}
		check()
		s.Close()
		s = reopen()
		t.Cleanup(func() { s.Close() })
		r = s.(full)
		check()
		mk("gone", "cust-9", "bot")
		if msgs, _ := s.Messages(ctx, "gone", 0, 0); len(msgs) != 0 {
			t.Errorf("a new conversation of the same id has %d messages", len(msgs))
		}
	})
}
