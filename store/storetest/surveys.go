package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// RunSurveys runs the conformance suite of [store.Surveys], as subtests
// of t that run in parallel. open is as for [Run].
func RunSurveys(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	t.Run("RecordAndList", func(t *testing.T) {
		t.Parallel()
		s, reopen := open(t)
		t.Cleanup(func() { s.Close() })
		h := &harness{s: s, reopen: reopen}
		sv := func() store.Surveys {
			x, ok := h.s.(store.Surveys)
			if !ok {
				t.Fatalf("%T does not implement store.Surveys", h.s)
			}
			return x
		}
		ctx := t.Context()
		base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		for i, x := range []store.Survey{
			{ConversationID: "c_1", Seq: 7, Agent: "marie", Rating: 5, Comment: "  Très efficace  ", CreatedAt: base},
			{ConversationID: "c_2", Seq: 3, Agent: "paul", Rating: 2, CreatedAt: base.Add(time.Minute)},
			{ConversationID: "c_1", Seq: 12, Agent: "marie", Rating: 4, CreatedAt: base.Add(2 * time.Minute)},
		} {
			if err := sv().RecordSurvey(ctx, &x); err != nil {
				t.Fatalf("RecordSurvey %d: %v", i, err)
			}
		}
		if err := sv().RecordSurvey(ctx, &store.Survey{ConversationID: "c_1", Seq: 7, Rating: 1}); !errors.Is(err, store.ErrExists) {
			t.Errorf("a second answer to one offer: %v, want ErrExists", err)
		}
		for _, bad := range []store.Survey{
			{ConversationID: "c_9", Seq: 1, Rating: 0},
			{ConversationID: "c_9", Seq: 1, Rating: 6},
			{ConversationID: "", Seq: 1, Rating: 3},
			{ConversationID: "c_9", Seq: 0, Rating: 3},
			{ConversationID: "c_9", Seq: 1, Rating: 3, Comment: strings.Repeat("é", 1001)},
			{ConversationID: "c_9", Seq: 1, Rating: 3, Comment: "a\x00b"},
		} {
			if err := sv().RecordSurvey(ctx, &bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("RecordSurvey(%+v): %v, want ErrInvalid", bad, err)
			}
		}
		h.closeAndReopen(t)
		list, err := sv().ListSurveys(ctx, 2)
		if err != nil || len(list) != 2 || list[0].Seq != 12 || list[1].ConversationID != "c_2" {
			t.Fatalf("ListSurveys(2) = %+v, %v; want the two newest", list, err)
		}
		all, _ := sv().ListSurveys(ctx, 0)
		if len(all) != 3 || all[2].Comment != "Très efficace" || all[2].Agent != "marie" || all[2].Rating != 5 || !all[2].CreatedAt.Equal(base) {
			t.Errorf("ListSurveys(0) = %+v", all)
		}
	})
}
