package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/supportd/supportd/store"
)

const agentPassword = "correct horse battery"

// newAgentServer serves the agents' pages from a bbolt store holding the
// agent "zoe", whose name needs escaping. Passwords use bcrypt's lowest
// cost, to keep the tests fast.
func newAgentServer(t *testing.T, cfg Config) (*httptest.Server, *store.Bolt) {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "supportd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hash, err := bcrypt.GenerateFromPassword([]byte(agentPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddAgent(t.Context(), &store.Agent{Login: "zoe", Name: "Zoé <script>alert(1)</script>", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	cfg.Chat, cfg.Articles, cfg.Agents = &fakeChat{}, fakeArticles{}, st
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.agents = newAgentPages(bcrypt.MinCost)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return srv, st
}

// browser is a client with cookies that does not follow redirects.
type browser struct {
	t    *testing.T
	srv  *httptest.Server
	c    *http.Client
	ip   string // X-Forwarded-For, when set
	csrf string // the token of the last page read
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, srv: srv, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request and returns the response and its body, remembering
// the page's CSRF token.
func (b *browser) do(method, path string, form url.Values, header http.Header) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.ip != "" {
		req.Header.Set("X-Forwarded-For", b.ip)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(data); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(data)
}

// login reads the login page and posts the form.
func (b *browser) login(login, password string) (*http.Response, string) {
	b.t.Helper()
	if resp, _ := b.do("GET", "/agent/login", nil, nil); resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET /agent/login: %s", resp.Status)
	}
	return b.do("POST", "/agent/login", url.Values{"login": {login}, "password": {password}, "csrf": {b.csrf}}, nil)
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.srv.URL + "/agent")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func TestAgentLoginFailuresLookAlike(t *testing.T) {
	srv, _ := newAgentServer(t, Config{})
	b := newBrowser(t, srv)
	wrong, wrongBody := b.login("zoe", "not the password")
	unknown, unknownBody := b.login("nobody", "not the password")
	if wrong.StatusCode != http.StatusUnauthorized || unknown.StatusCode != wrong.StatusCode {
		t.Errorf("wrong password: %s, unknown login: %s; want 401 both", wrong.Status, unknown.Status)
	}
	if wrongBody != unknownBody {
		t.Errorf("pages differ:\n%s\n---\n%s", wrongBody, unknownBody)
	}
	if !strings.Contains(wrongBody, "Identifiant ou mot de passe incorrect.") {
		t.Errorf("page without the French error:\n%s", wrongBody)
	}
	if b.cookie(sessionCookie) != "" {
		t.Error("a failed login set a session cookie")
	}
}

func TestAgentLoginRateLimit(t *testing.T) {
	srv, _ := newAgentServer(t, Config{TrustForwardedFor: true})
	// One address, many logins.
	b := newBrowser(t, srv)
	b.ip = "192.0.2.1"
	for i := range loginsPerMinute {
		if resp, _ := b.login("agent"+string(rune('a'+i)), "wrong password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %s", i+1, resp.Status)
		}
	}
	if resp, body := b.login("zoe", agentPassword); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Trop de tentatives") {
		t.Errorf("attempt %d from one address: %s, want 429", loginsPerMinute+1, resp.Status)
	}
	// One login, many addresses: wrong passwords cannot lock the agent
	// out. Past the limit the attempts are slowed, still answered; the
	// right password still opens a session.
	for i := range loginsPerMinute + 2 {
		b.ip = "198.51.100." + string(rune('1'+i))
		if resp, _ := b.login("Zoe", "wrong password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d on zoe: %s", i+1, resp.Status)
		}
	}
	b.ip = "203.0.113.9"
	if resp, _ := b.login("zoe", agentPassword); resp.StatusCode != http.StatusSeeOther || b.cookie(sessionCookie) == "" {
		t.Errorf("the right password after %d wrong ones from other addresses: %s, want a session", loginsPerMinute+2, resp.Status)
	}
}

func TestAgentSession(t *testing.T) {
	srv, _ := newAgentServer(t, Config{})
	b := newBrowser(t, srv)
	resp, _ := b.login("ZOE", agentPassword)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agent" {
		t.Fatalf("login: %s to %q, want 303 to /agent", resp.Status, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/agent" || session.Secure {
		t.Fatalf("session cookie %+v; want HttpOnly, SameSite=Strict, Path=/agent, not Secure over HTTP", session)
	}
	resp, body := b.do("GET", "/agent", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Connecté en tant que Zoé &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("GET /agent: %s\n%s", resp.Status, body)
	}
	if strings.Contains(body, "<script>") {
		t.Errorf("the agent's name is not escaped:\n%s", body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != pageCSP {
		t.Errorf("CSP %q", csp)
	}
	// Changes need the session's CSRF token.
	for _, form := range []url.Values{{}, {"csrf": {"forged"}}} {
		if resp, _ := b.do("POST", "/agent/logout", form, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("logout with csrf %q: %s, want 403", form.Get("csrf"), resp.Status)
		}
	}
	if resp, _ := b.do("POST", "/agent/logout", url.Values{}, http.Header{"X-Csrf-Token": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout with a forged header: %s, want 403", resp.Status)
	}
	old := b.cookie(sessionCookie)
	resp, _ = b.do("POST", "/agent/logout", url.Values{}, http.Header{"X-Csrf-Token": {b.csrf}})
	if resp.StatusCode != http.StatusSeeOther || b.cookie(sessionCookie) != "" {
		t.Fatalf("logout: %s, cookie %q left", resp.Status, b.cookie(sessionCookie))
	}
	// The old cookie no longer works: the session is gone from the store.
	replay := newBrowser(t, srv)
	u, _ := url.Parse(srv.URL + "/agent")
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: old, Path: "/agent"}})
	if resp, _ := replay.do("GET", "/agent", nil, nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agent/login" {
		t.Errorf("GET /agent with the cookie of a closed session: %s", resp.Status)
	}
}

func TestAgentSecureCookie(t *testing.T) {
	srv, _ := newAgentServer(t, Config{TrustForwardedFor: true})
	b := newBrowser(t, srv)
	b.do("GET", "/agent/login", nil, nil)
	resp, _ := b.do("POST", "/agent/login", url.Values{"login": {"zoe"}, "password": {agentPassword}, "csrf": {b.csrf}},
		http.Header{"X-Forwarded-Proto": {"https"}})
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && !c.Secure {
			t.Errorf("session cookie over HTTPS behind a proxy is not Secure")
		}
	}
}

func TestAgentRequiresSession(t *testing.T) {
	srv, st := newAgentServer(t, Config{})
	expired := &store.AgentSession{ID: "expired-session-secret", Login: "zoe", CSRF: "token", ExpiresAt: time.Now().Add(-time.Minute)}
	if err := st.CreateSession(t.Context(), expired); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL + "/agent")
	for _, cookie := range []string{"", randomToken(), expired.ID} {
		b := newBrowser(t, srv)
		if cookie != "" {
			b.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: cookie, Path: "/agent"}})
		}
		if resp, _ := b.do("GET", "/agent", nil, nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agent/login" {
			t.Errorf("GET /agent with cookie %q: %s to %q, want 303 to /agent/login", cookie, resp.Status, resp.Header.Get("Location"))
		}
		if resp, _ := b.do("POST", "/agent/logout", url.Values{"csrf": {"token"}}, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST /agent/logout with cookie %q: %s, want 401", cookie, resp.Status)
		}
	}
}

func TestAgentLoginCSRF(t *testing.T) {
	srv, _ := newAgentServer(t, Config{})
	form := func(csrf string) url.Values {
		return url.Values{"login": {"zoe"}, "password": {agentPassword}, "csrf": {csrf}}
	}
	// No pre-session cookie.
	b := newBrowser(t, srv)
	if resp, _ := b.do("POST", "/agent/login", form(randomToken()), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without the csrf cookie: %s, want 403", resp.Status)
	}
	// A cookie, but no field or another token.
	for _, token := range []string{"", randomToken()} {
		b := newBrowser(t, srv)
		b.do("GET", "/agent/login", nil, nil)
		if resp, _ := b.do("POST", "/agent/login", form(token), nil); resp.StatusCode != http.StatusForbidden || b.cookie(sessionCookie) != "" {
			t.Errorf("login with csrf field %q: %s, want 403", token, resp.Status)
		}
	}
}

func TestAgentPageLanguage(t *testing.T) {
	srv, _ := newAgentServer(t, Config{})
	for _, test := range []struct {
		path, acceptLanguage, want string
	}{
		{"/agent/login", "", "Se connecter"},
		{"/agent/login", "fr-FR,en;q=0.8", "Se connecter"},
		{"/agent/login", "en-GB,fr;q=0.5", "Log in"},
		{"/agent/login?lang=en", "", "Log in"},
		{"/agent/login?lang=fr", "en", "Se connecter"},
	} {
		b := newBrowser(t, srv)
		resp, body := b.do("GET", test.path, nil, http.Header{"Accept-Language": {test.acceptLanguage}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, test.want) {
			t.Errorf("GET %s (Accept-Language %q): %s, want %q in\n%s", test.path, test.acceptLanguage, resp.Status, test.want, body)
		}
		if resp.Header.Get("Content-Security-Policy") != pageCSP || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: headers %v", test.path, resp.Header)
		}
	}
}

func TestAgentPagesOff(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	for _, path := range []string{"/agent", "/agent/login"} {
		if resp, _ := get(t, srv.URL+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s without Agents: %s, want 404", path, resp.Status)
		}
	}
}
