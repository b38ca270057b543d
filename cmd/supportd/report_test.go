package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/supportd/supportd/internal/pgtest"
)

// reportCustomer is one customer of the report's test, with the
// conversation they open.
type reportCustomer struct {
	*tab
	n int
}

// ask sends a message and returns the first bot reply after it.
func (c *reportCustomer) ask(text string) map[string]any {
	c.t.Helper()
	c.ws.WriteJSON(map[string]any{"type": "message", "client_id": fmt.Sprintf("m_rep%05d%s", c.n, strings.Repeat("x", len(text)%3)), "text": text})
	return c.frame("message", "bot")
}

// press presses a button under the message seq, and returns the next bot
// message when want is set.
func (c *reportCustomer) press(action string, seq any, want bool) map[string]any {
	c.t.Helper()
	c.ws.WriteJSON(map[string]any{"type": "action", "client_id": fmt.Sprintf("a_rep%05d%s", c.n, strings.ReplaceAll(action, ":", "")), "action": action, "seq": seq})
	if !want {
		c.frame("ack", "")
		return nil
	}
	return c.frame("message", "bot")
}

// TestReportCounts feeds 200 conversations of known outcomes through the
// widget's socket, as customers would, and checks every figure of
// supportd kb report against the counts made by hand, on both stores.
func TestReportCounts(t *testing.T) {
	for _, which := range []string{"embedded", "postgresql"} {
		t.Run(which, func(t *testing.T) { testReportCounts(t, which) })
	}
}

func testReportCounts(t *testing.T, which string) {
	dir := t.TempDir()
	storeArgs := []string{"--data", dir, "--database-url="}
	if which == "postgresql" {
		storeArgs = []string{"--data", dir, "--database-url", pgtest.URL(t)}
	}
	if _, errOut, err := runCmd(t, "un mot de passe solide\n", append([]string{"agent", "add", "marie", "--name", "Marie", "--capacity", "10"}, storeArgs...)...); err != nil {
		t.Fatalf("agent add: %v\n%s", err, errOut)
	}
	srv := startServer(t, dir, append(storeArgs[2:], "--now", "2026-11-23T10:00:00+01:00")...)
	n := 0
	open := func() *reportCustomer {
		n++
		tb := openTab(t, srv.addr)
		tb.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "locale": "fr"})
		tb.frame("welcome", "")
		return &reportCustomer{tab: tb, n: n}
	}
	route := func(m map[string]any) string { r, _ := m["route"].(string); return r }
	// offered records the articles a reply showed the customer, as the
	// report lists them: each with how many times, by name.
	offered := map[string]string{}
	shown := func(key string, m map[string]any, times int) {
		var ids []string
		for _, a := range m["articles"].([]any) {
			ids = append(ids, fmt.Sprintf("%s:%d", a.(map[string]any)["id"], times))
		}
		slices.Sort(ids)
		offered[key] = strings.Join(ids, " ")
	}
	// 40: answered, voted helpful.
	for range 40 {
		c := open()
		m := c.ask("Comment suivre mon colis ?")
		if route(m) != "faq" {
			t.Fatalf("answer: %v", m)
		}
		c.press("helpful:yes", m["seq"], false)
	}
	// 30: answered, voted not helpful.
	for range 30 {
		c := open()
		m := c.ask("je veux un remboursement")
		shown("remboursement", m, 30)
		// Not helpful hands over: nobody is online, the form is offered.
		if h := c.press("helpful:no", m["seq"], true); route(h) != "handoff" {
			t.Fatalf("not helpful: %v", h)
		}
	}
	// 30: answered, then a person asked for; nobody is online: an email
	// request, sent.
	for range 30 {
		c := open()
		m := c.ask("frais")
		shown("frais", m, 30)
		h := c.press("handoff", m["seq"], true)
		if h["form"] == nil {
			t.Fatalf("no agent online, but no form: %v", h)
		}
		c.ws.WriteJSON(map[string]any{"type": "intake", "client_id": fmt.Sprintf("i_rep%05d", c.n), "email": fmt.Sprintf("client%d@example.com", c.n), "text": "Combien pour la Corse ?", "seq": h["seq"]})
		c.frame("message", "bot")
	}
	// 30: no article at all.
	for range 30 {
		c := open()
		if m := c.ask("xqzt vlorp brunf"); route(m) != "fallback" {
			t.Fatalf("fallback: %v", m)
		}
	}
	// 20: suggestions, none picked; 20: one picked.
	for k := range 40 {
		c := open()
		m := c.ask("ma commande")
		if route(m) != "fallback" || len(m["articles"].([]any)) != 3 {
			t.Fatalf("suggestions: %v", m)
		}
		if k%2 == 1 {
			c.press("article:commande-suivi-colis", m["seq"], true)
		}
	}
	// 20: small talk only.
	for range 20 {
		open().ask("bonjour")
	}
	// 10: a person, with Marie online: queued, taken, answered, closed,
	// and the survey answered 4, 4, 4, 4, 4, 5, 5, 5, 5, 5.
	marie := consoleLogIn(t, srv.addr, "marie", "un mot de passe solide")
	marie.ws.WriteJSON(map[string]any{"type": "presence", "status": "online"})
	for {
		if f := marie.frame("presence", ""); strings.Contains(fmt.Sprint(f["agent"]), "online") {
			break
		}
	}
	for k := range 10 {
		c := open()
		m := c.ask("Je voudrais parler à un conseiller")
		if route(m) != "handoff" || m["form"] != nil {
			t.Fatalf("queued: %v", m)
		}
		q := marie.frame("queued", "")
		id := q["item"].(map[string]any)["conversation"]
		marie.ws.WriteJSON(map[string]any{"type": "claim", "conversation": id})
		marie.frame("assigned", "")
		c.frame("state", "")
		marie.ws.WriteJSON(map[string]any{"type": "message", "conversation": id, "client_id": fmt.Sprintf("a_m%05d", k), "text": "Bonjour, je suis là."})
		c.frame("message", "agent")
		marie.ws.WriteJSON(map[string]any{"type": "close", "conversation": id, "resolution": "answered"})
		var survey map[string]any
		for survey == nil {
			if f := c.frame("message", "bot"); f["survey"] == true {
				survey = f
			}
		}
		c.ws.WriteJSON(map[string]any{"type": "survey", "client_id": fmt.Sprintf("s_rep%05d", k), "seq": survey["seq"], "rating": 4 + k/5})
		c.frame("ack", "")
	}
	if n != 200 {
		t.Fatalf("%d conversations, want 200", n)
	}
	if which == "embedded" {
		// The embedded store is one process's: stop the server first.
		srv.cmd.Process.Signal(syscall.SIGTERM)
		srv.cmd.Wait()
	}

	csvOf := func(what string) [][]string {
		t.Helper()
		out, errOut, err := runCmd(t, "", append([]string{"kb", "report", "--since", "2d", "--format", "csv", "--what", what}, storeArgs...)...)
		if err != nil {
			t.Fatalf("kb report --what %s: %v\n%s", what, err, errOut)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("kb report --what %s: %v\n%s", what, err, out)
		}
		return rows
	}
	// Unanswered: four lines, by count then question.
	got := csvOf("unanswered")
	want := [][]string{
		{"rank", "question", "count", "fallback", "suggestion_not_picked", "not_helpful", "person_after_answer", "examples", "articles_offered"},
		{"1", "frais", "30", "0", "0", "0", "30", "", offered["frais"]},
		{"2", "je veux un remboursement", "30", "0", "0", "30", "0", "", offered["remboursement"]},
		{"3", "xqzt vlorp brunf", "30", "30", "0", "0", "0", "", ""},
		{"4", "ma commande", "20", "0", "20", "0", "0", "", "commande-annuler-modifier:20 commande-suivi-colis:20 retours-mauvais-article:20"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("unanswered:\n got %v\nwant %v", got, want)
	}
	// Articles: views, suggested, votes, handoffs after.
	articles := map[string][]string{}
	for _, row := range csvOf("articles")[1:] {
		articles[row[0]] = row[3:]
	}
	for id, w := range map[string][]string{
		"commande-suivi-colis":      {"60", "40", "40", "0", "0"},
		"paiement-remboursement":    {"30", "0", "0", "30", "30"},
		"livraison-frais":           {"30", "0", "0", "0", "30"},
		"retours-mauvais-article":   {"0", "40", "0", "0", "0"},
		"commande-annuler-modifier": {"0", "40", "0", "0", "0"},
		"contact-horaires":          {"0", "0", "0", "0", "0"},
	} {
		if fmt.Sprint(articles[id]) != fmt.Sprint(w) {
			t.Errorf("article %s: %v, want %v (views, suggested, helpful, not helpful, handoffs after)", id, articles[id], w)
		}
	}
	// Rates: every conversation today.
	var today []string
	for _, row := range csvOf("daily")[1:] {
		if row[1] != "0" {
			if today != nil {
				t.Errorf("conversations on two days: %v and %v", today, row)
			}
			today = row
		}
	}
	// start, conversations, answered, resolved, resolution rate,
	// handoffs, handoff rate, email requests, median wait, waits,
	// median first response, first responses, satisfaction, ratings.
	if len(today) != 14 {
		t.Fatalf("daily: %v", today)
	}
	// Handed over: 30 who asked after an answer, 30 who voted one not
	// helpful (which hands over), 10 who asked straight away.
	check := map[int]string{1: "200", 2: "120", 3: "60", 4: "0.500", 5: "70", 6: "0.350", 7: "30", 9: "10", 11: "10", 12: "4.50", 13: "10"}
	names := []string{"start", "conversations", "answered", "resolved", "resolution_rate", "handoffs", "handoff_rate", "email_requests", "median_wait_s", "waits", "median_first_response_s", "first_responses", "satisfaction", "ratings"}
	for i, w := range check {
		if today[i] != w {
			t.Errorf("daily %s = %s, want %s", names[i], today[i], w)
		}
	}
	// The waits and first responses are as long as the test took: there
	// are ten of each, measured.
	t.Logf("median wait %s s, median first response %s s", today[8], today[10])
}

// consoleLogIn logs an agent in through the login form, as a person
// does, and opens their console.
func consoleLogIn(t *testing.T, addr, login, password string) *console {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + addr
	resp, err := hc.Get(base + "/agent/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in the login form")
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/agent/login", strings.NewReader(url.Values{"csrf": {string(m[1])}, "login": {login}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("log in: HTTP %d", resp.StatusCode)
	}
	u, _ := url.Parse(base + "/agent/ws")
	cookie := ""
	for _, c := range jar.Cookies(u) {
		if c.Name == "supportd_agent" {
			cookie = c.Value
		}
	}
	return openConsole(t, addr, login, cookie)
}

// TestEditorsPageInBrowser: an editor logs in, opens « Éditeurs » from the
// console, reads the questions customers asked that the assistant could
// not answer, and picks another period; an agent without the role gets
// neither the link nor the page.
func TestEditorsPageInBrowser(t *testing.T) {
	dir := t.TempDir()
	for _, a := range [][]string{{"lea", "--editor"}, {"paul"}} {
		if _, errOut, err := runCmd(t, "un mot de passe solide\n", append([]string{"agent", "add", a[0], "--data", dir, "--database-url="}, a[1:]...)...); err != nil {
			t.Fatalf("agent add: %v\n%s", err, errOut)
		}
	}
	srv := startServer(t, dir, "--now", "2026-11-23T10:00:00+01:00")
	for k, q := range []string{"xqzt vlorp brunf", "xqzt vlorp brunf", "Comment suivre mon colis ?"} {
		c := &reportCustomer{tab: openTab(t, srv.addr), n: k}
		c.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "locale": "fr"})
		c.frame("welcome", "")
		c.ask(q)
	}
	editor := newBrowser(t)
	steps := []struct {
		what string
		do   chromedp.Action
	}{
		// Léa's browser asks for French, as the console's users do.
		{"French", chromedp.Tasks{network.Enable(), network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": "fr-FR,fr;q=0.9"})}},
		{"log in", chromedp.Tasks{chromedp.Navigate("http://" + srv.addr + "/agent/login"),
			typeInto("#login", "lea"), typeInto("#password", "un mot de passe solide"), pressEnter("#password")}},
		{"open « Éditeurs »", chromedp.Tasks{click(`a[href="/agent/editors"]`), waitText("h1", "Éditeurs")}},
		{"read the tables", chromedp.Tasks{waitText("#unanswered", "xqzt vlorp brunf"), waitText("#articles", "Comment suivre ma commande et mon colis ?"),
			chromedp.WaitVisible("figure.chart svg", chromedp.ByQuery)}},
		{"pick 30 days", chromedp.Tasks{choose("#days", "30", "30"), click(`form.period button[type="submit"]`),
			chromedp.WaitReady(`#days option[value="30"][selected]`, chromedp.ByQuery), waitText("#summary", "3 conversations")}},
	}
	// The browser starts on its own context, not a step's, which ends.
	if err := chromedp.Run(editor); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		ctx, cancel := context.WithTimeout(editor, 20*time.Second)
		err := chromedp.Run(ctx, st.do)
		cancel()
		if err != nil {
			var page string
			ctx, cancel := context.WithTimeout(editor, 5*time.Second)
			chromedp.Run(ctx, chromedp.OuterHTML("body", &page, chromedp.ByQuery))
			cancel()
			t.Fatalf("%s: %v; the page:\n%s", st.what, err, page)
		}
	}
	var row string
	if err := chromedp.Run(editor, chromedp.Text("#unanswered tbody tr:first-child", &row, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(row, "xqzt vlorp brunf") || !strings.Contains(row, "2") || !strings.Contains(row, "sans réponse") {
		t.Errorf("first unanswered line: %q", row)
	}
	// Paul is an agent: no link, and the page refuses him.
	paul := consoleLogIn(t, srv.addr, "paul", "un mot de passe solide")
	paul.ws.Close()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse("http://" + srv.addr + "/agent")
	jar.SetCookies(u, []*http.Cookie{{Name: "supportd_agent", Value: paul.cookie, Path: "/agent"}})
	hc := &http.Client{Jar: jar}
	for path, want := range map[string]int{"/agent/editors": http.StatusForbidden, "/agent/editors/unanswered.csv": http.StatusForbidden, "/agent": http.StatusOK} {
		resp, err := hc.Get("http://" + srv.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Paul GET %s: HTTP %d, want %d", path, resp.StatusCode, want)
		}
		if path == "/agent" && strings.Contains(string(body), "/agent/editors") {
			t.Error("Paul's console links to the editors' page")
		}
	}
}
