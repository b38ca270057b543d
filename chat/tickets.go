package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supportd/supportd/store"
)

// The agent console lists the email requests and answers them by email
// (docs/agent-protocol.md, "Tickets").

// Errors of the ticket desk; test them with errors.Is.
var (
	// ErrNoTickets: the service was built without a TicketStore.
	ErrNoTickets = errors.New("chat: no ticket store")
	// ErrBadAnswer: an answer that is empty, too long or not UTF-8.
	ErrBadAnswer = errors.New("chat: answer must be 1 to 10,000 characters of text")
)

// MaxAnswerLength is the longest email answer to a ticket, in characters.
const MaxAnswerLength = 10000

// Tickets returns up to 200 tickets with that status ("" for all), newest
// first.
func (s *Service) Tickets(ctx context.Context, status string) ([]TicketInfo, error) {
	if s.cfg.Tickets == nil {
		return nil, ErrNoTickets
	}
	list, err := s.cfg.Tickets.ListTickets(ctx, status, 200)
	if err != nil {
		return nil, err
	}
	infos := make([]TicketInfo, 0, len(list))
	for i := range list {
		infos = append(infos, TicketInfoOf(&list[i]))
	}
	return infos, nil
}

// TicketDetail returns a ticket and the transcript of the conversation it
// came from, as the console's message frames. store.ErrNotFound for an
// unknown ticket.
func (s *Service) TicketDetail(ctx context.Context, number int64) (TicketInfo, []json.RawMessage, error) {
	if s.cfg.Tickets == nil {
		return TicketInfo{}, nil, ErrNoTickets
	}
	t, err := s.cfg.Tickets.Ticket(ctx, number)
	if err != nil {
		return TicketInfo{}, nil, err
	}
	msgs, err := s.cfg.Store.Messages(ctx, t.ConversationID, 0, 0)
	if err != nil {
		return TicketInfo{}, nil, err
	}
	frames := make([]json.RawMessage, 0, len(msgs))
	for i := range msgs {
		frames = append(frames, s.agentMessageFrame(&msgs[i]))
	}
	return TicketInfoOf(t), frames, nil
}

// AnswerTicket emails an agent's answer to a ticket's customer, through
// the outbox, and marks the ticket answered, in one transaction.
// ErrBadAnswer for an empty or oversized text, store.ErrNotFound for an
// unknown ticket.
func (s *Service) AnswerTicket(ctx context.Context, number int64, login, text string) (TicketInfo, error) {
	if s.cfg.Tickets == nil {
		return TicketInfo{}, ErrNoTickets
	}
	text = strings.TrimSpace(text)
	if text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxAnswerLength {
		return TicketInfo{}, ErrBadAnswer
	}
	t, err := s.cfg.Tickets.Ticket(ctx, number)
	if err != nil {
		return TicketInfo{}, err
	}
	tx, _ := textsFor(t.Lang)
	quoted := "> " + strings.ReplaceAll(t.Message, "\n", "\n> ")
	email := &store.Email{
		// Each answer is its own email: an agent may answer twice.
		ID:   fmt.Sprintf("ticket-%d-answer-%d", t.Number, time.Now().UnixNano()),
		From: s.cfg.MailFrom, To: []string{t.Email}, ReplyTo: s.cfg.SupportInbox,
		Subject: fmt.Sprintf(tx.answerSubject, t.Number),
		Text:    fmt.Sprintf(tx.answerBody, text, s.agentName(login), t.Number, quoted),
	}
	answered, err := s.cfg.Tickets.AnswerTicket(ctx, number, store.TicketAnswered, login, email)
	if err != nil {
		return TicketInfo{}, err
	}
	if s.cfg.Outbox != nil {
		s.cfg.Outbox.Notify()
	}
	return TicketInfoOf(answered), nil
}
