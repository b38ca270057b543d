package chat

import (
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// saturday is outside the default opening hours: Saturday 21 November
// 2026, 10:00 in Paris.
var saturday = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func intakeEnv(t *testing.T, now time.Time) *env {
	t.Helper()
	return newEnv(t, func(cfg *Config) {
		cfg.Tickets = cfg.Store.(TicketStore)
		cfg.SupportInbox, cfg.MailFrom = "support@shop.example", "supportd@shop.example"
		cfg.Now = func() time.Time { return now }
	})
}

// TestHandoffTakesAnEmailRequest: outside opening hours, asking for a
// person gets the email form, never silence; the request becomes a ticket
// with its two emails in the outbox, and the chat gives its number.
func TestHandoffTakesAnEmailRequest(t *testing.T) {
	e := intakeEnv(t, saturday)
	c := e.dial(t)
	c.hello("", "", 0)
	c.say("m_00000001", "je veux parler à un conseiller")
	c.expect("conversation")
	var offer frame
	for offer.Author != "bot" {
		offer = c.next()
	}
	if offer.Route != "handoff" || !strings.Contains(offer.Text, "dès lundi 23 novembre à 9 h") {
		t.Fatalf("handoff: %s", offer.Raw)
	}
	if !strings.Contains(string(offer.Raw), `"form":{"email":"","message":"je veux parler à un conseiller"}`) {
		t.Fatalf("no prefilled form: %s", offer.Raw)
	}

	c.send(map[string]any{"type": "intake", "client_id": "i_00000001", "email": "pas une adresse", "text": "Bonjour", "seq": offer.Seq})
	if f := c.expect("error"); f.Code != CodeInvalidEmail || f.ClientID != "i_00000001" {
		t.Fatalf("bad email: %s", f.Raw)
	}
	intake := map[string]any{"type": "intake", "client_id": "i_00000002", "email": "lea@example.fr", "text": "Mon colis est abîmé.", "seq": offer.Seq}
	c.send(intake)
	if ack := c.expect("ack"); ack.ClientID != "i_00000002" {
		t.Fatalf("ack %s", ack.Raw)
	}
	confirm := c.expect("message")
	if !strings.Contains(confirm.Text, "demande n° 1") || !strings.Contains(confirm.Text, "lea@example.fr dès lundi") {
		t.Fatalf("confirmation %s", confirm.Raw)
	}
	// A retry (the ack was lost) stores nothing more.
	c.send(intake)
	if ack := c.expect("ack"); ack.ClientID != "i_00000002" || ack.Seq != confirm.Seq {
		t.Fatalf("retry ack %s", ack.Raw)
	}
	emails, err := e.store.(store.Outbox).DueEmails(t.Context(), time.Now().Add(time.Hour), 0)
	if err != nil || len(emails) != 2 {
		t.Fatalf("outbox %+v, %v", emails, err)
	}
	var support, customer store.Email
	for _, m := range emails {
		if m.To[0] == "support@shop.example" {
			support = m
		} else {
			customer = m
		}
	}
	if !strings.Contains(support.Text, "Mon colis est abîmé.") || !strings.Contains(support.Text, "je veux parler à un conseiller") || support.ReplyTo != "lea@example.fr" {
		t.Errorf("support email %+v", support)
	}
	if customer.To[0] != "lea@example.fr" || !strings.Contains(customer.Subject, "1") || !strings.Contains(customer.Text, "dès lundi") {
		t.Errorf("customer email %+v", customer)
	}
}

// TestTwoFallbacksOfferAPerson: the second answer in a row that finds
// nothing offers a person, as a button, and opens no form: the customer
// chooses. Pressed, the button opens the email form, whose message is not
// prefilled with what the assistant found nothing for.
func TestTwoFallbacksOfferAPerson(t *testing.T) {
	e := intakeEnv(t, saturday)
	c := e.dial(t)
	c.hello("", "", 0)
	c.say("m_00000001", "quelle est la capitale du Pérou ?")
	c.expect("conversation")
	var first frame
	for first.Author != "bot" {
		first = c.next()
	}
	if first.Route != "fallback" || strings.Contains(string(first.Raw), `"form"`) {
		t.Fatalf("first fallback %s", first.Raw)
	}
	c.say("m_00000002", "combien de pattes a un mille-pattes ?")
	var second frame
	for second.Author != "bot" {
		second = c.next()
	}
	if second.Route != "fallback" || strings.Contains(string(second.Raw), `"form"`) || !strings.Contains(second.Text, "voulez-vous lui parler") ||
		!strings.Contains(string(second.Raw), `{"id":"handoff","label":"Parler à une personne"}`) {
		t.Fatalf("second fallback %s", second.Raw)
	}
	c.send(map[string]any{"type": "action", "client_id": "a_00000001", "action": "handoff", "seq": second.Seq})
	c.expect("ack")
	offer := c.expect("message")
	if !strings.Contains(string(offer.Raw), `"form":{"email":"","message":""}`) {
		t.Errorf("the form after the button: %s", offer.Raw)
	}
}

// TestHandoffButtonDuringOpeningHours: with no agent in the chat yet, the
// request is answered "as soon as possible".
func TestHandoffButtonDuringOpeningHours(t *testing.T) {
	e := intakeEnv(t, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) // Monday 11:00
	c := e.dial(t)
	c.start("m_00000001", "Quels sont les délais de livraison ?")
	c.send(map[string]any{"type": "action", "client_id": "a_00000001", "action": "handoff", "seq": 2})
	c.expect("ack")
	m := c.expect("message")
	if !strings.Contains(m.Text, "au plus vite") || !strings.Contains(string(m.Raw), "Quels sont les délais de livraison ?") {
		t.Errorf("handoff %s", m.Raw)
	}
}

// TestNotHelpfulHandsOver: a "not helpful" vote offers the email form
// beside the other articles.
func TestNotHelpfulHandsOver(t *testing.T) {
	e := intakeEnv(t, saturday)
	c := e.dial(t)
	c.start("m_00000001", "Quels sont les délais de livraison ?")
	c.send(map[string]any{"type": "action", "client_id": "a_00000001", "action": "helpful:no", "seq": 2})
	c.expect("ack")
	m := c.expect("message")
	if m.Route != "handoff" || !strings.Contains(string(m.Raw), `"form":{"email":"","message":"Quels sont les délais de livraison ?"}`) {
		t.Fatalf("not helpful: %s", m.Raw)
	}
	for _, a := range m.Actions {
		if a.ID == "handoff" {
			t.Errorf("the form and a handoff button: %s", m.Raw)
		}
	}
}

// TestEmailRequestOfAVerifiedCustomer: the support inbox learns who the
// customer is and their recent orders; the form is prefilled with their
// email address.
func TestEmailRequestOfAVerifiedCustomer(t *testing.T) {
	var e *env
	e, fix, v := shopEnv(t, func(cfg *Config) {
		cfg.Tickets = cfg.Store.(TicketStore)
		cfg.SupportInbox = "support@shop.example"
		cfg.Now = func() time.Time { return saturday }
	})
	e.svc.cfg.Orders = fix
	c := e.dial(t)
	c.helloAs(token(t, v, "cust-1001", time.Hour), "", "")
	c.say("m_00000001", "je veux parler à un conseiller")
	c.expect("conversation")
	var offer frame
	for offer.Author != "bot" {
		offer = c.next()
	}
	if !strings.Contains(string(offer.Raw), `"email":""`) && !strings.Contains(string(offer.Raw), `"form":{`) {
		t.Fatalf("offer %s", offer.Raw)
	}
	c.send(map[string]any{"type": "intake", "client_id": "i_00000001", "email": "camille.lefevre@example.fr", "text": "Mon colis est abîmé.", "seq": offer.Seq})
	c.expect("ack")
	c.expect("message")
	emails, err := e.store.(store.Outbox).DueEmails(t.Context(), time.Now().Add(time.Hour), 0)
	if err != nil || len(emails) != 2 {
		t.Fatalf("outbox %+v, %v", emails, err)
	}
	for _, m := range emails {
		if m.To[0] != "support@shop.example" {
			continue
		}
		for _, want := range []string{"Client vérifié : cust-1001", "CMD-2026-004512", "6A23456789012"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("support email lacks %q:\n%s", want, m.Text)
			}
		}
	}
}
