package store

import (
	"context"
	"fmt"
	"time"
)

// Ticket is a customer's request taken by email when nobody can answer in the chat.
type Ticket struct {
	// Number is assigned by the store, from 1, in creation order, unique across the store.
	Number int64
	// ConversationID is the conversation the request comes from; required (ErrInvalid if empty; ErrNotFound if no such conversation).
	ConversationID string
	// ClientID makes creation idempotent: one ticket per (ConversationID, ClientID); required.
	ClientID string
	// CustomerID is the verified customer's id, or "".
	CustomerID string
	// Email is the address to answer to; required. Name is optional.
	Email, Name string
	// Message is what the customer wrote; Lang their language.
	Message, Lang string
	// Status: "open" when created (the store sets it), later "answered" or "closed".
	Status    string
	CreatedAt time.Time // set by the store when zero
	// AnsweredBy is the login of the agent who last answered or closed the
	// ticket (AnswerTicket), and AnsweredAt when; "" and zero until then.
	AnsweredBy string
	AnsweredAt time.Time
}

// Statuses of a [Ticket].
const (
	TicketOpen     = "open"
	TicketAnswered = "answered"
	TicketClosed   = "closed"
)

// Tickets keeps the requests taken by email. *Bolt and *Postgres implement it.
type Tickets interface {
	// CreateTicket stores t (setting t.Number, t.Status = "open" and t.CreatedAt) and, in the same
	// transaction, the emails that compose returns for the stored ticket (compose sees the assigned
	// Number; it must be a pure function: it may be called more than once). When a ticket with
	// t.ConversationID and t.ClientID exists, nothing is written and the stored ticket is returned
	// with dup true. Emails are stored as EnqueueEmail stores them (same validation; an email ID
	// already stored fails the whole creation with ErrExists). Errors: ErrInvalid, ErrNotFound
	// (no such conversation), ErrUnavailable.
	CreateTicket(ctx context.Context, t *Ticket, compose func(Ticket) []Email) (stored *Ticket, dup bool, err error)
	// Ticket returns the ticket with that number, or ErrNotFound.
	Ticket(ctx context.Context, number int64) (*Ticket, error)
	// ListTickets returns up to limit tickets with that status ("" for all), newest first; limit <= 0 means no limit.
	ListTickets(ctx context.Context, status string, limit int) ([]Ticket, error)
	// AnswerTicket sets the status of the ticket with that number to status (TicketAnswered or
	// TicketClosed, else ErrInvalid), its AnsweredBy to agent and its AnsweredAt to the current
	// time, and, when email is not nil, enqueues email as EnqueueEmail does (same validation,
	// and email is updated the same way on success), all in one transaction: an email refused
	// (ErrInvalid, or ErrExists for an email ID already stored) leaves the ticket unchanged. It
	// returns the ticket as updated. Errors: ErrInvalid, ErrNotFound (no such ticket), ErrExists,
	// ErrUnavailable.
	AnswerTicket(ctx context.Context, number int64, status, agent string, email *Email) (*Ticket, error)
}

func checkTicket(t *Ticket) error {
	switch {
	case t.ConversationID == "":
		return fmt.Errorf("%w: ticket without conversation id", ErrInvalid)
	case t.ClientID == "":
		return fmt.Errorf("%w: ticket without client id", ErrInvalid)
	case t.Email == "":
		return fmt.Errorf("%w: ticket without email address", ErrInvalid)
	}
	return checkText("conversation id", t.ConversationID, "client id", t.ClientID, "customer id", t.CustomerID,
		"email", t.Email, "name", t.Name, "message", t.Message, "lang", t.Lang)
}

// checkAnswer checks the arguments of AnswerTicket, and returns the email
// to store, prepared as EnqueueEmail stores it, or nil.
func checkAnswer(status, agent string, email *Email) (*Email, error) {
	if status != TicketAnswered && status != TicketClosed {
		return nil, fmt.Errorf("%w: a ticket is answered with status %q or %q", ErrInvalid, TicketAnswered, TicketClosed)
	}
	if err := checkText("agent", agent); err != nil {
		return nil, err
	}
	if email == nil {
		return nil, nil
	}
	if err := checkEmail(email); err != nil {
		return nil, err
	}
	p := prepareEmail(email)
	return &p, nil
}

// composeEmails calls compose for the ticket as stored, and checks and
// prepares its emails as EnqueueEmail does.
func composeEmails(t *Ticket, compose func(Ticket) []Email) ([]Email, error) {
	if compose == nil {
		return nil, nil
	}
	emails := compose(*t)
	list := make([]Email, 0, len(emails))
	for i := range emails {
		if err := checkEmail(&emails[i]); err != nil {
			return nil, err
		}
		list = append(list, prepareEmail(&emails[i]))
	}
	return list, nil
}
