// Package web serves supportd over HTTP: the widget script and the demo
// shop page, the help pages of the FAQ articles, the health checks, and the
// customers' websocket, whose origin it checks before handing it to chat.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/supportd/supportd/chat"
	"github.com/supportd/supportd/internal/ratelimit"
	"github.com/supportd/supportd/kb"
	"github.com/supportd/supportd/report"
	"github.com/supportd/supportd/store"
)

//go:embed static
var staticFiles embed.FS

// ChatServer runs customers' websocket connections. *chat.Service
// implements it.
type ChatServer interface {
	ServeConn(ctx context.Context, ws *websocket.Conn) error
}

var _ ChatServer = (*chat.Service)(nil)

// Articles gives the published articles of the knowledge base. *kb.Base
// implements it.
type Articles interface {
	Article(id string) *kb.Article
	// Articles returns the published articles, by category then title.
	Articles() []*kb.Article
}

// Config configures the handler. A zero field takes the default given.
type Config struct {
	Chat     ChatServer
	Articles Articles
	// Ready reports whether the server can serve customers (store
	// reachable, knowledge base loaded); /readyz answers 503 while it
	// fails. Default: always ready.
	Ready func(ctx context.Context) error
	// AllowedOrigins lists the origins ("https://shop.example") whose
	// pages may open the websocket, besides the pages served by supportd
	// itself (same host).
	AllowedOrigins []string
	// ConnectionsPerMinute limits the websockets one IP address may open
	// a minute. Default 20; negative means no limit.
	ConnectionsPerMinute int
	// TrustForwardedFor takes the client's address from X-Forwarded-For,
	// for a server behind a reverse proxy.
	TrustForwardedFor bool
	// Logger; default slog.Default().
	Logger *slog.Logger
	// DemoCustomers are the customers one can log in as on the demo shop
	// page, which then plays the shop's part: it signs a customer token
	// with DemoToken and hands it to the widget. Only for demo data: with
	// a shop's real customers, leave it empty.
	DemoCustomers []DemoCustomer
	DemoToken     func(customerID string) (string, error)
	// Agents keeps the agents and their sessions, for the agents' pages
	// under /agent (agent.go); without it, /agent answers 404.
	Agents AgentStore
	// Desk runs the agent console's socket and ticket API under /agent;
	// may be nil.
	Desk AgentDesk
	// Canned keeps the agents' shared replies; nil turns them off.
	Canned store.CannedReplies
	// Reports, when set, gives the editors and admins their page
	// (/agent/editors, editors.go).
	Reports report.Source
}

// DemoCustomer is a customer of the demo data.
type DemoCustomer struct {
	ID   string
	Name string
}

// Handler is supportd's HTTP handler.
type Handler struct {
	cfg      Config
	router   chi.Router
	upgrader websocket.Upgrader
	origins  map[string]bool
	limits   *ratelimit.Keyed
	agents   *agentPages
	ctx      context.Context
	cancel   context.CancelFunc
}

// NewHandler returns the handler, or an error for a bad configuration.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Chat == nil || cfg.Articles == nil {
		return nil, errors.New("web: Chat and Articles are required")
	}
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	if cfg.ConnectionsPerMinute == 0 {
		cfg.ConnectionsPerMinute = 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, origins: map[string]bool{}}
	for _, o := range cfg.AllowedOrigins {
		u, err := url.Parse(strings.TrimSpace(o))
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, errors.New("web: allowed origin " + o + " is not scheme://host[:port]")
		}
		h.origins[strings.ToLower(u.Scheme+"://"+u.Host)] = true
	}
	if cfg.ConnectionsPerMinute > 0 {
		h.limits = ratelimit.NewKeyed(rate.Limit(float64(cfg.ConnectionsPerMinute)/60), cfg.ConnectionsPerMinute)
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.upgrader = websocket.Upgrader{
		ReadBufferSize:    1024,
		WriteBufferSize:   1024,
		WriteBufferPool:   &sync.Pool{},
		HandshakeTimeout:  10 * time.Second,
		CheckOrigin:       h.checkOrigin,
		EnableCompression: false,
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	scripts, err := assembleScripts(static)
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Use(securityHeaders)
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	r.Get("/readyz", h.readyz)
	r.Get("/ws", h.websocket)
	r.Get("/help", h.helpIndex)
	r.Get("/help/*", h.article)
	if cfg.Agents != nil {
		h.agents = newAgentPages(PasswordCost)
		h.routeAgents(r)
	}
	fileServer := http.FileServerFS(static)
	r.With(middleware.Compress(5)).Get("/*", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/widget.js", "/widget.css":
			// The widget is loaded by shops' pages on other origins.
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Cache-Control", "public, max-age=300")
		case "/", "/index.html":
			h.shopPage(w, r)
			return
		case "/markdown.js":
			// A part of widget.js and console.js, not a script alone.
			http.NotFound(w, r)
			return
		}
		if script, ok := scripts[strings.TrimPrefix(r.URL.Path, "/")]; ok {
			http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(script))
			return
		}
		fileServer.ServeHTTP(w, r)
	})
	h.router = r
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

// Close ends the contexts given to websocket connections; the chat service
// closes the sockets themselves.
func (h *Handler) Close() { h.cancel() }

//go:embed shop.html
var shopHTML string

var shopTemplate = template.Must(template.New("shop").Parse(shopHTML))

// shopPage serves the demo shop page, logged in as the demo customer the
// query's "as" names, if any.
func (h *Handler) shopPage(w http.ResponseWriter, r *http.Request) {
	data := struct {
		DemoCustomers []DemoCustomer
		Customer      DemoCustomer
		Token         string
	}{}
	if h.cfg.DemoToken != nil {
		data.DemoCustomers = h.cfg.DemoCustomers
		as := r.URL.Query().Get("as")
		for _, c := range h.cfg.DemoCustomers {
			if as != "" && c.ID == as {
				token, err := h.cfg.DemoToken(c.ID)
				if err != nil {
					h.cfg.Logger.Error("web: demo token", "err", err)
					break
				}
				data.Customer, data.Token = c, token
			}
		}
	}
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page may hold a customer token: no shared cache keeps it.
	w.Header().Set("Cache-Control", "no-store")
	if err := shopTemplate.Execute(w, data); err != nil {
		h.cfg.Logger.Error("web: shop page", "err", err)
	}
}

// pageCSP lets supportd's own pages run only supportd's scripts and talk
// only to supportd.
const pageCSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := h.cfg.Ready(ctx); err != nil {
		h.cfg.Logger.Warn("web: not ready", "err", err)
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// checkOrigin accepts the server's own origin (its demo page) and the
// allowed origins. Browsers always send Origin on websocket requests; a
// request without one does not come from a page and is refused.
func (h *Handler) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host) || h.origins[strings.ToLower(u.Scheme+"://"+u.Host)]
}

func (h *Handler) websocket(w http.ResponseWriter, r *http.Request) {
	if !h.checkOrigin(r) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	ip := h.clientIP(r)
	if h.limits != nil && !h.limits.Allow(ip) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many connections from your address", http.StatusTooManyRequests)
		return
	}
	ws, err := h.upgrader.Upgrade(batchingHijacker{w}, r, nil)
	if err != nil {
		// The upgrader has answered the client.
		return
	}
	// The socket is served from a goroutine of its own, and this handler
	// returns: net/http then lets go of what it keeps for a request while
	// its handler runs (its 4 KiB read and write buffers, the request and
	// its headers, the handler's stack), 9 KiB a socket held.
	go h.cfg.Chat.ServeConn(chat.WithClientIP(h.ctx, ip), ws)
}

// clientIP returns the address a request comes from.
func (h *Handler) clientIP(r *http.Request) string {
	if h.cfg.TrustForwardedFor {
		if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
			first, _, _ := strings.Cut(fwd, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// helpCentreHead opens a public help-centre page with the shared style
// and the page's own CSS rules; the title comes from .Title.
func helpCentreHead(pageCSS string) string {
	return `<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:16px/1.55 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d2433}
` + pageCSS + `
</style>
</head>
<body>
`
}

var articlePage = template.Must(template.New("article").Parse(helpCentreHead(`a{color:#2d5bd7}.meta{color:#5b6475;font-size:.9rem}`) + `<main>
<p class="meta"><a href="/help">{{.Back}}</a> · {{.Category}}</p>
<h1>{{.Title}}</h1>
{{.Body}}
{{if .Updated}}<p class="meta">{{.UpdatedLabel}} {{.Updated}}</p>{{end}}
</main>
</body>
</html>
`))

// helpPage lists the articles by category: the help centre a shop can
// link to.
var helpPage = template.Must(template.New("help").Parse(helpCentreHead(`a{color:#2d5bd7}h2{margin-top:1.8rem;font-size:1.15rem}ul{padding-left:1.2rem}li{margin:.3rem 0}`) + `<main>
<h1>{{.Title}}</h1>
{{range .Topics}}<section>
<h2>{{.Name}}</h2>
<ul>{{range .Articles}}
<li><a href="{{.URL}}">{{.Title}}</a></li>{{end}}
</ul>
</section>
{{else}}<p>{{.Empty}}</p>
{{end}}</main>
</body>
</html>
`))

// helpIndex serves /help: the published articles of the visitor's
// language (from ?lang= or Accept-Language), or all when it has none, by
// category.
func (h *Handler) helpIndex(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	type link struct{ Title, URL string }
	type topic struct {
		Name     string
		Articles []link
	}
	var topics []topic
	other := map[string]string{"fr": "Autres questions", "en": "Other questions"}[lang]
	for _, c := range kb.Catalog(h.cfg.Articles.Articles(), lang, other) {
		t := topic{Name: c.Name}
		for _, a := range c.Articles {
			t.Articles = append(t.Articles, link{Title: a.Title, URL: "/help/" + url.PathEscape(a.ID)})
		}
		topics = append(topics, t)
	}
	title, empty := "Aide en ligne", "Aucun article pour l'instant."
	if lang == "en" {
		title, empty = "Help centre", "No article yet."
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
	helpPage.Execute(w, map[string]any{"Lang": lang, "Title": title, "Empty": empty, "Topics": topics})
}

// article serves the page of one published article.
func (h *Handler) article(w http.ResponseWriter, r *http.Request) {
	id, err := url.PathUnescape(chi.URLParam(r, "*"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	a := h.cfg.Articles.Article(id)
	if a == nil {
		http.NotFound(w, r)
		return
	}
	body, err := kb.RenderHTML(a.BodyWithLinks(func(id string) string { return "/help/" + url.PathEscape(id) }))
	if err != nil {
		http.Error(w, "cannot render this article", http.StatusInternalServerError)
		return
	}
	label, back := "Mis à jour le", "Toutes les questions"
	if a.Lang == "en" {
		label, back = "Updated", "All questions"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; base-uri 'none'; form-action 'none'")
	articlePage.Execute(w, map[string]any{
		"Lang": a.Lang, "Title": a.Title, "Category": a.Category, "Updated": a.Updated, "UpdatedLabel": label, "Back": back,
		// goldmark drops raw HTML and dangerous link schemes, so its
		// output is safe to include as it is.
		"Body": template.HTML(body),
	})
}
