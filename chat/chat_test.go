package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/kb"
	"github.com/supportd/supportd/store"
)

var faqFS = fstest.MapFS{
	"livraison/delais.md": {Data: []byte("---\nid: livraison-delais\ntitle: Quels sont les délais de livraison ?\ntags: [délai, livraison]\n---\nLes commandes partent sous 24 heures ouvrées.\n")},
	"paiement/cheque.md":  {Data: []byte("---\nid: paiement-cheque\ntitle: Puis-je payer par chèque ?\ntags: [chèque]\n---\nOui, envoyez votre chèque avec le bon de commande.\n")},
	"paiement/moyens.md":  {Data: []byte("---\nid: paiement-moyens\ntitle: Quels moyens de paiement acceptez-vous ?\ntags: [carte, paypal, chèque]\n---\nCarte, PayPal, virement et chèque.\n")},
}

// env is a chat service on a real embedded store behind a test HTTP
// server.
type env struct {
	svc   *Service
	store store.Store
	srv   *httptest.Server
	url   string
}

func newEnv(t *testing.T, tweak func(*Config)) *env {
	t.Helper()
	base, err := kb.Open(kb.Config{FS: faqFS, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { base.Close() })
	answerer, err := assistant.New(assistant.Config{Searcher: base})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "chat.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := Config{Store: st, Answerer: answerer, Logger: quiet()}
	if tweak != nil {
		tweak(&cfg)
	}
	svc, err := NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		svc.ServeConn(context.Background(), ws)
	}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		svc.Shutdown(ctx)
		srv.Close()
	})
	return &env{svc: svc, store: st, srv: srv, url: "ws" + strings.TrimPrefix(srv.URL, "http")}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// client is a test widget.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func (e *env) dial(t *testing.T) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(e.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &client{t: t, ws: ws}
}

func (c *client) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

// frame is any server frame, decoded loosely.
type frame struct {
	Type         string          `json:"type"`
	Conversation string          `json:"conversation"`
	Token        string          `json:"token"`
	State        string          `json:"state"`
	LastSeq      int64           `json:"last_seq"`
	ClientID     string          `json:"client_id"`
	Seq          int64           `json:"seq"`
	Author       string          `json:"author"`
	Text         string          `json:"text"`
	Route        string          `json:"route"`
	Articles     []ArticleRef    `json:"articles"`
	Actions      []ActionRef     `json:"actions"`
	Code         string          `json:"code"`
	Message      string          `json:"message"`
	On           bool            `json:"on"`
	Customer     *customerInfo   `json:"customer"`
	Raw          json.RawMessage `json:"-"`
}

// next returns the next frame that is not a typing indicator.
func (c *client) next() frame {
	c.t.Helper()
	for {
		c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			c.t.Fatalf("server sent %q: %v", data, err)
		}
		if f.Type != "typing" {
			f.Raw = data
			return f
		}
	}
}

func (c *client) expect(typ string) frame {
	c.t.Helper()
	f := c.next()
	if f.Type != typ {
		c.t.Fatalf("got %s frame %s, want %s", f.Type, f.Raw, typ)
	}
	return f
}

func (c *client) hello(conversation, token string, lastSeq int64) frame {
	c.t.Helper()
	c.send(map[string]any{"type": "hello", "v": 1, "locale": "fr", "conversation": conversation, "token": token, "last_seq": lastSeq})
	return c.expect("welcome")
}

// start opens a conversation with a first message and reads what it
// brings: the conversation, the ack, the message itself and the reply.
func (c *client) start(clientID, text string) frame {
	c.t.Helper()
	c.hello("", "", 0)
	c.say(clientID, text)
	conv := c.expect("conversation")
	c.expect("ack")
	c.expect("message")
	c.expect("message")
	return conv
}

func (c *client) say(clientID, text string) {
	c.t.Helper()
	c.send(map[string]any{"type": "message", "client_id": clientID, "text": text})
}

func TestConversation(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	if w := c.hello("", "", 0); w.Conversation != "" || w.State != "bot" {
		t.Fatalf("welcome %+v", w)
	}
	c.say("m_00000001", "Quels sont les délais de livraison ?")
	conv := c.expect("conversation")
	if !strings.HasPrefix(conv.Conversation, "c_") || !strings.HasPrefix(conv.Token, "r_") {
		t.Fatalf("conversation %+v", conv)
	}
	if ack := c.expect("ack"); ack.ClientID != "m_00000001" || ack.Seq != 1 {
		t.Fatalf("ack %+v", ack)
	}
	own := c.expect("message")
	if own.Seq != 1 || own.Author != "customer" || own.ClientID != "m_00000001" {
		t.Fatalf("own message %+v", own)
	}
	bot := c.expect("message")
	if bot.Seq != 2 || bot.Author != "bot" || bot.Route != "faq" || len(bot.Articles) == 0 || bot.Articles[0].ID != "livraison-delais" {
		t.Fatalf("bot %s", bot.Raw)
	}
	if bot.Articles[0].URL != "/help/livraison-delais" || !strings.Contains(bot.Text, "24 heures") {
		t.Errorf("bot %s", bot.Raw)
	}
	var actions []string
	for _, a := range bot.Actions {
		actions = append(actions, a.ID)
	}
	if strings.Join(actions, " ") != "helpful:yes helpful:no handoff" {
		t.Errorf("actions %v", actions)
	}

	// Was this helpful? The vote is stored for the answered article.
	c.send(map[string]any{"type": "action", "client_id": "a_00000001", "action": "helpful:yes", "seq": 2})
	if ack := c.expect("ack"); ack.ClientID != "a_00000001" {
		t.Fatalf("vote ack %+v", ack)
	}
	fb, err := e.store.FeedbackByArticle(t.Context())
	if err != nil || len(fb) != 1 || fb[0].ArticleID != "livraison-delais" || fb[0].Helpful != 1 {
		t.Errorf("feedback %+v %v", fb, err)
	}
	// A vote on a message that answered nothing is refused.
	c.send(map[string]any{"type": "action", "client_id": "a_00000002", "action": "helpful:no", "seq": 1})
	if f := c.expect("error"); f.Code != CodeInvalid || f.ClientID != "a_00000002" {
		t.Errorf("vote on a customer message: %+v", f)
	}
}

// TestRetry sends one message three times, as a widget does when its
// connection drops before the ack: it is stored and answered once.
func TestRetry(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	conv := c.start("m_retry0001", "Puis-je payer par chèque ?")
	for range 2 {
		c.say("m_retry0001", "Puis-je payer par chèque ?")
		if ack := c.expect("ack"); ack.Seq != 1 {
			t.Fatalf("retry acked with seq %d", ack.Seq)
		}
	}
	msgs, err := e.store.Messages(t.Context(), conv.Conversation, 0, 100)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%d messages stored, want 2 (%v)", len(msgs), err)
	}
}

// TestAnswerAfterCrash: the server stored the customer's message and died
// before answering; the widget's retry gets the answer.
func TestAnswerAfterCrash(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	conv := c.start("m_crash0001", "bonjour")
	// What a crash would leave: a customer message without a reply.
	if _, _, err := e.store.AppendMessage(t.Context(), &store.Message{ConversationID: conv.Conversation, ClientID: "m_crash0002", Author: "customer", Text: "Puis-je payer par chèque ?"}); err != nil {
		t.Fatal(err)
	}
	c2 := e.dial(t)
	c2.hello(conv.Conversation, conv.Token, 2)
	c2.expect("message") // seq 3, the stored question
	c2.say("m_crash0002", "Puis-je payer par chèque ?")
	if ack := c2.expect("ack"); ack.Seq != 3 {
		t.Fatalf("ack %+v", ack)
	}
	if bot := c2.expect("message"); bot.Author != "bot" || bot.Seq != 4 {
		t.Fatalf("reply %s", bot.Raw)
	}
}

func TestResume(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	conv := c.start("m_resume001", "bonjour")
	c.ws.Close()

	// Every message after last_seq, once, in order.
	total := int64(2)
	for i, last := range []int64{0, 1, 2} {
		c2 := e.dial(t)
		w := c2.hello(conv.Conversation, conv.Token, last)
		if w.Conversation != conv.Conversation || w.LastSeq != total {
			t.Fatalf("welcome %s, want last_seq %d", w.Raw, total)
		}
		for seq := last + 1; seq <= total; seq++ {
			if m := c2.expect("message"); m.Seq != seq {
				t.Fatalf("after %d: got seq %d, want %d", last, m.Seq, seq)
			}
		}
		// Nothing else is pending: the next frame answers a new message.
		c2.say(fmt.Sprintf("m_again%03d", i), "merci")
		if f := c2.expect("ack"); f.Seq != total+1 {
			t.Fatalf("after %d: %s", last, f.Raw)
		}
		c2.expect("message")
		c2.expect("message")
		total += 2
		c2.ws.Close()
	}

	// A wrong token gets a fresh start, never the conversation.
	c3 := e.dial(t)
	c3.send(map[string]any{"type": "hello", "v": 1, "conversation": conv.Conversation, "token": "r_forged", "last_seq": 0})
	if f := c3.expect("error"); f.Code != CodeConversationNotFound {
		t.Fatalf("forged token: %s", f.Raw)
	}
	if w := c3.expect("welcome"); w.Conversation != "" || w.LastSeq != 0 {
		t.Fatalf("forged token welcome: %s", w.Raw)
	}
}

// TestTabs: two sockets on one conversation both receive each message.
func TestTabs(t *testing.T) {
	e := newEnv(t, nil)
	a := e.dial(t)
	conv := a.start("m_tabs00001", "bonjour")
	b := e.dial(t)
	b.hello(conv.Conversation, conv.Token, 2)
	a.say("m_tabs00002", "Puis-je payer par chèque ?")
	for _, c := range []*client{a, b} {
		got := []int64{}
		for len(got) < 2 {
			f := c.next()
			if f.Type == "message" {
				got = append(got, f.Seq)
			}
		}
		if got[0] != 3 || got[1] != 4 {
			t.Errorf("seqs %v", got)
		}
	}
}

func TestBadFrames(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	c.say("m_early0001", "avant hello")
	if f := c.expect("error"); f.Code != CodeHelloRequired {
		t.Fatalf("%s", f.Raw)
	}
	c.hello("", "", 0)
	for _, bad := range []string{`nope`, `{"type":"message","client_id":"m_bad00001","text":""}`, `{"type":"unknown"}`, `{"type":"message","client_id":"x","text":"hi"}`} {
		c.ws.WriteMessage(websocket.TextMessage, []byte(bad))
		if f := c.expect("error"); f.Code == "" || f.Message == "" {
			t.Errorf("%s: %s", bad, f.Raw)
		}
	}
	c.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
	if f := c.expect("error"); f.Code != CodeBadFrame {
		t.Errorf("binary: %s", f.Raw)
	}
	// The connection survived: a good message still works.
	c.say("m_good00001", "bonjour")
	c.expect("conversation")
	c.expect("ack")

	// A frame over the limit closes the connection with 1009.
	c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"message","client_id":"m_big000001","text":"`+strings.Repeat("a", MaxFrameSize)+`"}`))
	for {
		c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := c.ws.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Errorf("oversized frame: %v", err)
			}
			break
		}
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.FrameRate, c.FrameBurst, c.MaxStrikes = 0.001, 3, 5 })
	c := e.dial(t)
	c.hello("", "", 0)
	for range 2 {
		c.send(map[string]any{"type": "typing", "on": true})
	}
	codes := 0
	for range 5 {
		c.send(map[string]any{"type": "typing", "on": true})
	}
	for {
		c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
				t.Errorf("close: %v", err)
			}
			break
		}
		if strings.Contains(string(data), CodeRateLimited) {
			codes++
		}
	}
	if codes != 5 {
		t.Errorf("%d rate_limited errors, want 5", codes)
	}
}

// TestShutdown closes every socket with "going away" and leaves no
// goroutine behind.
func TestShutdown(t *testing.T) {
	e := newEnv(t, nil)
	before := runtime.NumGoroutine()
	var clients []*client
	for range 5 {
		c := e.dial(t)
		c.hello("", "", 0)
		clients = append(clients, c)
	}
	if e.svc.Connections() != 5 {
		t.Fatalf("connections %d", e.svc.Connections())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.svc.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Shutdown(ctx); err != nil {
		t.Fatal("second Shutdown:", err)
	}
	for _, c := range clients {
		c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _, err := c.ws.ReadMessage()
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("client got %v, want going away", err)
		}
		c.ws.Close()
	}
	if e.svc.Connections() != 0 {
		t.Errorf("connections after shutdown: %d", e.svc.Connections())
	}
	// Goroutines end asynchronously; wait for them to settle.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		n := runtime.NumGoroutine()
		if n <= before {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
	}
}

// heldAnswerer answers as its Answerer does once release is closed.
type heldAnswerer struct {
	Answerer
	release chan struct{}
}

func (h heldAnswerer) Answer(ctx context.Context, m assistant.Message) (assistant.Reply, error) {
	<-h.release
	return h.Answerer.Answer(ctx, m)
}

// rawFrames reads frames, typing indicators included, until one of type
// until; it returns the types read, in order.
func (c *client) rawFrames(until string) []string {
	c.t.Helper()
	var types []string
	for {
		c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.t.Fatalf("read after %v: %v", types, err)
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			c.t.Fatalf("server sent %q: %v", data, err)
		}
		name := f.Type
		if f.Type == "typing" {
			name = fmt.Sprintf("typing %s %v", f.Author, f.On)
		}
		types = append(types, name)
		if name == until {
			return types
		}
	}
}

// TestBotTyping: an answer that takes longer than the typing delay shows
// the assistant typing, then not; an answer that comes sooner shows no
// indicator at all.
func TestBotTyping(t *testing.T) {
	t.Run("slow", func(t *testing.T) {
		release := make(chan struct{})
		e := newEnv(t, func(c *Config) {
			c.Answerer = heldAnswerer{Answerer: c.Answerer, release: release}
			c.TypingDelay = time.Millisecond
		})
		c := e.dial(t)
		c.hello("", "", 0)
		c.say("m_00000001", "Quels sont les délais de livraison ?")
		// The answer waits until the customer has seen the assistant typing.
		if got := c.rawFrames("typing bot true"); got[len(got)-1] != "typing bot true" {
			t.Fatalf("frames %v", got)
		}
		close(release)
		got := c.rawFrames("typing bot false")
		if want := "ack message message typing bot false"; strings.Join(got, " ") != want {
			t.Errorf("frames after the answer %v, want %s", got, want)
		}
	})
	t.Run("drafted", func(t *testing.T) {
		// An answer shown as it is written: the indicator comes with its
		// first draft, however soon, and its end closes the drafts.
		e := newEnv(t, func(c *Config) {
			c.Answerer = writingAnswerer{Service: c.Answerer.(*assistant.Service), pieces: []string{"Sous ", "48 h."}}
			c.TypingDelay = time.Hour
		})
		c := e.dial(t)
		c.send(map[string]any{"type": "hello", "v": 2, "locale": "fr"})
		c.expect("welcome")
		c.say("m_00000001", "et la livraison ?")
		got := strings.Join(c.rawFrames("typing bot false"), " ")
		if !strings.HasPrefix(got, "conversation typing bot true draft") || !strings.HasSuffix(got, "ack message message typing bot false") {
			t.Errorf("frames %s", got)
		}
	})
	t.Run("instant", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.TypingDelay = time.Hour })
		c := e.dial(t)
		c.hello("", "", 0)
		c.say("m_00000001", "Quels sont les délais de livraison ?")
		c.rawFrames("conversation")
		c.rawFrames("ack")
		c.rawFrames("message")
		if got := c.rawFrames("message"); len(got) != 1 {
			t.Fatalf("frames before the answer %v", got)
		}
		// A frame sent after the answer comes next, with no indicator before it.
		c.send(map[string]any{"type": "typing", "on": true})
		c.send(map[string]any{"type": "message", "client_id": "m_00000002", "text": "Et le retour ?"})
		if got := c.rawFrames("ack"); len(got) != 1 {
			t.Errorf("frames after the answer %v, want the next ack alone", got)
		}
	})
}

// TestIdleSocketHasNoWriter: a socket with nothing to write has no writer
// goroutine, only its reader; a frame to send starts one, which stops
// once it is written.
func TestIdleSocketHasNoWriter(t *testing.T) {
	e := newEnv(t, nil)
	writers := func() int {
		buf := make([]byte, 1<<20)
		return strings.Count(string(buf[:runtime.Stack(buf, true)]), "chat.(*conn).write(")
	}
	settled := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); writers() != want; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d writer goroutines, want %d", writers(), want)
			}
		}
	}
	// A first socket starts what the service starts once.
	first := e.dial(t)
	first.hello("", "", 0)
	settled(0)
	before := runtime.NumGoroutine()
	const sockets = 20
	for range sockets {
		e.dial(t).hello("", "", 0)
	}
	settled(0)
	// One goroutine a socket, its reader, and a few to spare for the
	// runtime's and the test's own.
	if grown := runtime.NumGoroutine() - before; grown > sockets+sockets/4 {
		t.Errorf("%d goroutines more for %d idle sockets", grown, sockets)
	}
	c := first
	c.say("m_00000001", "Quels sont les délais de livraison ?")
	c.expect("conversation")
	c.expect("ack")
	c.expect("message")
	c.expect("message")
	settled(0)
	if e.svc.Connections() != sockets+1 {
		t.Fatalf("connections %d", e.svc.Connections())
	}
}

// TestPing: the server's ping reaches the widget, and the next one is set.
func TestPing(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	c.hello("", "", 0)
	pinged := make(chan struct{}, 1)
	c.ws.SetPingHandler(func(string) error {
		pinged <- struct{}{}
		return nil
	})
	go func() {
		for {
			if _, _, err := c.ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	var server *conn
	e.svc.conns.Range(func(k, _ any) bool {
		server = k.(*conn)
		return false
	})
	server.sendPing()
	select {
	case <-pinged:
	case <-time.After(10 * time.Second):
		t.Fatal("no ping")
	}
	server.mu.Lock()
	pending := server.ping.Stop()
	server.mu.Unlock()
	if !pending {
		t.Error("no next ping was set")
	}
}
