package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/supportd/supportd/chat"
	"github.com/supportd/supportd/store"
)

// fakeDesk records what the console's routes ask of the desk.
type fakeDesk struct {
	mu      sync.Mutex
	sockets []string // logins of the agents whose sockets were served
	answers []string // "login:number:text"
	queries []store.HistoryQuery
}

func (d *fakeDesk) ServeAgent(ctx context.Context, ws *websocket.Conn, a store.Agent) error {
	d.mu.Lock()
	d.sockets = append(d.sockets, a.Login)
	d.mu.Unlock()
	ws.WriteJSON(map[string]string{"type": "welcome", "login": a.Login})
	ws.Close()
	return nil
}

func (d *fakeDesk) Tickets(ctx context.Context, status string) ([]chat.TicketInfo, error) {
	return []chat.TicketInfo{{Number: 7, Email: "lea@example.fr", Status: store.TicketOpen}}, nil
}

func (d *fakeDesk) Surveys(ctx context.Context, limit int) ([]chat.SurveyInfo, float64, error) {
	return []chat.SurveyInfo{{Conversation: "c_1", Agent: "zoe", Rating: 4, Comment: "<b>bien</b>"}}, 4, nil
}

func (d *fakeDesk) History(ctx context.Context, q store.HistoryQuery) ([]chat.HistoryItem, error) {
	d.mu.Lock()
	d.queries = append(d.queries, q)
	d.mu.Unlock()
	return []chat.HistoryItem{{Conversation: "c_1", Agent: "zoe", Resolution: "answered", First: "<b>colis</b>"}}, nil
}

func (d *fakeDesk) Transcript(ctx context.Context, conv string) ([]json.RawMessage, error) {
	if conv != "c_1" {
		return nil, store.ErrNotFound
	}
	return []json.RawMessage{json.RawMessage(`{"type":"message","author":"customer","text":"colis"}`)}, nil
}

func (d *fakeDesk) TicketDetail(ctx context.Context, n int64) (chat.TicketInfo, []json.RawMessage, error) {
	if n != 7 {
		return chat.TicketInfo{}, nil, store.ErrNotFound
	}
	return chat.TicketInfo{Number: 7}, []json.RawMessage{json.RawMessage(`{"type":"message","seq":1}`)}, nil
}

func (d *fakeDesk) AnswerTicket(ctx context.Context, n int64, login, text string) (chat.TicketInfo, error) {
	if n != 7 {
		return chat.TicketInfo{}, store.ErrNotFound
	}
	if text == "" {
		return chat.TicketInfo{}, chat.ErrBadAnswer
	}
	d.mu.Lock()
	d.answers = append(d.answers, login+":7:"+text)
	d.mu.Unlock()
	return chat.TicketInfo{Number: 7, Status: store.TicketAnswered, AnsweredBy: login}, nil
}

// consoleCSRF reads the session's CSRF token from the console page.
func (b *browser) consoleCSRF() string {
	b.t.Helper()
	_, body := b.do("GET", "/agent", nil, nil)
	_, rest, ok := strings.Cut(body, `name="csrf-token" content="`)
	token, _, _ := strings.Cut(rest, `"`)
	if !ok || token == "" {
		b.t.Fatalf("no csrf-token meta in the console:\n%s", body)
	}
	return token
}

// TestAgentSocketNeedsSessionAndOrigin: the console's websocket opens only
// for a logged-in agent, from supportd's own origin.
func TestAgentSocketNeedsSessionAndOrigin(t *testing.T) {
	desk := &fakeDesk{}
	srv, _ := newAgentServer(t, Config{Desk: desk})
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/agent/ws"
	own := http.Header{"Origin": {srv.URL}}

	if _, resp, err := websocket.DefaultDialer.Dial(wsURL, own); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a session: %v %v, want 401", err, resp)
	}
	b := newBrowser(t, srv)
	b.login("zoe", agentPassword)
	cookie := http.Header{"Cookie": {sessionCookie + "=" + b.cookie(sessionCookie)}}
	for _, origin := range []string{"", "https://evil.example", "null"} {
		h := cookie.Clone()
		if origin != "" {
			h.Set("Origin", origin)
		}
		if _, resp, err := websocket.DefaultDialer.Dial(wsURL, h); err == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: %v, want 403", origin, err)
		}
	}
	forged := http.Header{"Cookie": {sessionCookie + "=forged"}, "Origin": {srv.URL}}
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL, forged); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged session: %v, want 401", err)
	}
	h := cookie.Clone()
	h.Set("Origin", srv.URL)
	ws, _, err := websocket.DefaultDialer.Dial(wsURL, h)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var welcome map[string]string
	if err := ws.ReadJSON(&welcome); err != nil || welcome["login"] != "zoe" {
		t.Fatalf("welcome %v, %v", welcome, err)
	}
	desk.mu.Lock()
	defer desk.mu.Unlock()
	if len(desk.sockets) != 1 || desk.sockets[0] != "zoe" {
		t.Errorf("sockets served: %v", desk.sockets)
	}
}

// TestTicketAPI: the console lists, shows and answers email requests, as
// the logged-in agent, and only with the session's CSRF token.
func TestTicketAPI(t *testing.T) {
	desk := &fakeDesk{}
	srv, _ := newAgentServer(t, Config{Desk: desk})
	anon := newBrowser(t, srv)
	if resp, _ := anon.do("GET", "/agent/api/tickets", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("list without a session: %s, want 401", resp.Status)
	}
	b := newBrowser(t, srv)
	b.login("zoe", agentPassword)
	csrf := b.consoleCSRF()

	resp, body := b.do("GET", "/agent/api/tickets?status=open", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"email":"lea@example.fr"`) {
		t.Fatalf("list: %s %s", resp.Status, body)
	}
	if resp, _ := b.do("GET", "/agent/api/tickets?status=lost", nil, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad status: %s", resp.Status)
	}
	if resp, body := b.do("GET", "/agent/api/tickets/7", nil, nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"messages":[{"type":"message","seq":1}]`) {
		t.Errorf("detail: %s %s", resp.Status, body)
	}
	for _, path := range []string{"/agent/api/tickets/8", "/agent/api/tickets/x", "/agent/api/tickets/-1"} {
		if resp, _ := b.do("GET", path, nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, resp.Status)
		}
	}

	reply := func(number, text string, header http.Header) *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+"/agent/api/tickets/"+number+"/reply", strings.NewReader(text))
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := reply("7", `{"text":"Bonjour"}`, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reply without CSRF: %s, want 403", resp.Status)
	}
	if resp := reply("7", `{"text":"Bonjour"}`, http.Header{"X-Csrf-Token": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reply with a forged CSRF token: %s, want 403", resp.Status)
	}
	ok := http.Header{"X-Csrf-Token": {csrf}}
	if resp := reply("7", `not json`, ok); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("reply with a bad body: %s, want 400", resp.Status)
	}
	if resp := reply("7", `{"text":""}`, ok); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty reply: %s, want 400", resp.Status)
	}
	if resp := reply("8", `{"text":"Bonjour"}`, ok); resp.StatusCode != http.StatusNotFound {
		t.Errorf("reply to no ticket: %s, want 404", resp.Status)
	}
	if resp := reply("7", `{"text":"Bonjour"}`, ok); resp.StatusCode != http.StatusOK {
		t.Errorf("reply: %s", resp.Status)
	}
	desk.mu.Lock()
	defer desk.mu.Unlock()
	if len(desk.answers) != 1 || desk.answers[0] != "zoe:7:Bonjour" {
		t.Errorf("answers: %v", desk.answers)
	}
}

// TestCannedRepliesAPI: agents list, add, edit and delete the shared
// replies; changes need the session's CSRF token; nothing without a
// session.
func TestCannedRepliesAPI(t *testing.T) {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "canned.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, _ := newAgentServer(t, Config{Desk: &fakeDesk{}, Canned: st})
	anon := newBrowser(t, srv)
	if resp, _ := anon.do("GET", "/agent/api/canned", nil, nil); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusSeeOther {
		t.Errorf("without a session: %s", resp.Status)
	}
	b := newBrowser(t, srv)
	if resp, _ := b.login("zoe", agentPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %s", resp.Status)
	}
	csrf := http.Header{"X-Csrf-Token": {b.consoleCSRF()}, "Content-Type": {"application/json"}}
	post := func(body string, h http.Header) (*http.Response, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/agent/api/canned", strings.NewReader(body))
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp, string(data)
	}
	if resp, _ := post(`{"shortcut": "delais", "text": "Sous 24 h."}`, http.Header{"Content-Type": {"application/json"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a change without the CSRF token: %s", resp.Status)
	}
	resp, body := post(`{"shortcut": "/Delais", "text": "Nos colis partent sous 24 h."}`, csrf)
	if resp.StatusCode != 200 || !strings.Contains(body, `"shortcut":"delais"`) || !strings.Contains(body, `"updated_by":"zoe"`) {
		t.Fatalf("add: %s %s", resp.Status, body)
	}
	if resp, _ := post(`{"shortcut": "delais", "text": "doublon"}`, csrf); resp.StatusCode != http.StatusConflict {
		t.Errorf("a taken shortcut: %s", resp.Status)
	}
	if resp, _ := post(`{"shortcut": "a b", "text": "x"}`, csrf); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad shortcut: %s", resp.Status)
	}
	if resp, body := b.do("GET", "/agent/api/canned", nil, nil); resp.StatusCode != 200 || !strings.Contains(body, "Nos colis partent sous 24 h.") {
		t.Errorf("list: %s %s", resp.Status, body)
	}
	if resp, _ := b.do("DELETE", "/agent/api/canned/1", nil, csrf); resp.StatusCode != 200 {
		t.Errorf("delete: %s", resp.Status)
	}
	if _, body := b.do("GET", "/agent/api/canned", nil, nil); strings.Contains(body, "Nos colis") {
		t.Errorf("after the delete: %s", body)
	}
}

// TestHistoryAPI: the history needs a session, reads its filters, and
// reads a transcript; an unknown conversation is 404.
func TestHistoryAPI(t *testing.T) {
	desk := &fakeDesk{}
	srv, _ := newAgentServer(t, Config{Desk: desk})
	if resp, _ := newBrowser(t, srv).do("GET", "/agent/api/history", nil, nil); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusSeeOther {
		t.Errorf("without a session: %s", resp.Status)
	}
	b := newBrowser(t, srv)
	b.login("zoe", agentPassword)
	resp, body := b.do("GET", "/agent/api/history?from=2026-11-01&to=2026-11-30&agent=marie&resolution=refunded&q=colis", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"conversation":"c_1"`) {
		t.Fatalf("history: %s %s", resp.Status, body)
	}
	q := desk.queries[0]
	if q.Agent != "marie" || q.Resolution != "refunded" || q.Text != "colis" || q.From.Day() != 1 || q.To.Day() != 1 || q.To.Month() != 12 {
		t.Errorf("the desk was asked %+v", q)
	}
	if resp, _ := b.do("GET", "/agent/api/history?from=hier", nil, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad date: %s", resp.Status)
	}
	if resp, body := b.do("GET", "/agent/api/history/c_1", nil, nil); resp.StatusCode != 200 || !strings.Contains(body, `"messages"`) {
		t.Errorf("transcript: %s %s", resp.Status, body)
	}
	if resp, _ := b.do("GET", "/agent/api/history/c_404", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown conversation: %s", resp.Status)
	}
}
