package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeSource returns axe-core's script, which .ci/ensure-axe (make test)
// installs from the npm registry.
func axeSource(t *testing.T) string {
	t.Helper()
	path := filepath.Join("..", "..", ".cache", "axe", "node_modules", "axe-core", "axe.min.js")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run .ci/ensure-axe", err)
	}
	return string(data)
}

// axeViolation is one rule axe-core finds broken, with where.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var where []string
	for _, n := range v.Nodes {
		where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
	}
	return v.ID + " (" + v.Help + "): " + strings.Join(where, "; ")
}

// checkAxe runs axe-core on the page as it is and reports every violation.
// It reads the page; it changes nothing of its state.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	var raw string
	await := func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }
	err := chromedp.Run(ctx,
		chromedp.Evaluate(axeSource(t)+";true", nil),
		chromedp.Evaluate(`axe.run(document).then((r) => JSON.stringify(r.violations))`, &raw, await),
	)
	if err != nil {
		t.Fatalf("axe on %s: %v", page, err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatalf("axe on %s: %v", page, err)
	}
	for _, v := range violations {
		t.Errorf("%s: %s", page, v)
	}
}

// TestAccessibility: axe-core finds no violation on the demo page with the
// widget open, the help centre, the agents' login page, the console with a
// conversation open, the admins' page and the editors' page.
func TestAccessibility(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, err := runCmd(t, "mot de passe de Marie\n", "agent", "add", "marie", "--name", "Marie", "--admin", "--data", dir, "--database-url="); err != nil {
		t.Fatalf("agent add: %v\n%s", err, errOut)
	}
	srv := startServer(t, dir, "--now", "2026-11-23T10:00:00+01:00")
	customer := newBrowser(t)
	err := chromedp.Run(customer,
		chromedp.Navigate("http://"+srv.addr+"/"),
		click(".sd-launcher"),
		waitText(".sd-home", "Sujets"),
		typeInto(".sd-input", "Comment suivre mon colis ?"),
		click(".sd-send"),
		chromedp.WaitVisible(".sd-msg.sd-bot .sd-vote", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	checkAxe(t, customer, "the demo page with the widget open")
	if err := chromedp.Run(customer, chromedp.Navigate("http://"+srv.addr+"/help"), chromedp.WaitVisible("h1", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, customer, "/help")
	if err := chromedp.Run(customer, chromedp.Navigate("http://"+srv.addr+"/help/commande-suivi-colis"), chromedp.WaitVisible("h1", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, customer, "an article's page")

	agent, cancel := chromedp.NewContext(customer)
	defer cancel()
	err = chromedp.Run(agent,
		network.Enable(),
		network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": "fr-FR,fr;q=0.9"}),
		chromedp.Navigate("http://"+srv.addr+"/agent/login"),
		chromedp.WaitVisible("#login", chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	checkAxe(t, agent, "the login page")
	err = chromedp.Run(agent,
		typeInto("#login", "marie"),
		typeInto("#password", "mot de passe de Marie"),
		pressEnter("#password"),
		chromedp.WaitVisible(`body[data-ws="open"]`, chromedp.ByQuery),
		choose("#presence", "En ligne", "online"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(customer,
		chromedp.Navigate("http://"+srv.addr+"/"),
		click(".sd-launcher"),
		typeInto(".sd-input", "Je voudrais parler à une personne"),
		click(".sd-send"),
		waitText(".sd-log", "dans la file"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(agent,
		click("#queue .queue-item button.claim"),
		chromedp.WaitVisible("#held .held-item", chromedp.ByQuery),
		waitText("#transcript", "Je voudrais parler à une personne"),
	)
	if err != nil {
		t.Fatal(err)
	}
	checkAxe(t, agent, "the console with a conversation open")
	if err := chromedp.Run(agent, click(".admin-link"), chromedp.WaitVisible(".agents-table", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, agent, "the admins' page")
	err = chromedp.Run(agent, chromedp.Navigate("http://"+srv.addr+"/agent"), click(".editors-link"), chromedp.WaitVisible("#unanswered, #summary", chromedp.ByQuery))
	if err != nil {
		t.Fatal(err)
	}
	checkAxe(t, agent, "the editors' page")
}
