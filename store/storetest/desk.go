package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/supportd/supportd/store"
)

// RunDesk runs the conformance suite of [store.Desk], as subtests of t
// that run in parallel. open is as for [Run].
func RunDesk(t *testing.T, open func(t *testing.T) (s store.Store, reopen func() store.Store)) {
	for _, test := range []struct {
		name string
		fn   func(t *testing.T, h *harness, d store.Desk)
	}{
		{"Moves", testDeskMoves},
		{"Invalid", testDeskInvalid},
		{"Presence", testDeskPresence},
		{"ClaimRace", testDeskClaimRace},
		{"HeldIndexSurvivesReopen", testDeskReopen},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			s, reopen := open(t)
			t.Cleanup(func() { s.Close() })
			h := &harness{s: s, reopen: reopen}
			d, ok := s.(store.Desk)
			if !ok {
				t.Fatalf("%T does not implement store.Desk", s)
			}
			test.fn(t, h, d)
		})
	}
}

// move moves a conversation and fails the test on an error.
func move(t *testing.T, d store.Desk, m store.DeskMove) {
	t.Helper()
	if err := d.MoveConversation(t.Context(), m); err != nil {
		t.Fatalf("MoveConversation(%+v): %v", m, err)
	}
}

func testDeskMoves(t *testing.T, h *harness, d store.Desk) {
	ctx := t.Context()
	c := newConversation(t, h.s)
	info := json.RawMessage(`{"question":"Où est mon colis ?"}`)
	move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateQueued, Info: info})
	got := getConversation(t, h.s, c.ID)
	if got.State != store.StateQueued || got.Agent != "" || got.QueuedAt.IsZero() || got.Front {
		t.Fatalf("after the move to the queue: %+v", got)
	}
	var gotInfo, wantInfo any
	json.Unmarshal(got.DeskInfo, &gotInfo)
	json.Unmarshal(info, &wantInfo)
	if fmt.Sprint(gotInfo) != fmt.Sprint(wantInfo) {
		t.Errorf("DeskInfo %s, want %s", got.DeskInfo, info)
	}
	queuedAt := got.QueuedAt

	// Enqueued twice: the second finds it moved.
	wantErr(t, "a second move to the queue", d.MoveConversation(ctx, store.DeskMove{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateQueued}), store.ErrMoved)
	// A claim by an agent the store does not know, within capacity.
	move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: "zoe", Capacity: 1})
	wantErr(t, "a second claim", d.MoveConversation(ctx, store.DeskMove{Conversation: c.ID, FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: "max", Capacity: 1}), store.ErrMoved)
	got = getConversation(t, h.s, c.ID)
	if got.State != store.StateAgent || got.Agent != "zoe" || !got.QueuedAt.Equal(queuedAt) || !bytes.Equal(got.DeskInfo, getConversation(t, h.s, c.ID).DeskInfo) || len(got.DeskInfo) == 0 {
		t.Fatalf("after the claim: %+v (queued at %v)", got, queuedAt)
	}
	// Zoe holds one with a capacity of 1: a second is refused.
	other := newConversation(t, h.s)
	move(t, d, store.DeskMove{Conversation: other.ID, FromState: store.StateBot, ToState: store.StateQueued})
	wantErr(t, "a claim over capacity", d.MoveConversation(ctx, store.DeskMove{Conversation: other.ID, FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: "zoe", Capacity: 1}), store.ErrFull)
	if got := getConversation(t, h.s, other.ID); got.State != store.StateQueued {
		t.Errorf("a refused claim moved the conversation: %+v", got)
	}
	// Only its holder moves a held conversation.
	wantErr(t, "a transfer by another", d.MoveConversation(ctx, store.DeskMove{Conversation: c.ID, FromState: store.StateAgent, FromAgent: "max", ToState: store.StateAgent, ToAgent: "lea"}), store.ErrMoved)
	move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateAgent, FromAgent: "zoe", ToState: store.StateAgent, ToAgent: "lea", Capacity: 1})
	// Zoe is free again: she takes the other.
	move(t, d, store.DeskMove{Conversation: other.ID, FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: "zoe", Capacity: 1})
	// Léa gives hers back: it keeps its time in the queue and goes first.
	move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateAgent, FromAgent: "lea", ToState: store.StateQueued, Front: true})
	got = getConversation(t, h.s, c.ID)
	if got.State != store.StateQueued || got.Agent != "" || !got.Front || !got.QueuedAt.Equal(queuedAt) {
		t.Fatalf("after the requeue: %+v", got)
	}
	active, err := h.s.ActiveConversations(ctx)
	if err != nil || len(active) != 2 {
		t.Fatalf("ActiveConversations: %d, %v; want 2", len(active), err)
	}
	// Out of the queue, back to the assistant: no time in the queue.
	move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateQueued, ToState: store.StateBot})
	move(t, d, store.DeskMove{Conversation: other.ID, FromState: store.StateAgent, FromAgent: "zoe", ToState: store.StateBot})
	for _, id := range []string{c.ID, other.ID} {
		if got := getConversation(t, h.s, id); got.State != store.StateBot || got.Agent != "" || !got.QueuedAt.IsZero() {
			t.Errorf("back with the assistant: %+v", got)
		}
	}
	// A conversation of another state (closed, or none) is with the assistant.
	if err := h.s.SetState(ctx, c.ID, "closed"); err != nil {
		t.Fatal(err)
	}
	move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateQueued})
	wantErr(t, "an unknown conversation", d.MoveConversation(ctx, store.DeskMove{Conversation: "no-such-conversation", FromState: store.StateBot, ToState: store.StateQueued}), store.ErrNotFound)
}

func testDeskInvalid(t *testing.T, h *harness, d store.Desk) {
	c := newConversation(t, h.s)
	for _, m := range []store.DeskMove{
		{Conversation: c.ID, FromState: "closed", ToState: store.StateQueued},
		{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateAgent},
		{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateQueued, ToAgent: "zoe"},
		{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateQueued, Info: json.RawMessage("{")},
		{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateAgent, ToAgent: "zoe\x00"},
	} {
		wantErr(t, fmt.Sprintf("MoveConversation(%+v)", m), d.MoveConversation(t.Context(), m), store.ErrInvalid)
	}
	if got := getConversation(t, h.s, c.ID); got.State != c.State {
		t.Errorf("an invalid move changed the state to %q", got.State)
	}
}

// testDeskPresence: an agent of the store must be online to be given a
// conversation.
func testDeskPresence(t *testing.T, h *harness, d store.Desk) {
	ag, ok := h.s.(store.Agents)
	if !ok {
		t.Fatalf("%T does not implement store.Agents", h.s)
	}
	ctx := t.Context()
	if err := ag.AddAgent(ctx, &store.Agent{Login: "marie", Name: "Marie", PasswordHash: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	c := newConversation(t, h.s)
	move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateQueued})
	claim := store.DeskMove{Conversation: c.ID, FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: "marie", Capacity: 3}
	wantErr(t, "a claim for an offline agent", d.MoveConversation(ctx, claim), store.ErrAbsent)
	if err := ag.SetAgentPresence(ctx, "marie", "away"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a claim for an away agent", d.MoveConversation(ctx, claim), store.ErrAbsent)
	if err := ag.SetAgentPresence(ctx, "marie", "online"); err != nil {
		t.Fatal(err)
	}
	move(t, d, claim)
}

// testDeskClaimRace: 20 agents of capacity 2 to 3 claim 50 queued
// conversations at once, each trying every one: each conversation is held
// once, nobody over capacity.
func testDeskClaimRace(t *testing.T, h *harness, d store.Desk) {
	const agents, convs = 20, 50
	var ids []string
	for range convs {
		c := newConversation(t, h.s)
		move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateQueued})
		ids = append(ids, c.ID)
	}
	capacity := func(a int) int { return 2 + a%2 }
	var mu sync.Mutex
	won := map[string][]string{}
	var wg sync.WaitGroup
	for a := range agents {
		login := fmt.Sprintf("agent%02d", a)
		wg.Go(func() {
			for i := range ids {
				id := ids[(i+a*7)%len(ids)]
				err := d.MoveConversation(t.Context(), store.DeskMove{Conversation: id, FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: login, Capacity: capacity(a)})
				switch {
				case err == nil:
					mu.Lock()
					won[id] = append(won[id], login)
					mu.Unlock()
				case errors.Is(err, store.ErrMoved), errors.Is(err, store.ErrFull):
				default:
					t.Errorf("claim %s by %s: %v", id, login, err)
				}
			}
		})
	}
	wg.Wait()
	load := map[string]int{}
	total := 0
	for a := range agents {
		total += capacity(a)
	}
	for _, id := range ids {
		c := getConversation(t, h.s, id)
		switch w := won[id]; {
		case len(w) > 1:
			t.Errorf("%s claimed by %v", id, w)
		case len(w) == 1 && (c.State != store.StateAgent || c.Agent != w[0]):
			t.Errorf("%s won by %s but stored as %s/%s", id, w[0], c.State, c.Agent)
		case len(w) == 0 && c.State != store.StateQueued:
			t.Errorf("%s won by nobody but stored as %s/%s", id, c.State, c.Agent)
		}
		if c.State == store.StateAgent {
			load[c.Agent]++
		}
	}
	held := 0
	for a := range agents {
		login := fmt.Sprintf("agent%02d", a)
		if load[login] > capacity(a) {
			t.Errorf("%s holds %d, over a capacity of %d", login, load[login], capacity(a))
		}
		held += load[login]
	}
	// 50 places for 50 conversations: every one is taken.
	if want := min(total, convs); held != want {
		t.Errorf("%d conversations held, want %d", held, want)
	}
}

// testDeskReopen: the count of each agent's conversations outlives a
// restart.
func testDeskReopen(t *testing.T, h *harness, d store.Desk) {
	c := newConversation(t, h.s)
	move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateBot, ToState: store.StateQueued})
	move(t, d, store.DeskMove{Conversation: c.ID, FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: "zoe", Capacity: 1})
	h.closeAndReopen(t)
	d = h.s.(store.Desk)
	other := newConversation(t, h.s)
	move(t, d, store.DeskMove{Conversation: other.ID, FromState: store.StateBot, ToState: store.StateQueued})
	wantErr(t, "a claim over capacity after a restart", d.MoveConversation(t.Context(), store.DeskMove{Conversation: other.ID, FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: "zoe", Capacity: 1}), store.ErrFull)
	// SetAssignment keeps the count too.
	if err := h.s.SetAssignment(t.Context(), c.ID, "bot", ""); err != nil {
		t.Fatal(err)
	}
	move(t, d, store.DeskMove{Conversation: other.ID, FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: "zoe", Capacity: 1})
}
