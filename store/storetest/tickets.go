package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// RunTickets runs the conformance suite of [store.Tickets], as subtests of
// t that run in parallel. open and reopen are as for [Run]; the stores
// they return must implement store.Tickets and store.Outbox.
func RunTickets(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	for _, test := range []struct {
		name string
		fn   func(t *testing.T, h *ticketsHarness)
	}{
		{"Create", testCreateTicket},
		{"Retry", testTicketRetry},
		{"NotFound", testTicketNotFound},
		{"Invalid", testTicketInvalid},
		{"EmailExists", testTicketEmailExists},
		{"List", testListTickets},
		{"Answer", testAnswerTicket},
		{"AnswerAtomic", testAnswerTicketAtomic},
		{"Durability", testTicketDurability},
		{"Concurrent", testConcurrentTickets},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			s, reopen := open(t)
			t.Cleanup(func() { s.Close() })
			h := &ticketsHarness{outboxHarness: outboxHarness{harness: harness{s: s, reopen: reopen}}}
			h.tickets(t)
			test.fn(t, h)
		})
	}
}

// ticketsHarness is what a test of the tickets suite works on.
type ticketsHarness struct {
	outboxHarness
	tk store.Tickets
}

// tickets sets h.tk and h.o to the store, failing t when it is no
// store.Tickets or no store.Outbox.
func (h *ticketsHarness) tickets(t *testing.T) {
	t.Helper()
	h.outbox(t)
	tk, ok := h.s.(store.Tickets)
	if !ok {
		t.Fatalf("%T does not implement store.Tickets", h.s)
	}
	h.tk = tk
}

// newTicket returns a ticket of the conversation to create.
func newTicket(conversationID, clientID string) *store.Ticket {
	return &store.Ticket{
		ConversationID: conversationID,
		ClientID:       clientID,
		CustomerID:     "cust-42",
		Email:          "client@example.com",
		Name:           "Zoé Martin",
		Message:        "Ma commande n'est pas arrivée.\nMerci !",
		Lang:           "fr",
	}
}

// ticketEmails composes one email to the customer and one to the shop,
// with ids and subjects naming the ticket's number and prefix.
func ticketEmails(prefix string) func(store.Ticket) []store.Email {
	return func(tk store.Ticket) []store.Email {
		return []store.Email{
			{ID: fmt.Sprintf("%s-%d-customer", prefix, tk.Number), To: []string{tk.Email}, From: "support@shop.example",
				Subject: fmt.Sprintf("Demande n°%d", tk.Number), Text: tk.Message},
			{ID: fmt.Sprintf("%s-%d-shop", prefix, tk.Number), To: []string{"support@shop.example"}, ReplyTo: tk.Email,
				Subject: fmt.Sprintf("Ticket %d", tk.Number), Text: tk.Message, CreatedAt: outboxBase},
		}
	}
}

// create creates a ticket, checking it is new.
func (h *ticketsHarness) create(t *testing.T, tk *store.Ticket, compose func(store.Ticket) []store.Email) *store.Ticket {
	t.Helper()
	stored, dup, err := h.tk.CreateTicket(t.Context(), tk, compose)
	if err != nil {
		t.Fatalf("CreateTicket(%s, %s): %v", tk.ConversationID, tk.ClientID, err)
	}
	if dup {
		t.Fatalf("CreateTicket(%s, %s): dup", tk.ConversationID, tk.ClientID)
	}
	return stored
}

// list returns the numbers of the tickets ListTickets returns.
func (h *ticketsHarness) list(t *testing.T, status string, limit int) []int64 {
	t.Helper()
	list, err := h.tk.ListTickets(t.Context(), status, limit)
	if err != nil {
		t.Fatalf("ListTickets(%q, %d): %v", status, limit, err)
	}
	var numbers []int64
	for _, tk := range list {
		numbers = append(numbers, tk.Number)
	}
	return numbers
}

// allEmails returns the ids of the emails due some day.
func (h *ticketsHarness) allEmails(t *testing.T) []string {
	t.Helper()
	return h.due(t, time.Now().Add(24*time.Hour), 0)
}

func checkTicket(t *testing.T, got, want *store.Ticket) {
	t.Helper()
	if *got != *want {
		t.Errorf("ticket:\n got %+v\nwant %+v", got, want)
	}
	checkUTC(t, "ticket CreatedAt", got.CreatedAt)
	if !got.AnsweredAt.IsZero() {
		checkUTC(t, "ticket AnsweredAt", got.AnsweredAt)
	}
}

// ticket returns the ticket with that number.
func (h *ticketsHarness) ticket(t *testing.T, number int64) *store.Ticket {
	t.Helper()
	tk, err := h.tk.Ticket(t.Context(), number)
	if err != nil {
		t.Fatalf("Ticket(%d): %v", number, err)
	}
	return tk
}

func testCreateTicket(t *testing.T, h *ticketsHarness) {
	c := newConversation(t, h.s)
	before := time.Now().Add(-time.Second)
	tk := newTicket(c.ID, "t1")
	tk.Number, tk.Status = 99, "closed" // ignored
	stored := h.create(t, tk, ticketEmails("a"))
	if stored.Number != 1 || stored.Status != store.TicketOpen {
		t.Errorf("first ticket: number %d, status %q; want 1, open", stored.Number, stored.Status)
	}
	if stored.CreatedAt.Before(before) || stored.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("ticket created at %v, want now", stored.CreatedAt)
	}
	checkTicket(t, tk, stored)
	want := *newTicket(c.ID, "t1")
	want.Number, want.Status, want.CreatedAt = 1, store.TicketOpen, stored.CreatedAt
	checkTicket(t, stored, &want)
	got, err := h.tk.Ticket(t.Context(), 1)
	if err != nil {
		t.Fatalf("Ticket(1): %v", err)
	}
	checkTicket(t, got, &want)

	// The emails were composed with the number, and are due.
	customer := h.dueEmail(t, time.Now().Add(time.Hour), "a-1-customer")
	if customer.Subject != "Demande n°1" || !slices.Equal(customer.To, []string{"client@example.com"}) || customer.Text != tk.Message {
		t.Errorf("customer's email: %+v", customer)
	}
	shop := h.dueEmail(t, outboxBase, "a-1-shop")
	wantShop := store.Email{ID: "a-1-shop", To: []string{"support@shop.example"}, ReplyTo: "client@example.com",
		Subject: "Ticket 1", Text: tk.Message, CreatedAt: outboxBase.Truncate(time.Microsecond), NextAttempt: outboxBase.Truncate(time.Microsecond)}
	checkEmail(t, shop, &wantShop)

	// A given creation time is kept, to the microsecond; no email.
	tk2 := newTicket(c.ID, "t2")
	tk2.CreatedAt = outboxBase
	stored2 := h.create(t, tk2, nil)
	if stored2.Number != 2 || !stored2.CreatedAt.Equal(outboxBase.Truncate(time.Microsecond)) {
		t.Errorf("second ticket: number %d, created at %v", stored2.Number, stored2.CreatedAt)
	}
	if got := h.allEmails(t); !slices.Equal(got, []string{"a-1-shop", "a-1-customer"}) {
		t.Errorf("emails: %v", got)
	}
}

func testTicketRetry(t *testing.T, h *ticketsHarness) {
	c := newConversation(t, h.s)
	first := h.create(t, newTicket(c.ID, "t1"), ticketEmails("a"))
	retry := newTicket(c.ID, "t1")
	retry.Message = "autre chose"
	stored, dup, err := h.tk.CreateTicket(t.Context(), retry, ticketEmails("b"))
	if err != nil || !dup {
		t.Fatalf("CreateTicket again: dup %v, %v; want dup", dup, err)
	}
	checkTicket(t, stored, first)
	if retry.Number != 0 {
		t.Errorf("a retry set the number of its ticket: %d", retry.Number)
	}
	if got := h.allEmails(t); len(got) != 2 || !strings.HasPrefix(got[0], "a-1-") || !strings.HasPrefix(got[1], "a-1-") {
		t.Errorf("after a retry, emails %v; want a-1-customer and a-1-shop only", got)
	}
	// The same client id in another conversation is another ticket.
	other := newConversation(t, h.s)
	if got := h.create(t, newTicket(other.ID, "t1"), nil); got.Number == first.Number {
		t.Errorf("another conversation's ticket has number %d too", got.Number)
	}
	if got := h.list(t, "", 0); len(got) != 2 {
		t.Errorf("tickets: %v, want 2", got)
	}
}

func testTicketNotFound(t *testing.T, h *ticketsHarness) {
	ctx := t.Context()
	_, _, err := h.tk.CreateTicket(ctx, newTicket("no-such-conversation", "t1"), ticketEmails("a"))
	wantErr(t, "CreateTicket(missing conversation)", err, store.ErrNotFound)
	for _, n := range []int64{0, 1, -1} {
		_, err := h.tk.Ticket(ctx, n)
		wantErr(t, fmt.Sprintf("Ticket(%d)", n), err, store.ErrNotFound)
	}
	if got := h.allEmails(t); len(got) != 0 {
		t.Errorf("emails of a ticket not created: %v", got)
	}
	if got := h.list(t, "", 0); len(got) != 0 {
		t.Errorf("tickets: %v", got)
	}
}

func testTicketInvalid(t *testing.T, h *ticketsHarness) {
	c := newConversation(t, h.s)
	for _, test := range []struct {
		what    string
		change  func(tk *store.Ticket)
		compose func(store.Ticket) []store.Email
	}{
		{"empty conversation id", func(tk *store.Ticket) { tk.ConversationID = "" }, nil},
		{"empty client id", func(tk *store.Ticket) { tk.ClientID = "" }, nil},
		{"empty email", func(tk *store.Ticket) { tk.Email = "" }, nil},
		{"NUL in message", func(tk *store.Ticket) { tk.Message = "a\x00b" }, nil},
		{"name not UTF-8", func(tk *store.Ticket) { tk.Name = "\xff" }, nil},
		{"NUL in client id", func(tk *store.Ticket) { tk.ClientID = "t\x00" }, nil},
		{"email without recipient", func(*store.Ticket) {}, func(store.Ticket) []store.Email { return []store.Email{{ID: "x"}} }},
		{"email with NUL", func(*store.Ticket) {}, func(store.Ticket) []store.Email {
			return []store.Email{{ID: "y", To: []string{"a@example.com"}}, {ID: "z", To: []string{"a@example.com"}, Text: "\x00"}}
		}},
	} {
		tk := newTicket(c.ID, "t1")
		test.change(tk)
		_, _, err := h.tk.CreateTicket(t.Context(), tk, test.compose)
		wantErr(t, "CreateTicket("+test.what+")", err, store.ErrInvalid)
	}
	if got := h.list(t, "", 0); len(got) != 0 {
		t.Errorf("tickets after refused ones: %v", got)
	}
	if got := h.allEmails(t); len(got) != 0 {
		t.Errorf("emails after refused tickets: %v", got)
	}
	// The client id was not taken.
	h.create(t, newTicket(c.ID, "t1"), nil)
}

func testTicketEmailExists(t *testing.T, h *ticketsHarness) {
	c := newConversation(t, h.s)
	h.enqueue(t, newEmail("taken", 0))
	compose := func(tk store.Ticket) []store.Email {
		return []store.Email{
			{ID: fmt.Sprintf("new-%d", tk.Number), To: []string{tk.Email}},
			{ID: "taken", To: []string{tk.Email}},
		}
	}
	_, _, err := h.tk.CreateTicket(t.Context(), newTicket(c.ID, "t1"), compose)
	wantErr(t, "CreateTicket(email id taken)", err, store.ErrExists)
	if got := h.list(t, "", 0); len(got) != 0 {
		t.Errorf("tickets after a taken email id: %v", got)
	}
	if got := h.allEmails(t); !slices.Equal(got, []string{"taken"}) {
		t.Errorf("emails after a taken email id: %v, want [taken]", got)
	}
	// Neither the client id nor the ticket was kept: a retry without the
	// taken id succeeds.
	tk := h.create(t, newTicket(c.ID, "t1"), ticketEmails("a"))
	if got := h.allEmails(t); len(got) != 3 {
		t.Errorf("emails after ticket %d: %v", tk.Number, got)
	}
}

func testListTickets(t *testing.T, h *ticketsHarness) {
	if got := h.list(t, "", 0); len(got) != 0 {
		t.Fatalf("no tickets: %v", got)
	}
	c := newConversation(t, h.s)
	var all []int64
	for i := range 5 {
		tk := h.create(t, newTicket(c.ID, fmt.Sprintf("t%d", i)), nil)
		all = append([]int64{tk.Number}, all...)
	}
	for _, test := range []struct {
		status string
		limit  int
		want   []int64
	}{
		{"", 0, all},
		{"", -1, all},
		{"", 2, all[:2]},
		{"", 10, all},
		{store.TicketOpen, 0, all},
		{store.TicketOpen, 3, all[:3]},
		{store.TicketClosed, 0, nil},
		{store.TicketAnswered, 1, nil},
	} {
		if got := h.list(t, test.status, test.limit); !slices.Equal(got, test.want) {
			t.Errorf("ListTickets(%q, %d) = %v, want %v", test.status, test.limit, got, test.want)
		}
	}
	for i := 1; i < len(all); i++ {
		if all[i] >= all[i-1] {
			t.Errorf("numbers not increasing in creation order: %v", all)
		}
	}
	list, err := h.tk.ListTickets(t.Context(), "", 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListTickets(1): %v, %v", list, err)
	}
	one, err := h.tk.Ticket(t.Context(), list[0].Number)
	if err != nil {
		t.Fatal(err)
	}
	checkTicket(t, &list[0], one)
}

func testTicketDurability(t *testing.T, h *ticketsHarness) {
	c := newConversation(t, h.s)
	first := h.create(t, newTicket(c.ID, "t1"), ticketEmails("a"))
	h.create(t, newTicket(c.ID, "t2"), ticketEmails("a"))
	if _, err := h.tk.AnswerTicket(t.Context(), first.Number, store.TicketAnswered, "zoe.martin", nil); err != nil {
		t.Fatalf("AnswerTicket: %v", err)
	}
	before, err := h.tk.ListTickets(t.Context(), "", 0)
	if err != nil {
		t.Fatal(err)
	}

	h.closeAndReopen(t)
	h.tickets(t)

	after, err := h.tk.ListTickets(t.Context(), "", 0)
	if err != nil || !reflect.DeepEqual(after, before) {
		t.Fatalf("after reopening: %+v, %v\nwant %+v", after, err, before)
	}
	if a := after[1]; a.Status != store.TicketAnswered || a.AnsweredBy != "zoe.martin" || a.AnsweredAt.IsZero() {
		t.Errorf("after reopening, the answered ticket: %+v", a)
	}
	if got := h.allEmails(t); len(got) != 4 {
		t.Errorf("after reopening, emails %v", got)
	}
	stored, dup, err := h.tk.CreateTicket(t.Context(), newTicket(c.ID, "t1"), ticketEmails("b"))
	if err != nil || !dup || stored.Number != before[1].Number {
		t.Errorf("after reopening, CreateTicket(t1) = %+v, %v, %v; want dup of ticket %d", stored, dup, err, before[1].Number)
	}
	if got := h.create(t, newTicket(c.ID, "t3"), nil); got.Number <= before[0].Number {
		t.Errorf("after reopening, new ticket number %d, want above %d", got.Number, before[0].Number)
	}
}

func testConcurrentTickets(t *testing.T, h *ticketsHarness) {
	const convs, perConv = 4, 10
	var ids []string
	for range convs {
		ids = append(ids, newConversation(t, h.s).ID)
	}
	var (
		mu      sync.Mutex
		numbers = map[int64]string{}
		wg      sync.WaitGroup
	)
	for _, id := range ids {
		for j := range perConv {
			for range 2 { // each ticket twice, as a retry racing with its original
				wg.Go(func() {
					tk := newTicket(id, fmt.Sprintf("t%d", j))
					stored, _, err := h.tk.CreateTicket(t.Context(), tk, ticketEmails(id))
					if err != nil {
						t.Errorf("CreateTicket(%s, %s): %v", tk.ConversationID, tk.ClientID, err)
						return
					}
					key := id + "/" + tk.ClientID
					mu.Lock()
					defer mu.Unlock()
					if other, ok := numbers[stored.Number]; ok && other != key {
						t.Errorf("number %d given to %s and %s", stored.Number, other, key)
					}
					numbers[stored.Number] = key
				})
			}
		}
	}
	wg.Wait()
	if len(numbers) != convs*perConv {
		t.Errorf("%d numbers for %d tickets", len(numbers), convs*perConv)
	}
	if got := h.list(t, "", 0); len(got) != convs*perConv {
		t.Errorf("%d tickets listed, want %d", len(got), convs*perConv)
	}
	if got := h.allEmails(t); len(got) != 2*convs*perConv {
		t.Errorf("%d emails, want %d", len(got), 2*convs*perConv)
	}
}

func testAnswerTicket(t *testing.T, h *ticketsHarness) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	tk := h.create(t, newTicket(c.ID, "t1"), nil)
	other := h.create(t, newTicket(c.ID, "t2"), nil)
	before := time.Now().Add(-time.Second)
	e := &store.Email{ID: "answer-1", To: []string{tk.Email}, From: "support@shop.example",
		Subject: "Re: Demande n°1", Text: "Votre colis est parti.", Attempts: 2, LastError: "old"}
	got, err := h.tk.AnswerTicket(ctx, tk.Number, store.TicketAnswered, "zoe.martin", e)
	if err != nil {
		t.Fatalf("AnswerTicket: %v", err)
	}
	if got.AnsweredAt.Before(before) || got.AnsweredAt.After(time.Now().Add(time.Second)) {
		t.Errorf("ticket answered at %v, want now", got.AnsweredAt)
	}
	want := *tk
	want.Status, want.AnsweredBy, want.AnsweredAt = store.TicketAnswered, "zoe.martin", got.AnsweredAt
	checkTicket(t, got, &want)
	checkTicket(t, h.ticket(t, tk.Number), &want)
	list, err := h.tk.ListTickets(ctx, store.TicketAnswered, 0)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListTickets(answered) = %+v, %v; want ticket %d", list, err, tk.Number)
	}
	checkTicket(t, &list[0], &want)
	if got := h.list(t, store.TicketOpen, 0); !slices.Equal(got, []int64{other.Number}) {
		t.Errorf("open tickets: %v, want [%d]", got, other.Number)
	}

	// The email was enqueued as EnqueueEmail does, and e updated likewise.
	if e.CreatedAt.Before(before) || !e.NextAttempt.Equal(e.CreatedAt) || e.Attempts != 0 || e.LastError != "" {
		t.Errorf("AnswerTicket set the email to %+v; want created and due now, no attempt", e)
	}
	wantEmail := store.Email{ID: "answer-1", To: []string{tk.Email}, From: "support@shop.example",
		Subject: "Re: Demande n°1", Text: "Votre colis est parti.", CreatedAt: e.CreatedAt, NextAttempt: e.CreatedAt}
	checkEmail(t, h.dueEmail(t, time.Now().Add(time.Second), "answer-1"), &wantEmail)

	// Closed without an email; a given email time is kept.
	closed, err := h.tk.AnswerTicket(ctx, other.Number, store.TicketClosed, "max", nil)
	if err != nil {
		t.Fatalf("AnswerTicket(closed): %v", err)
	}
	if closed.Status != store.TicketClosed || closed.AnsweredBy != "max" || closed.AnsweredAt.IsZero() || closed.Number != other.Number {
		t.Errorf("closed ticket: %+v", closed)
	}
	checkTicket(t, h.ticket(t, other.Number), closed)
	later := newEmail("answer-2", time.Hour)
	again, err := h.tk.AnswerTicket(ctx, tk.Number, store.TicketAnswered, "max", later)
	if err != nil || again.AnsweredBy != "max" || again.Status != store.TicketAnswered {
		t.Fatalf("AnswerTicket again = %+v, %v; want answered by max", again, err)
	}
	if !later.NextAttempt.Equal(outboxBase.Add(time.Hour).Truncate(time.Microsecond)) {
		t.Errorf("email with a given next attempt: due at %v", later.NextAttempt)
	}
	// answer-2 is due in 2024, so before answer-1.
	if got := h.allEmails(t); !slices.Equal(got, []string{"answer-2", "answer-1"}) {
		t.Errorf("emails: %v, want [answer-2 answer-1]", got)
	}
}

func testAnswerTicketAtomic(t *testing.T, h *ticketsHarness) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	tk := h.create(t, newTicket(c.ID, "t1"), nil)
	h.enqueue(t, newEmail("taken", 0))
	ok := func(id string) *store.Email { return &store.Email{ID: id, To: []string{tk.Email}, Text: "Réponse"} }
	for _, test := range []struct {
		what   string
		number int64
		status string
		agent  string
		email  *store.Email
		want   error
	}{
		{"email id taken", tk.Number, store.TicketAnswered, "zoe.martin", ok("taken"), store.ErrExists},
		{"email without recipient", tk.Number, store.TicketAnswered, "zoe.martin", &store.Email{ID: "x1"}, store.ErrInvalid},
		{"email with NUL", tk.Number, store.TicketAnswered, "zoe.martin", &store.Email{ID: "x2", To: []string{"a@example.com"}, Text: "\x00"}, store.ErrInvalid},
		{"email without id", tk.Number, store.TicketClosed, "zoe.martin", &store.Email{To: []string{"a@example.com"}}, store.ErrInvalid},
		{"status open", tk.Number, store.TicketOpen, "zoe.martin", ok("x3"), store.ErrInvalid},
		{"no status", tk.Number, "", "zoe.martin", nil, store.ErrInvalid},
		{"unknown status", tk.Number, "pending", "zoe.martin", ok("x4"), store.ErrInvalid},
		{"agent not UTF-8", tk.Number, store.TicketAnswered, "\xff", ok("x5"), store.ErrInvalid},
		{"unknown ticket", tk.Number + 100, store.TicketAnswered, "zoe.martin", ok("x6"), store.ErrNotFound},
		{"ticket 0", 0, store.TicketClosed, "zoe.martin", nil, store.ErrNotFound},
		{"ticket -1", -1, store.TicketAnswered, "zoe.martin", ok("x7"), store.ErrNotFound},
	} {
		_, err := h.tk.AnswerTicket(ctx, test.number, test.status, test.agent, test.email)
		wantErr(t, "AnswerTicket("+test.what+")", err, test.want)
	}
	// Neither the ticket nor the outbox changed.
	checkTicket(t, h.ticket(t, tk.Number), tk)
	if got := h.list(t, store.TicketOpen, 0); !slices.Equal(got, []int64{tk.Number}) {
		t.Errorf("open tickets after refused answers: %v", got)
	}
	if got := h.allEmails(t); !slices.Equal(got, []string{"taken"}) {
		t.Errorf("emails after refused answers: %v, want [taken]", got)
	}
	// The same answer with a free email id goes through.
	if _, err := h.tk.AnswerTicket(ctx, tk.Number, store.TicketAnswered, "zoe.martin", ok("x6")); err != nil {
		t.Fatalf("AnswerTicket: %v", err)
	}
	if got := h.allEmails(t); len(got) != 2 {
		t.Errorf("emails: %v, want taken and x6", got)
	}
}
