package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/supportd/supportd/store"
)

// RunPhrasings runs the conformance suite of [store.Phrasings], as
// subtests of t that run in parallel. open is as for [Run]; the stores it
// returns must implement store.Phrasings.
func RunPhrasings(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	for _, test := range []struct {
		name string
		fn   func(t *testing.T, h *harness, ph func() store.Phrasings)
	}{
		{"AddAndList", testPhrasingsAddAndList},
		{"Decide", testPhrasingsDecide},
		{"Invalid", testPhrasingsInvalid},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			s, reopen := open(t)
			t.Cleanup(func() { s.Close() })
			h := &harness{s: s, reopen: reopen}
			ph := func() store.Phrasings {
				p, ok := h.s.(store.Phrasings)
				if !ok {
					t.Fatalf("%T does not implement store.Phrasings", h.s)
				}
				return p
			}
			ph()
			test.fn(t, h, ph)
		})
	}
}

func testPhrasingsAddAndList(t *testing.T, h *harness, ph func() store.Phrasings) {
	ctx := t.Context()
	if list, err := ph().Phrasings(ctx, ""); err != nil || len(list) != 0 {
		t.Fatalf("Phrasings of an empty store: %v, %v", list, err)
	}
	a := &store.Phrasing{ArticleID: "livraison-delais", Text: "  c quand  que ça arrive ", Source: store.PhrasingFromVote, ConversationID: "c_1"}
	if err := ph().AddPhrasing(ctx, a); err != nil {
		t.Fatalf("AddPhrasing: %v", err)
	}
	if a.ID == 0 || a.Status != store.PhrasingPending || a.CreatedAt.IsZero() || a.Text != "c quand que ça arrive" {
		t.Errorf("AddPhrasing set %+v", a)
	}
	b := &store.Phrasing{ArticleID: "annuler", Text: "je peux annuler ?", Source: store.PhrasingFromAgent}
	c := &store.Phrasing{ArticleID: "livraison-delais", Text: "délai pour Lyon", Source: store.PhrasingFromVote}
	for _, p := range []*store.Phrasing{b, c} {
		if err := ph().AddPhrasing(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// The same text in another case, with other spaces: the same phrasing.
	dup := &store.Phrasing{ArticleID: "livraison-delais", Text: "C QUAND que ça arrive", Source: store.PhrasingFromAgent}
	if err := ph().AddPhrasing(ctx, dup); !errors.Is(err, store.ErrExists) {
		t.Errorf("AddPhrasing of the same text: %v, want ErrExists", err)
	}
	// The same text for another article is another phrasing.
	if err := ph().AddPhrasing(ctx, &store.Phrasing{ArticleID: "annuler", Text: "c quand que ça arrive", Source: store.PhrasingFromVote}); err != nil {
		t.Errorf("the same text for another article: %v", err)
	}
	h.closeAndReopen(t)
	list, err := ph().Phrasings(ctx, store.PhrasingPending)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range list {
		got = append(got, p.ArticleID+": "+p.Text)
	}
	want := "annuler: je peux annuler ? | annuler: c quand que ça arrive | livraison-delais: c quand que ça arrive | livraison-delais: délai pour Lyon"
	if strings.Join(got, " | ") != want {
		t.Errorf("Phrasings = %q\nwant %q", strings.Join(got, " | "), want)
	}
	if list[2].ID != a.ID || list[2].Source != store.PhrasingFromVote || list[2].ConversationID != "c_1" || !list[2].CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("stored %+v, want %+v", list[2], *a)
	}
}

func testPhrasingsDecide(t *testing.T, h *harness, ph func() store.Phrasings) {
	ctx := t.Context()
	a := &store.Phrasing{ArticleID: "x", Text: "un", Source: store.PhrasingFromVote}
	b := &store.Phrasing{ArticleID: "x", Text: "deux", Source: store.PhrasingFromVote}
	for _, p := range []*store.Phrasing{a, b} {
		if err := ph().AddPhrasing(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := ph().SetPhrasingStatus(ctx, a.ID, store.PhrasingRejected); err != nil {
		t.Fatalf("SetPhrasingStatus: %v", err)
	}
	if err := ph().SetPhrasingStatus(ctx, b.ID, store.PhrasingAccepted); err != nil {
		t.Fatal(err)
	}
	if err := ph().SetPhrasingStatus(ctx, 9999, store.PhrasingAccepted); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetPhrasingStatus(9999): %v, want ErrNotFound", err)
	}
	if err := ph().SetPhrasingStatus(ctx, a.ID, "maybe"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetPhrasingStatus(maybe): %v, want ErrInvalid", err)
	}
	h.closeAndReopen(t)
	if list, _ := ph().Phrasings(ctx, store.PhrasingPending); len(list) != 0 {
		t.Errorf("pending after the decisions: %+v", list)
	}
	if list, _ := ph().Phrasings(ctx, store.PhrasingRejected); len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("rejected: %+v", list)
	}
	// A rejected phrasing is not proposed again.
	if err := ph().AddPhrasing(ctx, &store.Phrasing{ArticleID: "x", Text: "Un", Source: store.PhrasingFromAgent}); !errors.Is(err, store.ErrExists) {
		t.Errorf("AddPhrasing of a rejected text: %v, want ErrExists", err)
	}
	if list, _ := ph().Phrasings(ctx, ""); len(list) != 2 {
		t.Errorf("all: %+v", list)
	}
}

func testPhrasingsInvalid(t *testing.T, h *harness, ph func() store.Phrasings) {
	ctx := t.Context()
	for _, p := range []store.Phrasing{
		{Text: "sans article", Source: store.PhrasingFromVote},
		{ArticleID: "x", Text: "   ", Source: store.PhrasingFromVote},
		{ArticleID: "x", Text: "ok", Source: "guess"},
		{ArticleID: "x", Text: "a\x00b", Source: store.PhrasingFromVote},
		{ArticleID: "x", Text: strings.Repeat("a", 1001), Source: store.PhrasingFromVote},
	} {
		if err := ph().AddPhrasing(ctx, &p); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AddPhrasing(%+v): %v, want ErrInvalid", p, err)
		}
	}
	if list, _ := ph().Phrasings(ctx, ""); len(list) != 0 {
		t.Errorf("%d phrasings stored", len(list))
	}
}
