package web

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/gorilla/websocket"

	"github.com/supportd/supportd/kb"
)

// fakeChat accepts sockets and closes them.
type fakeChat struct{ served atomic.Int64 }

func (f *fakeChat) ServeConn(ctx context.Context, ws *websocket.Conn) error {
	f.served.Add(1)
	ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"welcome"}`))
	return ws.Close()
}

type fakeArticles map[string]*kb.Article

func (f fakeArticles) Article(id string) *kb.Article { return f[id] }

func (f fakeArticles) Articles() []*kb.Article {
	var out []*kb.Article
	for _, a := range f {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Category+out[i].Title < out[j].Category+out[j].Title })
	return out
}

func newTestServer(t *testing.T, cfg Config) (*httptest.Server, *fakeChat) {
	t.Helper()
	fc := &fakeChat{}
	if cfg.Chat == nil {
		cfg.Chat = fc
	}
	if cfg.Articles == nil {
		a, _ := kb.ParseArticle("x.md", []byte("---\nid: x\ntitle: Titre <script>alert(1)</script>\ncategory: Aide\n---\nTexte **gras** <img src=x onerror=alert(1)> et [lien](javascript:alert(1)).\n"))
		cfg.Articles = fakeArticles{"x": a}
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return srv, fc
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func dialWS(srv *httptest.Server, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", h)
}

func TestOrigins(t *testing.T) {
	srv, fc := newTestServer(t, Config{})
	// Same origin: the demo page served by supportd itself.
	ws, _, err := dialWS(srv, srv.URL)
	if err != nil {
		t.Fatalf("own origin refused: %v", err)
	}
	// The welcome shows the socket was served (the count below is made
	// by the server's goroutine, after the handshake the dial waits for).
	if _, _, err := ws.ReadMessage(); err != nil {
		t.Fatalf("no welcome on the own origin's socket: %v", err)
	}
	ws.Close()
	for _, origin := range []string{"https://evil.example", "", "null"} {
		_, resp, err := dialWS(srv, origin)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: want 403, got %v %v", origin, resp, err)
		}
	}
	if n := fc.served.Load(); n != 1 {
		t.Errorf("served %d sockets, want 1", n)
	}

	srv2, _ := newTestServer(t, Config{AllowedOrigins: []string{"https://shop.example"}})
	if ws, _, err := dialWS(srv2, "https://shop.example"); err != nil {
		t.Errorf("allowed origin refused: %v", err)
	} else {
		ws.Close()
	}
	if _, resp, _ := dialWS(srv2, "https://shop.example.evil.example"); resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("look-alike origin accepted")
	}
	if ws, _, err := dialWS(srv2, srv2.URL); err != nil {
		t.Errorf("with an explicit list, supportd's own pages are refused: %v", err)
	} else {
		ws.Close()
	}

	if _, err := NewHandler(Config{Chat: fc, Articles: fakeArticles{}, AllowedOrigins: []string{"shop.example"}}); err == nil {
		t.Error("an origin without a scheme is accepted")
	}
}

func TestConnectionRate(t *testing.T) {
	srv, _ := newTestServer(t, Config{ConnectionsPerMinute: 3})
	ok, refused := 0, 0
	for range 5 {
		ws, resp, err := dialWS(srv, srv.URL)
		switch {
		case err == nil:
			ok++
			ws.Close()
		case resp != nil && resp.StatusCode == http.StatusTooManyRequests:
			refused++
		default:
			t.Fatal(err)
		}
	}
	if ok != 3 || refused != 2 {
		t.Errorf("%d accepted, %d refused; want 3 and 2", ok, refused)
	}
}

func TestHealth(t *testing.T) {
	ready := errors.New("store down")
	srv, _ := newTestServer(t, Config{Ready: func(context.Context) error { return ready }})
	if resp, _ := get(t, srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	if resp, _ := get(t, srv.URL+"/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz while the store is down: %d", resp.StatusCode)
	}
	ready = nil
	if resp, _ := get(t, srv.URL+"/readyz"); resp.StatusCode != 200 {
		t.Errorf("readyz %d", resp.StatusCode)
	}
}

// TestArticlePageEscapes: an article page shows the editor's text, never
// their HTML or script links.
func TestArticlePageEscapes(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	resp, body := get(t, srv.URL+"/help/x")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, bad := range []string{"<script>", "<img", "javascript:"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q:\n%s", bad, body)
		}
	}
	if !strings.Contains(body, "<strong>gras</strong>") || !strings.Contains(body, "Titre &lt;script&gt;") {
		t.Errorf("page:\n%s", body)
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("no CSP")
	}
	if resp, _ := get(t, srv.URL+"/help/absent"); resp.StatusCode != 404 {
		t.Errorf("absent article: %d", resp.StatusCode)
	}
}

func TestStatic(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	resp, body := get(t, srv.URL+"/widget.js")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Errorf("widget.js: %d %v", resp.StatusCode, resp.Header)
	}
	if len(body) < 1000 {
		t.Errorf("widget.js is %d bytes", len(body))
	}
	resp, body = get(t, srv.URL+"/")
	if resp.StatusCode != 200 || !strings.Contains(body, `src="/widget.js"`) || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("demo page: %d %q", resp.StatusCode, body)
	}
}

// TestSharedMarkdown: the widget and the console are served with the one
// safe markdown renderer in them, in place of the line that names it, and
// the renderer's file is not served alone.
func TestSharedMarkdown(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	shared, err := fs.ReadFile(staticFiles, "static/markdown.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/widget.js", "/console.js"} {
		resp, body := get(t, srv.URL+path)
		if resp.StatusCode != 200 || strings.Count(body, string(shared)) != 1 || strings.Contains(body, "supportd:markdown") {
			t.Errorf("%s: %d, without the renderer or with its marker", path, resp.StatusCode)
		}
		if strings.Count(body, "const safeMarkdown") != 1 || strings.Count(body, "safeMarkdown({") != 1 {
			t.Errorf("%s does not define and use the renderer once", path)
		}
		if strings.Contains(body, "const inline = (s, parent)") && strings.Count(body, "const inline = (s, parent)") != 1 {
			t.Errorf("%s still has a renderer of its own", path)
		}
	}
	if resp, _ := get(t, srv.URL+"/markdown.js"); resp.StatusCode != 404 {
		t.Errorf("/markdown.js: %d, want 404", resp.StatusCode)
	}
	// A script that does not name the renderer, or names it twice, is
	// refused when the server starts.
	for _, src := range []string{"(() => {})();\n", "  /* supportd:markdown */\n  /* supportd:markdown */\n"} {
		bad := fstest.MapFS{"markdown.js": {Data: shared}, "widget.js": {Data: []byte(src)}, "console.js": {Data: []byte(sharedMarkdown)}}
		if _, err := assembleScripts(bad); err == nil {
			t.Errorf("widget.js %q was assembled", src)
		}
	}
}

// TestDemoLogin: the demo page signs a token only for a demo customer,
// escapes what it shows, and offers nothing when demo logins are off.
func TestDemoLogin(t *testing.T) {
	signed := []string{}
	srv, _ := newTestServer(t, Config{
		DemoCustomers: []DemoCustomer{{ID: "cust-1", Name: `Zoé <script>alert(1)</script>`}},
		DemoToken: func(id string) (string, error) {
			signed = append(signed, id)
			return `tok"en-` + id, nil
		},
	})
	resp, body := get(t, srv.URL+"/?as=cust-1")
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("a page with a token may be cached: %q", resp.Header.Get("Cache-Control"))
	}
	if !strings.Contains(body, `data-customer-token="tok&#34;en-cust-1"`) {
		t.Errorf("token not handed to the widget, or not escaped:\n%s", body)
	}
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("the customer's name is not escaped")
	}
	_, body = get(t, srv.URL+"/?as=cust-2")
	if strings.Contains(body, "data-customer-token") {
		t.Error("a token for a customer who is not a demo customer")
	}
	if len(signed) != 1 {
		t.Errorf("signed %v", signed)
	}
	off, _ := newTestServer(t, Config{DemoCustomers: []DemoCustomer{{ID: "cust-1", Name: "Zoé"}}})
	_, body = get(t, off.URL+"/?as=cust-1")
	if strings.Contains(body, "data-customer-token") || strings.Contains(body, "Compte démo") {
		t.Error("demo logins offered without a signer")
	}
}

// TestHelpIndex: /help lists the articles by category, in the visitor's
// language, titles escaped, each linking to its page, ids with a slash
// included.
func TestHelpIndex(t *testing.T) {
	parse := func(name, data string) *kb.Article {
		a, _ := kb.ParseArticle(name, []byte(data))
		return a
	}
	srv, _ := newTestServer(t, Config{Articles: fakeArticles{
		"livraison/delais": parse("livraison/delais.md", "---\ntitle: Délais <b>de</b> livraison\ncategory: Livraison\n---\nSous 48 h.\n"),
		"retour":           parse("retour.md", "---\nid: retour\ntitle: Retourner un article\ncategory: Retours\n---\n14 jours.\n"),
		"refund-en":        parse("refund.md", "---\nid: refund-en\ntitle: When will I get my refund?\ncategory: Payment\nlang: en\n---\nSoon.\n"),
	}})
	resp, body := get(t, srv.URL+"/help?lang=fr")
	if resp.StatusCode != 200 {
		t.Fatalf("/help: %s", resp.Status)
	}
	for _, want := range []string{"<h2>Livraison</h2>", "<h2>Retours</h2>", `href="/help/livraison%2Fdelais"`, "Délais &lt;b&gt;de&lt;/b&gt; livraison", `href="/help/retour"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/help lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "refund") {
		t.Errorf("the French help lists the English article:\n%s", body)
	}
	if _, en := get(t, srv.URL+"/help?lang=en"); !strings.Contains(en, "When will I get my refund?") || strings.Contains(en, "Retourner") {
		t.Errorf("/help?lang=en:\n%s", en)
	}
	if resp, page := get(t, srv.URL+"/help/livraison%2Fdelais"); resp.StatusCode != 200 || !strings.Contains(page, "Sous 48 h.") || !strings.Contains(page, `href="/help"`) {
		t.Errorf("the article of an id with a slash: %s\n%s", resp.Status, page)
	}
}
