package storetest

import (
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// RunHistory runs the conformance suite of [store.History], as subtests
// of t that run in parallel. open is as for [Run].
func RunHistory(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	t.Run("RecordAndFind", func(t *testing.T) {
		t.Parallel()
		s, reopen := open(t)
		t.Cleanup(func() { s.Close() })
		h := &harness{s: s, reopen: reopen}
		hi := func() store.History {
			x, ok := h.s.(store.History)
			if !ok {
				t.Fatalf("%T does not implement store.History", h.s)
			}
			return x
		}
		ctx := t.Context()
		base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		texts := map[string]string{"a": "Mon colis est arrivé ABÎMÉ", "b": "Je veux un remboursement à 50 % de réduction", "c": "Où est ma commande ?"}
		for i, id := range []string{"a", "b", "c"} {
			c := newConversation(t, h.s)
			if _, _, err := h.s.AppendMessage(ctx, &store.Message{ConversationID: c.ID, Author: store.AuthorCustomer, Text: texts[id]}); err != nil {
				t.Fatal(err)
			}
			agent, res := "marie", "answered"
			if id == "b" {
				agent, res = "paul", "refunded"
			}
			if err := hi().RecordClosed(ctx, &store.Closed{ConversationID: c.ID, Agent: agent, Resolution: res, ClosedAt: base.Add(time.Duration(i) * time.Hour)}); err != nil {
				t.Fatalf("RecordClosed: %v", err)
			}
			texts[id] = c.ID
		}
		h.closeAndReopen(t)
		ids := func(q store.HistoryQuery) []string {
			t.Helper()
			list, err := hi().FindClosed(ctx, q)
			if err != nil {
				t.Fatalf("FindClosed(%+v): %v", q, err)
			}
			var out []string
			for _, c := range list {
				for k, v := range texts {
					if v == c.ConversationID {
						out = append(out, k)
					}
				}
			}
			return out
		}
		for _, test := range []struct {
			q    store.HistoryQuery
			want string
		}{
			{store.HistoryQuery{}, "cba"},
			{store.HistoryQuery{Limit: 2}, "cb"},
			{store.HistoryQuery{Agent: "Marie"}, "ca"},
			{store.HistoryQuery{Resolution: "refunded"}, "b"},
			{store.HistoryQuery{From: base.Add(time.Hour)}, "cb"},
			{store.HistoryQuery{To: base.Add(time.Hour)}, "a"},
			{store.HistoryQuery{Text: "abîmé"}, "a"},
			{store.HistoryQuery{Text: "50 %"}, "b"},
			{store.HistoryQuery{Text: "100 %"}, ""},
			{store.HistoryQuery{Text: "_"}, ""},
			{store.HistoryQuery{Text: "commande", Agent: "paul"}, ""},
		} {
			got := ""
			for _, id := range ids(test.q) {
				got += id
			}
			if got != test.want {
				t.Errorf("FindClosed(%+v) = %q, want %q", test.q, got, test.want)
			}
		}
	})
}
