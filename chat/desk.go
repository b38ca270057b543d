package chat

import (
	"sync"
	"time"

	"github.com/supportd/supportd/identity"
)

// The desk is where conversations meet agents. A handoff that someone can
// take during opening hours puts the conversation in the queue; agents
// claim from it, or the desk assigns round-robin, within each agent's
// capacity; the customer sees their position and an estimated wait, updated
// live. The desk is in memory and guarded by one mutex; the store keeps
// each conversation's state and agent, so that a restart rebuilds it
// (RestoreDesk).
//
// Locks: an operation on one conversation takes the conversation's hub
// stripe first and the desk's mutex inside it, never the other way round.
// Every change of who holds a conversation happens under its stripe, so a
// check made under the stripe stays true until the stripe is released.

// Agent presence.
const (
	PresenceOnline  = "online"
	PresenceAway    = "away"
	PresenceOffline = "offline"
)

// Assignment modes.
const (
	// AssignClaim lets agents pick from the queue.
	AssignClaim = "claim"
	// AssignRoundRobin gives each queued conversation to the online agent
	// with the fewest conversations (the one assigned longest ago among
	// equals); agents may still claim.
	AssignRoundRobin = "round-robin"
)

// Resolutions an agent closes a conversation with.
var resolutions = map[string]bool{"answered": true, "refunded": true, "cancelled": true, "escalated": true, "spam": true}

// Defaults of the estimate when the desk has no history yet.
const (
	defaultHandleTime = 6 * time.Minute
	defaultPickupTime = 30 * time.Second
	// samples is how many recent handling and pickup times the estimate
	// averages.
	samples = 20
)

// convInfo is what the desk knows of a conversation's customer, from the
// connection that asked for a person.
type convInfo struct {
	lang, question string
	customer       identity.Customer
	// verified maps the orders the visitor proved theirs to the email.
	verified map[string]string
}

// queueEntry is a conversation waiting for an agent.
type queueEntry struct {
	conv  string
	since time.Time
	info  convInfo
	front bool
	// sentPos and sentWait are the position and wait the customer was
	// last told.
	sentPos, sentWait int
}

// holding is a conversation an agent holds.
type holding struct {
	agent    string
	queuedAt time.Time
	takenAt  time.Time
	info     convInfo
}

// deskAgent is an agent as the desk sees them.
type deskAgent struct {
	login, name  string
	capacity     int
	status       string
	load         int
	lastAssigned time.Time
	conns        map[*conn]struct{}
	// away is the timer that sets the agent offline once their last
	// socket has been closed for the grace period.
	away *time.Timer
	// resume is the presence a restart found recorded, taken back when the
	// agent's console reconnects within the grace period.
	resume string
}

func (a *deskAgent) info() agentInfo {
	name := a.name
	if name == "" {
		name = a.login
	}
	return agentInfo{Login: a.login, Name: name, Capacity: a.capacity, Status: a.status, Load: a.load}
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

type desk struct {
	mu     sync.Mutex
	agents map[string]*deskAgent
	queue  []*queueEntry
	queued map[string]*queueEntry
	held   map[string]*holding
	// handle is how long agents held their recent conversations; pickup
	// how long recent conversations waited in the queue.
	handle, pickup durations
	kick           chan struct{}
}

func newDesk() *desk {
	return &desk{
		agents: map[string]*deskAgent{},
		queued: map[string]*queueEntry{},
		held:   map[string]*holding{},
		kick:   make(chan struct{}, 1),
	}
}

// wake asks the desk's loop to assign, sweep and update positions.
func (d *desk) wake() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// stopTimers stops the agents' grace timers, at shutdown.
func (d *desk) stopTimers() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range d.agents {
		if a.away != nil {
			a.away.Stop()
			a.away = nil
		}
	}
}

// agentLocked returns the agent with that login, adding them when new.
func (d *desk) agentLocked(login string) *deskAgent {
	a := d.agents[login]
	if a == nil {
		a = &deskAgent{login: login, capacity: 1, status: PresenceOffline, conns: map[*conn]struct{}{}}
		d.agents[login] = a
	}
	return a
}

// humanState returns "queued" or "agent" while the conversation waits for
// or talks to a person, "" while the bot has it.
func (d *desk) humanState(conv string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.queued[conv]; ok {
		return "queued"
	}
	if _, ok := d.held[conv]; ok {
		return "agent"
	}
	return ""
}

// positionLocked returns the 1-based position of a queued conversation.
func (d *desk) positionLocked(conv string) int {
	for i, e := range d.queue {
		if e.conv == conv {
			return i + 1
		}
	}
	return 0
}

// availability returns whether an agent is online, the free places among
// online agents and their total capacity.
func (d *desk) availabilityLocked() (online bool, free, slots int) {
	for _, a := range d.agents {
		if a.status != PresenceOnline {
			continue
		}
		online = true
		slots += a.capacity
		free += max(0, a.capacity-a.load)
	}
	return online, free, slots
}

// estimateLocked returns the expected wait of the conversation at
// position pos: the recent pickup time while a place is free, plus, beyond
// the free places, the recent handling time divided among the places of
// the online agents (one place frees every handle/slots on average).
func (d *desk) estimateLocked(pos int) time.Duration {
	_, free, slots := d.availabilityLocked()
	wait := d.pickup.mean(defaultPickupTime)
	if pos > free && slots > 0 {
		wait += time.Duration(pos-free) * d.handle.mean(defaultHandleTime) / time.Duration(slots)
	}
	return wait
}

// toAgentsLocked sends a frame to every socket of every agent.
func (d *desk) toAgentsLocked(frame []byte, maxBytes int) {
	for _, a := range d.agents {
		for c := range a.conns {
			c.send(frame, maxBytes)
		}
	}
}

// toAgentLocked sends a frame to every socket of one agent.
func (d *desk) toAgentLocked(login string, frame []byte, maxBytes int) {
	if a := d.agents[login]; a != nil {
		for c := range a.conns {
			c.send(frame, maxBytes)
		}
	}
}

// holderConns returns the sockets of the agent holding conv.
func (d *desk) holderConns(conv string) []*conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	h := d.held[conv]
	if h == nil {
		return nil
	}
	a := d.agents[h.agent]
	conns := make([]*conn, 0, len(a.conns))
	for c := range a.conns {
		conns = append(conns, c)
	}
	return conns
}

// removeQueuedLocked takes conv out of the queue.
func (d *desk) removeQueuedLocked(conv string) *queueEntry {
	e := d.queued[conv]
	if e == nil {
		return nil
	}
	delete(d.queued, conv)
	for i, q := range d.queue {
		if q == e {
			d.queue = append(d.queue[:i], d.queue[i+1:]...)
			break
		}
	}
	return e
}

// pushQueuedLocked adds e to the queue: at the end, or at the head of
// the queue after the other entries put back at the head.
func (d *desk) pushQueuedLocked(e *queueEntry) {
	d.queued[e.conv] = e
	if !e.front {
		d.queue = append(d.queue, e)
		return
	}
	i := 0
	for i < len(d.queue) && d.queue[i].front {
		i++
	}
	d.queue = append(d.queue, nil)
	copy(d.queue[i+1:], d.queue[i:])
	d.queue[i] = e
}

// nextAssignmentLocked picks the head of the queue and the online agent
// with a free place and the fewest conversations, the one assigned
// longest ago among equals.
func (d *desk) nextAssignmentLocked() (conv, login string, ok bool) {
	if len(d.queue) == 0 {
		return "", "", false
	}
	var best *deskAgent
	for _, a := range d.agents {
		if a.status != PresenceOnline || a.load >= a.capacity {
			continue
		}
		if best == nil || a.load < best.load || a.load == best.load && a.lastAssigned.Before(best.lastAssigned) ||
			a.load == best.load && a.lastAssigned.Equal(best.lastAssigned) && a.login < best.login {
			best = a
		}
	}
	if best == nil {
		return "", "", false
	}
	return d.queue[0].conv, best.login, true
}
