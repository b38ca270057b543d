package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/supportd/supportd/internal/smtptest"
)

// waitValue polls until the form control sel holds want.
func waitValue(sel, want string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var got string
			if err := chromedp.Run(ctx, chromedp.Value(sel, &got, chromedp.ByQuery)); err != nil {
				return err
			}
			if got == want {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s to hold %q; it holds %q: %w", sel, want, got, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// waitMail polls until cond holds or the context ends.
func waitMail(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestAgentHandoffInBrowser is the handoff end to end, in a real Chromium,
// with supportd's clock set by --now. During opening hours an agent logs in
// and goes online; a customer asks for a person, the agent sees the
// conversation arrive, claims it and replies, and the customer sees the
// reply live, and the agent the customer's. Then supportd restarts outside
// opening hours: the customer gets the email form and sends it, the ticket
// shows in the agent's console, the notification and the confirmation reach
// the SMTP server, and so does the agent's answer from the console.
func TestAgentHandoffInBrowser(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, err := runCmd(t, "mot de passe de Marie\n", "agent", "add", "marie", "--name", "Marie", "--data", dir, "--database-url="); err != nil {
		t.Fatalf("agent add: %v\n%s", err, errOut)
	}
	smtp := smtptest.Start(t, "127.0.0.1:0")
	host, port, _ := net.SplitHostPort(smtp.Addr)
	serve := func(now string) *server {
		return startServer(t, dir, "--now", now, "--support-inbox", "support@shop.example", "--mail-from", "boutique@shop.example",
			"--smtp-host", host, "--smtp-port", port, "--smtp-tls", "none")
	}
	// Monday 23 November 2026, 10:00 in Paris: open.
	srv := serve("2026-11-23T10:00:00+01:00")
	agent := newBrowser(t)

	err := chromedp.Run(agent,
		// Marie's browser asks for French, as the console's users do.
		network.Enable(),
		network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": "fr-FR,fr;q=0.9"}),
		chromedp.Navigate("http://"+srv.addr+"/agent/login"),
		chromedp.WaitVisible("#login", chromedp.ByID),
		typeInto("#login", "marie"),
		typeInto("#password", "mot de passe de Marie"),
		pressEnter("#password"),
		chromedp.WaitVisible("#presence", chromedp.ByID),
		chromedp.WaitVisible(`body[data-ws="open"]`, chromedp.ByQuery),
		choose("#presence", "En ligne", "online"),
		waitText("#agents, #status-line, body", "Marie"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The console speaks the server's version of the agents' protocol.
	var status string
	if err := chromedp.Run(agent, chromedp.Evaluate(`document.querySelector('.status-line') ? document.querySelector('.status-line').innerText : ''`, &status)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(status, "Version du protocole") {
		t.Fatalf("the console says %q", status)
	}
	// The customer's tab, in the browser the agent's tab started.
	customer, cancel := chromedp.NewContext(agent)
	defer cancel()
	// The customer starts from the widget's start screen: a topic, one
	// of its questions, the article, and then a person.
	err = chromedp.Run(customer,
		chromedp.Navigate("http://"+srv.addr+"/"),
		chromedp.WaitVisible(".sd-launcher", chromedp.ByQuery),
		click(".sd-launcher"),
		waitText(".sd-home", "Sujets"),
		click(".sd-topics .sd-chip:first-child"),
		click(".sd-topic-list .sd-chip:first-child"),
		chromedp.WaitVisible(".sd-msg.sd-bot .sd-vote", chromedp.ByQuery),
		click(".sd-msg.sd-bot .sd-actions .sd-handoff"),
		waitText(".sd-log", "Je vous mets en relation avec un conseiller"),
		waitText(".sd-log", "n°\u00a01 dans la file"),
		typeInto(".sd-input", "Je voudrais parler à une personne"),
		click(".sd-send"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(agent,
		chromedp.WaitVisible("#queue .queue-item button.claim", chromedp.ByQuery),
		waitText("#queue", "Visiteur anonyme"),
		click("#queue .queue-item button.claim"),
		chromedp.WaitVisible("#held .held-item", chromedp.ByQuery),
		waitText("#transcript", "Je voudrais parler à une personne"),
		waitText("#customer-panel", "non vérifié"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(customer, waitText(".sd-log", "Marie a rejoint la conversation."))
	if err != nil {
		t.Fatal(err)
	}
	// Once, and still once after the widget reconnects (the server sends
	// the conversation's state again).
	var log string
	err = chromedp.Run(customer,
		chromedp.Reload(),
		click(".sd-launcher"),
		waitText(".sd-log", "Marie a rejoint la conversation."),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.Text(".sd-log", &log, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log, "a rejoint la conversation"); n != 1 {
		t.Errorf("the customer sees %d lines saying an agent joined:\n%s", n, log)
	}
	// Marie saves a canned reply, answers with it through « / », and
	// leaves an internal note the customer never sees.
	err = chromedp.Run(agent,
		typeInto("#canned-shortcut", "bonjour"),
		typeInto("#canned-text", "Bonjour, ici Marie : que puis-je faire pour vous ?"),
		click("#canned-save"),
		waitText("#canned", "/bonjour"),
		chromedp.WaitEnabled("#reply", chromedp.ByID),
		typeInto("#reply", "/bon"),
		chromedp.WaitVisible("#canned-pick .canned-option", chromedp.ByQuery),
		typeInto("#reply", kb.Tab),
		waitValue("#reply", "Bonjour, ici Marie : que puis-je faire pour vous ?"),
		click("#send"),
		typeInto("#reply", "Note : client fidèle, geste commercial possible."),
		click("#note"),
		waitText("#transcript", "geste commercial possible"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(customer,
		waitText(".sd-log", "que puis-je faire pour vous ?"),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var log string
			if err := chromedp.Run(ctx, chromedp.Text(".sd-log", &log, chromedp.ByQuery)); err != nil {
				return err
			}
			if strings.Contains(log, "geste commercial") {
				return fmt.Errorf("the customer sees the agent's internal note:\n%s", log)
			}
			return nil
		}),
		typeInto(".sd-input", "Mon colis n'est jamais arrivé."),
		click(".sd-send"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(agent,
		waitText("#transcript", "Mon colis n'est jamais arrivé."),
		choose("#resolution", "Répondu", "answered"),
		click("#close"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The customer rates the conversation; the console shows it.
	err = chromedp.Run(customer,
		waitText(".sd-log", "Marie a terminé la conversation."),
		waitText(".sd-log", "Comment évalueriez-vous cette conversation ?"),
		click(`.sd-survey .sd-star[aria-label="4 sur 5"]`),
		typeInto(".sd-survey .sd-comment", "Rapide et aimable"),
		click(".sd-survey button[type=submit]"),
		waitText(".sd-log", "Merci pour votre avis"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(agent, waitText("#surveys", "4/5"), waitText("#surveys", "Rapide et aimable")); err != nil {
		t.Fatal(err)
	}
	// The closed conversation is in the history, found by a word of it,
	// its note included.
	err = chromedp.Run(agent,
		click("#history-tab"),
		typeInto("#history-q", "jamais arrivé"),
		click("#history-search"),
		chromedp.WaitVisible("#history .history-item button", chromedp.ByQuery),
		click("#history .history-item button"),
		waitText("#history-detail", "Mon colis n'est jamais arrivé."),
		waitText("#history-detail", "geste commercial possible"),
		click("#chat-tab"),
	)
	if err != nil {
		t.Fatal(err)
	}

	// The same day, 20:00 in Paris: closed. The agent's session and the
	// store survive the restart.
	srv.cmd.Process.Kill()
	srv.cmd.Wait()
	srv = serve("2026-11-23T20:00:00+01:00")
	err = chromedp.Run(customer,
		chromedp.Navigate("http://"+srv.addr+"/"),
		chromedp.WaitVisible(".sd-launcher", chromedp.ByQuery),
		click(".sd-launcher"),
		chromedp.WaitVisible(".sd-input", chromedp.ByQuery),
		typeInto(".sd-input", "Je voudrais parler à une personne"),
		click(".sd-send"),
		chromedp.WaitVisible(".sd-intake input[type=email]", chromedp.ByQuery),
		waitText(".sd-log", "dès demain à 9 h"),
		typeInto(".sd-intake input[type=email]", "lea@example.fr"),
		click(".sd-intake button"),
		waitText(".sd-log", "demande n° 1"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(agent,
		chromedp.Navigate("http://"+srv.addr+"/agent"),
		chromedp.WaitVisible("#tickets-tab", chromedp.ByID),
		// Marie went online before the restart, and still is.
		waitValue("#presence", "online"),
		click("#tickets-tab"),
		chromedp.WaitVisible(`#tickets .ticket-item[data-number="1"]`, chromedp.ByQuery),
		waitText("#tickets", "lea@example.fr"),
		click(`#tickets .ticket-item[data-number="1"]`),
		chromedp.WaitVisible("#ticket-reply", chromedp.ByID),
		typeInto("#ticket-reply", "Nous renvoyons votre colis dès demain."),
		click("#ticket-send"),
		chromedp.WaitVisible(`#ticket-detail[data-status="answered"]`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	to := func(addr, subject, body string) func() bool {
		return func() bool {
			for _, m := range smtp.Messages() {
				if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, subject) && strings.Contains(m.Body, body) {
					return true
				}
			}
			return false
		}
	}
	waitMail(ctx, t, "the support inbox's notification", to("support@shop.example", "Demande n° 1", "Je voudrais parler à une personne"))
	waitMail(ctx, t, "the customer's confirmation", to("lea@example.fr", "demande n° 1", "dès demain à 9 h"))
	waitMail(ctx, t, "the agent's answer", to("lea@example.fr", "Réponse à votre demande n° 1", "Nous renvoyons votre colis dès demain."))
	for id, n := range smtp.ByMessageID() {
		if n != 1 {
			t.Errorf("email %s received %d times", id, n)
		}
	}
}
