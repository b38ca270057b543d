package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The team's desk: where each conversation stands with the agents (with
// the assistant, queued, held by one of them). Several supportd processes
// sharing one PostgreSQL database move conversations through it with
// MoveConversation, whose conditions make one of them win when they move
// the same conversation at once, and which keeps every agent within
// their capacity.

// Errors of MoveConversation.
var (
	// ErrMoved: the conversation is no longer where the move expected it,
	// as when another agent claimed it first.
	ErrMoved = errors.New("store: the conversation has moved")
	// ErrFull: the agent already holds as many conversations as the
	// move's capacity.
	ErrFull = errors.New("store: the agent holds as many conversations as they can")
	// ErrAbsent: the agent's recorded presence is not online.
	ErrAbsent = errors.New("store: the agent is not online")
)

// The desk's states of a conversation, as stored: "" and any other state
// count as StateBot.
const (
	StateBot    = "bot"
	StateQueued = "queued"
	StateAgent  = "agent"
)

// DeskMove moves a conversation from one place at the desk to another.
type DeskMove struct {
	Conversation string
	// FromState and FromAgent are where the conversation must be:
	// StateBot (any state but queued and agent), StateQueued, or
	// StateAgent with FromAgent holding it.
	FromState, FromAgent string
	// ToState and ToAgent are where it goes. Moving to StateAgent
	// requires that ToAgent holds fewer than Capacity conversations
	// (when Capacity is above 0), and, when ToAgent is an agent of the
	// store, that their presence is online.
	ToState, ToAgent string
	Capacity         int
	// Front puts a conversation going back to the queue before those
	// that never had an agent.
	Front bool
	// Info, when set, replaces what the desk keeps of the customer
	// (JSON, the chat's); nil keeps it.
	Info json.RawMessage
}

// Desk keeps the desk's state of the conversations. *Bolt and *Postgres
// implement it.
type Desk interface {
	// MoveConversation moves a conversation when it is where m expects:
	// otherwise it returns ErrMoved and writes nothing. Moving to the
	// queue from elsewhere than an agent sets the conversation's
	// QueuedAt; moving back to the assistant clears it. Errors: ErrFull,
	// ErrAbsent (above), ErrNotFound, ErrInvalid.
	MoveConversation(ctx context.Context, m DeskMove) error
}

// Replicas is what several processes sharing a store need besides the
// desk: each tells, every few seconds, which agents have a console open on
// it, so that the agents of a process that died can be found. *Postgres
// implements it; the embedded store serves a single process.
type Replicas interface {
	// Heartbeat records that the process named replica is alive with
	// consoles of these agents open, and forgets the other agents it
	// had.
	Heartbeat(ctx context.Context, replica string, logins []string) error
	// AbsentAgents returns the agents recorded online or away whom no
	// process has told of for within.
	AbsentAgents(ctx context.Context, within time.Duration) ([]string, error)
}

// checkMove checks a move's fields.
func checkMove(m DeskMove) error {
	if err := checkText("conversation", m.Conversation, "from state", m.FromState, "from agent", m.FromAgent, "to state", m.ToState, "to agent", m.ToAgent); err != nil {
		return err
	}
	for _, s := range []string{m.FromState, m.ToState} {
		if s != StateBot && s != StateQueued && s != StateAgent {
			return fmt.Errorf("%w: desk state %q", ErrInvalid, s)
		}
	}
	if (m.FromState == StateAgent) != (m.FromAgent != "") || (m.ToState == StateAgent) != (m.ToAgent != "") {
		return fmt.Errorf("%w: an agent goes with the state agent, and only with it", ErrInvalid)
	}
	if m.Info != nil && !json.Valid(m.Info) {
		return fmt.Errorf("%w: desk info is not JSON", ErrInvalid)
	}
	return nil
}

// deskState is the desk's state of a stored state.
func deskState(state string) string {
	if state == StateQueued || state == StateAgent {
		return state
	}
	return StateBot
}

// isDeskError reports whether err is one of MoveConversation's own.
func isDeskError(err error) bool {
	return errors.Is(err, ErrMoved) || errors.Is(err, ErrFull) || errors.Is(err, ErrAbsent)
}
