package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/store"
)

// tab is a widget socket of the replicas test.
type tab struct {
	t  *testing.T
	ws *websocket.Conn
}

func openTab(t *testing.T, addr string) *tab {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", http.Header{"Origin": {"http://" + addr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &tab{t: t, ws: ws}
}

// frame reads frames until one of that type (and author, for messages).
func (tb *tab) frame(typ, author string) map[string]any {
	tb.t.Helper()
	tb.ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		var f map[string]any
		if err := tb.ws.ReadJSON(&f); err != nil {
			tb.t.Fatalf("waiting for a %s %s frame: %v", author, typ, err)
		}
		if f["type"] == typ && (author == "" || f["author"] == author) {
			return f
		}
	}
}

// TestReplicasRelayMessages: two supportd serve on one PostgreSQL; a
// customer has the conversation open in one tab on each. What is written
// in one, and answered, shows live in the other; when the first replica
// is killed, its tab resumes on the second with nothing lost or twice.
func TestReplicasRelayMessages(t *testing.T) {
	url := pgtest.URL(t)
	a := startServer(t, t.TempDir(), "--database-url", url)
	b := startServer(t, t.TempDir(), "--database-url", url)

	one := openTab(t, a.addr)
	one.ws.WriteJSON(map[string]any{"type": "hello", "v": 2})
	one.frame("welcome", "")
	one.ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_replica01", "text": "bonjour"})
	conv := one.frame("conversation", "")
	one.frame("message", "bot")

	two := openTab(t, b.addr)
	two.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "conversation": conv["conversation"], "token": conv["token"], "last_seq": 2})
	two.frame("welcome", "")

	// Written on A: B's tab sees the question and its answer.
	one.ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_replica02", "text": "Comment suivre mon colis ?"})
	if f := two.frame("message", "customer"); f["text"] != "Comment suivre mon colis ?" || f["seq"] != 3.0 {
		t.Fatalf("on B: %v", f)
	}
	if f := two.frame("message", "bot"); f["seq"] != 4.0 {
		t.Fatalf("on B: %v", f)
	}
	one.frame("message", "bot")
	// Written on B: A's tab sees it.
	two.ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_replica03", "text": "merci"})
	if f := one.frame("message", "customer"); f["text"] != "merci" || f["seq"] != 5.0 {
		t.Fatalf("on A: %v", f)
	}
	if f := one.frame("message", "bot"); f["seq"] != 6.0 {
		t.Fatalf("on A: %v", f)
	}

	// A dies; its tab resumes on B from what it had, nothing missing.
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.cmd.Wait()
	two.frame("message", "bot") // the answer to "merci" on B's tab
	again := openTab(t, b.addr)
	again.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "conversation": conv["conversation"], "token": conv["token"], "last_seq": 4})
	if w := again.frame("welcome", ""); w["last_seq"] != 6.0 {
		t.Fatalf("welcome on B: %v", w)
	}
	seen := map[float64]int{}
	for range 2 {
		f := again.frame("message", "")
		seen[f["seq"].(float64)]++
	}
	if seen[5] != 1 || seen[6] != 1 {
		t.Errorf("resumed on B: %v", seen)
	}
}

// console is an agent's socket of the replicas test, logged in by a
// session made in the store.
type console struct {
	tab
	login  string
	cookie string
}

// openConsole opens the console socket of the agent whose session cookie
// is given, on the replica at addr, and reads its welcome.
func openConsole(t *testing.T, addr, login, cookie string) *console {
	t.Helper()
	h := http.Header{"Origin": {"http://" + addr}, "Cookie": {"supportd_agent=" + cookie}}
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/agent/ws", h)
	if err != nil {
		if resp != nil {
			t.Fatalf("console of %s on %s: %v (HTTP %d)", login, addr, err, resp.StatusCode)
		}
		t.Fatalf("console of %s on %s: %v", login, addr, err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &console{tab: tab{t: t, ws: ws}, login: login, cookie: cookie}
	c.frame("welcome", "")
	return c
}

// customerOn opens a widget on addr, asks a question, then for a person,
// and returns the tab, the conversation and its token once queued.
func customerOn(t *testing.T, addr string, n int) (tb *tab, conv, token string) {
	t.Helper()
	tb = openTab(t, addr)
	tb.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "locale": "fr"})
	tb.frame("welcome", "")
	tb.ws.WriteJSON(map[string]any{"type": "message", "client_id": fmt.Sprintf("m_q%06d", n), "text": "Comment suivre mon colis ?"})
	c := tb.frame("conversation", "")
	answer := tb.frame("message", "bot")
	tb.ws.WriteJSON(map[string]any{"type": "action", "client_id": fmt.Sprintf("h_q%06d", n), "action": "handoff", "seq": answer["seq"]})
	for {
		f := tb.frame("state", "")
		if f["state"] == "queued" {
			return tb, c["conversation"].(string), c["token"].(string)
		}
	}
}

// TestThreeReplicas: three supportd serve on one PostgreSQL. Customers on
// A, agents on B and C: 20 agents claim 50 queued conversations at once
// and each is held by exactly one, nobody over capacity; messages relay
// both ways across the replicas; A is killed mid-conversation and its
// customer resumes on C with nothing lost or twice; B is killed and its
// agents' conversations go back to the queue, the customers told.
func TestThreeReplicas(t *testing.T) {
	url := pgtest.URL(t)
	now := "2026-11-23T10:00:00+01:00"
	a := startServer(t, t.TempDir(), "--database-url", url, "--now", now)
	b := startServer(t, t.TempDir(), "--database-url", url, "--now", now)
	c := startServer(t, t.TempDir(), "--database-url", url, "--now", now)
	ctx := t.Context()
	st, err := store.OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// 20 agents, capacities 2 and 3: 50 places. Agents 1 to 10 on B, 11
	// to 20 on C.
	const agents, customers = 20, 50
	capacity := func(i int) int { return 2 + i%2 }
	var consoles []*console
	for i := range agents {
		login := fmt.Sprintf("agent%02d", i+1)
		if err := st.AddAgent(ctx, &store.Agent{Login: login, Name: fmt.Sprintf("Agent %d", i+1), PasswordHash: []byte("$2a$04$unused"), Capacity: capacity(i)}); err != nil {
			t.Fatal(err)
		}
		cookie := fmt.Sprintf("session-of-%s-0123456789abcdef", login)
		if err := st.CreateSession(ctx, &store.AgentSession{ID: cookie, Login: login, CSRF: "csrf-" + login, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		addr := b.addr
		if i >= agents/2 {
			addr = c.addr
		}
		con := openConsole(t, addr, login, cookie)
		con.ws.WriteJSON(map[string]any{"type": "presence", "status": "online"})
		consoles = append(consoles, con)
	}
	// A knows every agent online, through the store.
	waitUntil(t, "the agents online in the store", func() bool {
		list, err := st.ListAgents(ctx)
		online := 0
		for _, ag := range list {
			if ag.Presence == "online" {
				online++
			}
		}
		return err == nil && online == agents
	})

	// 50 customers on A join the queue: A's desk sees the agents of B
	// and C.
	tabs := map[string]*tab{}
	tokens := map[string]string{}
	var convs []string
	for n := range customers {
		tb, conv, token := customerOn(t, a.addr, n)
		tabs[conv], tokens[conv] = tb, token
		convs = append(convs, conv)
	}
	// Every console sees the 50 in its queue, then every agent claims
	// them all at once, each in its own order.
	for _, con := range consoles {
		seen := 0
		for seen < customers {
			if f := con.frame("queued", ""); f != nil {
				seen++
			}
		}
	}
	var wg sync.WaitGroup
	for i, con := range consoles {
		wg.Go(func() {
			for k := range convs {
				con.ws.WriteJSON(map[string]any{"type": "claim", "conversation": convs[(k+7*i)%len(convs)]})
			}
		})
	}
	wg.Wait()
	// Each agent reads what they were given; a claim lost is "taken" or
	// "capacity".
	holder := map[string]string{}
	var mu sync.Mutex
	for i, con := range consoles {
		wg.Go(func() {
			con.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			answered := 0
			for answered < customers {
				var f struct {
					Type         string          `json:"type"`
					Code         string          `json:"code"`
					Conversation json.RawMessage `json:"conversation"`
				}
				if err := con.ws.ReadJSON(&f); err != nil {
					t.Errorf("%s: %v after %d answers to the claims", con.login, err, answered)
					return
				}
				switch f.Type {
				case "assigned":
					var as struct{ ID string }
					json.Unmarshal(f.Conversation, &as)
					mu.Lock()
					if prev := holder[as.ID]; prev != "" {
						t.Errorf("%s assigned to %s and to %s", as.ID, prev, con.login)
					}
					holder[as.ID] = con.login
					mu.Unlock()
					answered++
				case "error":
					if f.Code != "taken" && f.Code != "capacity" {
						t.Errorf("%s: error %s", con.login, f.Code)
					}
					answered++
				}
			}
			_ = i
		})
	}
	wg.Wait()
	load := map[string]int{}
	for _, conv := range convs {
		sc, err := st.Conversation(ctx, conv)
		if err != nil {
			t.Fatal(err)
		}
		if sc.State != "agent" || sc.Agent != holder[conv] {
			t.Errorf("%s: stored %s/%s, assigned to %q", conv, sc.State, sc.Agent, holder[conv])
		}
		load[sc.Agent]++
	}
	for i := range agents {
		login := fmt.Sprintf("agent%02d", i+1)
		if load[login] > capacity(i) {
			t.Errorf("%s holds %d, over a capacity of %d", login, load[login], capacity(i))
		}
	}
	if len(holder) != customers {
		t.Fatalf("%d of %d conversations held", len(holder), customers)
	}
	t.Logf("50 conversations claimed by 20 agents across B and C: each held once, loads %v", load)

	// A conversation held by an agent of B, one by an agent of C.
	byLogin := map[string]*console{}
	for _, con := range consoles {
		byLogin[con.login] = con
	}
	var onB, onC string
	for _, conv := range convs {
		if n := holder[conv]; n <= "agent10" && onB == "" {
			onB = conv
		} else if n > "agent10" && onC == "" {
			onC = conv
		}
	}
	// Both ways, across replicas: the agent on B (or C) writes, the
	// customer on A reads; the customer writes, the agent reads.
	for k, conv := range []string{onB, onC} {
		con, tb := byLogin[holder[conv]], tabs[conv]
		text := fmt.Sprintf("Bonjour, je regarde votre commande (%d).", k)
		con.ws.WriteJSON(map[string]any{"type": "message", "conversation": conv, "client_id": fmt.Sprintf("a_r%06d", k), "text": text})
		if f := tb.frame("message", "agent"); f["text"] != text {
			t.Errorf("the customer of %s read %v", conv, f)
		}
		reply := fmt.Sprintf("Merci, c'est la commande CMD-%d.", k)
		tb.ws.WriteJSON(map[string]any{"type": "message", "client_id": fmt.Sprintf("m_r%06d", k), "text": reply})
		tb.frame("ack", "")
		for {
			f := con.frame("message", "customer")
			if f["text"] == reply {
				break
			}
		}
	}

	// A dies mid-conversation: its customer held by B's agent resumes on
	// C from the last message it had: nothing lost, nothing twice.
	tb := tabs[onB]
	tb.ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_beforekill", "text": "Et la livraison ?"})
	ack := tb.frame("ack", "")
	lastSeq := ack["seq"].(float64)
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.cmd.Wait()
	resumed := openTab(t, c.addr)
	resumed.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "conversation": onB, "token": tokens[onB], "last_seq": 0})
	w := resumed.frame("welcome", "")
	msgs, err := st.Messages(ctx, onB, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if w["last_seq"] != float64(len(msgs)) || float64(len(msgs)) < lastSeq {
		t.Errorf("resumed on C: last_seq %v, the store has %d messages, the customer had %v", w["last_seq"], len(msgs), lastSeq)
	}
	seen := map[float64]int{}
	for range msgs {
		f := resumed.frame("message", "")
		seen[f["seq"].(float64)]++
	}
	for seq := 1.0; seq <= float64(len(msgs)); seq++ {
		if seen[seq] != 1 {
			t.Errorf("resumed on C: message %v seen %d times", seq, seen[seq])
		}
	}
	// The agent of B still writes to them, now on C.
	con := byLogin[holder[onB]]
	con.ws.WriteJSON(map[string]any{"type": "message", "conversation": onB, "client_id": "a_afterkill", "text": "Elle arrive demain."})
	if f := resumed.frame("message", "agent"); f["text"] != "Elle arrive demain." {
		t.Errorf("after A died, the customer read %v", f)
	}

	// B dies: its agents' conversations go back to the queue, and the
	// customer resumed on C is told.
	killed := time.Now()
	b.cmd.Process.Signal(syscall.SIGKILL)
	b.cmd.Wait()
	resumed.ws.SetReadDeadline(time.Now().Add(90 * time.Second))
	for {
		var f map[string]any
		if err := resumed.ws.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for the customer to be told, after B died: %v", err)
		}
		if f["type"] == "state" && f["state"] == "queued" {
			break
		}
	}
	t.Logf("B killed: its agent's customer on C told, queued again, after %s", time.Since(killed).Round(100*time.Millisecond))
	for _, conv := range convs {
		sc, err := st.Conversation(ctx, conv)
		if err != nil {
			t.Fatal(err)
		}
		onDeadB := holder[conv] <= "agent10"
		if onDeadB && sc.State == "agent" {
			// The requeue of each is its own move: wait for it.
			waitUntil(t, conv+" back in the queue", func() bool {
				sc, err := st.Conversation(ctx, conv)
				return err == nil && sc.State != "agent"
			})
		}
		if !onDeadB && (sc.State != "agent" || sc.Agent != holder[conv]) {
			t.Errorf("%s, of an agent on C: %s/%s after B died", conv, sc.State, sc.Agent)
		}
	}
	list, _ := st.ListAgents(ctx)
	for _, ag := range list {
		if want := map[bool]string{true: "offline", false: "online"}[ag.Login <= "agent10"]; ag.Presence != want {
			t.Errorf("%s is %s after B died, want %s", ag.Login, ag.Presence, want)
		}
	}
	t.Logf("B killed: every conversation of its agents back in the queue after %s", time.Since(killed).Round(100*time.Millisecond))
}

// waitUntil polls cond every 50 ms for up to a minute.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after a minute", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
