package chat

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/identity"
	"github.com/supportd/supportd/kb"
	"github.com/supportd/supportd/orders"
)

var shopSecret = []byte("a-test-secret-shared-with-the-shop-0123456789")

// shopEnv is a chat whose assistant answers from the demo shop's orders,
// and which verifies customer tokens signed with shopSecret.
func shopEnv(t *testing.T, tweak func(*Config)) (*env, *orders.Fixture, *identity.Verifier) {
	t.Helper()
	data, err := os.ReadFile("../cmd/supportd/demo/orders.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fix, err := orders.ParseFixture(data)
	if err != nil {
		t.Fatal(err)
	}
	v, err := identity.NewVerifier(shopSecret)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(cfg *Config) {
		a, err := assistant.New(assistant.Config{Searcher: emptySearcher{}, Orders: fix, Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Answerer = a
		cfg.Customers = v
		cfg.Orders = fix
		if tweak != nil {
			tweak(cfg)
		}
	})
	return e, fix, v
}

// emptySearcher is a knowledge base without articles.
type emptySearcher struct{}

func (emptySearcher) Search(context.Context, string, int) ([]kb.Hit, error) { return nil, nil }

func (emptySearcher) Article(string) *kb.Article { return nil }

func (emptySearcher) Articles() []*kb.Article { return nil }

func token(t *testing.T, v *identity.Verifier, id string, ttl time.Duration) string {
	t.Helper()
	tok, err := v.Sign(identity.Customer{ID: id, Name: "Client " + id, Expires: time.Now().Add(ttl)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (c *client) helloAs(customerToken, conversation, resume string) frame {
	c.t.Helper()
	c.send(map[string]any{"type": "hello", "v": 1, "locale": "fr", "customer_token": customerToken, "conversation": conversation, "token": resume})
	return c.next()
}

// ask sends a message in a started conversation and returns the bot's
// reply.
func (c *client) ask(clientID, text string) frame {
	c.t.Helper()
	c.say(clientID, text)
	for {
		f := c.next()
		if f.Type == "message" && f.Author == "bot" {
			return f
		}
		if f.Type == "error" {
			c.t.Fatalf("error %s", f.Raw)
		}
	}
}

func ordersOf(f *orders.Fixture, customerID string) []orders.Order {
	var out []orders.Order
	for _, o := range f.AllOrders() {
		if o.CustomerID == customerID {
			out = append(out, o)
		}
	}
	return out
}

func TestVerifiedCustomerGetsTheirOrders(t *testing.T) {
	e, fix, v := shopEnv(t, nil)
	c := e.dial(t)
	w := c.helloAs(token(t, v, "cust-1001", time.Hour), "", "")
	if w.Type != "welcome" || w.Customer == nil || w.Customer.Name != "Client cust-1001" {
		t.Fatalf("welcome %s", w.Raw)
	}
	// "Get help with an order" opens the conversation with the list.
	c.send(map[string]any{"type": "action", "client_id": "a_00000001", "action": "orders"})
	conv := c.expect("conversation")
	var menu frame
	for menu.Author != "bot" {
		menu = c.next()
	}
	own := ordersOf(fix, "cust-1001")
	for _, o := range own {
		if !strings.Contains(string(menu.Raw), "order:"+o.Number) {
			t.Errorf("the list lacks %s: %s", o.Number, menu.Raw)
		}
	}
	// Picking one answers from its data; a follow-up is about it.
	pick := own[0]
	c.send(map[string]any{"type": "action", "client_id": "a_00000002", "action": "order:" + pick.Number, "seq": menu.Seq})
	var r frame
	for r.Author != "bot" {
		r = c.next()
	}
	if r.Route != "order" || !strings.Contains(r.Text, pick.Number) {
		t.Fatalf("picked: %s", r.Raw)
	}
	if r = c.ask("m_00000003", "puis-je l'annuler ?"); !strings.Contains(r.Text, pick.Number) || !strings.Contains(r.Text, "annul") {
		t.Errorf("follow-up: %s", r.Raw)
	}
	stored, err := e.store.Conversation(t.Context(), conv.Conversation)
	if err != nil || stored.CustomerID != "cust-1001" {
		t.Errorf("conversation stored %+v, %v", stored, err)
	}
}

// rawToken builds a token by hand, as an attacker would.
func rawToken(header, payload map[string]any, key []byte) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	unsigned := enc(header) + "." + enc(payload)
	if key == nil {
		return unsigned + "."
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// TestCustomersCannotReadEachOther is the chat's attack suite: customer
// cust-1002 (and anonymous visitors) try to read cust-1001's orders and
// account with every token and message the protocol lets them send.
func TestCustomersCannotReadEachOther(t *testing.T) {
	// The attacks run faster than a person types.
	e, fix, v := shopEnv(t, func(cfg *Config) { cfg.FrameRate, cfg.FrameBurst = 1000, 1000 })
	victim := ordersOf(fix, "cust-1001")
	exp := time.Now().Add(time.Hour).Unix()
	valid := token(t, v, "cust-1002", time.Hour)
	parts := strings.Split(valid, ".")
	forgedPayload := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"cust-1001","exp":%d}`, exp)))
	tokens := map[string]string{
		"attacker's own":  valid,
		"wrong secret":    rawToken(map[string]any{"alg": "HS256"}, map[string]any{"sub": "cust-1001", "exp": exp}, []byte("guessed-secret-guessed-secret-guessed!!")),
		"alg none":        rawToken(map[string]any{"alg": "none"}, map[string]any{"sub": "cust-1001", "exp": exp}, nil),
		"expired":         rawToken(map[string]any{"alg": "HS256"}, map[string]any{"sub": "cust-1001", "exp": time.Now().Add(-time.Hour).Unix()}, shopSecret),
		"tampered claims": parts[0] + "." + forgedPayload + "." + parts[2],
		"none at all":     "",
	}
	secrets := []string{"Camille", "Lefèvre", "18,40", "Paul Bert"}
	for _, o := range victim {
		secrets = append(secrets, o.Total.Format("fr"))
		if o.TrackingNumber != "" {
			secrets = append(secrets, o.TrackingNumber)
		}
		if o.Invoice != nil {
			secrets = append(secrets, o.Invoice.Number)
		}
	}
	for name, tok := range tokens {
		t.Run(name, func(t *testing.T) {
			c := e.dial(t)
			w := c.helloAs(tok, "", "")
			if name != "attacker's own" && name != "none at all" {
				if w.Type != "error" || w.Code != CodeCustomerToken {
					t.Fatalf("a bad token got %s", w.Raw)
				}
				w = c.expect("welcome")
			}
			if w.Customer != nil && w.Customer.Name != "Client cust-1002" {
				t.Fatalf("welcome as %+v", w.Customer)
			}
			var texts []string
			c.say("m_00000001", "bonjour")
			c.expect("conversation")
			for c.next().Author != "bot" {
			}
			for i, o := range victim {
				for j, q := range []string{"où en est ma commande " + o.Number + " ?", "la facture de la commande " + o.Number, "combien me reste-t-il sur mon avoir ?"} {
					texts = append(texts, c.ask(fmt.Sprintf("m_%08d", 100+10*i+j), q).Text)
				}
				c.send(map[string]any{"type": "action", "client_id": fmt.Sprintf("a_%08d", i), "action": "order:" + o.Number})
				var r frame
				for r.Author != "bot" {
					r = c.next()
				}
				texts = append(texts, r.Text)
			}
			for _, text := range texts {
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Errorf("leaked %q: %s", s, text)
					}
				}
			}
		})
	}
}

// TestConversationOfACustomerResumesOnlyForThem: on a shared computer, the
// next customer's widget holds the previous one's resume token.
func TestConversationOfACustomerResumesOnlyForThem(t *testing.T) {
	e, _, v := shopEnv(t, nil)
	a := e.dial(t)
	a.helloAs(token(t, v, "cust-1001", time.Hour), "", "")
	a.say("m_00000001", "où en est ma commande CMD-2026-004512 ?")
	conv := a.expect("conversation")
	for a.next().Author != "bot" {
	}
	for name, tok := range map[string]string{"another customer": token(t, v, "cust-1002", time.Hour), "logged out": ""} {
		b := e.dial(t)
		f := b.helloAs(tok, conv.Conversation, conv.Token)
		if f.Type != "error" || f.Code != CodeConversationNotFound {
			t.Errorf("%s resumed: %s", name, f.Raw)
			continue
		}
		if w := b.expect("welcome"); w.Conversation != "" {
			t.Errorf("%s: welcome %s", name, w.Raw)
		}
	}
	// The owner resumes it, with what was said.
	own := e.dial(t)
	if w := own.helloAs(token(t, v, "cust-1001", time.Hour), conv.Conversation, conv.Token); w.Type != "welcome" || w.Conversation != conv.Conversation {
		t.Fatalf("owner: %s", w.Raw)
	}
	if m := own.expect("message"); !strings.Contains(m.Text, "CMD-2026-004512") {
		t.Errorf("replay %s", m.Raw)
	}
}

// TestVerificationIsRateLimitedPerAddress: guessing the email of an order
// is slowed whatever the conversation.
func TestVerificationIsRateLimitedPerAddress(t *testing.T) {
	e, _, _ := shopEnv(t, func(cfg *Config) { cfg.VerifyBurst = 3; cfg.VerifyPerHour = 1 })
	// The test server has no web layer: it gives every connection the
	// same address, as web does from the request.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err == nil {
			e.svc.ServeConn(WithClientIP(context.Background(), "203.0.113.7"), ws)
		}
	}))
	defer srv.Close()
	e.url = "ws" + strings.TrimPrefix(srv.URL, "http")
	limited := 0
	for i := range 3 {
		c := e.dial(t)
		c.helloAs("", "", "")
		for j := range 2 {
			guess := fmt.Sprintf("guess%d@example.fr", i*2+j)
			r := c.ask(fmt.Sprintf("m_%08d", j), "commande CMD-2026-004512 "+guess)
			if strings.Contains(r.Text, "Trop d'essais") {
				limited++
			}
		}
	}
	if limited != 3 {
		t.Errorf("%d of 6 attempts refused, want the 3 beyond the burst", limited)
	}
}
