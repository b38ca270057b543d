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
