package chat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// offerForm has a new customer ask for a person outside opening hours and
// returns the client and the bot message that offers the email form.
func offerForm(t *testing.T, e *env, n int) (*client, frame) {
	t.Helper()
	c := e.dial(t)
	c.hello("", "", 0)
	c.say(fmt.Sprintf("m_%08d", n), "je veux parler à un conseiller")
	c.expect("conversation")
	var offer frame
	for offer.Author != "bot" {
		offer = c.next()
	}
	if !strings.Contains(string(offer.Raw), `"form":`) {
		t.Fatalf("no form offered: %s", offer.Raw)
	}
	return c, offer
}

func outboxOf(t *testing.T, e *env) []store.Email {
	t.Helper()
	emails, err := e.store.(store.Outbox).DueEmails(t.Context(), time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	return emails
}

// TestIntakeIsNoOpenRelay: the email form cannot make supportd email any
// address at will. An intake is taken only for a form the server offered
// in the conversation, once per form, within a cap per conversation and
// per address an hour.
func TestIntakeIsNoOpenRelay(t *testing.T) {
	e := intakeEnv(t, saturday)
	c, offer := offerForm(t, e, 1)
	intake := func(id string, seq int64, email string) frame {
		t.Helper()
		c.send(map[string]any{"type": "intake", "client_id": id, "email": email, "text": "Achetez nos montres : https://spam.example", "seq": seq})
		for {
			f := c.next()
			if f.Type == "ack" || f.Type == "error" {
				return f
			}
		}
	}
	// Not the message with the form, or none at all.
	for _, seq := range []int64{offer.Seq - 1, offer.Seq + 5, 0} {
		if f := intake(fmt.Sprintf("i_bad%05d", seq), seq, "victim@example.org"); f.Code != CodeInvalid {
			t.Errorf("intake for message %d without a form: %s", seq, f.Raw)
		}
	}
	if n := len(outboxOf(t, e)); n != 0 {
		t.Fatalf("%d emails queued for forms never offered", n)
	}
	// The form offered: one request.
	if f := intake("i_00000001", offer.Seq, "lea@example.fr"); f.Type != "ack" {
		t.Fatalf("intake: %s", f.Raw)
	}
	c.expect("message")
	// Its retry is acknowledged; another request with the same form is not taken.
	if f := intake("i_00000001", offer.Seq, "lea@example.fr"); f.Type != "ack" {
		t.Errorf("retry: %s", f.Raw)
	}
	if f := intake("i_00000002", offer.Seq, "victim@example.org"); f.Code != CodeFormUsed {
		t.Errorf("a second request with one form: %s", f.Raw)
	}
	if n := len(outboxOf(t, e)); n != 2 {
		t.Errorf("%d emails queued, want 2 (one request)", n)
	}

	// Per address and hour: three conversations may write to one
	// address, the fourth may not.
	e2 := intakeEnv(t, saturday)
	for i := range 4 {
		c, offer := offerForm(t, e2, 10+i)
		c.send(map[string]any{"type": "intake", "client_id": fmt.Sprintf("i_1000000%d", i), "email": "Victim@Example.org", "text": "spam", "seq": offer.Seq})
		var f frame
		for f.Type != "ack" && f.Type != "error" {
			f = c.next()
		}
		if want := i < 3; (f.Type == "ack") != want {
			t.Errorf("request %d to one address: %s", i+1, f.Raw)
		}
		if i == 3 && f.Code != CodeIntakeLimit {
			t.Errorf("fourth request to one address: %s", f.Raw)
		}
	}

	// Per conversation: three requests, each with its own form, then no more.
	e3 := intakeEnv(t, saturday)
	c3 := e3.dial(t)
	c3.hello("", "", 0)
	for i := range 4 {
		c3.say(fmt.Sprintf("m_2000000%d", i), "je veux parler à un conseiller")
		var offer frame
		for offer.Author != "bot" || !strings.Contains(string(offer.Raw), `"form":`) {
			offer = c3.next()
		}
		c3.send(map[string]any{"type": "intake", "client_id": fmt.Sprintf("i_2000000%d", i), "email": fmt.Sprintf("a%d@example.org", i), "text": "spam", "seq": offer.Seq})
		var f frame
		for f.Type != "ack" && f.Type != "error" {
			f = c3.next()
		}
		if want := i < 3; (f.Type == "ack") != want {
			t.Errorf("request %d of one conversation: %s", i+1, f.Raw)
		}
	}
}

// TestTicketEmailsQuoteTheCustomer: a name or a message with line breaks
// cannot forge lines of the support inbox's email, and the customer's
// confirmation quotes only a short excerpt of the request.
func TestTicketEmailsQuoteTheCustomer(t *testing.T) {
	e := intakeEnv(t, saturday)
	c, offer := offerForm(t, e, 1)
	forged := "Bonjour\nClient vérifié : cust-9999\nCommandes récentes :\n- CMD-1 du 01/01/2026\n" + strings.Repeat("publicité ", 100)
	c.send(map[string]any{"type": "intake", "client_id": "i_00000001", "email": "lea@example.fr", "text": forged, "seq": offer.Seq})
	if f := c.expect("ack"); f.Type != "ack" {
		t.Fatalf("intake %s", f.Raw)
	}
	var support, customer store.Email
	for _, m := range outboxOf(t, e) {
		if m.To[0] == "support@shop.example" {
			support = m
		} else {
			customer = m
		}
	}
	for _, line := range strings.Split(support.Text, "\n") {
		if strings.HasPrefix(line, "Client vérifié") || strings.HasPrefix(line, "Commandes récentes") || strings.HasPrefix(line, "- CMD-1") {
			t.Errorf("the customer's text passes for supportd's own line: %q", line)
		}
	}
	if !strings.Contains(support.Text, "> Client vérifié : cust-9999") || !strings.Contains(support.Text, "Client non connecté") {
		t.Errorf("support email:\n%s", support.Text)
	}
	if n := strings.Count(customer.Text, "publicité"); n > 25 || !strings.Contains(customer.Text, "> Bonjour") {
		t.Errorf("the confirmation quotes %d words of the request:\n%s", n, customer.Text)
	}
}

// TestNULIsABadMessage: a message the store cannot hold gets an error the
// widget does not retry, and the connection stays usable.
func TestNULIsABadMessage(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	c.hello("", "", 0)
	for i, text := range []string{"bonjour\x00", "a\x07b"} {
		id := fmt.Sprintf("m_bad0000%d", i)
		c.send(map[string]any{"type": "message", "client_id": id, "text": text})
		if f := c.expect("error"); f.Code != CodeInvalid || f.ClientID != id {
			t.Errorf("%q: %s, want invalid", text, f.Raw)
		}
	}
	c.say("m_00000001", "Quels sont les délais de livraison ?")
	c.expect("conversation")
	if ack := c.expect("ack"); ack.ClientID != "m_00000001" {
		t.Errorf("after the bad messages: %s", ack.Raw)
	}
}
