package storetest

import (
	"errors"
	"testing"

	"github.com/supportd/supportd/store"
)

// RunCanned runs the conformance suite of [store.CannedReplies], as
// subtests of t that run in parallel. open is as for [Run].
func RunCanned(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	t.Run("SaveListDelete", func(t *testing.T) {
		t.Parallel()
		s, reopen := open(t)
		t.Cleanup(func() { s.Close() })
		h := &harness{s: s, reopen: reopen}
		cr := func() store.CannedReplies {
			x, ok := h.s.(store.CannedReplies)
			if !ok {
				t.Fatalf("%T does not implement store.CannedReplies", h.s)
			}
			return x
		}
		ctx := t.Context()
		delais := &store.CannedReply{Shortcut: "/Delais", Text: " Nos colis partent sous 24 h. ", UpdatedBy: "marie"}
		bonjour := &store.CannedReply{Shortcut: "bonjour", Text: "Bonjour, je regarde votre demande.", UpdatedBy: "marie"}
		for _, r := range []*store.CannedReply{delais, bonjour} {
			if err := cr().SaveCanned(ctx, r); err != nil {
				t.Fatalf("SaveCanned: %v", err)
			}
		}
		if delais.ID == 0 || delais.Shortcut != "delais" || delais.Text != "Nos colis partent sous 24 h." || delais.UpdatedAt.IsZero() {
			t.Errorf("SaveCanned set %+v", delais)
		}
		if err := cr().SaveCanned(ctx, &store.CannedReply{Shortcut: "delais", Text: "autre"}); !errors.Is(err, store.ErrExists) {
			t.Errorf("a second reply with a taken shortcut: %v, want ErrExists", err)
		}
		if err := cr().SaveCanned(ctx, &store.CannedReply{ID: 999, Shortcut: "x", Text: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SaveCanned of an unknown id: %v, want ErrNotFound", err)
		}
		for _, bad := range []store.CannedReply{{Shortcut: "", Text: "x"}, {Shortcut: "a b", Text: "x"}, {Shortcut: "ok", Text: "  "}, {Shortcut: "ok", Text: "a\x00"}} {
			if err := cr().SaveCanned(ctx, &bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("SaveCanned(%+v): %v, want ErrInvalid", bad, err)
			}
		}
		// Editing keeps the id, and may keep the shortcut.
		delais.Text = "Nos colis partent le jour même avant 15 h."
		if err := cr().SaveCanned(ctx, delais); err != nil {
			t.Fatalf("SaveCanned (edit): %v", err)
		}
		h.closeAndReopen(t)
		list, err := cr().ListCanned(ctx)
		if err != nil || len(list) != 2 || list[0].Shortcut != "bonjour" || list[1].ID != delais.ID || list[1].Text != delais.Text {
			t.Fatalf("ListCanned = %+v, %v", list, err)
		}
		if err := cr().DeleteCanned(ctx, bonjour.ID); err != nil {
			t.Fatal(err)
		}
		if err := cr().DeleteCanned(ctx, bonjour.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting twice: %v, want ErrNotFound", err)
		}
		if list, _ := cr().ListCanned(ctx); len(list) != 1 {
			t.Errorf("after the delete: %+v", list)
		}
	})
}
