package chat

import (
	"sync"
	"time"

	"github.com/supportd/supportd/chat/handoff"
)

// The desk is where conversations meet agents. A handoff that someone can
// take during opening hours puts the conversation in the queue; agents
// claim from it, or the desk assigns round-robin, within each agent's
// capacity; the customer sees their position and an estimated wait, updated
// live. Who is queued, who holds what and each agent's presence is the
// state machine of package handoff; around it, the chat keeps the agents'
// sockets, sends the frames and stores every change, so that a restart
// rebuilds the desk (RestoreDesk).
//
// Locks: an operation on one conversation takes the conversation's hub
// stripe first and the desk's mutex inside it, never the other way round.
// Every change of who holds a conversation happens under its stripe, so a
// check made under the stripe stays true until the stripe is released.

// Agent presence, as the protocol names it.
const (
	PresenceOnline  = string(handoff.Online)
	PresenceAway    = string(handoff.Away)
	PresenceOffline = string(handoff.Offline)
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

// desk is the handoff state with the agents' sockets.
type desk struct {
	mu       sync.Mutex
	state    *handoff.Desk
	consoles map[string]*console
	kick     chan struct{}
}

// console is what the chat keeps of an agent besides the desk's state:
// their open sockets and the grace period of a console gone.
type console struct {
	conns map[*conn]struct{}
	// away is the timer that sets the agent offline once their last
	// socket has been closed for the grace period.
	away *time.Timer
	// resume is the presence a restart found recorded, taken back when the
	// agent's console reconnects within the grace period.
	resume string
}

func newDesk() *desk {
	return &desk{state: handoff.New(time.Now), consoles: map[string]*console{}, kick: make(chan struct{}, 1)}
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
	for _, c := range d.consoles {
		if c.away != nil {
			c.away.Stop()
			c.away = nil
		}
	}
}

// consoleLocked returns the sockets of the agent with that login, adding
// them when new.
func (d *desk) consoleLocked(login string) *console {
	c := d.consoles[login]
	if c == nil {
		c = &console{conns: map[*conn]struct{}{}}
		d.consoles[login] = c
	}
	return c
}

// agentLocked returns the agent with that login, adding them to the desk
// (offline, capacity 1) when new.
func (d *desk) agentLocked(login string) *handoff.Agent {
	if a := d.state.Agent(login); a != nil {
		return a
	}
	return d.state.AddAgent(login, "", 1)
}

// humanState returns "queued" or "agent" while the conversation waits for
// or talks to a person, "" while the bot has it.
func (d *desk) humanState(conv string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if st := d.state.State(conv); st != handoff.Bot {
		return string(st)
	}
	return ""
}

// infoOf is an agent as the console shows them.
func infoOf(a *handoff.Agent) agentInfo {
	return agentInfo{Login: a.Login, Name: a.DisplayName(), Capacity: a.Capacity, Status: string(a.Presence), Load: a.Load}
}

// toAgentsLocked sends a frame to every socket of every agent.
func (d *desk) toAgentsLocked(frame []byte, maxBytes int) {
	for _, c := range d.consoles {
		for conn := range c.conns {
			conn.send(frame, maxBytes)
		}
	}
}

// toAgentLocked sends a frame to every socket of one agent.
func (d *desk) toAgentLocked(login string, frame []byte, maxBytes int) {
	if c := d.consoles[login]; c != nil {
		for conn := range c.conns {
			conn.send(frame, maxBytes)
		}
	}
}

// connsLocked returns the sockets of an agent.
func (d *desk) connsLocked(login string) []*conn {
	c := d.consoles[login]
	if c == nil {
		return nil
	}
	conns := make([]*conn, 0, len(c.conns))
	for conn := range c.conns {
		conns = append(conns, conn)
	}
	return conns
}

// holderConns returns the sockets of the agent holding conv.
func (d *desk) holderConns(conv string) []*conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	h := d.state.Holding(conv)
	if h == nil {
		return nil
	}
	return d.connsLocked(h.Agent)
}
