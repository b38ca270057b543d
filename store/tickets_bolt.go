package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

var _ Tickets = (*Bolt)(nil)

// The tickets add two buckets to the bbolt file, created by the first
// ticket (older files simply lack them, so the layout version stays 1):
//
//	tickets      number, 8 bytes big-endian -> boltTicket, JSON
//	ticket_ids   uvarint(len(conversation id)) conversation id client id -> number, 8 bytes big-endian
//
// The bucket tickets' sequence (NextSequence) numbers the tickets.
var (
	bucketTickets   = []byte("tickets")
	bucketTicketIDs = []byte("ticket_ids")
)

// boltTicket is a [Ticket] as stored.
type boltTicket struct {
	ConversationID string    `json:"conversation_id"`
	ClientID       string    `json:"client_id"`
	CustomerID     string    `json:"customer_id,omitempty"`
	Email          string    `json:"email"`
	Name           string    `json:"name,omitempty"`
	Message        string    `json:"message,omitempty"`
	Lang           string    `json:"lang,omitempty"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	AnsweredBy     string    `json:"answered_by,omitempty"`
	AnsweredAt     time.Time `json:"answered_at,omitzero"`
}

func (rec *boltTicket) ticket(number int64) Ticket {
	return Ticket{
		Number:         number,
		ConversationID: rec.ConversationID,
		ClientID:       rec.ClientID,
		CustomerID:     rec.CustomerID,
		Email:          rec.Email,
		Name:           rec.Name,
		Message:        rec.Message,
		Lang:           rec.Lang,
		Status:         rec.Status,
		CreatedAt:      rec.CreatedAt,
		AnsweredBy:     rec.AnsweredBy,
		AnsweredAt:     rec.AnsweredAt,
	}
}

// putTicket stores t, the inverse of boltTicket.ticket.
func putTicket(tickets *bbolt.Bucket, t *Ticket) error {
	v, err := json.Marshal(boltTicket{
		ConversationID: t.ConversationID,
		ClientID:       t.ClientID,
		CustomerID:     t.CustomerID,
		Email:          t.Email,
		Name:           t.Name,
		Message:        t.Message,
		Lang:           t.Lang,
		Status:         t.Status,
		CreatedAt:      t.CreatedAt,
		AnsweredBy:     t.AnsweredBy,
		AnsweredAt:     t.AnsweredAt,
	})
	if err != nil {
		return err
	}
	return tickets.Put(seqKey(t.Number), v)
}

// ticketIDKey is the key of a ticket in ticket_ids.
func ticketIDKey(conversationID, clientID string) []byte {
	k := binary.AppendUvarint(nil, uint64(len(conversationID)))
	return append(append(k, conversationID...), clientID...)
}

// getTicket reads a ticket, or returns ErrNotFound.
func getTicket(tickets *bbolt.Bucket, number int64) (*Ticket, error) {
	var v []byte
	if tickets != nil && number > 0 {
		v = tickets.Get(seqKey(number))
	}
	if v == nil {
		return nil, fmt.Errorf("ticket %d: %w", number, ErrNotFound)
	}
	var rec boltTicket
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("ticket %d: %w", number, err)
	}
	t := rec.ticket(number)
	return &t, nil
}

// CreateTicket implements [Tickets]: the ticket and its emails share one
// bbolt transaction.
func (s *Bolt) CreateTicket(ctx context.Context, t *Ticket, compose func(Ticket) []Email) (*Ticket, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, errBolt("create ticket", err)
	}
	if err := checkTicket(t); err != nil {
		return nil, false, err
	}
	created := storedTime(t.CreatedAt)
	if t.CreatedAt.IsZero() {
		created = storedTime(time.Now())
	}
	var (
		stored *Ticket
		dup    bool
	)
	err := s.group.write(func(tx *bbolt.Tx) error {
		// Batch may run this function again: start afresh.
		stored, dup = nil, false
		if _, err := getConversation(tx, t.ConversationID); err != nil {
			return err
		}
		tickets, err := tx.CreateBucketIfNotExists(bucketTickets)
		if err != nil {
			return err
		}
		ids, err := tx.CreateBucketIfNotExists(bucketTicketIDs)
		if err != nil {
			return err
		}
		idKey := ticketIDKey(t.ConversationID, t.ClientID)
		if v := ids.Get(idKey); v != nil {
			if len(v) != 8 {
				return fmt.Errorf("malformed ticket number %x", v)
			}
			stored, err = getTicket(tickets, int64(binary.BigEndian.Uint64(v)))
			dup = err == nil
			return err
		}
		seq, err := tickets.NextSequence()
		if err != nil {
			return err
		}
		nt := *t
		nt.Number, nt.Status, nt.CreatedAt = int64(seq), TicketOpen, created
		emails, err := composeEmails(&nt, compose)
		if err != nil {
			return err
		}
		for i := range emails {
			if err := putEmail(tx, &emails[i]); err != nil {
				return err
			}
		}
		if err := putTicket(tickets, &nt); err != nil {
			return err
		}
		if err := ids.Put(idKey, seqKey(nt.Number)); err != nil {
			return err
		}
		stored = &nt
		return nil
	})
	if err != nil {
		return nil, false, errBolt("create ticket", err)
	}
	if !dup {
		t.Number, t.Status, t.CreatedAt = stored.Number, stored.Status, stored.CreatedAt
	}
	return stored, dup, nil
}

// Ticket implements [Tickets].
func (s *Bolt) Ticket(ctx context.Context, number int64) (*Ticket, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("get ticket", err)
	}
	var t *Ticket
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		t, err = getTicket(tx.Bucket(bucketTickets), number)
		return err
	})
	if err != nil {
		return nil, errBolt("get ticket", err)
	}
	return t, nil
}

// ListTickets implements [Tickets]; with a status, it reads every ticket
// newer than the last one it returns.
func (s *Bolt) ListTickets(ctx context.Context, status string, limit int) ([]Ticket, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("list tickets", err)
	}
	var list []Ticket
	err := s.db.View(func(tx *bbolt.Tx) error {
		tickets := tx.Bucket(bucketTickets)
		if tickets == nil {
			return nil
		}
		c := tickets.Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(list) < limit); k, v = c.Prev() {
			if len(k) != 8 {
				return fmt.Errorf("malformed ticket key %x", k)
			}
			var rec boltTicket
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("ticket %x: %w", k, err)
			}
			if status == "" || rec.Status == status {
				list = append(list, rec.ticket(int64(binary.BigEndian.Uint64(k))))
			}
		}
		return nil
	})
	if err != nil {
		return nil, errBolt("list tickets", err)
	}
	return list, nil
}

// AnswerTicket implements [Tickets]: the ticket and its email share one
// bbolt transaction.
func (s *Bolt) AnswerTicket(ctx context.Context, number int64, status, agent string, email *Email) (*Ticket, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("answer ticket", err)
	}
	e, err := checkAnswer(status, agent, email)
	if err != nil {
		return nil, err
	}
	now := storedTime(time.Now())
	var t *Ticket
	err = s.group.write(func(tx *bbolt.Tx) error {
		// Batch may run this function again: start afresh.
		var err error
		t, err = getTicket(tx.Bucket(bucketTickets), number)
		if err != nil {
			return err
		}
		t.Status, t.AnsweredBy, t.AnsweredAt = status, agent, now
		if e != nil {
			if err := putEmail(tx, e); err != nil {
				return err
			}
		}
		return putTicket(tx.Bucket(bucketTickets), t)
	})
	if err != nil {
		return nil, errBolt("answer ticket", err)
	}
	if e != nil {
		*email = *e
	}
	return t, nil
}
