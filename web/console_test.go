package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/store"
)

// newConsoleHandler returns a handler whose store holds the agent "zoe",
// whose name needs escaping, and a session of hers.
func newConsoleHandler(t *testing.T) (*Handler, *store.AgentSession) {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "supportd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.AddAgent(t.Context(), &store.Agent{Login: "zoe", Name: "Zoé <script>alert(1)</script>", PasswordHash: []byte("unused")}); err != nil {
		t.Fatal(err)
	}
	s := &store.AgentSession{ID: randomToken(), Login: "zoe", CSRF: randomToken(), ExpiresAt: time.Now().Add(time.Hour)}
	if err := st.CreateSession(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Chat: &fakeChat{}, Articles: fakeArticles{}, Agents: st,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h, s
}

// getConsole serves the console page behind requireAgent, as /agent is.
func getConsole(h *Handler, cookie, acceptLanguage string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/agent", nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	rec := httptest.NewRecorder()
	h.requireAgent(http.HandlerFunc(h.consolePage)).ServeHTTP(rec, req)
	return rec
}

func TestConsolePageNeedsSession(t *testing.T) {
	h, _ := newConsoleHandler(t)
	for _, cookie := range []string{"", randomToken()} {
		rec := getConsole(h, cookie, "")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/agent/login" {
			t.Errorf("cookie %q: %d to %q, want 303 to /agent/login", cookie, rec.Code, rec.Header().Get("Location"))
		}
	}
}

var scriptTag = regexp.MustCompile(`(?i)<script[^>]*>`)

func TestConsolePage(t *testing.T) {
	h, s := newConsoleHandler(t)
	for _, test := range []struct {
		acceptLanguage, lang, title, hello string
	}{
		{"", "fr", "Console des conseillers", "Connecté en tant que"},
		{"en-GB,fr;q=0.5", "en", "Agent console", "Logged in as"},
	} {
		rec := getConsole(h, s.ID, test.acceptLanguage)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("Accept-Language %q: %d %q\n%s", test.acceptLanguage, rec.Code, rec.Header().Get("Content-Type"), body)
		}
		for _, want := range []string{
			`<html lang="` + test.lang + `">`,
			`<title>` + test.title + `</title>`,
			`<meta name="csrf-token" content="` + s.CSRF + `">`,
			// The logout form, as on the former agent page.
			`<form method="post" action="/agent/logout"`,
			`name="csrf" value="` + s.CSRF + `"`,
			test.hello + ` Zoé &lt;script&gt;alert(1)&lt;/script&gt;`,
			`<script src="/console.js" defer></script>`,
			`<link rel="stylesheet" href="/console.css">`,
			`<body data-ws="closed">`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("Accept-Language %q: page without %s", test.acceptLanguage, want)
			}
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("the agent's name is not escaped:\n%s", body)
		}
		// The CSP allows no inline script.
		for _, tag := range scriptTag.FindAllString(body, -1) {
			if !strings.Contains(tag, ` src="/`) {
				t.Errorf("inline or foreign script %s", tag)
			}
		}
		// The hooks of the browser tests and console.js.
		for _, id := range []string{"presence", "queue", "queue-count", "held", "agents", "transcript", "reply", "send",
			"customer-panel", "identity", "orders", "articles", "transfer-to", "transfer", "resolution", "close",
			"chat-tab", "tickets-tab", "tickets", "ticket-reply", "ticket-send", "status-line"} {
			if !strings.Contains(body, ` id="`+id+`"`) {
				t.Errorf("page without #%s", id)
			}
		}
		for _, value := range []string{"online", "away", "offline", "answered", "refunded", "cancelled", "escalated", "spam"} {
			if !strings.Contains(body, `<option value="`+value+`"`) {
				t.Errorf("page without the option %s", value)
			}
		}
	}
}

// TestConsoleAssets checks that the files the console page loads are served.
func TestConsoleAssets(t *testing.T) {
	h, _ := newConsoleHandler(t)
	for path, contentType := range map[string]string{"/console.js": "text/javascript", "/console.css": "text/css"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), contentType) || rec.Body.Len() < 1000 {
			t.Errorf("GET %s: %d %q, %d bytes", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
	}
}
