package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/chat/handoff"
	"github.com/supportd/supportd/orders"
	"github.com/supportd/supportd/store"
)

// Assignments keeps the desk: where each conversation stands with the
// team, moved by conditional writes that one process wins when several
// share the store (shared.go), so that a restart, or another process,
// finds it. *store.Bolt and *store.Postgres implement it.
type Assignments interface {
	store.Desk
	// ActiveConversations returns the conversations queued or held by
	// an agent, the least recently changed first.
	ActiveConversations(ctx context.Context) ([]store.Conversation, error)
}

// AgentDirectory lists the agents and keeps the presence each chose.
// *store.Bolt and *store.Postgres implement it.
type AgentDirectory interface {
	Agent(ctx context.Context, login string) (*store.Agent, error)
	ListAgents(ctx context.Context) ([]store.Agent, error)
	SetAgentPresence(ctx context.Context, login, presence string) error
}

// Agent frame rates: an agent follows several conversations at once.
const (
	agentFrameRate  = 20
	agentFrameBurst = 60
)

// RestoreDesk loads the agents and the conversations queued or held
// before a restart. Agents start offline until their console reconnects,
// and then take back the presence they had chosen; an agent who does not
// come back within the grace period is offline, and the conversations
// they held go back in the queue.
func (s *Service) RestoreDesk(ctx context.Context) error {
	if s.cfg.Agents != nil {
		list, err := s.cfg.Agents.ListAgents(ctx)
		if err != nil {
			return fmt.Errorf("chat: list agents: %w", err)
		}
		s.desk.mu.Lock()
		for _, a := range list {
			s.desk.state.AddAgent(a.Login, a.Name, a.Capacity)
			if a.Presence != PresenceOnline && a.Presence != PresenceAway {
				continue
			}
			if s.cfg.Feed != nil {
				// Shared, the agent may be connected to another
				// process: the heartbeats tell (shared.go).
				s.desk.state.SetPresence(a.Login, handoff.Presence(a.Presence))
				continue
			}
			s.desk.consoleLocked(a.Login).resume = a.Presence
			s.startGraceLocked(a.Login)
		}
		s.desk.mu.Unlock()
	}
	if s.cfg.Assignments == nil {
		return nil
	}
	active, err := s.cfg.Assignments.ActiveConversations(ctx)
	if err != nil {
		return fmt.Errorf("chat: active conversations: %w", err)
	}
	if len(active) > 0 && s.cfg.Feed == nil {
		s.sweepAfter.Store(time.Now().Add(s.cfg.PresenceGrace).UnixNano())
	}
	d := s.desk
	d.mu.Lock()
	defer d.mu.Unlock()
	slices.SortStableFunc(active, func(a, b store.Conversation) int { return seatOf(&a).Since.Compare(seatOf(&b).Since) })
	for i := range active {
		seat := seatOf(&active[i])
		if d.state.State(active[i].ID) != handoff.Bot {
			continue
		}
		d.state.Mirror(active[i].ID, seat)
		if seat.Agent != "" && s.cfg.Feed == nil {
			s.startGraceLocked(seat.Agent)
		}
	}
	d.wake()
	return nil
}

// startGraceLocked sets an agent without sockets offline after the grace
// period, unless a socket opens meanwhile.
func (s *Service) startGraceLocked(login string) {
	c := s.desk.consoleLocked(login)
	// Shutting down closes every socket: the agents keep their presence
	// for the next start.
	if c.away != nil || len(c.conns) > 0 || s.closed.Load() {
		return
	}
	c.away = time.AfterFunc(s.cfg.PresenceGrace, func() {
		s.desk.mu.Lock()
		c := s.desk.consoles[login]
		gone := c != nil && len(c.conns) == 0
		if c != nil {
			c.away = nil
		}
		s.desk.mu.Unlock()
		// Shared, the process only stops telling of the agent: another
		// may serve them now, and the heartbeats tell (shared.go).
		if gone && s.cfg.Feed == nil {
			s.setPresence(context.Background(), login, PresenceOffline)
		}
	})
}

// ServeAgent runs one agent console socket until it closes. The caller
// has authenticated the agent (web checks the session and the origin).
func (s *Service) ServeAgent(ctx context.Context, ws *websocket.Conn, agent store.Agent) error {
	s.wg.Add(1)
	defer s.wg.Done()
	c, finish := s.openConn(ctx, ws, rate.NewLimiter(agentFrameRate, agentFrameBurst))
	if c == nil {
		return ErrShuttingDown
	}
	c.agent = agent.Login
	c.hello = true
	s.agentJoined(ctx, c, agent)
	defer func() {
		s.agentLeft(c)
		finish()
	}()

	s.readFrames(c, func(data []byte) {
		f, ferr := DecodeAgentFrame(data)
		if ferr != nil {
			s.agentError(c, ferr.Code, f.Conversation, ferr.ClientID)
			return
		}
		s.handleAgent(ctx, c, f)
	}, func(code string) { s.agentError(c, code, "", "") })
	return nil
}

// agentJoined registers an agent's socket and sends it the welcome, then
// the conversations the agent holds.
func (s *Service) agentJoined(ctx context.Context, c *conn, agent store.Agent) {
	d := s.desk
	d.mu.Lock()
	a := d.state.AddAgent(agent.Login, agent.Name, agent.Capacity)
	con := d.consoleLocked(agent.Login)
	if con.away != nil {
		con.away.Stop()
		con.away = nil
	}
	// An agent whose console reconnects after a restart is back with the
	// presence they had.
	if con.resume != "" && a.Presence == handoff.Offline {
		d.state.SetPresence(a.Login, handoff.Presence(con.resume))
	}
	con.resume = ""
	con.conns[c] = struct{}{}
	w := agentWelcomeFrame{Type: "welcome", V: AgentProtocolVersion, Agent: infoOf(a), Agents: []agentInfo{}, Queue: []queueItem{}, Held: []struct{}{}, Assign: s.cfg.Assign}
	for _, o := range d.state.Agents() {
		if o != a {
			w.Agents = append(w.Agents, infoOf(o))
		}
	}
	for _, e := range d.state.Queue() {
		w.Queue = append(w.Queue, queueItemOf(e))
	}
	held := d.state.HeldBy(a.Login)
	c.send(encode(w), s.cfg.QueueBytes)
	// The others see the agent's name and capacity as they now are.
	d.toAgentsLocked(encode(presenceFrame{Type: "presence", Agent: infoOf(a)}), s.cfg.QueueBytes)
	d.mu.Unlock()
	d.wake()
	if s.cfg.Feed != nil {
		// Told at once, so that no process finds the agent absent while
		// their console moved here from one that died.
		s.heartbeat(ctx, s.cfg.Feed)
	}
	for _, conv := range held {
		st := s.hub.stripe(conv)
		st.Lock()
		d.mu.Lock()
		h := d.state.Holding(conv)
		d.mu.Unlock()
		if h != nil && h.Agent == agent.Login {
			s.sendAssignedLocked(ctx, []*conn{c}, conv, h, "")
		}
		st.Unlock()
	}
}

// agentLeft unregisters an agent's socket; the last one starts the grace
// period after which the agent is offline.
func (s *Service) agentLeft(c *conn) {
	d := s.desk
	d.mu.Lock()
	defer d.mu.Unlock()
	con, a := d.consoles[c.agent], d.state.Agent(c.agent)
	if con == nil || a == nil {
		return
	}
	delete(con.conns, c)
	if len(con.conns) == 0 && a.Presence != handoff.Offline {
		s.startGraceLocked(c.agent)
	}
}

// queueItemOf is a queued conversation as the console shows it.
func queueItemOf(e *handoff.Entry) queueItem {
	it := queueItem{Conversation: e.Conv, Since: e.Since.UTC(), Lang: e.Info.Lang, Question: e.Info.Question, Front: e.Front}
	if cu := e.Info.Customer; cu.ID != "" {
		it.Customer = &customerRef{ID: cu.ID, Name: cu.Name, Email: cu.Email}
	}
	return it
}

// codeOf is the protocol's error code of a desk's error.
func codeOf(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, handoff.ErrNotQueued):
		return CodeTaken
	case errors.Is(err, handoff.ErrCapacity):
		return CodeCapacity
	case errors.Is(err, handoff.ErrNotOnline):
		return CodeNotOnline
	case errors.Is(err, handoff.ErrNotHolder):
		return CodeNotHolder
	case errors.Is(err, handoff.ErrUnknownAgent):
		return CodeUnknownAgent
	}
	return CodeInvalid
}

// handleAgent acts on one valid frame from an agent.
func (s *Service) handleAgent(ctx context.Context, c *conn, f AgentFrame) {
	code := ""
	switch f.Type {
	case "presence":
		s.setPresence(ctx, c.agent, f.Status)
	case "claim":
		code = s.take(ctx, f.Conversation, c.agent, "")
	case "message", "note":
		code = s.agentMessage(ctx, c, f)
	case "typing":
		if !s.holds(f.Conversation, c.agent) {
			code = CodeNotHolder
			break
		}
		s.setTyping(f.Conversation, store.AuthorAgent, f.On)
		s.shareTyping(f.Conversation, store.AuthorAgent, f.On)
	case "transfer":
		code = s.take(ctx, f.Conversation, f.To, c.agent)
	case "close":
		code = s.closeConversation(ctx, f.Conversation, c.agent, f.Resolution, f.Article)
	}
	if code != "" {
		s.agentError(c, code, f.Conversation, f.ClientID)
	}
}

// agentError sends an error frame to an agent's socket.
func (s *Service) agentError(c *conn, code, conversation, clientID string) {
	msg := agentErrorTexts[code]
	if msg == "" {
		msg = texts["fr"].errors[code]
	}
	if msg == "" {
		msg = texts["fr"].errors[CodeInternal]
	}
	c.send(encode(agentErrorFrame{Type: "error", Code: code, Message: msg, Conversation: conversation, ClientID: clientID}), s.cfg.QueueBytes)
}

// holds reports whether the agent holds the conversation.
func (s *Service) holds(conv, login string) bool {
	s.desk.mu.Lock()
	defer s.desk.mu.Unlock()
	h := s.desk.state.Holding(conv)
	return h != nil && h.Agent == login
}

// agentMessage stores an agent's message and pushes it to the customer
// and the agent's sockets; an internal note (frame type note) goes to the
// agents' sockets only.
func (s *Service) agentMessage(ctx context.Context, c *conn, f AgentFrame) string {
	st := s.hub.stripe(f.Conversation)
	st.Lock()
	defer st.Unlock()
	if !s.holds(f.Conversation, c.agent) {
		return CodeNotHolder
	}
	author := store.AuthorAgent
	if f.Type == "note" {
		author = store.AuthorNote
	}
	m := &store.Message{ConversationID: f.Conversation, ClientID: f.ClientID, Author: author, AgentID: c.agent, Text: f.Text}
	stored, dup, err := s.cfg.Store.AppendMessage(ctx, m)
	if err != nil {
		s.log.Error("chat: agent message", "conversation", f.Conversation, "err", err)
		if errors.Is(err, store.ErrInvalid) {
			return CodeInvalid
		}
		return CodeUnavailable
	}
	c.send(encode(agentAckFrame{Type: "ack", ClientID: f.ClientID, Seq: stored.Seq, Conversation: f.Conversation}), s.cfg.QueueBytes)
	if !dup {
		s.push(st, stored)
	}
	return ""
}

// setPresence changes an agent's presence and records it, so that it
// outlives a restart. Going offline puts the agent's conversations back
// at the head of the queue.
func (s *Service) setPresence(ctx context.Context, login, status string) {
	if s.cfg.Agents != nil {
		if err := s.cfg.Agents.SetAgentPresence(ctx, login, status); err != nil {
			s.log.Warn("chat: record agent presence", "agent", login, "err", err)
		}
	}
	d := s.desk
	d.mu.Lock()
	a := d.agentLocked(login)
	held, err := d.state.SetPresence(login, handoff.Presence(status))
	if err != nil {
		d.mu.Unlock()
		s.log.Warn("chat: agent presence", "agent", login, "err", err)
		return
	}
	d.consoleLocked(login).resume = ""
	d.toAgentsLocked(encode(presenceFrame{Type: "presence", Agent: infoOf(a)}), s.cfg.QueueBytes)
	d.mu.Unlock()
	for _, conv := range held {
		s.requeue(ctx, conv, login)
	}
	d.wake()
}

// requeue puts a conversation an agent held back at the head of the
// queue, and tells the customer.
func (s *Service) requeue(ctx context.Context, conv, login string) {
	st := s.hub.stripe(conv)
	st.Lock()
	defer st.Unlock()
	var e *handoff.Entry
	if code := s.transition(ctx, st, conv, func(desk *handoff.Desk) (err error) {
		e, err = desk.Requeue(conv, login)
		return err
	}); code != "" {
		return
	}
	d := s.desk
	d.mu.Lock()
	d.toAgentsLocked(encode(queuedFrame{Type: "queued", Item: queueItemOf(e)}), s.cfg.QueueBytes)
	d.toAgentsLocked(encode(presenceFrame{Type: "presence", Agent: infoOf(d.state.Agent(login))}), s.cfg.QueueBytes)
	d.toAgentLocked(login, encode(conversationRef{Type: "released", Conversation: conv, Reason: "requeued"}), s.cfg.QueueBytes)
	d.mu.Unlock()
	t, _ := textsFor(e.Info.Lang)
	s.systemMessageLocked(ctx, st, conv, t.requeued, map[string]string{"event": "requeued", "agent": login})
	// The position follows from the desk's loop.
}

// systemMessageLocked stores and pushes a message of the system; the
// caller holds the conversation's stripe.
func (s *Service) systemMessageLocked(ctx context.Context, st *stripe, conv, text string, data map[string]string) {
	raw, _ := json.Marshal(data)
	stored, _, err := s.cfg.Store.AppendMessage(ctx, &store.Message{ConversationID: conv, Author: store.AuthorSystem, Text: text, Data: raw})
	if err != nil {
		s.log.Error("chat: system message", "conversation", conv, "err", err)
		return
	}
	s.push(st, stored)
}

// stateLocked sends a state frame to the conversation's customer sockets;
// the caller holds its stripe.
func (s *Service) stateLocked(st *stripe, conv string, f stateFrame) {
	f.Type = "state"
	frame := encode(f)
	st.each(conv, func(c *conn) { c.send(frame, s.cfg.QueueBytes) })
}

// take gives a conversation to an agent: from the queue when from is
// empty (a claim or a round-robin assignment), else from agent from (a
// transfer). It returns an error code, or "" on success.
func (s *Service) take(ctx context.Context, conv, login, from string) string {
	st := s.hub.stripe(conv)
	st.Lock()
	defer st.Unlock()
	var h *handoff.Holding
	if code := s.transition(ctx, st, conv, func(desk *handoff.Desk) (err error) {
		if from == "" {
			h, err = desk.Claim(conv, login)
		} else {
			h, err = desk.Transfer(conv, from, login)
		}
		return err
	}); code != "" {
		return code
	}
	d := s.desk
	d.mu.Lock()
	if from == "" {
		d.toAgentsLocked(encode(conversationRef{Type: "dequeued", Conversation: conv}), s.cfg.QueueBytes)
	} else {
		d.toAgentLocked(from, encode(conversationRef{Type: "released", Conversation: conv, Reason: "transferred"}), s.cfg.QueueBytes)
		d.toAgentsLocked(encode(presenceFrame{Type: "presence", Agent: infoOf(d.state.Agent(from))}), s.cfg.QueueBytes)
	}
	a := d.state.Agent(login)
	d.toAgentsLocked(encode(presenceFrame{Type: "presence", Agent: infoOf(a)}), s.cfg.QueueBytes)
	name := a.DisplayName()
	conns := d.connsLocked(login)
	d.mu.Unlock()

	s.sendAssignedLocked(ctx, conns, conv, h, from)
	t, _ := textsFor(h.Info.Lang)
	text := fmt.Sprintf(t.agentJoined, name)
	if from != "" {
		text = fmt.Sprintf(t.agentTakesOver, name)
	}
	s.systemMessageLocked(ctx, st, conv, text, map[string]string{"event": "assigned", "agent": login, "from": from})
	s.stateLocked(st, conv, stateFrame{State: string(handoff.Assigned), Agent: name})
	d.wake()
	return ""
}

// sendAssignedLocked sends an agent's sockets the conversation they now
// hold: the customer, their orders and the transcript. The caller holds
// the conversation's stripe, so the transcript and the messages pushed
// after it follow each other without a gap.
func (s *Service) sendAssignedLocked(ctx context.Context, conns []*conn, conv string, h *handoff.Holding, from string) {
	if len(conns) == 0 {
		return
	}
	a := assignedConversation{ID: conv, Lang: h.Info.Lang, Since: h.TakenAt.UTC(), From: from, Orders: []orderSummary{}, Messages: []json.RawMessage{}}
	if cu := h.Info.Customer; cu.ID != "" {
		a.Customer = &customerRef{ID: cu.ID, Name: cu.Name, Email: cu.Email}
	}
	a.Orders, a.VerifiedOrders = s.customerOrders(ctx, h.Info)
	msgs, err := s.cfg.Store.Messages(ctx, conv, 0, 0)
	if err != nil {
		s.log.Error("chat: transcript for an agent", "conversation", conv, "err", err)
	}
	for i := range msgs {
		a.Messages = append(a.Messages, s.agentMessageFrame(&msgs[i]))
	}
	if len(msgs) > 0 && s.cfg.Feed != nil {
		s.hub.stripe(conv).markPushed(conv, msgs[len(msgs)-1].Seq)
	}
	frame := encode(assignedFrame{Type: "assigned", Conversation: a})
	for _, c := range conns {
		c.send(frame, s.cfg.QueueBytes)
	}
}

// customerOrders returns the orders an agent sees beside a conversation:
// the verified customer's latest five, or the orders the visitor proved
// theirs in the chat.
func (s *Service) customerOrders(ctx context.Context, info handoff.Info) ([]orderSummary, []string) {
	list := []orderSummary{}
	var verified []string
	if s.cfg.Orders == nil {
		return list, nil
	}
	var found []orders.Order
	if info.Customer.ID != "" {
		os, err := s.cfg.Orders.Orders(ctx, info.Customer.ID, 5)
		if err != nil {
			s.log.Warn("chat: orders for an agent", "err", err)
		}
		found = os
	}
	for number, email := range info.Verified {
		verified = append(verified, number)
		o, err := s.cfg.Orders.OrderByEmail(ctx, number, email)
		if err == nil && (info.Customer.ID == "" || o.CustomerID != info.Customer.ID) {
			found = append(found, o)
		}
	}
	for _, o := range found {
		sum := orderSummary{Number: o.Number, PlacedAt: o.PlacedAt.UTC(), Status: string(o.Status), Total: o.Total.Format(info.Lang),
			Carrier: o.Carrier, TrackingURL: o.TrackingURL}
		for _, it := range o.Items {
			sum.Items = append(sum.Items, fmt.Sprintf("%s ×%d", it.Name, it.Quantity))
		}
		list = append(list, sum)
	}
	return list, verified
}

// closeConversation ends an agent's conversation with a resolution; the
// customer goes on with the assistant. When the agent notes the article
// that answered, the question the customer asked a person with becomes a
// candidate phrasing of it.
func (s *Service) closeConversation(ctx context.Context, conv, login, resolution, article string) string {
	st := s.hub.stripe(conv)
	st.Lock()
	defer st.Unlock()
	var h *handoff.Holding
	if code := s.transition(ctx, st, conv, func(desk *handoff.Desk) (err error) {
		h, err = desk.Close(conv, login)
		return err
	}); code != "" {
		return code
	}
	d := s.desk
	d.mu.Lock()
	a := d.state.Agent(login)
	name := a.DisplayName()
	d.toAgentsLocked(encode(presenceFrame{Type: "presence", Agent: infoOf(a)}), s.cfg.QueueBytes)
	d.toAgentLocked(login, encode(conversationRef{Type: "released", Conversation: conv, Reason: "closed"}), s.cfg.QueueBytes)
	d.mu.Unlock()
	lang := h.Info.Lang
	t, _ := textsFor(lang)
	s.systemMessageLocked(ctx, st, conv, fmt.Sprintf(t.agentClosed, name), map[string]string{"event": "closed", "agent": login, "resolution": resolution})
	if resolution != "spam" {
		s.offerSurveyLocked(ctx, st, conv, lang, login)
	}
	s.recordClosed(ctx, conv, login, resolution, h.Info.Customer.ID)
	s.stateLocked(st, conv, stateFrame{State: string(handoff.Bot)})
	d.wake()
	if article != "" {
		if _, ok := s.cfg.Answerer.ArticleReply(article, lang); ok {
			s.recordPhrasing(ctx, article, s.questionAsked(ctx, conv), store.PhrasingFromAgent, conv)
		}
	}
	return ""
}

// questionAsked returns the customer's question in a conversation handed
// to a person: the last message, before a person joined, that the
// assistant tried to answer from the FAQ, or "" when there is none (the
// customer asked for a person straight away).
func (s *Service) questionAsked(ctx context.Context, conv string) string {
	msgs, err := s.cfg.Store.Messages(ctx, conv, 0, 0)
	if err != nil {
		return ""
	}
	question, last := "", ""
	for _, m := range msgs {
		switch m.Author {
		case store.AuthorAgent:
			return question
		case store.AuthorCustomer:
			last = m.Text
		case store.AuthorBot:
			var data messageData
			json.Unmarshal(m.Data, &data)
			if data.Route == string(assistant.RouteFAQ) || data.Route == string(assistant.RouteFallback) {
				question = last
			}
		}
	}
	return question
}

// enqueue puts a conversation in the queue after the customer asked for a
// person and was told they would be put through.
func (s *Service) enqueue(ctx context.Context, c *conn, question string) {
	conv := c.conversation
	st := s.hub.stripe(conv)
	st.Lock()
	defer st.Unlock()
	// Queued or held already (here, or by another process first), or
	// the store is out of reach: nothing more to do.
	var e *handoff.Entry
	if code := s.transition(ctx, st, conv, func(desk *handoff.Desk) (err error) {
		e, err = desk.Enqueue(conv, handoff.Info{Lang: c.locale, Question: question, Customer: c.customer, Verified: c.verified})
		return err
	}); code != "" {
		return
	}
	d := s.desk
	d.mu.Lock()
	d.toAgentsLocked(encode(queuedFrame{Type: "queued", Item: queueItemOf(e)}), s.cfg.QueueBytes)
	d.mu.Unlock()
	d.wake()
}

// route decides where a request for a person goes now (handoff.Desk.Route).
func (s *Service) route() handoff.Route {
	open := s.cfg.Hours.Open(s.cfg.Now())
	s.desk.mu.Lock()
	defer s.desk.mu.Unlock()
	return s.desk.state.Route(open, s.cfg.MaxWait)
}

// deskLoop assigns round-robin, offers the email form to the queue when no
// agent is online any more, and tells queued customers their position and
// wait, until ctx ends.
func (s *Service) deskLoop(ctx context.Context) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.desk.kick:
		case <-tick.C:
		}
		// With a shared store, one process assigns: the others would
		// race it for the same conversations and agents.
		if s.cfg.Assign == AssignRoundRobin && (s.cfg.Feed == nil || s.assigner.Load()) {
			s.assignRoundRobin(ctx)
		}
		s.sweepUnattended(ctx)
		s.sendPositions()
		// Positions are sent at most four times a second.
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// assignRoundRobin gives queued conversations to online agents with free
// places.
func (s *Service) assignRoundRobin(ctx context.Context) {
	for {
		s.desk.mu.Lock()
		conv, login, ok := s.desk.state.NextAssignment()
		s.desk.mu.Unlock()
		if !ok {
			return
		}
		if code := s.take(ctx, conv, login, ""); code != "" && code != CodeTaken {
			return
		}
	}
}

// sweepUnattended turns the queue into email requests once no agent is
// online: nobody waits for a person who will not come.
func (s *Service) sweepUnattended(ctx context.Context) {
	// After a restart every agent is offline until their console
	// reconnects: the queue waits for them for the grace period.
	if time.Now().UnixNano() < s.sweepAfter.Load() {
		return
	}
	s.desk.mu.Lock()
	convs := s.desk.state.Unattended()
	s.desk.mu.Unlock()
	for _, conv := range convs {
		s.offerEmailInstead(ctx, conv)
	}
}

// offerEmailInstead takes a conversation out of the queue and offers the
// customer the email form.
func (s *Service) offerEmailInstead(ctx context.Context, conv string) {
	st := s.hub.stripe(conv)
	st.Lock()
	defer st.Unlock()
	var e *handoff.Entry
	if code := s.transition(ctx, st, conv, func(desk *handoff.Desk) (err error) {
		e, err = desk.Withdraw(conv)
		return err
	}); code != "" {
		return
	}
	d := s.desk
	d.mu.Lock()
	d.toAgentsLocked(encode(conversationRef{Type: "dequeued", Conversation: conv}), s.cfg.QueueBytes)
	d.mu.Unlock()
	t, lang := textsFor(e.Info.Lang)
	r := s.cfg.Answerer.HandoffReply(lang)
	r, form := s.emailForm(r, e.Info.Customer.Email, e.Info.Question)
	r.Text = t.nobodyLeft + " " + r.Text
	stored, _, err := s.cfg.Store.AppendMessage(ctx, s.botMessage(conv, "", r, form))
	if err != nil {
		s.log.Error("chat: email form for a queued customer", "conversation", conv, "err", err)
		return
	}
	s.push(st, stored)
	s.stateLocked(st, conv, stateFrame{State: string(handoff.Bot)})
}

// sendPositions tells each queued customer whose position or estimated
// wait changed.
func (s *Service) sendPositions() {
	type update struct {
		conv      string
		pos, wait int
	}
	var updates []update
	d := s.desk
	d.mu.Lock()
	for i, e := range d.state.Queue() {
		pos := i + 1
		wait := waitSeconds(d.state.Estimate(pos))
		if pos != e.SentPos || wait != e.SentWait {
			e.SentPos, e.SentWait = pos, wait
			updates = append(updates, update{e.Conv, pos, wait})
		}
	}
	d.mu.Unlock()
	for _, u := range updates {
		st := s.hub.stripe(u.conv)
		st.Lock()
		s.stateLocked(st, u.conv, stateFrame{State: string(handoff.Queued), Position: u.pos, WaitSeconds: u.wait})
		st.Unlock()
	}
}

// waitSeconds is the wait told to a customer, in steps of 30 seconds so
// that it does not flicker.
func waitSeconds(d time.Duration) int {
	return int(d.Round(30*time.Second) / time.Second)
}

// sendStateTo tells a resuming customer's socket where their conversation
// stands with the team; the caller holds the conversation's stripe.
func (s *Service) sendStateTo(c *conn) {
	d := s.desk
	d.mu.Lock()
	defer d.mu.Unlock()
	if pos := d.state.Position(c.conversation); pos > 0 {
		c.send(encode(stateFrame{Type: "state", State: string(handoff.Queued), Position: pos, WaitSeconds: waitSeconds(d.state.Estimate(pos))}), s.cfg.QueueBytes)
		return
	}
	if h := d.state.Holding(c.conversation); h != nil {
		c.send(encode(stateFrame{Type: "state", State: string(handoff.Assigned), Agent: d.state.Agent(h.Agent).DisplayName()}), s.cfg.QueueBytes)
	}
}

// customerTyping tells the agent holding the conversation that the
// customer is typing.
func (s *Service) customerTyping(conv string, on bool) {
	s.customerTypingHere(conv, on)
	s.shareTyping(conv, store.AuthorCustomer, on)
}

// customerTypingHere tells this process's sockets of the agent holding
// the conversation that the customer is typing.
func (s *Service) customerTypingHere(conv string, on bool) {
	frame := encode(agentTypingFrame{Type: "typing", Conversation: conv, Author: store.AuthorCustomer, On: on})
	for _, c := range s.desk.holderConns(conv) {
		c.send(frame, s.cfg.QueueBytes)
	}
}

// ticketTaken tells every agent of a new email request. With a shared
// store, the store tells every process, this one included (followTicket).
func (s *Service) ticketTaken(t *store.Ticket) {
	if s.cfg.Feed != nil {
		return
	}
	s.ticketToAgents(t)
}

// ticketToAgents sends a ticket frame to the agents of this process.
func (s *Service) ticketToAgents(t *store.Ticket) {
	frame := encode(ticketFrame{Type: "ticket", Ticket: TicketInfoOf(t)})
	s.desk.mu.Lock()
	s.desk.toAgentsLocked(frame, s.cfg.QueueBytes)
	s.desk.mu.Unlock()
}

// TicketInfoOf returns a ticket as the agent console shows it.
func TicketInfoOf(t *store.Ticket) TicketInfo {
	return TicketInfo{Number: t.Number, Conversation: t.ConversationID, Email: t.Email, Name: t.Name, CustomerID: t.CustomerID,
		Message: t.Message, Lang: t.Lang, Status: t.Status, CreatedAt: t.CreatedAt.UTC(), AnsweredBy: t.AnsweredBy, AnsweredAt: t.AnsweredAt}
}

// agentName returns the display name of an agent.
func (s *Service) agentName(login string) string {
	s.desk.mu.Lock()
	defer s.desk.mu.Unlock()
	if a := s.desk.state.Agent(login); a != nil {
		return a.DisplayName()
	}
	return login
}

// agentMessageFrame encodes a stored message for the agent console: the
// widget's frame with the conversation's id.
func (s *Service) agentMessageFrame(m *store.Message) []byte {
	f := s.messageFrameOf(m)
	f.Conversation = m.ConversationID
	return encode(f)
}

// Messages of the agent console's errors, in French: the console is the
// shop's tool, and French first.
var agentErrorTexts = map[string]string{
	CodeTaken:        "Un autre conseiller a déjà pris cette conversation.",
	CodeCapacity:     "Ce conseiller a déjà autant de conversations que sa capacité le permet.",
	CodeNotOnline:    "Ce conseiller n'est pas en ligne.",
	CodeNotHolder:    "Cette conversation n'est pas (ou plus) la vôtre.",
	CodeUnknownAgent: "Conseiller inconnu.",
	CodeInvalid:      "Demande non valide.",
	CodeUnavailable:  "Le stockage est indisponible : le message n'est pas enregistré, réessayez.",
}
