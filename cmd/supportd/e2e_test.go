package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumPath finds the Chromium the end-to-end tests drive; make test
// installs Debian's package when it is missing (.ci/ensure-chromium).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found: run .ci/ensure-chromium (apt-get install chromium)")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	// Chromium's helper processes may still write to the profile for a
	// moment after the browser exits: it is removed on a best-effort basis.
	profile, err := os.MkdirTemp("", "supportd-chromium")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(360, 740),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return ctx
}

// waitText polls until the element's text contains want.
func waitText(sel, want string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var text string
			err := chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel), &text))
			if err != nil {
				return err
			}
			if strings.Contains(text, want) {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %q in %s; it holds %q: %w", want, sel, text, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// TestWidgetInBrowser drives the demo page in a real headless Chromium:
// open the widget, ask a question of the demo FAQ, see the article, say it
// helped, reload the page and find the conversation again.
func TestWidgetInBrowser(t *testing.T) {
	srv := startServer(t, t.TempDir())
	ctx := newBrowser(t)
	page := "http://" + srv.addr + "/"
	const question = "Comment suivre mon colis ?"
	const title = "Comment suivre ma commande et mon colis ?"
	err := chromedp.Run(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(".sd-launcher", chromedp.ByQuery),
		click(".sd-launcher"),
		chromedp.WaitVisible(".sd-input", chromedp.ByQuery),
		typeInto(".sd-input", question),
		click(".sd-send"),
		waitText(".sd-log", title),
		chromedp.WaitVisible(".sd-vote .sd-chip", chromedp.ByQuery),
		// The first vote button is "yes".
		click(".sd-vote .sd-chip"),
		waitText(".sd-vote", "Merci"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The vote reached the server: the store has it once the ack came.
	var html string
	err = chromedp.Run(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(".sd-launcher", chromedp.ByQuery),
		click(".sd-launcher"),
		waitText(".sd-log", question),
		waitText(".sd-log", title),
		chromedp.OuterHTML(".sd-log", &html, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(html, "sd-msg sd-customer"); n != 1 {
		t.Errorf("after reload, the question shows %d times", n)
	}
	if os.Getenv("SUPPORTD_E2E_SCREENSHOT") != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err == nil {
			os.WriteFile(os.Getenv("SUPPORTD_E2E_SCREENSHOT"), png, 0o644)
		}
	}
}

// TestVerifiedCustomerInBrowser logs in on the demo page as a demo
// customer: the page hands the widget a signed token, the widget offers
// "Aide sur une commande", and the customer picks an order and asks about
// it.
func TestVerifiedCustomerInBrowser(t *testing.T) {
	srv := startServer(t, t.TempDir())
	ctx := newBrowser(t)
	err := chromedp.Run(ctx,
		chromedp.Navigate("http://"+srv.addr+"/?as=cust-1001"),
		waitText("main", "Camille Lefèvre"),
		chromedp.WaitVisible(".sd-launcher", chromedp.ByQuery),
		click(".sd-launcher"),
		chromedp.WaitVisible(".sd-start .sd-chip", chromedp.ByQuery),
		click(".sd-start .sd-chip"),
		waitText(".sd-log", "De quelle commande"),
		click(`.sd-msg.sd-bot .sd-actions .sd-chip`),
		waitText(".sd-log", "Expédition prévue"),
		typeInto(".sd-input", "Est-ce que je peux encore l'annuler ?"),
		click(".sd-send"),
		waitText(".sd-log", "ne peut plus être annulée"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// A visitor who is not logged in is not offered any order.
	var hidden bool
	err = chromedp.Run(ctx,
		chromedp.Navigate("http://"+srv.addr+"/"),
		chromedp.WaitVisible(".sd-launcher", chromedp.ByQuery),
		click(".sd-launcher"),
		chromedp.WaitVisible(".sd-input", chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(`document.querySelector(".sd-start").hidden`, &hidden),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !hidden {
		t.Error("an anonymous visitor is offered the orders button")
	}
}

// TestEmailRequestInBrowser: asking for a person, with nobody in the chat,
// shows the email request form; sent, it gives the ticket number, and a
// reload shows the request as sent.
func TestEmailRequestInBrowser(t *testing.T) {
	srv := startServer(t, t.TempDir())
	ctx := newBrowser(t)
	err := chromedp.Run(ctx,
		chromedp.Navigate("http://"+srv.addr+"/"),
		chromedp.WaitVisible(".sd-launcher", chromedp.ByQuery),
		click(".sd-launcher"),
		chromedp.WaitVisible(".sd-input", chromedp.ByQuery),
		typeInto(".sd-input", "Je voudrais parler à une personne"),
		click(".sd-send"),
		chromedp.WaitVisible(".sd-intake input[type=email]", chromedp.ByQuery),
		typeInto(".sd-intake input[type=email]", "lea@example.fr"),
		click(".sd-intake button"),
		waitText(".sd-log", "demande n° 1"),
		waitText(".sd-intake", "Demande envoyée"),
		chromedp.Reload(),
		chromedp.WaitVisible(".sd-launcher", chromedp.ByQuery),
		click(".sd-launcher"),
		waitText(".sd-log", "demande n° 1"),
		waitText(".sd-intake", "Demande envoyée"),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnswerReadsWell: a long answer shows its first part with « Lire la
// suite », read from its start; « À lire » does not repeat the article
// just given.
func TestAnswerReadsWell(t *testing.T) {
	srv := startServer(t, t.TempDir())
	ctx := newBrowser(t)
	var hiddenBefore, hiddenAfter bool
	var readMore string
	var topVisible bool
	err := chromedp.Run(ctx,
		askInWidget(srv.addr, "Mon colis n'est jamais arrivé, que faire ?"),
		waitText(".sd-log", "Je n'ai pas reçu mon colis, que faire ?"),
		chromedp.WaitVisible(".sd-msg.sd-bot .sd-more", chromedp.ByQuery),
		// The top of the answer is in view.
		chromedp.Evaluate(`(() => { const m = [...document.querySelectorAll('.sd-msg.sd-bot')].pop(); const s = document.querySelector('.sd-scroll');
			return m.getBoundingClientRect().top >= s.getBoundingClientRect().top - 1 && m.getBoundingClientRect().top < s.getBoundingClientRect().bottom; })()`, &topVisible),
		chromedp.Evaluate(`!document.querySelector('.sd-log').innerText.includes('réexpédié')`, &hiddenBefore),
		chromedp.Text(".sd-msg.sd-bot .sd-articles", &readMore, chromedp.ByQuery),
		click(".sd-msg.sd-bot .sd-more"),
		waitText(".sd-log", "réexpédié"),
		chromedp.Evaluate(`!!document.querySelector('.sd-msg.sd-bot .sd-more')`, &hiddenAfter),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !hiddenBefore || hiddenAfter {
		t.Errorf("the end of the article was shown before « Lire la suite » (%v), or the button stayed (%v)", !hiddenBefore, hiddenAfter)
	}
	if !topVisible {
		t.Error("the answer's start is out of view")
	}
	if strings.Contains(readMore, "Je n'ai pas reçu mon colis") {
		t.Errorf("« À lire » repeats the article just given: %q", readMore)
	}
}

// TestOneLanguagePerReply: a customer who writes in English on the French
// demo page gets the answer, its buttons and the widget's own texts in
// English, told that the article exists in French only.
func TestOneLanguagePerReply(t *testing.T) {
	srv := startServer(t, t.TempDir())
	ctx := newBrowser(t)
	var placeholder, buttons string
	err := chromedp.Run(ctx,
		askInWidget(srv.addr, "How can I track my parcel?"),
		waitText(".sd-log", "not available in English yet; here it is in French"),
		waitText(".sd-log", "Comment suivre ma commande et mon colis ?"),
		chromedp.AttributeValue(".sd-input", "placeholder", &placeholder, nil, chromedp.ByQuery),
		chromedp.Text(".sd-msg.sd-bot .sd-actions", &buttons, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if placeholder != "Type your message…" {
		t.Errorf("placeholder %q, want the English one", placeholder)
	}
	if !strings.Contains(buttons, "Talk to a person") || strings.Contains(buttons, "Parler") {
		t.Errorf("buttons %q, want them in English", buttons)
	}
}

// TestStartScreenInBrowser: the widget opens on who answers, today's
// hours and the shop's topics; a topic leads to its questions, a question
// to its article, and the article to a person.
func TestStartScreenInBrowser(t *testing.T) {
	srv := startServer(t, t.TempDir(), "--now", "2026-11-23T10:00:00+01:00")
	ctx := newBrowser(t)
	err := chromedp.Run(ctx,
		chromedp.Navigate("http://"+srv.addr+"/"),
		click(".sd-launcher"),
		waitText(".sd-log", "Je suis l'assistant de la boutique"),
		waitText(".sd-home", "Aujourd'hui : 9 h – 12 h 30, 14 h – 18 h"),
		waitText(".sd-home", "Sujets"),
		click(`.sd-topics .sd-chip:first-child`),
		chromedp.WaitVisible(".sd-topic-list .sd-chip", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	var topic, question string
	err = chromedp.Run(ctx,
		chromedp.Text(".sd-topics .sd-chip:first-child", &topic, chromedp.ByQuery),
		chromedp.Text(".sd-topic-list .sd-chip:first-child", &question, chromedp.ByQuery),
		click(".sd-topic-list .sd-chip:first-child"),
		waitText(".sd-msg.sd-bot .sd-md", question),
		chromedp.WaitVisible(".sd-msg.sd-bot .sd-vote", chromedp.ByQuery),
		click(".sd-msg.sd-bot .sd-actions .sd-handoff"),
		chromedp.WaitVisible(".sd-intake input[type=email]", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("topic %q, question %q: %v", topic, question, err)
	}
}

// TestWidgetKeyboard: from the text box, Tab goes round the panel's own
// buttons, never out of it; Escape closes the panel and gives the focus
// back to the launcher.
func TestWidgetKeyboard(t *testing.T) {
	srv := startServer(t, t.TempDir())
	ctx := newBrowser(t)
	err := chromedp.Run(ctx,
		chromedp.Navigate("http://"+srv.addr+"/"),
		click(".sd-launcher"),
		typeInto(".sd-input", "Comment suivre mon colis ?"),
		pressEnter(".sd-input"),
		chromedp.WaitVisible(".sd-msg.sd-bot .sd-vote .sd-chip", chromedp.ByQuery),
		chromedp.Focus(".sd-input", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	focused := func() (inPanel bool, what string) {
		t.Helper()
		var r struct {
			In   bool   `json:"in"`
			What string `json:"what"`
		}
		if err := chromedp.Run(ctx, chromedp.Evaluate(`(() => { const a = document.activeElement;
			return { in: !!a.closest('.sd-panel'), what: a.tagName + '.' + a.className + ' ' + (a.textContent || '').slice(0, 30) }; })()`, &r)); err != nil {
			t.Fatal(err)
		}
		return r.In, r.What
	}
	sawVote := false
	for i := range 40 {
		if err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		in, what := focused()
		if !in {
			t.Fatalf("Tab %d left the panel for %s", i+1, what)
		}
		if strings.Contains(what, "Oui, merci") {
			sawVote = true
		}
	}
	if !sawVote {
		t.Error("Tab never reached the answer's buttons")
	}
	var hidden bool
	var active string
	err = chromedp.Run(ctx,
		chromedp.KeyEvent(kb.Escape),
		chromedp.Evaluate(`document.querySelector('.sd-panel').hidden`, &hidden),
		chromedp.Evaluate(`document.activeElement.className`, &active),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !hidden || !strings.Contains(active, "sd-launcher") {
		t.Errorf("after Escape: panel hidden %v, focus on %q", hidden, active)
	}
}

// TestMarkdownIsSafeInBrowser: an article whose body holds HTML, a
// script link and a table is shown in the widget as the safe markdown
// subset: the table and the bold are markup, the HTML is text, and the
// script link is no link. The agent console renders with the same code
// (web's TestSharedMarkdown).
func TestMarkdownIsSafeInBrowser(t *testing.T) {
	kbDir := t.TempDir()
	const title = "Grille des frais de port par zone"
	article := "---\nid: frais-zones\ntitle: " + title + "\ntags: [frais, port, zone]\n---\n" +
		"Les frais **dépendent** de la zone <img src=x onerror=\"document.title='pwned'\"> et <script>document.title='pwned'</script>.\n\n" +
		"| zone | frais |\n|---|---|\n| France | 4 € <b>offerts</b> |\n| Europe | [9 €](javascript:document.title='pwned') |\n\n" +
		"- un point\n  qui continue\n"
	if err := os.WriteFile(kbDir+"/frais-zones.md", []byte(article), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, t.TempDir(), "--kb", kbDir)
	ctx := newBrowser(t)
	var html, text, docTitle string
	err := chromedp.Run(ctx,
		chromedp.Navigate("http://"+srv.addr+"/"),
		chromedp.WaitVisible(".sd-launcher", chromedp.ByQuery),
		click(".sd-launcher"),
		chromedp.WaitVisible(".sd-input", chromedp.ByQuery),
		typeInto(".sd-input", title),
		click(".sd-send"),
		waitText(".sd-log", "Europe"),
		chromedp.OuterHTML(".sd-log", &html, chromedp.ByQuery),
		chromedp.Text(".sd-log", &text, chromedp.ByQuery),
		chromedp.Title(&docTitle),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The page's HTML holds the article's as escaped text (&lt;img…), never
	// as elements.
	for _, bad := range []string{"<img", "<script", "<b>", `href="javascript`} {
		if strings.Contains(html, bad) {
			t.Errorf("the widget made markup of %q: %s", bad, html)
		}
	}
	for _, want := range []string{"<table", "<th>zone</th>", "<strong>dépendent</strong>", "<li>un point<br>qui continue</li>"} {
		if !strings.Contains(html, want) {
			t.Errorf("the widget's answer lacks %s: %s", want, html)
		}
	}
	if !strings.Contains(text, "<img src=x") || !strings.Contains(text, "<b>offerts</b>") {
		t.Errorf("the HTML of the article is not shown as text: %q", text)
	}
	if docTitle == "pwned" {
		t.Error("a script of the article ran")
	}
}
