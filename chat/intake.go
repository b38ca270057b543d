package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/chat/handoff"
	"github.com/supportd/supportd/orders"
	"github.com/supportd/supportd/store"
)

// A handoff that no one can take in the chat becomes an email request:
// the handoff message carries a form (email address and message,
// prefilled), the widget answers with an intake frame, and the chat stores
// a ticket with, in the same transaction, the notification to the support
// inbox and the confirmation to the customer, which the mail outbox sends
// until they are delivered. The customer is told the ticket number and when
// the team will answer. A handoff goes this way outside opening hours, when no
// agent is online, or when the estimated wait is over the limit
// (Service.handover); none is silent.

// TicketStore keeps the requests taken by email. *store.Bolt and
// *store.Postgres implement it.
type TicketStore interface {
	CreateTicket(ctx context.Context, t *store.Ticket, compose func(store.Ticket) []store.Email) (*store.Ticket, bool, error)
	Ticket(ctx context.Context, number int64) (*store.Ticket, error)
	ListTickets(ctx context.Context, status string, limit int) ([]store.Ticket, error)
	AnswerTicket(ctx context.Context, number int64, status, agent string, email *store.Email) (*store.Ticket, error)
}

// handover decides where a handoff reply leads: to the queue when someone
// can take the conversation soon (queue true; the caller enqueues it once
// the reply is stored), else to the offer of an email request, with its
// form. question prefills the form's message. Any other reply is returned
// as is.
func (s *Service) handover(c *conn, r assistant.Reply, question string) (reply assistant.Reply, form *IntakeForm, queue bool) {
	if r.Route != assistant.RouteHandoff {
		return r, nil, false
	}
	if s.route() == handoff.ToQueue {
		t, _ := textsFor(r.Lang)
		r.Text, r.Actions = t.queuedOffer, nil
		return r, nil, true
	}
	r, form = s.emailForm(r, c.customer.Email, question)
	return r, form, false
}

// emailForm turns a handoff reply into the offer of an email request:
// what happens next, and the form, prefilled.
func (s *Service) emailForm(r assistant.Reply, email, question string) (assistant.Reply, *IntakeForm) {
	if s.cfg.Tickets == nil {
		return r, nil
	}
	t, _ := textsFor(r.Lang)
	r.Text = fmt.Sprintf(t.intakeOffer, s.whenAnswered(r.Lang))
	r.Actions = nil
	return r, &IntakeForm{Email: email, Message: question}
}

// whenAnswered says when the team will answer an email request: "au plus
// vite" while open, else from the next opening ("dès lundi 4 janvier à 9 h").
func (s *Service) whenAnswered(lang string) string {
	t, lang := textsFor(lang)
	now := s.cfg.Now()
	if s.cfg.Hours.Open(now) {
		return t.answerSoon
	}
	next := s.cfg.Hours.DescribeNextOpen(now, lang)
	if next == "" {
		return t.answerSoon
	}
	return fmt.Sprintf(t.answerFrom, next)
}

// intake stores the customer's email request as a ticket, with its two
// emails, and confirms it in the chat.
func (s *Service) intake(ctx context.Context, c *conn, f ClientFrame) {
	if c.conversation == "" || s.cfg.Tickets == nil {
		s.sendError(c, CodeInvalid, f.ClientID, "")
		return
	}
	all, err := s.cfg.Store.Messages(ctx, c.conversation, 0, 0)
	if err != nil {
		s.storeFailed(c, f.ClientID, err)
		return
	}
	if code := s.mayTakeIntake(all, f); code != "" {
		s.sendError(c, code, f.ClientID, "")
		return
	}
	transcript := all[:min(len(all), 200)]
	var recent []orders.Order
	if c.customer.ID != "" && s.cfg.Orders != nil {
		// The orders help the team; a failure to read them must not lose
		// the request.
		if recent, err = s.cfg.Orders.Orders(ctx, c.customer.ID, 5); err != nil {
			s.log.Warn("chat: orders for a ticket", "err", err)
		}
	}
	lang := c.locale
	when := s.whenAnswered(lang)
	ticket := &store.Ticket{
		ConversationID: c.conversation, ClientID: f.ClientID, CustomerID: c.customer.ID,
		Email: f.Email, Name: c.customer.Name, Message: f.Text, Lang: lang,
	}
	stored, dup, err := s.cfg.Tickets.CreateTicket(ctx, ticket, func(t store.Ticket) []store.Email {
		return s.ticketEmails(t, transcript, recent, when)
	})
	if err != nil {
		if errors.Is(err, store.ErrInvalid) {
			s.sendError(c, CodeInvalid, f.ClientID, "")
			return
		}
		s.storeFailed(c, f.ClientID, err)
		return
	}
	if s.cfg.Outbox != nil {
		s.cfg.Outbox.Notify()
	}
	if !dup {
		s.ticketTaken(stored)
	}
	t, _ := textsFor(lang)
	confirm := assistant.Reply{Route: assistant.RouteHandoff, Lang: lang, Text: fmt.Sprintf(t.intakeDone, stored.Number, stored.Email, when)}
	// The confirmation carries the frame's client id: a retried intake
	// finds it stored and is only acknowledged. It names the form it
	// used up.
	m := s.botMessage(c.conversation, f.ClientID, confirm, nil)
	m.Data, _ = json.Marshal(messageData{Route: string(confirm.Route), Lang: confirm.Lang, FormSeq: f.Seq})
	if _, _, err := s.append(ctx, c, m); err != nil {
		s.storeFailed(c, f.ClientID, err)
	}
}

// mayTakeIntake returns why the email request f cannot be taken, or "":
// it must answer a form the server offered in this conversation (message
// f.Seq), one not used by another request already, within the caps per
// conversation and per email address. A retry of a request that was taken
// (the same client id) is let through, to be acknowledged.
func (s *Service) mayTakeIntake(msgs []store.Message, f ClientFrame) string {
	offered, usedBy, taken := false, "", 0
	for _, m := range msgs {
		if m.Author != store.AuthorBot {
			continue
		}
		var data messageData
		json.Unmarshal(m.Data, &data)
		if m.Seq == f.Seq && data.Form != nil {
			offered = true
		}
		if data.FormSeq > 0 {
			taken++
			if data.FormSeq == f.Seq {
				usedBy = m.ClientID
			}
		}
	}
	switch {
	case !offered:
		return CodeInvalid
	case usedBy == f.ClientID:
		return ""
	case usedBy != "":
		return CodeFormUsed
	case taken >= s.cfg.IntakesPerConversation || !s.intakeLimits.Allow(strings.ToLower(f.Email)):
		return CodeIntakeLimit
	}
	return ""
}

// ticketEmails are the notification to the support inbox and the
// confirmation to the customer.
func (s *Service) ticketEmails(t store.Ticket, transcript []store.Message, recent []orders.Order, when string) []store.Email {
	tx, _ := textsFor(t.Lang)
	// What the customer wrote is quoted, line by line, and their name kept
	// on one line, so that none of it can pass for supportd's own lines
	// (« Client vérifié : … »).
	who := t.Email
	if name := oneLine(t.Name); name != "" {
		who = name + " <" + t.Email + ">"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Demande n° %d\nDe : %s\n", t.Number, who)
	if t.CustomerID != "" {
		fmt.Fprintf(&b, "Client vérifié : %s\n", t.CustomerID)
	} else {
		b.WriteString("Client non connecté (identité non vérifiée)\n")
	}
	if len(recent) > 0 {
		b.WriteString("Commandes récentes :\n")
		for _, o := range recent {
			fmt.Fprintf(&b, "- %s du %s, %s, %s, suivi %s\n", o.Number, o.PlacedAt.In(s.cfg.Hours.Location()).Format("02/01/2006"), o.Status, o.Total.Format("fr"), o.TrackingNumber)
		}
	}
	fmt.Fprintf(&b, "Conversation : %s\nLangue : %s\n\nMessage :\n%s\n\nConversation avec l'assistant :\n", t.ConversationID, t.Lang, quoted(t.Message))
	for _, m := range transcript {
		fmt.Fprintf(&b, "[%s] %s :\n%s\n", m.CreatedAt.In(s.cfg.Hours.Location()).Format("02/01 15:04"), m.Author, quoted(m.Text))
	}
	var emails []store.Email
	if s.cfg.SupportInbox != "" {
		emails = append(emails, store.Email{
			ID: fmt.Sprintf("ticket-%d-support", t.Number), From: s.cfg.MailFrom, To: []string{s.cfg.SupportInbox}, ReplyTo: t.Email,
			Subject: fmt.Sprintf("Demande n° %d de %s", t.Number, who), Text: b.String(),
		})
	}
	emails = append(emails, store.Email{
		ID: fmt.Sprintf("ticket-%d-customer", t.Number), From: s.cfg.MailFrom, To: []string{t.Email}, ReplyTo: s.cfg.SupportInbox,
		Subject: fmt.Sprintf(tx.confirmSubject, t.Number),
		Text:    fmt.Sprintf(tx.confirmBody, t.Number, when, quoted(excerpt(t.Message, confirmExcerpt))),
	})
	return emails
}

// confirmExcerpt is how much of the request, in characters, the
// customer's confirmation quotes: enough to recognise it, too little to
// carry a message to someone else's address.
const confirmExcerpt = 200

// quoted returns text with each line behind "> ".
func quoted(text string) string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = "> " + strings.TrimRight(strings.ReplaceAll(l, "\r", " "), " ")
	}
	return strings.Join(lines, "\n")
}

// oneLine returns s with its line breaks and other control characters
// turned into spaces.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// excerpt returns the first n characters of s, cut at a word, with "…"
// when it is cut.
func excerpt(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	cut := string(r[:n])
	if i := strings.LastIndexAny(cut, " \n"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…"
}
