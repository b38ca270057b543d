package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"github.com/supportd/supportd/internal/ratelimit"
	"github.com/supportd/supportd/store"
)

// AgentStore keeps the agents and their sessions. *store.Bolt and
// *store.Postgres implement it.
type AgentStore interface {
	// Agent returns the agent, or an error wrapping store.ErrNotFound.
	Agent(ctx context.Context, login string) (*store.Agent, error)
	// CreateSession stores a session under the SHA-256 of its ID.
	CreateSession(ctx context.Context, s *store.AgentSession) error
	// Session returns the unexpired session whose ID has that SHA-256,
	// or an error wrapping store.ErrNotFound.
	Session(ctx context.Context, idHash []byte) (*store.AgentSession, error)
	// DeleteSession deletes a session.
	DeleteSession(ctx context.Context, idHash []byte) error
	// ListAgents, AddAgent, SetAgentPassword and SetAgentDisabled serve
	// the admins' page (admin.go).
	ListAgents(ctx context.Context) ([]store.Agent, error)
	AddAgent(ctx context.Context, a *store.Agent) error
	SetAgentPassword(ctx context.Context, login string, hash []byte) error
	SetAgentDisabled(ctx context.Context, login string, disabled bool) error
}

var (
	_ AgentStore = (*store.Bolt)(nil)
	_ AgentStore = (*store.Postgres)(nil)
)

// Cookies and limits of the agents' pages.
const (
	sessionCookie   = "supportd_agent"
	csrfCookie      = "supportd_csrf"
	sessionDuration = 8 * time.Hour
	// loginsPerMinute is how many login attempts one address may make a
	// minute, and one login before its attempts are slowed down.
	loginsPerMinute = 5
	// slowLoginEvery is the pace of the attempts on a login past
	// loginsPerMinute, whatever the addresses they come from; one that
	// would wait over slowLoginWait is refused.
	slowLoginEvery = time.Second
	slowLoginWait  = 10 * time.Second
	// PasswordCost is the bcrypt cost of agents' passwords.
	PasswordCost = 12
)

// agentPages holds the state of the agents' pages.
type agentPages struct {
	// cost is the bcrypt cost of the passwords the admins' page sets.
	cost          int
	byIP, byLogin *ratelimit.Keyed
	// slowLogin paces the attempts on a login that byLogin has run out:
	// slowed down, never refused, so that nobody can lock an agent out.
	slowLogin *ratelimit.Keyed
	// dummyHash is compared against when the login does not exist, so
	// that an unknown login takes as long as a wrong password.
	dummyHash func() []byte
}

func newAgentPages(cost int) *agentPages {
	lim := rate.Limit(float64(loginsPerMinute) / 60)
	return &agentPages{
		byIP:      ratelimit.NewKeyed(lim, loginsPerMinute),
		byLogin:   ratelimit.NewKeyed(lim, loginsPerMinute),
		slowLogin: ratelimit.NewKeyed(rate.Every(slowLoginEvery), 1),
		dummyHash: sync.OnceValue(func() []byte {
			h, err := bcrypt.GenerateFromPassword([]byte(randomToken()), cost)
			if err != nil {
				panic(err)
			}
			return h
		}),
	}
}

// routeAgents adds the agents' pages under /agent.
func (h *Handler) routeAgents(r chi.Router) {
	r.Route("/agent", func(r chi.Router) {
		r.Use(noStore)
		r.Get("/login", h.loginPage)
		r.Post("/login", h.login)
		r.Group(func(r chi.Router) {
			r.Use(h.requireAgent)
			r.Get("/", h.consolePage)
			r.Post("/logout", h.logout)
			h.routeDesk(r)
			h.routeCanned(r)
			h.routeAdmin(r)
			h.routeEditors(r)
		})
	})
}

func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", pageCSP)
		next.ServeHTTP(w, r)
	})
}

// randomToken returns 32 random bytes in base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func equalTokens(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// secure tells whether the request came over HTTPS.
func (h *Handler) secure(r *http.Request) bool {
	return r.TLS != nil || h.cfg.TrustForwardedFor && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/agent", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure(r)})
}

// pageLang returns "en" when the query or the browser's first language
// asks for English, else "fr".
func pageLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		if l == "en" {
			return "en"
		}
		return "fr"
	}
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	first, _, _ = strings.Cut(strings.TrimSpace(first), ";")
	primary, _, _ := strings.Cut(first, "-")
	if strings.EqualFold(primary, "en") {
		return "en"
	}
	return "fr"
}

type agentText struct {
	Title, Login, Password, Submit, Failed, Limited, Refused, Hello, Logout string
}

var agentTexts = map[string]agentText{
	"fr": {Title: "Espace des conseillers", Login: "Identifiant", Password: "Mot de passe", Submit: "Se connecter",
		Failed: "Identifiant ou mot de passe incorrect.", Limited: "Trop de tentatives : réessayez dans une minute.",
		Refused: "Le formulaire a expiré : rechargez la page.", Hello: "Connecté en tant que", Logout: "Se déconnecter"},
	"en": {Title: "Agents' area", Login: "Login", Password: "Password", Submit: "Log in",
		Failed: "Wrong login or password.", Limited: "Too many attempts: try again in a minute.",
		Refused: "The form has expired: reload the page.", Hello: "Logged in as", Logout: "Log out"},
}

// loginPageHead opens the console's plain pages (login, administration):
// console.css, no script, the page's title from .T.Title.
const loginPageHead = `<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.Title}}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console.css">
</head>
<body class="login-page">
`

var agentTemplate = template.Must(template.New("agent").Parse(loginPageHead + `<main class="login">
<h1>{{.T.Title}}</h1>
{{if .Name}}<p>{{.T.Hello}} {{.Name}}</p>
<form method="post" action="/agent/logout">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit">{{.T.Logout}}</button>
</form>
{{else}}{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
<form method="post" action="/agent/login{{if eq .Lang "en"}}?lang=en{{end}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="login">{{.T.Login}}</label>
<input id="login" name="login" autocomplete="username" required maxlength="64">
<label for="password">{{.T.Password}}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">{{.T.Submit}}</button>
</form>
{{end}}
</main>
</body>
</html>
`))

type agentPage struct {
	Lang, Name, CSRF, Error string
	T                       agentText
}

func (h *Handler) renderAgent(w http.ResponseWriter, r *http.Request, status int, p agentPage) {
	p.Lang = pageLang(r)
	p.T = agentTexts[p.Lang]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := agentTemplate.Execute(w, p); err != nil {
		h.cfg.Logger.Error("web: agent page", "err", err)
	}
}

// loginPage serves the login form, with a CSRF token bound to the
// pre-session cookie supportd_csrf.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	h.renderLogin(w, r, http.StatusOK, "")
}

// renderLogin serves the login form with msg, setting the pre-session
// cookie when the request has none. The form never repeats the login
// typed, so that a failure looks the same whatever the login.
func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	token := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		token = c.Value
	} else {
		token = randomToken()
		h.setCookie(w, r, csrfCookie, token, 0)
	}
	h.renderAgent(w, r, status, agentPage{CSRF: token, Error: msg})
}

// login checks an agent's login and password and opens a session.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	t := agentTexts[pageLang(r)]
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || !equalTokens(r.PostForm.Get("csrf"), c.Value) {
		h.renderLogin(w, r, http.StatusForbidden, t.Refused)
		return
	}
	login := strings.ToLower(strings.TrimSpace(r.PostForm.Get("login")))
	password := r.PostForm.Get("password")
	if len(login) > 64 {
		login = login[:64]
	}
	if !h.agents.byIP.Allow(h.clientIP(r)) {
		w.Header().Set("Retry-After", "60")
		h.renderLogin(w, r, http.StatusTooManyRequests, t.Limited)
		return
	}
	// Fast attempts on one login, maybe from many addresses, are slowed
	// to one a second for that login rather than refused: the agent can
	// still log in with the right password, and guessing stays slow.
	if !h.agents.byLogin.Allow(login) {
		ctx, cancel := context.WithTimeout(r.Context(), slowLoginWait)
		err := h.agents.slowLogin.Wait(ctx, login)
		cancel()
		if err != nil {
			w.Header().Set("Retry-After", "10")
			h.renderLogin(w, r, http.StatusTooManyRequests, t.Limited)
			return
		}
	}
	var agent *store.Agent
	if store.ValidLogin(login) {
		agent, err = h.cfg.Agents.Agent(r.Context(), login)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			h.cfg.Logger.Error("web: agent login", "err", err)
			http.Error(w, "service unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	hash := h.agents.dummyHash()
	if agent != nil {
		hash = agent.PasswordHash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || agent == nil || agent.Disabled {
		h.cfg.Logger.Info("web: agent login failed", "login", login, "ip", h.clientIP(r))
		h.renderLogin(w, r, http.StatusUnauthorized, t.Failed)
		return
	}
	s := &store.AgentSession{ID: randomToken(), Login: agent.Login, CSRF: randomToken(), ExpiresAt: time.Now().Add(sessionDuration)}
	if err := h.cfg.Agents.CreateSession(r.Context(), s); err != nil {
		h.cfg.Logger.Error("web: agent session", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	h.cfg.Logger.Info("web: agent logged in", "login", agent.Login, "ip", h.clientIP(r))
	h.setCookie(w, r, sessionCookie, s.ID, int(sessionDuration/time.Second))
	h.setCookie(w, r, csrfCookie, "", -1)
	http.Redirect(w, r, "/agent", http.StatusSeeOther)
}

type sessionKey struct{}

// sessionFrom returns the agent's session that requireAgent loaded.
func sessionFrom(ctx context.Context) *store.AgentSession {
	s, _ := ctx.Value(sessionKey{}).(*store.AgentSession)
	return s
}

// requireAgent lets through only the requests of a logged-in agent, and
// the changes (any method but GET and HEAD) only with the session's CSRF
// token, in the header X-CSRF-Token or the form field csrf. Without a
// valid session, a GET is sent to the login page and anything else gets
// 401; a missing or wrong CSRF token gets 403.
func (h *Handler) requireAgent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read := r.Method == http.MethodGet || r.Method == http.MethodHead
		var s *store.AgentSession
		c, err := r.Cookie(sessionCookie)
		if err == nil && c.Value != "" {
			s, err = h.cfg.Agents.Session(r.Context(), store.SessionHash(c.Value))
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				h.cfg.Logger.Error("web: agent session", "err", err)
				http.Error(w, "service unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		// A disabled agent's sessions are over.
		if s != nil {
			a, err := h.cfg.Agents.Agent(r.Context(), s.Login)
			switch {
			case errors.Is(err, store.ErrNotFound):
				s = nil
			case err != nil:
				h.cfg.Logger.Error("web: the session's agent", "err", err)
				http.Error(w, "service unavailable", http.StatusServiceUnavailable)
				return
			case a.Disabled:
				s = nil
			}
		}
		if s == nil {
			// The console's socket and API are not pages: no redirect.
			api := strings.HasPrefix(r.URL.Path, "/agent/api/") || r.URL.Path == "/agent/ws"
			if read && !api {
				http.Redirect(w, r, "/agent/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "not logged in", http.StatusUnauthorized)
			return
		}
		if !read {
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
				token = r.PostFormValue("csrf")
			}
			if !equalTokens(token, s.CSRF) {
				http.Error(w, "missing or wrong CSRF token", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	})
}

// sessionAgent returns the agent of the session requireAgent loaded; when
// the store fails it answers 503 and reports false.
func (h *Handler) sessionAgent(w http.ResponseWriter, r *http.Request) (*store.Agent, bool) {
	a, err := h.cfg.Agents.Agent(r.Context(), sessionFrom(r.Context()).Login)
	if err != nil {
		h.cfg.Logger.Error("web: the session's agent", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return nil, false
	}
	return a, true
}

// logout ends the agent's session, in the store and in the browser.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r.Context())
	if err := h.cfg.Agents.DeleteSession(r.Context(), s.IDHash); err != nil {
		h.cfg.Logger.Error("web: agent logout", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	h.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/agent/login", http.StatusSeeOther)
}
