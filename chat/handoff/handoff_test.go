package handoff

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// clock is a fake clock the tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time           { return c.t }
func (c *clock) after(d time.Duration)    { c.t = c.t.Add(d) }
func newClock() *clock                    { return &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)} }
func online(d *Desk, login string, n int) { d.AddAgent(login, "", n); d.SetPresence(login, Online) }

// desk is a desk with two agents: marie online (capacity 2), paul away
// (capacity 1), and conversations c1 queued, c2 queued, c3 held by marie.
func testDesk(t *testing.T) (*Desk, *clock) {
	t.Helper()
	c := newClock()
	d := New(c.now)
	online(d, "marie", 2)
	d.AddAgent("paul", "Paul", 1)
	d.SetPresence("paul", Away)
	for _, conv := range []string{"c1", "c2", "c3"} {
		if _, err := d.Enqueue(conv, Info{Lang: "fr", Question: "où est " + conv}); err != nil {
			t.Fatal(err)
		}
		c.after(time.Minute)
	}
	if _, err := d.Claim("c3", "marie"); err != nil {
		t.Fatal(err)
	}
	return d, c
}

// TestTransitions: every transition, from every state it may meet, with
// the error it returns when its preconditions do not hold and what it
// leaves behind.
func TestTransitions(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(*Desk) error
		err  error
		// check sees the desk after the transition.
		check func(*testing.T, *Desk)
	}{
		{"enqueue a conversation with the bot", func(d *Desk) error { _, err := d.Enqueue("c9", Info{}); return err }, nil,
			func(t *testing.T, d *Desk) { want(t, d.State("c9"), Queued); want(t, d.Position("c9"), 3) }},
		{"enqueue a queued one", func(d *Desk) error { _, err := d.Enqueue("c1", Info{}); return err }, ErrWithTeam,
			func(t *testing.T, d *Desk) { want(t, d.Position("c1"), 1) }},
		{"enqueue a held one", func(d *Desk) error { _, err := d.Enqueue("c3", Info{}); return err }, ErrWithTeam,
			func(t *testing.T, d *Desk) { want(t, d.State("c3"), Assigned) }},

		{"claim", func(d *Desk) error { _, err := d.Claim("c2", "marie"); return err }, nil,
			func(t *testing.T, d *Desk) {
				want(t, d.State("c2"), Assigned)
				want(t, d.Agent("marie").Load, 2)
				want(t, d.Position("c1"), 1)
			}},
		{"claim what another took", func(d *Desk) error { _, err := d.Claim("c3", "marie"); return err }, ErrNotQueued, nil},
		{"claim a conversation with the bot", func(d *Desk) error { _, err := d.Claim("c9", "marie"); return err }, ErrNotQueued, nil},
		{"claim while away", func(d *Desk) error { _, err := d.Claim("c1", "paul"); return err }, ErrNotOnline,
			func(t *testing.T, d *Desk) { want(t, d.State("c1"), Queued) }},
		{"claim, unknown agent", func(d *Desk) error { _, err := d.Claim("c1", "zoe"); return err }, ErrUnknownAgent, nil},
		{"claim over capacity", func(d *Desk) error {
			d.Claim("c1", "marie")
			_, err := d.Claim("c2", "marie")
			return err
		}, ErrCapacity, func(t *testing.T, d *Desk) { want(t, d.Agent("marie").Load, 2); want(t, d.State("c2"), Queued) }},

		{"transfer", func(d *Desk) error {
			d.SetPresence("paul", Online)
			_, err := d.Transfer("c3", "marie", "paul")
			return err
		}, nil,
			func(t *testing.T, d *Desk) {
				want(t, d.Holding("c3").Agent, "paul")
				want(t, d.Agent("marie").Load, 0)
				want(t, d.Agent("paul").Load, 1)
			}},
		{"transfer to an agent away", func(d *Desk) error { _, err := d.Transfer("c3", "marie", "paul"); return err }, ErrNotOnline,
			func(t *testing.T, d *Desk) { want(t, d.Holding("c3").Agent, "marie") }},
		{"transfer to oneself", func(d *Desk) error { _, err := d.Transfer("c3", "marie", "marie"); return err }, ErrUnknownAgent, nil},
		{"transfer what one does not hold", func(d *Desk) error { _, err := d.Transfer("c1", "marie", "paul"); return err }, ErrNotHolder, nil},
		{"transfer to an agent at capacity", func(d *Desk) error {
			d.SetPresence("paul", Online)
			d.Claim("c1", "paul")
			_, err := d.Transfer("c3", "marie", "paul")
			return err
		}, ErrCapacity, func(t *testing.T, d *Desk) { want(t, d.Holding("c3").Agent, "marie") }},

		{"requeue", func(d *Desk) error { _, err := d.Requeue("c3", "marie"); return err }, nil,
			func(t *testing.T, d *Desk) {
				// Given back, it goes before those that never had an agent,
				// and keeps the time it first asked.
				want(t, d.Position("c3"), 1)
				want(t, d.Entry("c3").Since, newClock().t.Add(2*time.Minute))
				want(t, d.Agent("marie").Load, 0)
			}},
		{"requeue what one does not hold", func(d *Desk) error { _, err := d.Requeue("c3", "paul"); return err }, ErrNotHolder, nil},

		{"close", func(d *Desk) error { _, err := d.Close("c3", "marie"); return err }, nil,
			func(t *testing.T, d *Desk) { want(t, d.State("c3"), Bot); want(t, d.Agent("marie").Load, 0) }},
		{"close what one does not hold", func(d *Desk) error { _, err := d.Close("c1", "marie"); return err }, ErrNotHolder,
			func(t *testing.T, d *Desk) { want(t, d.State("c1"), Queued) }},
		{"close twice", func(d *Desk) error { d.Close("c3", "marie"); _, err := d.Close("c3", "marie"); return err }, ErrNotHolder, nil},
		{"enqueue again after a close", func(d *Desk) error { d.Close("c3", "marie"); _, err := d.Enqueue("c3", Info{}); return err }, nil,
			func(t *testing.T, d *Desk) { want(t, d.Position("c3"), 3) }},

		{"withdraw", func(d *Desk) error { _, err := d.Withdraw("c1"); return err }, nil,
			func(t *testing.T, d *Desk) { want(t, d.State("c1"), Bot); want(t, d.Position("c2"), 1) }},
		{"withdraw a held one", func(d *Desk) error { _, err := d.Withdraw("c3"); return err }, ErrNotQueued,
			func(t *testing.T, d *Desk) { want(t, d.State("c3"), Assigned) }},

		{"presence offline gives back the conversations", func(d *Desk) error {
			held, err := d.SetPresence("marie", Offline)
			if !slices.Equal(held, []string{"c3"}) {
				return fmt.Errorf("held %v", held)
			}
			return err
		}, nil, func(t *testing.T, d *Desk) { want(t, d.Agent("marie").Presence, Offline) }},
		{"presence, unknown one", func(d *Desk) error { _, err := d.SetPresence("marie", "busy"); return err }, ErrPresence,
			func(t *testing.T, d *Desk) { want(t, d.Agent("marie").Presence, Online) }},
		{"presence, unknown agent", func(d *Desk) error { _, err := d.SetPresence("zoe", Online); return err }, ErrUnknownAgent, nil},
		{"restore a held one after a restart", func(d *Desk) error { return d.Restore("c8", "paul", time.Time{}, Info{}) }, nil,
			func(t *testing.T, d *Desk) { want(t, d.Holding("c8").Agent, "paul"); want(t, d.Agent("paul").Load, 1) }},
		{"restore one already there", func(d *Desk) error { return d.Restore("c1", "", time.Time{}, Info{}) }, ErrWithTeam,
			func(t *testing.T, d *Desk) { want(t, len(d.Queue()), 2) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := testDesk(t)
			if err := tc.do(d); !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

func want[T comparable](t *testing.T, got, expected T) {
	t.Helper()
	if got != expected {
		t.Errorf("got %v, want %v", got, expected)
	}
}

// TestRoute: the one decision of a request for a person — the queue only
// during opening hours, with an agent online, and a wait within the limit.
func TestRoute(t *testing.T) {
	c := newClock()
	d := New(c.now)
	want(t, d.Route(true, 10*time.Minute), ToEmail) // nobody at all
	d.AddAgent("marie", "", 1)
	want(t, d.Route(true, 10*time.Minute), ToEmail) // offline
	d.SetPresence("marie", Away)
	want(t, d.Route(true, 10*time.Minute), ToEmail) // away
	d.SetPresence("marie", Online)
	want(t, d.Route(true, 10*time.Minute), ToQueue)
	want(t, d.Route(false, 10*time.Minute), ToEmail) // closed
	// A free place: the wait is the pickup time (30 s by default).
	want(t, d.Route(true, 29*time.Second), ToEmail)
	want(t, d.Route(true, 30*time.Second), ToQueue)
	// Marie busy (taken after 20 s) and two waiting: the third waits
	// 20 s + 3 × 6 min.
	d.Enqueue("c1", Info{})
	c.after(20 * time.Second)
	d.Claim("c1", "marie")
	d.Enqueue("c2", Info{})
	d.Enqueue("c3", Info{})
	want(t, d.Estimate(3), 20*time.Second+3*DefaultHandleTime)
	want(t, d.Route(true, 18*time.Minute), ToEmail)
	want(t, d.Route(true, 18*time.Minute+20*time.Second), ToQueue)
}

// TestEstimateLearns: the estimate follows the recent pickup and handling
// times.
func TestEstimateLearns(t *testing.T) {
	c := newClock()
	d := New(c.now)
	online(d, "marie", 1)
	for range 3 {
		d.Enqueue("c", Info{})
		c.after(10 * time.Second)
		d.Claim("c", "marie")
		c.after(2 * time.Minute)
		d.Close("c", "marie")
	}
	want(t, d.Estimate(1), 10*time.Second)
	d.Enqueue("c", Info{})
	c.after(10 * time.Second)
	d.Claim("c", "marie")
	want(t, d.Estimate(2), 10*time.Second+2*2*time.Minute)
}

// TestNextAssignment: round-robin gives the head of the queue to the
// online agent with the fewest conversations, the one assigned longest
// ago among equals, and nobody over capacity.
func TestNextAssignment(t *testing.T) {
	c := newClock()
	d := New(c.now)
	if _, _, ok := d.NextAssignment(); ok {
		t.Fatal("an assignment from an empty queue")
	}
	online(d, "marie", 2)
	online(d, "paul", 1)
	d.AddAgent("zoe", "", 5) // offline
	for i := range 5 {
		d.Enqueue(fmt.Sprint("c", i), Info{})
	}
	var got []string
	for {
		conv, login, ok := d.NextAssignment()
		if !ok {
			break
		}
		if _, err := d.Claim(conv, login); err != nil {
			t.Fatal(err)
		}
		got = append(got, conv+":"+login)
		c.after(time.Second)
	}
	if !slices.Equal(got, []string{"c0:marie", "c1:paul", "c2:marie"}) {
		t.Errorf("assigned %v", got)
	}
	want(t, len(d.Queue()), 2)
}

// TestClaimRace: of twenty agents claiming the same fifty conversations,
// each conversation goes to exactly one, and nobody over capacity.
func TestClaimRace(t *testing.T) {
	d := New(newClock().now)
	for i := range 20 {
		online(d, fmt.Sprint("agent", i), 3)
	}
	for i := range 50 {
		d.Enqueue(fmt.Sprint("c", i), Info{})
	}
	holders := map[string]string{}
	for round := range 3 {
		for i := range 20 {
			login := fmt.Sprint("agent", (i+round)%20)
			for c := range 50 {
				conv := fmt.Sprint("c", c)
				if h, err := d.Claim(conv, login); err == nil {
					if prev, ok := holders[conv]; ok {
						t.Fatalf("%s claimed by %s and %s", conv, prev, h.Agent)
					}
					holders[conv] = h.Agent
					break
				} else if !errors.Is(err, ErrNotQueued) && !errors.Is(err, ErrCapacity) {
					t.Fatal(err)
				}
			}
		}
	}
	want(t, len(holders), 50)
	for _, a := range d.Agents() {
		if a.Load > a.Capacity || a.Load != len(d.HeldBy(a.Login)) {
			t.Errorf("%s holds %d, load %d, capacity %d", a.Login, len(d.HeldBy(a.Login)), a.Load, a.Capacity)
		}
	}
}

// TestUnattended: the queue is swept only when no agent is online.
func TestUnattended(t *testing.T) {
	d, _ := testDesk(t)
	want(t, len(d.Unattended()), 0)
	held, _ := d.SetPresence("marie", Offline)
	for _, conv := range held {
		d.Requeue(conv, "marie")
	}
	if got := d.Unattended(); !slices.Equal(got, []string{"c3", "c1", "c2"}) {
		t.Errorf("unattended %v", got)
	}
}

// TestMirror: a desk follows seats decided elsewhere, from every state to
// every other, and the loads follow.
func TestMirror(t *testing.T) {
	since := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	seats := []Seat{
		{State: Bot},
		{State: Queued, Since: since},
		{State: Queued, Since: since, Front: true},
		{State: Assigned, Agent: "marie", Since: since},
		{State: Assigned, Agent: "lea", Since: since},
	}
	for _, from := range seats {
		for _, to := range seats {
			t.Run(fmt.Sprintf("%s%s%v to %s%s%v", from.State, from.Agent, from.Front, to.State, to.Agent, to.Front), func(t *testing.T) {
				d, _ := testDesk(t)
				d.Mirror("c9", from)
				old := d.Mirror("c9", to)
				if !old.Same(from) {
					t.Errorf("Mirror returned %+v, want %+v", old, from)
				}
				got := d.Seat("c9")
				if !got.Same(to) || to.State != Bot && !got.Since.Equal(to.Since) {
					t.Errorf("seat %+v, want %+v", got, to)
				}
				// Marie holds c3, and c9 when it is hers; Léa, c9 when
				// it is hers; the queue holds c1, c2 and c9 when queued.
				wantLoad := map[string]int{"marie": 1, "lea": 0}
				if to.State == Assigned {
					wantLoad[to.Agent]++
				}
				for login, n := range wantLoad {
					if a := d.Agent(login); n > 0 && (a == nil || a.Load != n) || a != nil && a.Load != n {
						t.Errorf("%s's load %+v, want %d", login, a, n)
					}
				}
				queue := len(d.Queue())
				if wantQueue := 2 + btoi(to.State == Queued); queue != wantQueue {
					t.Errorf("queue of %d, want %d", queue, wantQueue)
				}
				if to.State == Queued && to.Front {
					want(t, d.Position("c9"), 1)
				}
			})
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
