// Package handoff is the desk where conversations meet agents, as a state
// machine: where each conversation stands with the team (with the
// assistant, queued, held by an agent), each agent's presence and load,
// and the transitions between them — enqueue, claim, transfer, requeue,
// close, withdraw — each checking its preconditions and returning a typed
// error. It decides whether a request for a person goes to the queue or to
// an email request (Desk.Route), and whom round-robin assigns next.
//
// It holds no sockets, sends nothing and stores nothing: the chat package
// does that around it, and guards a Desk with its own lock (a Desk is not
// safe for concurrent use). Its clock is given, so that its logic is
// tested on its own.
package handoff

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/supportd/supportd/identity"
)

// State is where a conversation stands with the team. Its values are the
// ones the store keeps.
type State string

// The states of a conversation. Closing a held conversation brings it
// back to Bot: the customer goes on with the assistant, and may ask for a
// person again.
const (
	// Bot: the assistant answers; nobody of the team is involved.
	Bot State = "bot"
	// Queued: the conversation waits for an agent.
	Queued State = "queued"
	// Assigned: an agent holds the conversation.
	Assigned State = "agent"
)

// Presence is an agent's availability.
type Presence string

// The presences of an agent. Only an online agent is given or may take
// conversations; an agent going offline gives back those they hold.
const (
	Online  Presence = "online"
	Away    Presence = "away"
	Offline Presence = "offline"
)

// Valid reports whether p is one of the presences.
func (p Presence) Valid() bool { return p == Online || p == Away || p == Offline }

// The errors of the transitions.
var (
	// ErrUnknownAgent: no agent of that login, or a transfer to the agent
	// who holds the conversation.
	ErrUnknownAgent = errors.New("handoff: unknown agent")
	// ErrNotOnline: the agent who would take the conversation is away or
	// offline.
	ErrNotOnline = errors.New("handoff: the agent is not online")
	// ErrCapacity: the agent already holds as many conversations as their
	// capacity.
	ErrCapacity = errors.New("handoff: the agent is at capacity")
	// ErrNotQueued: the conversation is not (or no longer) in the queue,
	// as when another agent claimed it first.
	ErrNotQueued = errors.New("handoff: the conversation is not in the queue")
	// ErrNotHolder: the agent does not hold the conversation.
	ErrNotHolder = errors.New("handoff: the agent does not hold the conversation")
	// ErrWithTeam: the conversation is queued or held already.
	ErrWithTeam = errors.New("handoff: the conversation is already with the team")
	// ErrPresence: not one of the presences.
	ErrPresence = errors.New("handoff: unknown presence")
)

// Info is what the desk keeps of a conversation's customer, from the
// connection that asked for a person, for the agent who takes it.
type Info struct {
	Lang, Question string
	Customer       identity.Customer
	// Verified maps the orders the visitor proved theirs to the email.
	Verified map[string]string
}

// Entry is a conversation waiting in the queue.
type Entry struct {
	Conv  string
	Since time.Time
	Info  Info
	// Front marks a conversation given back by an agent: it goes before
	// those that never had one.
	Front bool
	// SentPos and SentWait are the position and wait (seconds) the
	// customer was last told; the chat keeps them here.
	SentPos, SentWait int
}

// Holding is a conversation an agent holds.
type Holding struct {
	Conv, Agent       string
	QueuedAt, TakenAt time.Time
	Info              Info
}

// Agent is an agent as the desk sees them.
type Agent struct {
	Login, Name  string
	Capacity     int
	Presence     Presence
	Load         int
	LastAssigned time.Time
}

// DisplayName is the agent's name, or their login without one.
func (a *Agent) DisplayName() string {
	if a.Name == "" {
		return a.Login
	}
	return a.Name
}

// Route is where a request for a person goes.
type Route int

const (
	// ToEmail: nobody can take the conversation soon; the customer is
	// offered an email request.
	ToEmail Route = iota
	// ToQueue: the conversation joins the queue.
	ToQueue
)

// Defaults of the estimate when the desk has no history yet, and how
// many recent times it averages.
const (
	DefaultHandleTime = 6 * time.Minute
	DefaultPickupTime = 30 * time.Second
	samples           = 20
)

// Desk is the state of the team's desk. The zero value is not usable; use
// New.
type Desk struct {
	now    func() time.Time
	agents map[string]*Agent
	queue  []*Entry
	queued map[string]*Entry
	held   map[string]*Holding
	// handle is how long agents held their recent conversations; pickup,
	// how long recent conversations waited in the queue.
	handle, pickup durations
}

// New returns an empty desk on the clock now (time.Now when nil).
func New(now func() time.Time) *Desk {
	if now == nil {
		now = time.Now
	}
	return &Desk{now: now, agents: map[string]*Agent{}, queued: map[string]*Entry{}, held: map[string]*Holding{}}
}

// AddAgent makes the agent known to the desk, offline, or updates the
// name and capacity (at least 1) of one it knows; it returns the agent.
func (d *Desk) AddAgent(login, name string, capacity int) *Agent {
	a := d.agents[login]
	if a == nil {
		a = &Agent{Login: login, Presence: Offline}
		d.agents[login] = a
	}
	a.Name, a.Capacity = name, max(capacity, 1)
	return a
}

// Agent returns the agent with that login, or nil.
func (d *Desk) Agent(login string) *Agent { return d.agents[login] }

// Agents returns the agents, by login.
func (d *Desk) Agents() []*Agent {
	out := make([]*Agent, 0, len(d.agents))
	for _, a := range d.agents {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *Agent) int { return strings.Compare(a.Login, b.Login) })
	return out
}

// SetPresence changes an agent's presence. Going offline, the agent keeps
// the conversations they hold until the caller gives each back (Requeue):
// they are returned, by id.
func (d *Desk) SetPresence(login string, p Presence) ([]string, error) {
	if !p.Valid() {
		return nil, ErrPresence
	}
	a := d.agents[login]
	if a == nil {
		return nil, ErrUnknownAgent
	}
	a.Presence = p
	if p != Offline {
		return nil, nil
	}
	return d.HeldBy(login), nil
}

// HeldBy returns the conversations an agent holds, by id.
func (d *Desk) HeldBy(login string) []string {
	var out []string
	for id, h := range d.held {
		if h.Agent == login {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// State returns where a conversation stands.
func (d *Desk) State(conv string) State {
	if _, ok := d.queued[conv]; ok {
		return Queued
	}
	if _, ok := d.held[conv]; ok {
		return Assigned
	}
	return Bot
}

// Entry returns the queued conversation, or nil.
func (d *Desk) Entry(conv string) *Entry { return d.queued[conv] }

// Holding returns the held conversation, or nil.
func (d *Desk) Holding(conv string) *Holding { return d.held[conv] }

// Queue returns the queue, first first.
func (d *Desk) Queue() []*Entry { return slices.Clone(d.queue) }

// Position returns the 1-based position of a queued conversation, 0 for
// one not queued.
func (d *Desk) Position(conv string) int {
	for i, e := range d.queue {
		if e.Conv == conv {
			return i + 1
		}
	}
	return 0
}

// Enqueue puts a conversation with the assistant at the end of the queue.
func (d *Desk) Enqueue(conv string, info Info) (*Entry, error) {
	if d.State(conv) != Bot {
		return nil, ErrWithTeam
	}
	e := &Entry{Conv: conv, Since: d.now(), Info: info}
	d.push(e)
	return e, nil
}

// Restore puts back, after a restart, a conversation the store has queued
// (agent "") or held by agent, since the time given.
func (d *Desk) Restore(conv, agent string, since time.Time, info Info) error {
	if d.State(conv) != Bot {
		return ErrWithTeam
	}
	if agent == "" {
		d.push(&Entry{Conv: conv, Since: since, Info: info})
		return nil
	}
	a := d.agents[agent]
	if a == nil {
		a = d.AddAgent(agent, "", 1)
	}
	a.Load++
	d.held[conv] = &Holding{Conv: conv, Agent: agent, QueuedAt: since, TakenAt: d.now(), Info: info}
	return nil
}

// mayTake checks that the agent may take one more conversation.
func (d *Desk) mayTake(login string) (*Agent, error) {
	a := d.agents[login]
	switch {
	case a == nil:
		return nil, ErrUnknownAgent
	case a.Presence != Online:
		return nil, ErrNotOnline
	case a.Load >= a.Capacity:
		return nil, ErrCapacity
	}
	return a, nil
}

// Claim gives a queued conversation to an agent: one who is online and
// under capacity. Of agents who claim it at once, the first wins; the
// others get ErrNotQueued.
func (d *Desk) Claim(conv, login string) (*Holding, error) {
	a, err := d.mayTake(login)
	if err != nil {
		return nil, err
	}
	e := d.remove(conv)
	if e == nil {
		return nil, ErrNotQueued
	}
	now := d.now()
	h := &Holding{Conv: conv, Agent: login, QueuedAt: e.Since, TakenAt: now, Info: e.Info}
	d.held[conv] = h
	d.pickup.add(now.Sub(e.Since))
	a.Load++
	a.LastAssigned = now
	return h, nil
}

// Transfer gives a conversation agent from holds to agent to, who must be
// another agent, online and under capacity.
func (d *Desk) Transfer(conv, from, to string) (*Holding, error) {
	h := d.held[conv]
	if h == nil || h.Agent != from {
		return nil, ErrNotHolder
	}
	if to == from {
		return nil, ErrUnknownAgent
	}
	a, err := d.mayTake(to)
	if err != nil {
		return nil, err
	}
	d.agents[from].Load--
	h.Agent = to
	a.Load++
	a.LastAssigned = d.now()
	return h, nil
}

// Requeue gives a conversation the agent holds back to the queue, before
// those that never had an agent.
func (d *Desk) Requeue(conv, login string) (*Entry, error) {
	h := d.held[conv]
	if h == nil || h.Agent != login {
		return nil, ErrNotHolder
	}
	delete(d.held, conv)
	d.agents[login].Load--
	e := &Entry{Conv: conv, Since: h.QueuedAt, Info: h.Info, Front: true}
	d.push(e)
	return e, nil
}

// Close ends an agent's conversation: it goes back to the assistant.
func (d *Desk) Close(conv, login string) (*Holding, error) {
	h := d.held[conv]
	if h == nil || h.Agent != login {
		return nil, ErrNotHolder
	}
	delete(d.held, conv)
	d.agents[login].Load--
	d.handle.add(d.now().Sub(h.TakenAt))
	return h, nil
}

// Withdraw takes a conversation out of the queue, back to the assistant,
// as when nobody is left to take it and the customer is offered an email
// request.
func (d *Desk) Withdraw(conv string) (*Entry, error) {
	e := d.remove(conv)
	if e == nil {
		return nil, ErrNotQueued
	}
	return e, nil
}

// Availability returns whether an agent is online, the free places among
// online agents and their total capacity.
func (d *Desk) Availability() (online bool, free, slots int) {
	for _, a := range d.agents {
		if a.Presence != Online {
			continue
		}
		online = true
		slots += a.Capacity
		free += max(0, a.Capacity-a.Load)
	}
	return online, free, slots
}

// Estimate returns the expected wait of the conversation at position pos:
// the recent pickup time while a place is free, plus, beyond the free
// places, the recent handling time divided among the places of the online
// agents (one place frees every handle/slots on average).
func (d *Desk) Estimate(pos int) time.Duration {
	_, free, slots := d.Availability()
	wait := d.pickup.mean(DefaultPickupTime)
	if pos > free && slots > 0 {
		wait += time.Duration(pos-free) * d.handle.mean(DefaultHandleTime) / time.Duration(slots)
	}
	return wait
}

// Route decides where a request for a person goes now: to the queue
// during opening hours (open), with an agent online, when the wait
// expected at the end of the queue is at most maxWait; otherwise to an
// email request. It is the one place where that is decided.
func (d *Desk) Route(open bool, maxWait time.Duration) Route {
	if !open {
		return ToEmail
	}
	if online, _, _ := d.Availability(); !online || d.Estimate(len(d.queue)+1) > maxWait {
		return ToEmail
	}
	return ToQueue
}

// Unattended returns the queued conversations when no agent is online:
// nobody waits for a person who will not come.
func (d *Desk) Unattended() []string {
	if online, _, _ := d.Availability(); online {
		return nil
	}
	out := make([]string, 0, len(d.queue))
	for _, e := range d.queue {
		out = append(out, e.Conv)
	}
	return out
}

// NextAssignment picks, for round-robin, the head of the queue and the
// online agent with a free place and the fewest conversations (the one
// assigned longest ago among equals, then by login).
func (d *Desk) NextAssignment() (conv, login string, ok bool) {
	if len(d.queue) == 0 {
		return "", "", false
	}
	var best *Agent
	for _, a := range d.Agents() {
		if a.Presence != Online || a.Load >= a.Capacity {
			continue
		}
		if best == nil || a.Load < best.Load || a.Load == best.Load && a.LastAssigned.Before(best.LastAssigned) {
			best = a
		}
	}
	if best == nil {
		return "", "", false
	}
	return d.queue[0].Conv, best.Login, true
}

// push adds e to the queue: at the end, or at the head after the other
// entries given back.
func (d *Desk) push(e *Entry) {
	d.queued[e.Conv] = e
	if !e.Front {
		d.queue = append(d.queue, e)
		return
	}
	i := 0
	for i < len(d.queue) && d.queue[i].Front {
		i++
	}
	d.queue = slices.Insert(d.queue, i, e)
}

// remove takes conv out of the queue and returns its entry, or nil.
func (d *Desk) remove(conv string) *Entry {
	e := d.queued[conv]
	if e == nil {
		return nil
	}
	delete(d.queued, conv)
	d.queue = slices.DeleteFunc(d.queue, func(q *Entry) bool { return q == e })
	return e
}

// durations keeps the last samples durations.
type durations struct {
	vals [samples]time.Duration
	n, i int
}

func (d *durations) add(v time.Duration) {
	d.vals[d.i] = v
	d.i = (d.i + 1) % samples
	d.n = min(d.n+1, samples)
}

// mean returns the mean of the samples, or def without any.
func (d *durations) mean(def time.Duration) time.Duration {
	if d.n == 0 {
		return def
	}
	var sum time.Duration
	for _, v := range d.vals[:d.n] {
		sum += v
	}
	return sum / time.Duration(d.n)
}

// Seat is where a conversation stands at the desk, as a shared store
// keeps it: its state, the agent holding it, since when it waits (the
// time it joined the queue, kept while an agent holds it), whether it was
// given back (Front) and what is known of its customer.
type Seat struct {
	State State
	Agent string
	Since time.Time
	Front bool
	Info  Info
}

// Seat returns where a conversation stands.
func (d *Desk) Seat(conv string) Seat {
	if e := d.queued[conv]; e != nil {
		return Seat{State: Queued, Since: e.Since, Front: e.Front, Info: e.Info}
	}
	if h := d.held[conv]; h != nil {
		return Seat{State: Assigned, Agent: h.Agent, Since: h.QueuedAt, Info: h.Info}
	}
	return Seat{State: Bot}
}

// Same reports whether two seats put the conversation in the same place:
// state, agent and whether it goes first.
func (s Seat) Same(o Seat) bool {
	return s.State == o.State && s.Agent == o.Agent && (s.State != Queued || s.Front == o.Front)
}

// Mirror puts a conversation where seat says, whatever its state, and
// returns the seat it had: it is how a desk follows what another process
// sharing the store decided, or takes back a transition the store
// refused. Preconditions are not checked (the store checked its own);
// the agents' loads follow. An unknown agent is added, offline.
func (d *Desk) Mirror(conv string, seat Seat) Seat {
	old := d.Seat(conv)
	if old.Same(seat) {
		return old
	}
	d.remove(conv)
	if h := d.held[conv]; h != nil {
		delete(d.held, conv)
		if a := d.agents[h.Agent]; a != nil {
			a.Load--
		}
	}
	switch seat.State {
	case Queued:
		d.push(&Entry{Conv: conv, Since: seat.Since, Info: seat.Info, Front: seat.Front})
	case Assigned:
		a := d.agents[seat.Agent]
		if a == nil {
			a = d.AddAgent(seat.Agent, "", 1)
		}
		a.Load++
		d.held[conv] = &Holding{Conv: conv, Agent: seat.Agent, QueuedAt: seat.Since, TakenAt: d.now(), Info: seat.Info}
	}
	return old
}
