// Package storetest is the conformance suite of [store.Store]: each
// implementation runs [Run] from its tests, so that all behave alike.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// Run runs the conformance suite, as subtests of t that run in parallel.
//
// open returns a new, empty store for the subtest t, and reopen, which
// opens the same data again as a new store; the suite calls reopen only
// after closing the store. The suite closes every store it is given, and
// may call Close more than once. open releases anything else it creates
// (files, databases) with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	for _, test := range []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"Conversation", testConversation},
		{"SetState", testSetState},
		{"SetAssignment", testSetAssignment},
		{"ActiveConversations", testActiveConversations},
		{"AppendMessage", testAppendMessage},
		{"ClientIDDedup", testClientIDDedup},
		{"AppendExchange", testAppendExchange},
		{"ClientIDRace", testClientIDRace},
		{"ConcurrentAppends", testConcurrentAppends},
		{"Messages", testMessages},
		{"NotFound", testNotFound},
		{"Feedback", testFeedback},
		{"Invalid", testInvalid},
		{"Durability", testDurability},
		{"PingAndClose", testPingAndClose},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			s, reopen := open(t)
			t.Cleanup(func() { s.Close() })
			test.fn(t, &harness{s: s, reopen: reopen})
		})
	}
}

// harness is what a test of the suite works on.
type harness struct {
	s      store.Store
	reopen func() store.Store
}

// closeAndReopen closes the store and opens its data again.
func (h *harness) closeAndReopen(t *testing.T) {
	t.Helper()
	if err := h.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	h.s = h.reopen()
	s := h.s
	t.Cleanup(func() { s.Close() })
}

var conversationCount atomic.Int64

// newConversation stores a new conversation and returns it as stored.
func newConversation(t *testing.T, s store.Store) *store.Conversation {
	t.Helper()
	n := conversationCount.Add(1)
	hash := sha256.Sum256(fmt.Appendf(nil, "secret-%d", n))
	c := &store.Conversation{
		ID:         fmt.Sprintf("conv-%d", n),
		TokenHash:  hash[:],
		CustomerID: "cust-42",
		Lang:       "fr",
		State:      "bot",
	}
	if err := s.CreateConversation(t.Context(), c); err != nil {
		t.Fatalf("CreateConversation(%s): %v", c.ID, err)
	}
	return c
}

// getConversation returns a stored conversation.
func getConversation(t *testing.T, s store.Store, id string) *store.Conversation {
	t.Helper()
	c, err := s.Conversation(t.Context(), id)
	if err != nil {
		t.Fatalf("Conversation(%s): %v", id, err)
	}
	return c
}

// appendMessage appends a message and checks it was not a duplicate.
func appendMessage(t *testing.T, s store.Store, m *store.Message) *store.Message {
	t.Helper()
	stored, dup, err := s.AppendMessage(t.Context(), m)
	if err != nil {
		t.Fatalf("AppendMessage(%s, %q): %v", m.ConversationID, m.Text, err)
	}
	if dup {
		t.Fatalf("AppendMessage(%s, %q): dup", m.ConversationID, m.Text)
	}
	return stored
}

// messages returns the messages of a conversation after afterSeq.
func messages(t *testing.T, s store.Store, id string, afterSeq int64, limit int) []store.Message {
	t.Helper()
	list, err := s.Messages(t.Context(), id, afterSeq, limit)
	if err != nil {
		t.Fatalf("Messages(%s, %d, %d): %v", id, afterSeq, limit, err)
	}
	return list
}

// wantErr checks that err is target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

func checkConversation(t *testing.T, got, want *store.Conversation) {
	t.Helper()
	if got.ID != want.ID || string(got.TokenHash) != string(want.TokenHash) || got.CustomerID != want.CustomerID ||
		got.Lang != want.Lang || got.State != want.State || got.Agent != want.Agent || got.LastSeq != want.LastSeq ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("conversation:\n got %+v\nwant %+v", got, want)
	}
	checkUTC(t, "conversation CreatedAt", got.CreatedAt)
	checkUTC(t, "conversation UpdatedAt", got.UpdatedAt)
}

func checkMessage(t *testing.T, got, want *store.Message) {
	t.Helper()
	if got.ConversationID != want.ConversationID || got.Seq != want.Seq || got.ClientID != want.ClientID ||
		got.Author != want.Author || got.AgentID != want.AgentID || got.Text != want.Text ||
		!got.CreatedAt.Equal(want.CreatedAt) || !sameJSON(got.Data, want.Data) {
		t.Errorf("message:\n got %+v (data %s)\nwant %+v (data %s)", got, got.Data, want, want.Data)
	}
	checkUTC(t, "message CreatedAt", got.CreatedAt)
}

func checkUTC(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.IsZero() || tm.Location() != time.UTC || tm.Nanosecond()%1000 != 0 {
		t.Errorf("%s = %v, want a time in UTC to the microsecond", what, tm)
	}
}

// sameJSON reports whether a and b hold the same JSON value, or are both
// empty.
func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var va, vb any
	return json.Unmarshal(a, &va) == nil && json.Unmarshal(b, &vb) == nil && reflect.DeepEqual(va, vb)
}

func testConversation(t *testing.T, h *harness) {
	ctx := t.Context()
	before := time.Now().Add(-time.Second)
	c := newConversation(t, h.s)
	if c.CreatedAt.Before(before) || !c.UpdatedAt.Equal(c.CreatedAt) || c.LastSeq != 0 {
		t.Errorf("CreateConversation set CreatedAt %v, UpdatedAt %v, LastSeq %d: want now, the same, 0", c.CreatedAt, c.UpdatedAt, c.LastSeq)
	}
	checkConversation(t, getConversation(t, h.s, c.ID), c)

	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	at := time.Date(2025, 3, 1, 10, 0, 0, 123456789, paris)
	given := &store.Conversation{ID: c.ID + "-given", State: "agent", Agent: "zoe.martin", CreatedAt: at, LastSeq: 7}
	if err := h.s.CreateConversation(ctx, given); err != nil {
		t.Fatalf("CreateConversation: %v", err)
	}
	want := &store.Conversation{ID: given.ID, State: "agent", Agent: "zoe.martin", CreatedAt: at.Truncate(time.Microsecond), UpdatedAt: at.Truncate(time.Microsecond)}
	checkConversation(t, getConversation(t, h.s, given.ID), want)

	_, err = h.s.Conversation(ctx, "no-such-conversation")
	wantErr(t, "Conversation(unknown)", err, store.ErrNotFound)
	wantErr(t, "CreateConversation(same id)", h.s.CreateConversation(ctx, &store.Conversation{ID: c.ID, State: "bot"}), store.ErrExists)
	wantErr(t, "CreateConversation(empty id)", h.s.CreateConversation(ctx, &store.Conversation{State: "bot"}), store.ErrInvalid)
	checkConversation(t, getConversation(t, h.s, c.ID), c)
}

func testSetState(t *testing.T, h *harness) {
	c := newConversation(t, h.s)
	if err := h.s.SetState(t.Context(), c.ID, "queued"); err != nil {
		t.Fatalf("SetState: %v", err)
	}
	got := getConversation(t, h.s, c.ID)
	if got.State != "queued" || got.UpdatedAt.Before(c.UpdatedAt) {
		t.Errorf("after SetState(queued): state %q, updated %v; want queued, not before %v", got.State, got.UpdatedAt, c.UpdatedAt)
	}
	wantErr(t, "SetState(unknown)", h.s.SetState(t.Context(), "no-such-conversation", "closed"), store.ErrNotFound)
}

// setAssignment calls SetAssignment and returns the conversation as stored.
func setAssignment(t *testing.T, s store.Store, id, state, agent string) *store.Conversation {
	t.Helper()
	if err := s.SetAssignment(t.Context(), id, state, agent); err != nil {
		t.Fatalf("SetAssignment(%s, %q, %q): %v", id, state, agent, err)
	}
	return getConversation(t, s, id)
}

func testSetAssignment(t *testing.T, h *harness) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	if c.Agent != "" || getConversation(t, h.s, c.ID).Agent != "" {
		t.Errorf("a conversation created without an agent has one")
	}
	got := setAssignment(t, h.s, c.ID, "agent", "zoe.martin")
	want := *c
	want.State, want.Agent, want.UpdatedAt = "agent", "zoe.martin", got.UpdatedAt
	checkConversation(t, got, &want)
	if got.UpdatedAt.Before(c.UpdatedAt) {
		t.Errorf("after SetAssignment: UpdatedAt %v, want not before %v", got.UpdatedAt, c.UpdatedAt)
	}

	// SetState keeps the agent; SetAssignment sets both.
	if err := h.s.SetState(ctx, c.ID, "closed"); err != nil {
		t.Fatalf("SetState: %v", err)
	}
	if got := getConversation(t, h.s, c.ID); got.State != "closed" || got.Agent != "zoe.martin" {
		t.Errorf("after SetState(closed): state %q, agent %q; want closed, zoe.martin", got.State, got.Agent)
	}
	if got := setAssignment(t, h.s, c.ID, "queued", ""); got.State != "queued" || got.Agent != "" {
		t.Errorf("after SetAssignment(queued, none): state %q, agent %q", got.State, got.Agent)
	}
	if got := setAssignment(t, h.s, c.ID, "agent", "max"); got.State != "agent" || got.Agent != "max" || got.LastSeq != 0 || !got.CreatedAt.Equal(c.CreatedAt) {
		t.Errorf("after SetAssignment(agent, max): %+v", got)
	}

	wantErr(t, "SetAssignment(unknown)", h.s.SetAssignment(ctx, "no-such-conversation", "agent", "max"), store.ErrNotFound)
	wantErr(t, "SetAssignment(empty id)", h.s.SetAssignment(ctx, "", "agent", "max"), store.ErrNotFound)
	wantErr(t, "SetAssignment(agent NUL)", h.s.SetAssignment(ctx, c.ID, "agent", "max\x00"), store.ErrInvalid)
	wantErr(t, "SetAssignment(state not UTF-8)", h.s.SetAssignment(ctx, c.ID, "\xff", "max"), store.ErrInvalid)
	if got := getConversation(t, h.s, c.ID); got.State != "agent" || got.Agent != "max" {
		t.Errorf("after refused assignments: state %q, agent %q; want agent, max", got.State, got.Agent)
	}
}

// activeIDs returns the ids of the conversations ActiveConversations
// returns.
func activeIDs(t *testing.T, s store.Store) []string {
	t.Helper()
	list, err := s.ActiveConversations(t.Context())
	if err != nil {
		t.Fatalf("ActiveConversations: %v", err)
	}
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

func testActiveConversations(t *testing.T, h *harness) {
	if got := activeIDs(t, h.s); len(got) != 0 {
		t.Fatalf("ActiveConversations of an empty store: %v", got)
	}
	base := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	for _, c := range []store.Conversation{
		{ID: "a-tie", State: "agent", Agent: "zoe.martin", UpdatedAt: base.Add(2 * time.Minute)},
		{ID: "bot", State: "bot", UpdatedAt: base},
		{ID: "B-tie", State: "queued", UpdatedAt: base.Add(2 * time.Minute)},
		{ID: "closed", State: "closed", Agent: "max", UpdatedAt: base},
		{ID: "held", State: "agent", Agent: "max", UpdatedAt: base.Add(time.Minute)},
		{ID: "waiting", State: "queued", UpdatedAt: base.Add(-time.Hour)},
		{ID: "empty", UpdatedAt: base},
	} {
		c.CreatedAt, c.Lang, c.TokenHash = base.Add(-2*time.Hour), "fr", []byte("hash")
		if err := h.s.CreateConversation(t.Context(), &c); err != nil {
			t.Fatalf("CreateConversation(%s): %v", c.ID, err)
		}
	}
	// Ties in byte order: upper case first.
	want := []string{"waiting", "held", "B-tie", "a-tie"}
	if got := activeIDs(t, h.s); !slices.Equal(got, want) {
		t.Errorf("ActiveConversations = %v, want %v", got, want)
	}
	list, err := h.s.ActiveConversations(t.Context())
	if err != nil || len(list) != len(want) {
		t.Fatalf("ActiveConversations: %v, %v", list, err)
	}
	for i := range list {
		checkConversation(t, &list[i], getConversation(t, h.s, list[i].ID))
	}

	// Assignments move conversations in and out; an update goes last.
	setAssignment(t, h.s, "held", "bot", "")
	setAssignment(t, h.s, "bot", "queued", "")
	setAssignment(t, h.s, "waiting", "agent", "zoe.martin")
	want = []string{"B-tie", "a-tie", "bot", "waiting"}
	if got := activeIDs(t, h.s); !slices.Equal(got, want) {
		t.Errorf("after assignments, ActiveConversations = %v, want %v", got, want)
	}
	for _, id := range want {
		setAssignment(t, h.s, id, "bot", "")
	}
	if got := activeIDs(t, h.s); len(got) != 0 {
		t.Errorf("every conversation back to the bot, ActiveConversations = %v, want none", got)
	}
}

func testAppendMessage(t *testing.T, h *harness) {
	c := newConversation(t, h.s)
	at := time.Date(2025, 3, 1, 9, 30, 0, 999999999, time.UTC)
	data := json.RawMessage(`{"route": "faq", "articles": [{"id": "livraison", "score": 0.5}], "note": "délai été \u00e9 \"q\""}`)
	list := []*store.Message{
		{ConversationID: c.ID, ClientID: "w-1", Author: store.AuthorCustomer, Text: "Où est ma commande ?"},
		{ConversationID: c.ID, Author: store.AuthorBot, Text: "Votre commande est partie.", Data: data},
		{ConversationID: c.ID, Author: store.AuthorSystem, Text: "transfert", CreatedAt: at},
		{ConversationID: c.ID, Author: store.AuthorAgent, AgentID: "agent-7", Text: "Bonjour, je regarde.", Data: json.RawMessage(`[]`)},
		{ConversationID: c.ID, ClientID: "w-2", Author: store.AuthorCustomer, Text: "Merci 🙂"},
	}
	before := time.Now().Add(-time.Second)
	for i, m := range list {
		given := *m
		stored := appendMessage(t, h.s, m)
		want := given
		want.Seq = int64(i + 1)
		if given.CreatedAt.IsZero() {
			want.CreatedAt = stored.CreatedAt
			if stored.CreatedAt.Before(before) {
				t.Errorf("message %d: CreatedAt %v, want now", want.Seq, stored.CreatedAt)
			}
		} else {
			want.CreatedAt = at.Truncate(time.Microsecond)
		}
		checkMessage(t, stored, &want)
		if m.Seq != want.Seq || !m.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("message %d: AppendMessage set Seq %d, CreatedAt %v; want %d, %v", want.Seq, m.Seq, m.CreatedAt, want.Seq, want.CreatedAt)
		}
		*list[i] = want
	}
	got := messages(t, h.s, c.ID, 0, 0)
	if len(got) != len(list) {
		t.Fatalf("Messages: %d messages, want %d", len(got), len(list))
	}
	for i := range got {
		checkMessage(t, &got[i], list[i])
	}
	if len(got[0].Data) != 0 {
		t.Errorf("message without data: Data %q, want empty", got[0].Data)
	}
	conv := getConversation(t, h.s, c.ID)
	if conv.LastSeq != int64(len(list)) || conv.UpdatedAt.Before(list[3].CreatedAt) {
		t.Errorf("conversation: LastSeq %d, UpdatedAt %v; want %d, not before %v", conv.LastSeq, conv.UpdatedAt, len(list), list[3].CreatedAt)
	}
}

func testClientIDDedup(t *testing.T, h *harness) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	first := appendMessage(t, h.s, &store.Message{ConversationID: c.ID, ClientID: "w-1", Author: store.AuthorCustomer, Text: "Bonjour"})

	retry := &store.Message{ConversationID: c.ID, ClientID: "w-1", Author: store.AuthorCustomer, Text: "Bonjour (retry)"}
	stored, dup, err := h.s.AppendMessage(ctx, retry)
	if err != nil || !dup {
		t.Fatalf("AppendMessage(same client id): dup %v, err %v; want dup", dup, err)
	}
	checkMessage(t, stored, first)
	if retry.Seq != 0 {
		t.Errorf("AppendMessage(duplicate) set Seq %d on its argument, want it unchanged", retry.Seq)
	}

	// The duplicate took no number; empty client ids are never duplicates;
	// client ids are per conversation.
	if m := appendMessage(t, h.s, &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "Bonjour !"}); m.Seq != 2 {
		t.Errorf("after a duplicate: seq %d, want 2", m.Seq)
	}
	if m := appendMessage(t, h.s, &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "Bonjour !"}); m.Seq != 3 {
		t.Errorf("second message without client id: seq %d, want 3", m.Seq)
	}
	other := newConversation(t, h.s)
	if m := appendMessage(t, h.s, &store.Message{ConversationID: other.ID, ClientID: "w-1", Author: store.AuthorCustomer, Text: "Bonjour"}); m.Seq != 1 {
		t.Errorf("same client id in another conversation: seq %d, want 1", m.Seq)
	}
	if got := messages(t, h.s, c.ID, 0, 0); len(got) != 3 {
		t.Errorf("Messages: %d messages, want 3", len(got))
	}
	if got := getConversation(t, h.s, c.ID).LastSeq; got != 3 {
		t.Errorf("LastSeq %d, want 3", got)
	}
}

func testClientIDRace(t *testing.T, h *harness) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	const n = 20
	type result struct {
		stored *store.Message
		dup    bool
		err    error
	}
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			m := &store.Message{ConversationID: c.ID, ClientID: "w-race", Author: store.AuthorCustomer, Text: fmt.Sprintf("try %d", i)}
			r := &results[i]
			r.stored, r.dup, r.err = h.s.AppendMessage(ctx, m)
		})
	}
	close(start)
	wg.Wait()
	var written int
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("AppendMessage %d: %v", i, r.err)
		}
		if !r.dup {
			written++
		}
		if r.stored.Seq != 1 || r.stored.ClientID != "w-race" {
			t.Errorf("AppendMessage %d: stored seq %d, client id %q; want 1, w-race", i, r.stored.Seq, r.stored.ClientID)
		}
	}
	if written != 1 {
		t.Errorf("%d of %d racing appends with one client id were written, want 1", written, n)
	}
	if got := messages(t, h.s, c.ID, 0, 0); len(got) != 1 {
		t.Errorf("Messages: %d messages, want 1", len(got))
	}
	if m := appendMessage(t, h.s, &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "Bonjour !"}); m.Seq != 2 {
		t.Errorf("next message: seq %d, want 2", m.Seq)
	}
}

func testConcurrentAppends(t *testing.T, h *harness) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	const writers, each = 8, 50
	seqs := make([][]int64, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				m := &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: fmt.Sprintf("%d/%d", w, i)}
				if w%2 == 0 {
					m.Author, m.ClientID = store.AuthorCustomer, fmt.Sprintf("w%d-%d", w, i)
				}
				stored, dup, err := h.s.AppendMessage(ctx, m)
				if err != nil || dup {
					t.Errorf("AppendMessage(%s): dup %v, err %v", m.Text, dup, err)
					return
				}
				seqs[w] = append(seqs[w], stored.Seq)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	texts := make(map[int64]string)
	for w, list := range seqs {
		for i, seq := range list {
			if i > 0 && seq <= list[i-1] {
				t.Errorf("writer %d: seq %d after %d", w, seq, list[i-1])
			}
			if prev, ok := texts[seq]; ok {
				t.Errorf("seq %d given twice (%s and %d/%d)", seq, prev, w, i)
			}
			texts[seq] = fmt.Sprintf("%d/%d", w, i)
		}
	}
	got := messages(t, h.s, c.ID, 0, 0)
	if len(got) != writers*each {
		t.Fatalf("Messages: %d messages, want %d", len(got), writers*each)
	}
	for i, m := range got {
		if m.Seq != int64(i+1) || m.Text != texts[m.Seq] {
			t.Fatalf("message %d: seq %d, text %q; want %d, %q", i, m.Seq, m.Text, i+1, texts[int64(i+1)])
		}
	}
	if last := getConversation(t, h.s, c.ID).LastSeq; last != writers*each {
		t.Errorf("LastSeq %d, want %d", last, writers*each)
	}
}

func testMessages(t *testing.T, h *harness) {
	c := newConversation(t, h.s)
	for i := range 10 {
		appendMessage(t, h.s, &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: fmt.Sprint(i + 1)})
	}
	for _, test := range []struct {
		after      int64
		limit      int
		first, end int64 // seqs first..end-1
	}{
		{0, 3, 1, 4},
		{3, 3, 4, 7},
		{9, 5, 10, 11},
		{10, 5, 11, 11},
		{20, 5, 21, 21},
		{0, 0, 1, 11},
		{-1, -1, 1, 11},
		{4, 100, 5, 11},
	} {
		got := messages(t, h.s, c.ID, test.after, test.limit)
		if len(got) != int(test.end-test.first) {
			t.Errorf("Messages(after %d, limit %d): %d messages, want %d", test.after, test.limit, len(got), test.end-test.first)
			continue
		}
		for i, m := range got {
			if want := test.first + int64(i); m.Seq != want || m.Text != fmt.Sprint(want) {
				t.Errorf("Messages(after %d, limit %d)[%d]: seq %d, text %q; want %d", test.after, test.limit, i, m.Seq, m.Text, want)
			}
		}
	}
	if got := messages(t, h.s, "no-such-conversation", 0, 10); len(got) != 0 {
		t.Errorf("Messages(unknown conversation): %d messages, want none", len(got))
	}
}

func testNotFound(t *testing.T, h *harness) {
	ctx := t.Context()
	_, _, err := h.s.AppendMessage(ctx, &store.Message{ConversationID: "no-such-conversation", Author: store.AuthorBot, Text: "x"})
	wantErr(t, "AppendMessage(unknown conversation)", err, store.ErrNotFound)
	_, _, err = h.s.AppendMessage(ctx, &store.Message{ConversationID: "no-such-conversation", ClientID: "w-1", Author: store.AuthorCustomer, Text: "x"})
	wantErr(t, "AppendMessage(unknown conversation, client id)", err, store.ErrNotFound)
	_, _, err = h.s.AppendMessage(ctx, &store.Message{Author: store.AuthorBot, Text: "x"})
	wantErr(t, "AppendMessage(no conversation id)", err, store.ErrNotFound)
	err = h.s.RecordFeedback(ctx, store.Feedback{ConversationID: "no-such-conversation", ArticleID: "livraison", Seq: 1, Helpful: true})
	wantErr(t, "RecordFeedback(unknown conversation)", err, store.ErrNotFound)
	wantErr(t, "SetState(unknown)", h.s.SetState(ctx, "no-such-conversation", "closed"), store.ErrNotFound)
	wantErr(t, "SetAssignment(unknown)", h.s.SetAssignment(ctx, "no-such-conversation", "agent", "max"), store.ErrNotFound)
	_, err = h.s.Conversation(ctx, "")
	wantErr(t, "Conversation(empty id)", err, store.ErrNotFound)
	_, err = h.s.Conversation(ctx, "bad\xff")
	wantErr(t, "Conversation(not UTF-8)", err, store.ErrNotFound)
	if sums, err := h.s.FeedbackByArticle(ctx); err != nil || len(sums) != 0 {
		t.Errorf("FeedbackByArticle on an empty store: %v, %v; want none", sums, err)
	}
}

func testFeedback(t *testing.T, h *harness) {
	ctx := t.Context()
	a, b, c := newConversation(t, h.s), newConversation(t, h.s), newConversation(t, h.s)
	for _, f := range []store.Feedback{
		{ConversationID: a.ID, ArticleID: "retours", Seq: 2, Helpful: true},
		{ConversationID: a.ID, ArticleID: "retours", Seq: 4, Helpful: false}, // replaces the vote above
		{ConversationID: a.ID, ArticleID: "livraison", Seq: 2, Helpful: true},
		{ConversationID: b.ID, ArticleID: "livraison", Seq: 2, Helpful: true},
		{ConversationID: c.ID, ArticleID: "livraison", Seq: 6, Helpful: false, CreatedAt: time.Now().Add(-time.Hour)},
		{ConversationID: b.ID, ArticleID: "livraison-express", Seq: 8, Helpful: true},
		{ConversationID: c.ID, ArticleID: "Zone", Seq: 8, Helpful: true},
		{ConversationID: c.ID, ArticleID: "Zone", Seq: 8, Helpful: true}, // the same vote again
	} {
		if err := h.s.RecordFeedback(ctx, f); err != nil {
			t.Fatalf("RecordFeedback(%+v): %v", f, err)
		}
	}
	got, err := h.s.FeedbackByArticle(ctx)
	if err != nil {
		t.Fatalf("FeedbackByArticle: %v", err)
	}
	want := []store.ArticleFeedback{ // in byte order: upper case first
		{ArticleID: "Zone", Helpful: 1},
		{ArticleID: "livraison", Helpful: 2, NotHelpful: 1},
		{ArticleID: "livraison-express", Helpful: 1},
		{ArticleID: "retours", NotHelpful: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FeedbackByArticle:\n got %+v\nwant %+v", got, want)
	}
}

func testInvalid(t *testing.T, h *harness) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	for _, m := range []store.Message{
		{Text: "cut", Data: json.RawMessage(`{"route":`)},
		{Text: "nul escape", Data: json.RawMessage(`{"a":"x\u0000"}`)},
		{Text: "nul \x00 byte"},
		{Text: "not UTF-8 \xff"},
		{Text: "client id", ClientID: "w\x00"},
	} {
		m.ConversationID, m.Author = c.ID, store.AuthorCustomer
		_, _, err := h.s.AppendMessage(ctx, &m)
		wantErr(t, fmt.Sprintf("AppendMessage(%q, data %s)", m.Text, m.Data), err, store.ErrInvalid)
	}
	if got := getConversation(t, h.s, c.ID).LastSeq; got != 0 {
		t.Errorf("after invalid messages: LastSeq %d, want 0", got)
	}
	// An escaped backslash before u0000 is no \u0000 escape.
	data := json.RawMessage(`{"a":"\\u0000"}`)
	stored := appendMessage(t, h.s, &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "ok", Data: data})
	if got := messages(t, h.s, c.ID, 0, 0); len(got) != 1 || !sameJSON(got[0].Data, data) || stored.Seq != 1 {
		t.Errorf("message with data %s: got %+v", data, got)
	}
	wantErr(t, "CreateConversation(state not UTF-8)", h.s.CreateConversation(ctx, &store.Conversation{ID: c.ID + "-x", State: "\xff"}), store.ErrInvalid)
	wantErr(t, "CreateConversation(agent NUL)", h.s.CreateConversation(ctx, &store.Conversation{ID: c.ID + "-y", State: "agent", Agent: "a\x00"}), store.ErrInvalid)
	wantErr(t, "SetState(NUL)", h.s.SetState(ctx, c.ID, "bot\x00"), store.ErrInvalid)
	wantErr(t, "RecordFeedback(article NUL)", h.s.RecordFeedback(ctx, store.Feedback{ConversationID: c.ID, ArticleID: "a\x00"}), store.ErrInvalid)
}

func testDurability(t *testing.T, h *harness) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	if err := h.s.SetAssignment(ctx, c.ID, "agent", "zoe.martin"); err != nil {
		t.Fatalf("SetAssignment: %v", err)
	}
	var want []*store.Message
	for i := range 5 {
		m := &store.Message{ConversationID: c.ID, ClientID: fmt.Sprintf("w-%d", i), Author: store.AuthorCustomer, Text: fmt.Sprint(i)}
		if i%2 == 1 {
			m.ClientID, m.Author, m.Data = "", store.AuthorBot, json.RawMessage(`{"route":"faq"}`)
		}
		want = append(want, appendMessage(t, h.s, m))
	}
	f := store.Feedback{ConversationID: c.ID, ArticleID: "livraison", Seq: 2, Helpful: true}
	if err := h.s.RecordFeedback(ctx, f); err != nil {
		t.Fatalf("RecordFeedback: %v", err)
	}
	conv := getConversation(t, h.s, c.ID)

	h.closeAndReopen(t)

	checkConversation(t, getConversation(t, h.s, c.ID), conv)
	if got := activeIDs(t, h.s); !slices.Equal(got, []string{c.ID}) {
		t.Errorf("after reopening: ActiveConversations = %v, want [%s]", got, c.ID)
	}
	got := messages(t, h.s, c.ID, 0, 0)
	if len(got) != len(want) {
		t.Fatalf("after reopening: %d messages, want %d", len(got), len(want))
	}
	for i := range got {
		checkMessage(t, &got[i], want[i])
	}
	sums, err := h.s.FeedbackByArticle(ctx)
	if err != nil || !reflect.DeepEqual(sums, []store.ArticleFeedback{{ArticleID: "livraison", Helpful: 1}}) {
		t.Errorf("after reopening: FeedbackByArticle %+v, %v", sums, err)
	}
	stored, dup, err := h.s.AppendMessage(ctx, &store.Message{ConversationID: c.ID, ClientID: "w-2", Author: store.AuthorCustomer, Text: "again"})
	if err != nil || !dup || stored.Seq != 3 {
		t.Errorf("after reopening, a known client id: dup %v, err %v, stored %+v; want the message 3", dup, err, stored)
	}
	if m := appendMessage(t, h.s, &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "next"}); m.Seq != 6 {
		t.Errorf("after reopening: next seq %d, want 6", m.Seq)
	}
}

func testPingAndClose(t *testing.T, h *harness) {
	if err := h.s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	c := newConversation(t, h.s)

	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	err := h.s.Ping(canceled)
	wantErr(t, "Ping(canceled context)", err, store.ErrUnavailable)
	wantErr(t, "Ping(canceled context)", err, context.Canceled)
	_, _, err = h.s.AppendMessage(canceled, &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "x"})
	wantErr(t, "AppendMessage(canceled context)", err, store.ErrUnavailable)

	if err := h.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := h.s.Close(); err != nil {
		t.Errorf("Close again: %v", err)
	}
	wantErr(t, "Ping after Close", h.s.Ping(t.Context()), store.ErrUnavailable)
	_, _, err = h.s.AppendMessage(t.Context(), &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "x"})
	wantErr(t, "AppendMessage after Close", err, store.ErrUnavailable)
	_, err = h.s.Conversation(t.Context(), c.ID)
	wantErr(t, "Conversation after Close", err, store.ErrUnavailable)
}

// BenchAppendParallel measures AppendMessage from many goroutines (16 per
// CPU) spread over 64 conversations, each message with a client id; it
// reports appends/s besides ns/op.
func BenchAppendParallel(b *testing.B, s store.Store) {
	ctx := b.Context()
	const conversations = 64
	ids := make([]string, conversations)
	for i := range ids {
		c := &store.Conversation{ID: fmt.Sprintf("bench-%d", i), State: "bot", Lang: "fr"}
		if err := s.CreateConversation(ctx, c); err != nil {
			b.Fatalf("CreateConversation: %v", err)
		}
		ids[i] = c.ID
	}
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			m := &store.Message{
				ConversationID: ids[n%conversations],
				ClientID:       fmt.Sprintf("w-%d", n),
				Author:         store.AuthorCustomer,
				Text:           "Bonjour, où en est ma commande 12345 ?",
			}
			if _, _, err := s.AppendMessage(ctx, m); err != nil {
				b.Errorf("AppendMessage: %v", err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}

func testAppendExchange(t *testing.T, h *harness) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	q := &store.Message{ConversationID: c.ID, ClientID: "w-1", Author: store.AuthorCustomer, Text: "Où est mon colis ?"}
	r := &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "Le voici.", Data: json.RawMessage(`{"route": "order"}`)}
	stored, reply, dup, err := h.s.AppendExchange(ctx, q, r)
	if err != nil || dup || stored == nil || reply == nil {
		t.Fatalf("AppendExchange = %+v, %+v, %v, %v", stored, reply, dup, err)
	}
	if stored.Seq != 1 || reply.Seq != 2 || q.Seq != 1 || r.Seq != 2 {
		t.Errorf("seqs %d, %d (arguments %d, %d), want 1, 2", stored.Seq, reply.Seq, q.Seq, r.Seq)
	}
	checkUTC(t, "reply CreatedAt", reply.CreatedAt)

	// A retry stores nothing and owes no reply.
	again, noReply, dup, err := h.s.AppendExchange(ctx, &store.Message{ConversationID: c.ID, ClientID: "w-1", Author: store.AuthorCustomer, Text: "Où est mon colis ?"}, &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "encore"})
	if err != nil || !dup || noReply != nil || again.Seq != 1 || again.Text != "Où est mon colis ?" {
		t.Fatalf("retry = %+v, %+v, %v, %v", again, noReply, dup, err)
	}
	got := messages(t, h.s, c.ID, 0, 0)
	if len(got) != 2 || got[1].Text != "Le voici." || !sameJSON(got[1].Data, r.Data) || got[0].ClientID != "w-1" {
		t.Fatalf("stored %+v", got)
	}
	if conv := getConversation(t, h.s, c.ID); conv.LastSeq != 2 {
		t.Errorf("LastSeq %d, want 2", conv.LastSeq)
	}

	// Both or neither: a reply the store refuses stores no message.
	_, _, _, err = h.s.AppendExchange(ctx, &store.Message{ConversationID: c.ID, ClientID: "w-2", Author: store.AuthorCustomer, Text: "x"}, &store.Message{ConversationID: c.ID, Author: store.AuthorBot, Text: "bad\x00"})
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("reply with a NUL byte: %v, want ErrInvalid", err)
	}
	_, _, _, err = h.s.AppendExchange(ctx, &store.Message{ConversationID: c.ID, ClientID: "w-3", Author: store.AuthorCustomer, Text: "x"}, &store.Message{ConversationID: c.ID, ClientID: "w-4", Author: store.AuthorBot, Text: "y"})
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("reply with a client id: %v, want ErrInvalid", err)
	}
	if n := len(messages(t, h.s, c.ID, 0, 0)); n != 2 {
		t.Errorf("%d messages after refused exchanges, want 2", n)
	}
	_, _, _, err = h.s.AppendExchange(ctx, &store.Message{ConversationID: "nope", ClientID: "w-1", Author: store.AuthorCustomer, Text: "x"}, &store.Message{ConversationID: "nope", Author: store.AuthorBot, Text: "y"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing conversation: %v, want ErrNotFound", err)
	}
}
