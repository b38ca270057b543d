package chat

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/supportd/supportd/chat/handoff"
	"github.com/supportd/supportd/identity"
	"github.com/supportd/supportd/store"
)

// The desk in the store. Every transition the desk makes in memory is
// written to the store as a conditional move (store.Desk): the
// conversation must still be where this process saw it, and an agent
// given a conversation must be within their capacity there. With one
// process, the store only keeps the desk across restarts. With several
// sharing PostgreSQL, the store decides: of two processes moving one
// conversation at once, one wins; the other takes back what it did in
// memory (undoMove) and follows the store.
//
// Each process's desk in memory then mirrors the store: every move and
// presence change is notified (store.MessageListener's Moved and
// Presence), and each process reads it and tells its own sockets what
// changed (followSeat, followAgent): the console of an agent connected to
// another process sees the queue change, the customer whom an agent of
// another process took sees who joined. A process that lost its
// listening connection reads the whole desk again (followDesk).
//
// In round-robin, one process assigns: the one holding the desk's lock
// (MessageFeed.HoldLock), taken over within seconds by another when it
// dies.
//
// Who is connected is told by each process every ReplicaTimeout/4
// (heartbeat): the agents with a console open on it, or whose console
// closed less than PresenceGrace ago. An agent online or away whom no
// process told of for ReplicaTimeout — the process that served them died,
// and their console did not reconnect to another — is set offline by the
// first process to notice, and their conversations go back to the queue,
// the customers told.

// deskInfo is what the store keeps of a conversation's customer for the
// desk (store.Conversation.DeskInfo).
type deskInfo struct {
	Lang     string            `json:"lang,omitempty"`
	Question string            `json:"question,omitempty"`
	Customer *deskCustomer     `json:"customer,omitempty"`
	Verified map[string]string `json:"verified,omitempty"`
}

type deskCustomer struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// encodeInfo is the desk's info of a customer as the store keeps it.
func encodeInfo(info handoff.Info) json.RawMessage {
	di := deskInfo{Lang: info.Lang, Question: info.Question, Verified: info.Verified}
	if cu := info.Customer; cu.ID != "" {
		di.Customer = &deskCustomer{ID: cu.ID, Name: cu.Name, Email: cu.Email}
	}
	raw, _ := json.Marshal(di)
	return raw
}

// seatOf is where the store says a conversation stands.
func seatOf(c *store.Conversation) handoff.Seat {
	seat := handoff.Seat{State: handoff.Bot}
	switch c.State {
	case store.StateQueued:
		seat.State = handoff.Queued
	case store.StateAgent:
		seat.State, seat.Agent = handoff.Assigned, c.Agent
	default:
		return seat
	}
	seat.Since, seat.Front = c.QueuedAt, c.Front && seat.State == handoff.Queued
	if seat.Since.IsZero() {
		seat.Since = c.UpdatedAt
	}
	info := handoff.Info{Lang: c.Lang, Customer: identity.Customer{ID: c.CustomerID}}
	var di deskInfo
	if json.Unmarshal(c.DeskInfo, &di) == nil {
		info.Question, info.Verified = di.Question, di.Verified
		if di.Lang != "" {
			info.Lang = di.Lang
		}
		if cu := di.Customer; cu != nil && cu.ID == c.CustomerID {
			info.Customer = identity.Customer{ID: cu.ID, Name: cu.Name, Email: cu.Email}
		}
	}
	seat.Info = info
	return seat
}

// transition makes a transition of the desk: do changes the desk in
// memory, under its lock, and checks its preconditions (an error leaves
// the desk as it was); the move is then written to the store, and taken
// back when the store refuses it. It returns the protocol's error code,
// "" when the conversation moved. The caller holds the conversation's
// stripe.
func (s *Service) transition(ctx context.Context, st *stripe, conv string, do func(*handoff.Desk) error) string {
	d := s.desk
	d.mu.Lock()
	before := d.state.Seat(conv)
	if err := do(d.state); err != nil {
		d.mu.Unlock()
		return codeOf(err)
	}
	after := d.state.Seat(conv)
	capacity := 0
	if after.State == handoff.Assigned {
		capacity = d.state.Agent(after.Agent).Capacity
	}
	d.mu.Unlock()
	if err := s.commitMove(ctx, conv, before, after, capacity); err != nil {
		s.undoMove(ctx, st, conv, before)
		return moveCode(err, before.State)
	}
	return ""
}

// commitMove writes to the store a transition the desk made in memory:
// conv went from seat from to seat to, to an agent of that capacity. It
// returns an error when the transition must be taken back: the store
// refused it, or could not be reached while other processes share it
// (alone, the desk in memory is right, and only a restart would miss a
// write that failed: it is logged).
func (s *Service) commitMove(ctx context.Context, conv string, from, to handoff.Seat, capacity int) error {
	if s.cfg.Assignments == nil {
		return nil
	}
	m := store.DeskMove{Conversation: conv, FromState: string(from.State), FromAgent: from.Agent,
		ToState: string(to.State), ToAgent: to.Agent, Capacity: capacity, Front: to.Front}
	if from.State == handoff.Bot && to.State == handoff.Queued {
		m.Info = encodeInfo(to.Info)
	}
	err := s.cfg.Assignments.MoveConversation(ctx, m)
	if err == nil {
		return nil
	}
	if errors.Is(err, store.ErrUnavailable) && s.cfg.Feed == nil {
		s.log.Error("chat: save the desk", "conversation", conv, "state", to.State, "err", err)
		return nil
	}
	if !errors.Is(err, store.ErrMoved) && !errors.Is(err, store.ErrFull) && !errors.Is(err, store.ErrAbsent) {
		s.log.Error("chat: move at the desk", "conversation", conv, "state", to.State, "err", err)
	}
	return err
}

// undoMove takes back a transition the store refused: the conversation
// goes back to the seat it had, then follows the store when other
// processes share it. The caller holds the conversation's stripe.
func (s *Service) undoMove(ctx context.Context, st *stripe, conv string, before handoff.Seat) {
	s.desk.mu.Lock()
	s.desk.state.Mirror(conv, before)
	s.desk.mu.Unlock()
	if s.cfg.Feed != nil {
		s.followSeatLocked(ctx, st, conv)
	}
}

// moveCode is the protocol's error code of a move the store refused;
// from is the state the conversation was seen in.
func moveCode(err error, from handoff.State) string {
	switch {
	case errors.Is(err, store.ErrMoved) && from == handoff.Queued:
		return CodeTaken
	case errors.Is(err, store.ErrMoved):
		return CodeNotHolder
	case errors.Is(err, store.ErrFull):
		return CodeCapacity
	case errors.Is(err, store.ErrAbsent):
		return CodeNotOnline
	}
	return CodeUnavailable
}

// followSeat brings the desk in memory to where the store says a
// conversation stands, and tells this process's sockets what changed.
func (s *Service) followSeat(ctx context.Context, conv string) {
	st := s.hub.stripe(conv)
	st.Lock()
	defer st.Unlock()
	s.followSeatLocked(ctx, st, conv)
}

// releaseReasons is why an agent no longer holds a conversation, by
// where it went.
var releaseReasons = map[handoff.State]string{handoff.Queued: "requeued", handoff.Assigned: "transferred", handoff.Bot: "closed"}

// followSeatLocked is followSeat; the caller holds the conversation's
// stripe.
func (s *Service) followSeatLocked(ctx context.Context, st *stripe, conv string) {
	c, err := s.cfg.Store.Conversation(ctx, conv)
	if errors.Is(err, store.ErrNotFound) {
		c, err = &store.Conversation{ID: conv}, nil
	}
	if err != nil {
		s.log.Warn("chat: follow the desk", "conversation", conv, "err", err)
		return
	}
	seat := seatOf(c)
	if seat.State == handoff.Assigned {
		s.knowAgent(ctx, seat.Agent)
	}
	d := s.desk
	d.mu.Lock()
	old := d.state.Mirror(conv, seat)
	if old.Same(seat) {
		d.mu.Unlock()
		return
	}
	q := s.cfg.QueueBytes
	if old.State == handoff.Queued {
		d.toAgentsLocked(encode(conversationRef{Type: "dequeued", Conversation: conv}), q)
	}
	if e := d.state.Entry(conv); e != nil {
		d.toAgentsLocked(encode(queuedFrame{Type: "queued", Item: queueItemOf(e)}), q)
	}
	if old.State == handoff.Assigned && old.Agent != seat.Agent {
		d.toAgentLocked(old.Agent, encode(conversationRef{Type: "released", Conversation: conv, Reason: releaseReasons[seat.State]}), q)
		if a := d.state.Agent(old.Agent); a != nil {
			d.toAgentsLocked(encode(presenceFrame{Type: "presence", Agent: infoOf(a)}), q)
		}
	}
	var conns []*conn
	var h *handoff.Holding
	name := ""
	if seat.State == handoff.Assigned && seat.Agent != old.Agent {
		a := d.state.Agent(seat.Agent)
		d.toAgentsLocked(encode(presenceFrame{Type: "presence", Agent: infoOf(a)}), q)
		conns, h, name = d.connsLocked(seat.Agent), d.state.Holding(conv), a.DisplayName()
	}
	d.mu.Unlock()
	if h != nil {
		s.sendAssignedLocked(ctx, conns, conv, h, old.Agent)
		s.stateLocked(st, conv, stateFrame{State: string(handoff.Assigned), Agent: name})
	}
	if seat.State == handoff.Bot {
		s.stateLocked(st, conv, stateFrame{State: string(handoff.Bot)})
	}
	d.wake()
}

// knowAgent makes an agent the desk does not know yet known with their
// name and capacity, from the directory.
func (s *Service) knowAgent(ctx context.Context, login string) {
	s.desk.mu.Lock()
	known := s.desk.state.Agent(login) != nil
	s.desk.mu.Unlock()
	if known || s.cfg.Agents == nil {
		return
	}
	a, err := s.cfg.Agents.Agent(ctx, login)
	if err != nil {
		return
	}
	s.desk.mu.Lock()
	s.desk.state.AddAgent(a.Login, a.Name, a.Capacity)
	s.desk.mu.Unlock()
}

// followAgent brings an agent's presence, name and capacity in memory to
// what the store says, and tells this process's consoles when it
// changed. The conversations of an agent gone offline are given back by
// the process that set them offline.
func (s *Service) followAgent(ctx context.Context, login string) {
	if s.cfg.Agents == nil {
		return
	}
	a, err := s.cfg.Agents.Agent(ctx, login)
	if err != nil {
		s.log.Warn("chat: follow an agent", "agent", login, "err", err)
		return
	}
	s.followAgentAs(*a)
}

// followAgentAs is followAgent with the agent read.
func (s *Service) followAgentAs(a store.Agent) {
	presence := handoff.Presence(a.Presence)
	if !presence.Valid() {
		presence = handoff.Offline
	}
	d := s.desk
	d.mu.Lock()
	defer d.mu.Unlock()
	known := d.state.Agent(a.Login)
	changed := known == nil || known.Name != a.Name || known.Capacity != max(a.Capacity, 1) || known.Presence != presence
	ag := d.state.AddAgent(a.Login, a.Name, a.Capacity)
	if !changed {
		return
	}
	d.state.SetPresence(a.Login, presence)
	d.toAgentsLocked(encode(presenceFrame{Type: "presence", Agent: infoOf(ag)}), s.cfg.QueueBytes)
	d.wake()
}

// followDesk reads the whole desk from the store again: after the
// listening connection was lost, a move may have been missed.
func (s *Service) followDesk(ctx context.Context) {
	if s.cfg.Agents != nil {
		if agents, err := s.cfg.Agents.ListAgents(ctx); err == nil {
			for _, a := range agents {
				s.followAgentAs(a)
			}
		}
	}
	if s.cfg.Assignments == nil {
		return
	}
	active, err := s.cfg.Assignments.ActiveConversations(ctx)
	if err != nil {
		s.log.Warn("chat: follow the desk", "err", err)
		return
	}
	convs := map[string]bool{}
	for _, c := range active {
		convs[c.ID] = true
	}
	s.desk.mu.Lock()
	for _, e := range s.desk.state.Queue() {
		convs[e.Conv] = true
	}
	for _, a := range s.desk.state.Agents() {
		for _, conv := range s.desk.state.HeldBy(a.Login) {
			convs[conv] = true
		}
	}
	s.desk.mu.Unlock()
	for conv := range convs {
		s.followSeat(ctx, conv)
	}
}

// heartbeatLoop tells the store, every ReplicaTimeout/4, which agents
// this process serves, and sets offline the agents no process serves,
// until ctx ends. It runs only when processes share the store.
func (s *Service) heartbeatLoop(ctx context.Context, feed MessageFeed) {
	started := time.Now()
	tick := time.NewTicker(s.cfg.ReplicaTimeout / 4)
	defer tick.Stop()
	for {
		s.heartbeat(ctx, feed)
		// After a start, the consoles of the agents get ReplicaTimeout
		// to reconnect before anyone is found absent.
		if time.Since(started) >= s.cfg.ReplicaTimeout {
			s.sweepAbsent(ctx, feed)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// heartbeat tells the store of the agents this process serves: those
// with a console open here, or closed less than PresenceGrace ago.
func (s *Service) heartbeat(ctx context.Context, feed MessageFeed) {
	s.desk.mu.Lock()
	logins := make([]string, 0, len(s.desk.consoles))
	for login, c := range s.desk.consoles {
		if len(c.conns) > 0 || c.away != nil {
			logins = append(logins, login)
		}
	}
	s.desk.mu.Unlock()
	if err := feed.Heartbeat(ctx, s.origin, logins); err != nil && ctx.Err() == nil {
		s.log.Warn("chat: heartbeat", "err", err)
	}
}

// sweepAbsent sets offline the agents online or away whom no process
// serves, which gives their conversations back to the queue.
func (s *Service) sweepAbsent(ctx context.Context, feed MessageFeed) {
	absent, err := feed.AbsentAgents(ctx, s.cfg.ReplicaTimeout)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("chat: absent agents", "err", err)
		}
		return
	}
	for _, login := range absent {
		if !s.servesAgent(login) {
			s.log.Info("chat: an agent's console is gone with its process; the agent is offline", "agent", login)
			s.setPresence(ctx, login, PresenceOffline)
		}
	}
	// A process that died while giving back the conversations of an
	// agent gone offline left some held: they are given back here (of
	// several processes doing so at once, one wins each).
	type orphan struct{ conv, login string }
	var orphans []orphan
	s.desk.mu.Lock()
	for _, a := range s.desk.state.Agents() {
		if a.Presence == handoff.Offline {
			for _, conv := range s.desk.state.HeldBy(a.Login) {
				orphans = append(orphans, orphan{conv, a.Login})
			}
		}
	}
	s.desk.mu.Unlock()
	for _, o := range orphans {
		if !s.servesAgent(o.login) {
			s.requeue(ctx, o.conv, o.login)
		}
	}
}

// servesAgent reports whether this process has a console of the agent
// open, or closed less than PresenceGrace ago.
func (s *Service) servesAgent(login string) bool {
	s.desk.mu.Lock()
	defer s.desk.mu.Unlock()
	c := s.desk.consoles[login]
	return c != nil && (len(c.conns) > 0 || c.away != nil)
}

// followTicket tells this process's agents of an email request that a
// process sharing the store took.
func (s *Service) followTicket(ctx context.Context, number int64) {
	if s.cfg.Tickets == nil {
		return
	}
	t, err := s.cfg.Tickets.Ticket(ctx, number)
	if err != nil {
		s.log.Warn("chat: follow a ticket", "ticket", number, "err", err)
		return
	}
	s.ticketToAgents(t)
}
