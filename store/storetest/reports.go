package storetest

import (
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// RunReports runs the conformance suite of [store.Reports], as subtests
// of t that run in parallel. open is as for [Run].
func RunReports(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	t.Run("SinceAndFeedback", func(t *testing.T) {
		t.Parallel()
		s, _ := open(t)
		t.Cleanup(func() { s.Close() })
		r, ok := s.(store.Reports)
		if !ok {
			t.Fatalf("%T does not implement store.Reports", s)
		}
		ctx := t.Context()
		day := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		for i, id := range []string{"r-old", "r-b", "r-a", "r-new"} {
			at := day.Add(time.Duration(i) * time.Hour)
			if id == "r-a" {
				at = day.Add(time.Hour) // same time as r-b: by id
			}
			if err := s.CreateConversation(ctx, &store.Conversation{ID: id, TokenHash: []byte("h"), State: "bot", CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := r.ConversationsSince(ctx, day.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if want := []string{"r-a", "r-b", "r-new"}; len(ids) != 3 || ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] {
			t.Errorf("ConversationsSince: %v, want %v", ids, want)
		}
		for _, f := range []store.Feedback{
			{ConversationID: "r-a", ArticleID: "livraison", Seq: 4, Helpful: false},
			{ConversationID: "r-a", ArticleID: "retour", Seq: 2, Helpful: true},
			{ConversationID: "r-b", ArticleID: "retour", Seq: 2, Helpful: true},
		} {
			if err := s.RecordFeedback(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		votes, err := r.ConversationFeedback(ctx, "r-a")
		if err != nil {
			t.Fatal(err)
		}
		if len(votes) != 2 || votes[0].ArticleID != "retour" || !votes[0].Helpful || votes[1].ArticleID != "livraison" || votes[1].Helpful || votes[1].Seq != 4 || votes[0].CreatedAt.IsZero() {
			t.Errorf("ConversationFeedback(r-a): %+v", votes)
		}
		if votes, err := r.ConversationFeedback(ctx, "r-none"); err != nil || len(votes) != 0 {
			t.Errorf("ConversationFeedback of none: %v, %v", votes, err)
		}
	})
}
