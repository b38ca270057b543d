package chat

import (
	"time"

	"github.com/supportd/supportd/chat/handoff"
)

// AnswerObserver is told how long each answer to a customer's message
// took, from the message's arrival to the answer stored and pushed, with
// the answer's route; cmd wires it to a Prometheus histogram.
type AnswerObserver interface {
	ObserveAnswer(route string, took time.Duration)
}

// Stats are the chat's figures for operators: what is open now, and
// counts since start.
type Stats struct {
	// Customers and Agents are the sockets open, of widgets and consoles.
	Customers, Agents int
	// FramesIn counts the frames received and accepted; MessagesOut the
	// messages pushed to sockets (one per socket).
	FramesIn, MessagesOut int64
	// Queued is the queue's length, OldestWait how long its first
	// conversation has waited; AgentsOnline the agents online.
	Queued       int
	OldestWait   time.Duration
	AgentsOnline int
}

// Stats returns the chat's figures of the moment.
func (s *Service) Stats() Stats {
	st := Stats{Customers: s.Connections(), FramesIn: s.framesIn.Load(), MessagesOut: s.messagesOut.Load()}
	s.desk.mu.Lock()
	defer s.desk.mu.Unlock()
	for _, c := range s.desk.consoles {
		st.Agents += len(c.conns)
	}
	queue := s.desk.state.Queue()
	st.Queued = len(queue)
	if len(queue) > 0 {
		st.OldestWait = time.Since(queue[0].Since)
	}
	for _, a := range s.desk.state.Agents() {
		if a.Presence == handoff.Online {
			st.AgentsOnline++
		}
	}
	return st
}
