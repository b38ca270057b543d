package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// RunOutbox runs the conformance suite of [store.Outbox], as subtests of t
// that run in parallel. open and reopen are as for [Run]; the stores they
// return must implement store.Outbox.
func RunOutbox(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	for _, test := range []struct {
		name string
		fn   func(t *testing.T, h *outboxHarness)
	}{
		{"Enqueue", testEnqueueEmail},
		{"Due", testDueEmails},
		{"Claim", testClaimDueEmails},
		{"Sent", testEmailSent},
		{"Retry", testRetryEmail},
		{"ConcurrentEnqueue", testConcurrentEnqueue},
		{"Durability", testOutboxDurability},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			s, reopen := open(t)
			t.Cleanup(func() { s.Close() })
			h := &outboxHarness{harness: harness{s: s, reopen: reopen}}
			h.outbox(t)
			test.fn(t, h)
		})
	}
}

// outboxHarness is what a test of the outbox suite works on.
type outboxHarness struct {
	harness
	o store.Outbox
}

// outbox sets h.o to the store, failing t when it is no outbox.
func (h *outboxHarness) outbox(t *testing.T) {
	t.Helper()
	o, ok := h.s.(store.Outbox)
	if !ok {
		t.Fatalf("%T does not implement store.Outbox", h.s)
	}
	h.o = o
}

// outboxBase is a time with nanoseconds, which the stores drop.
var outboxBase = time.Date(2024, 3, 14, 9, 26, 53, 589793238, time.UTC)

// newEmail returns an email to enqueue, due at outboxBase plus after.
func newEmail(id string, after time.Duration) *store.Email {
	return &store.Email{
		ID:          id,
		To:          []string{"client@example.com", "copie@example.com"},
		From:        "support@shop.example",
		ReplyTo:     "reponse@shop.example",
		Subject:     "Votre demande " + id,
		Text:        "Bonjour,\r\nnous avons bien reçu votre demande.\n",
		CreatedAt:   outboxBase.Add(-time.Hour),
		NextAttempt: outboxBase.Add(after),
	}
}

func (h *outboxHarness) enqueue(t *testing.T, e *store.Email) {
	t.Helper()
	if err := h.o.EnqueueEmail(t.Context(), e); err != nil {
		t.Fatalf("EnqueueEmail(%s): %v", e.ID, err)
	}
}

// due returns the ids of the emails due at now.
func (h *outboxHarness) due(t *testing.T, now time.Time, limit int) []string {
	t.Helper()
	list, err := h.o.DueEmails(t.Context(), now, limit)
	if err != nil {
		t.Fatalf("DueEmails(%v, %d): %v", now, limit, err)
	}
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	return ids
}

// dueEmail returns the email id as DueEmails returns it at now.
func (h *outboxHarness) dueEmail(t *testing.T, now time.Time, id string) *store.Email {
	t.Helper()
	list, err := h.o.DueEmails(t.Context(), now, 0)
	if err != nil {
		t.Fatalf("DueEmails(%v): %v", now, err)
	}
	for _, e := range list {
		if e.ID == id {
			return &e
		}
	}
	t.Fatalf("email %s is not due at %v", id, now)
	return nil
}

func checkEmail(t *testing.T, got, want *store.Email) {
	t.Helper()
	if got.ID != want.ID || !slices.Equal(got.To, want.To) || got.From != want.From || got.ReplyTo != want.ReplyTo ||
		got.Subject != want.Subject || got.Text != want.Text || !got.CreatedAt.Equal(want.CreatedAt) ||
		got.Attempts != want.Attempts || !got.NextAttempt.Equal(want.NextAttempt) || got.LastError != want.LastError ||
		!got.SentAt.Equal(want.SentAt) {
		t.Errorf("email:\n got %+v\nwant %+v", got, want)
	}
	checkUTC(t, "email CreatedAt", got.CreatedAt)
	checkUTC(t, "email NextAttempt", got.NextAttempt)
}

func testEnqueueEmail(t *testing.T, h *outboxHarness) {
	ctx := t.Context()
	e := newEmail("e1", 0)
	e.Attempts, e.LastError, e.SentAt = 3, "old", outboxBase // ignored
	h.enqueue(t, e)
	want := *newEmail("e1", 0)
	want.CreatedAt = want.CreatedAt.Truncate(time.Microsecond)
	want.NextAttempt = want.NextAttempt.Truncate(time.Microsecond)
	checkEmail(t, e, &want)
	checkEmail(t, h.dueEmail(t, outboxBase, "e1"), &want)

	// Zero times: created now, due at once.
	before := time.Now().Add(-time.Second)
	z := &store.Email{ID: "e2", To: []string{"a@example.com"}}
	h.enqueue(t, z)
	if z.CreatedAt.Before(before) || z.CreatedAt.After(time.Now().Add(time.Second)) || !z.NextAttempt.Equal(z.CreatedAt) {
		t.Errorf("zero times stored as created %v, next attempt %v; want now for both", z.CreatedAt, z.NextAttempt)
	}
	checkEmail(t, h.dueEmail(t, time.Now().Add(time.Second), "e2"), z)

	wantErr(t, "EnqueueEmail(same id)", h.o.EnqueueEmail(ctx, newEmail("e1", time.Hour)), store.ErrExists)
	for _, test := range []struct {
		what string
		e    *store.Email
	}{
		{"empty id", &store.Email{To: []string{"a@example.com"}}},
		{"no recipient", &store.Email{ID: "e3"}},
		{"NUL in id", &store.Email{ID: "e\x00", To: []string{"a@example.com"}}},
		{"recipient not UTF-8", &store.Email{ID: "e4", To: []string{"\xff@example.com"}}},
		{"NUL in text", &store.Email{ID: "e5", To: []string{"a@example.com"}, Text: "a\x00"}},
		{"subject not UTF-8", &store.Email{ID: "e6", To: []string{"a@example.com"}, Subject: "\xfe"}},
	} {
		wantErr(t, "EnqueueEmail("+test.what+")", h.o.EnqueueEmail(ctx, test.e), store.ErrInvalid)
	}
	if got := h.due(t, time.Now().Add(time.Hour), 0); !slices.Equal(got, []string{"e1", "e2"}) {
		t.Errorf("after refused emails, due: %v", got)
	}
}

func testDueEmails(t *testing.T, h *outboxHarness) {
	if got := h.due(t, outboxBase, 0); len(got) != 0 {
		t.Fatalf("empty outbox: due %v", got)
	}
	// Enqueued out of order; b2 and b1 are due at the same time.
	h.enqueue(t, newEmail("c", 2*time.Minute))
	h.enqueue(t, newEmail("b2", time.Minute))
	h.enqueue(t, newEmail("a", 0))
	h.enqueue(t, newEmail("b1", time.Minute))
	h.enqueue(t, newEmail("d", time.Hour))
	for _, test := range []struct {
		now   time.Time
		limit int
		want  []string
	}{
		{outboxBase.Add(-time.Microsecond), 0, nil},
		{outboxBase, 0, []string{"a"}},
		{outboxBase.Add(time.Minute), 0, []string{"a", "b1", "b2"}},
		{outboxBase.Add(time.Minute), 2, []string{"a", "b1"}},
		{outboxBase.Add(3 * time.Minute), -1, []string{"a", "b1", "b2", "c"}},
		{outboxBase.Add(time.Hour), 10, []string{"a", "b1", "b2", "c", "d"}},
	} {
		if got := h.due(t, test.now, test.limit); !slices.Equal(got, test.want) {
			t.Errorf("DueEmails(base%+v, %d) = %v, want %v", test.now.Sub(outboxBase), test.limit, got, test.want)
		}
	}
}

func testClaimDueEmails(t *testing.T, h *outboxHarness) {
	ctx := t.Context()
	for i := range 20 {
		h.enqueue(t, newEmail(fmt.Sprintf("k%02d", i), 0))
	}
	lease := outboxBase.Add(time.Hour)
	// Senders claiming at once take different emails.
	var mu sync.Mutex
	claimed := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				list, err := h.o.ClaimDueEmails(ctx, outboxBase, lease, 3)
				if err != nil {
					t.Errorf("ClaimDueEmails: %v", err)
					return
				}
				if len(list) == 0 {
					return
				}
				mu.Lock()
				for _, e := range list {
					claimed[e.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(claimed) != 20 {
		t.Errorf("%d emails claimed, want 20", len(claimed))
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("%s claimed %d times", id, n)
		}
	}
	// Claimed, they are due again at the end of the claim, not before.
	if got := h.due(t, lease.Add(-time.Microsecond), 0); len(got) != 0 {
		t.Errorf("due during the claim: %v", got)
	}
	if got := h.due(t, lease, 0); len(got) != 20 {
		t.Errorf("%d due at the end of the claim, want 20", len(got))
	}
}

func testEmailSent(t *testing.T, h *outboxHarness) {
	ctx := t.Context()
	h.enqueue(t, newEmail("s1", 0))
	h.enqueue(t, newEmail("s2", 0))
	if err := h.o.MarkEmailSent(ctx, "s1", outboxBase); err != nil {
		t.Fatalf("MarkEmailSent: %v", err)
	}
	if got := h.due(t, outboxBase.Add(time.Hour), 0); !slices.Equal(got, []string{"s2"}) {
		t.Errorf("after s1 was sent, due %v, want [s2]", got)
	}
	// Again, or a late failure: the email stays sent.
	if err := h.o.MarkEmailSent(ctx, "s1", outboxBase.Add(time.Minute)); err != nil {
		t.Errorf("MarkEmailSent again: %v", err)
	}
	if err := h.o.RetryEmail(ctx, "s1", outboxBase, "late"); err != nil {
		t.Errorf("RetryEmail after sent: %v", err)
	}
	if got := h.due(t, outboxBase.Add(time.Hour), 0); !slices.Equal(got, []string{"s2"}) {
		t.Errorf("s1 sent, then marked again and retried: due %v, want [s2]", got)
	}
	// A zero time is now.
	if err := h.o.MarkEmailSent(ctx, "s2", time.Time{}); err != nil {
		t.Fatalf("MarkEmailSent(zero time): %v", err)
	}
	if got := h.due(t, outboxBase.Add(time.Hour), 0); len(got) != 0 {
		t.Errorf("all sent: due %v", got)
	}
	wantErr(t, "MarkEmailSent(unknown)", h.o.MarkEmailSent(ctx, "nope", outboxBase), store.ErrNotFound)
	wantErr(t, "MarkEmailSent(empty id)", h.o.MarkEmailSent(ctx, "", outboxBase), store.ErrNotFound)
	wantErr(t, "RetryEmail(unknown)", h.o.RetryEmail(ctx, "nope", outboxBase, "x"), store.ErrNotFound)
	wantErr(t, "RetryEmail(NUL in error)", h.o.RetryEmail(ctx, "s1", outboxBase, "x\x00"), store.ErrInvalid)
}

func testRetryEmail(t *testing.T, h *outboxHarness) {
	ctx := t.Context()
	e := newEmail("r1", 0)
	h.enqueue(t, e)
	h.enqueue(t, newEmail("r2", time.Second))
	next := outboxBase.Add(5*time.Second + 123456789*time.Nanosecond)
	if err := h.o.RetryEmail(ctx, "r1", next, "dial tcp: connection refused"); err != nil {
		t.Fatalf("RetryEmail: %v", err)
	}
	if got := h.due(t, outboxBase.Add(time.Second), 0); !slices.Equal(got, []string{"r2"}) {
		t.Errorf("r1 retried later: due %v, want [r2]", got)
	}
	want := *e
	want.Attempts, want.NextAttempt, want.LastError = 1, next.Truncate(time.Microsecond), "dial tcp: connection refused"
	checkEmail(t, h.dueEmail(t, next, "r1"), &want)
	if got := h.due(t, next, 0); !slices.Equal(got, []string{"r2", "r1"}) {
		t.Errorf("due %v, want [r2 r1]", got)
	}
	// A retry may be due earlier than the previous one.
	if err := h.o.RetryEmail(ctx, "r1", outboxBase, "421 try later"); err != nil {
		t.Fatalf("RetryEmail: %v", err)
	}
	want.Attempts, want.NextAttempt, want.LastError = 2, outboxBase.Truncate(time.Microsecond), "421 try later"
	checkEmail(t, h.dueEmail(t, outboxBase, "r1"), &want)
	if got := h.due(t, next, 0); !slices.Equal(got, []string{"r1", "r2"}) {
		t.Errorf("due %v, want [r1 r2]", got)
	}
}

func testConcurrentEnqueue(t *testing.T, h *outboxHarness) {
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for i := range n {
		for j := range 2 {
			wg.Go(func() {
				// Each id twice: stored once.
				errs[2*i+j] = h.o.EnqueueEmail(t.Context(), newEmail(fmt.Sprintf("m%03d", i), 0))
			})
		}
	}
	wg.Wait()
	for i := range n {
		a, b := errs[2*i], errs[2*i+1]
		if (a == nil) == (b == nil) || (a != nil && !errors.Is(a, store.ErrExists)) || (b != nil && !errors.Is(b, store.ErrExists)) {
			t.Errorf("m%03d enqueued twice at once: %v, %v; want nil and ErrExists", i, a, b)
		}
	}
	if got := h.due(t, outboxBase, 0); len(got) != n {
		t.Errorf("%d emails due, want %d", len(got), n)
	}
}

func testOutboxDurability(t *testing.T, h *outboxHarness) {
	ctx := t.Context()
	for _, id := range []string{"d1", "d2", "d3"} {
		h.enqueue(t, newEmail(id, 0))
	}
	if err := h.o.MarkEmailSent(ctx, "d1", outboxBase); err != nil {
		t.Fatal(err)
	}
	if err := h.o.RetryEmail(ctx, "d2", outboxBase.Add(time.Minute), "timeout"); err != nil {
		t.Fatal(err)
	}
	before, err := h.o.DueEmails(ctx, outboxBase.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}

	h.closeAndReopen(t)
	h.outbox(t)

	after, err := h.o.DueEmails(ctx, outboxBase.Add(time.Hour), 0)
	if err != nil || !reflect.DeepEqual(ids(after), []string{"d3", "d2"}) {
		t.Fatalf("after reopening: due %v, %v; want [d3 d2]", ids(after), err)
	}
	for i := range after {
		checkEmail(t, &after[i], &before[i])
	}
	wantErr(t, "after reopening, EnqueueEmail(d1)", h.o.EnqueueEmail(ctx, newEmail("d1", 0)), store.ErrExists)
}

func ids(list []store.Email) []string {
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	return ids
}
