package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/supportd/supportd/chat/handoff"
	"github.com/supportd/supportd/store"
)

// monday is inside the default opening hours: Monday 23 November 2026,
// 10:00 in Paris.
var monday = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// deskEnv is a chat service open for business, with an endpoint for agent
// sockets: /agent?login=marie&name=Marie&capacity=3 (the web package
// authenticates agents; here the test says who they are).
func deskEnv(t *testing.T, tweak func(*Config)) (*env, string) {
	t.Helper()
	e := newEnv(t, func(cfg *Config) {
		openDesk(cfg)
		if tweak != nil {
			tweak(cfg)
		}
	})
	return e, serveAgents(t, e)
}

// openDesk opens a chat configuration for business: Monday 10:00, with
// tickets and assignments in its store.
func openDesk(cfg *Config) {
	cfg.Tickets = cfg.Store.(TicketStore)
	cfg.SupportInbox, cfg.MailFrom = "support@shop.example", "supportd@shop.example"
	cfg.Now = func() time.Time { return monday }
	cfg.Assignments = cfg.Store.(Assignments)
}

// serveAgents serves agent sockets for e's service and returns their URL.
func serveAgents(t *testing.T, e *env) string {
	t.Helper()
	return serveAgentsOf(t, e.svc)
}

// serveAgentsOf serves agent sockets for svc and returns their URL.
func serveAgentsOf(t *testing.T, svc *Service) string {
	t.Helper()
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		capacity, _ := strconv.Atoi(q.Get("capacity"))
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		svc.ServeAgent(context.Background(), ws, store.Agent{Login: q.Get("login"), Name: q.Get("name"), Capacity: capacity})
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// agentFrame is any frame an agent receives, decoded loosely.
type agentFrame struct {
	Type         string          `json:"type"`
	Code         string          `json:"code"`
	Reason       string          `json:"reason"`
	Author       string          `json:"author"`
	Text         string          `json:"text"`
	Agent        json.RawMessage `json:"agent"`
	Seq          int64           `json:"seq"`
	ClientID     string          `json:"client_id"`
	On           bool            `json:"on"`
	Conversation json.RawMessage `json:"conversation"`
	Item         queueItem       `json:"item"`
	Queue        []queueItem     `json:"queue"`
	Raw          []byte          `json:"-"`
}

// conv returns the frame's conversation id, whether the field holds an id
// or, in assigned frames, the conversation.
func (f agentFrame) conv() string {
	var id string
	if json.Unmarshal(f.Conversation, &id) == nil {
		return id
	}
	var a assignedConversation
	json.Unmarshal(f.Conversation, &a)
	return a.ID
}

func (f agentFrame) assigned() assignedConversation {
	var a assignedConversation
	if err := json.Unmarshal(f.Conversation, &a); err != nil {
		panic(err)
	}
	return a
}

type agentClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialAgent(t *testing.T, url, login string, capacity int) *agentClient {
	t.Helper()
	name := strings.ToUpper(login[:1]) + login[1:]
	ws, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("%s/agent?login=%s&name=%s&capacity=%d", url, login, name, capacity), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	a := &agentClient{t: t, ws: ws}
	if f := a.next(); f.Type != "welcome" {
		t.Fatalf("first frame %s", f.Raw)
	}
	return a
}

func (a *agentClient) send(v any) {
	a.t.Helper()
	if err := a.ws.WriteJSON(v); err != nil {
		a.t.Fatal(err)
	}
}

func (a *agentClient) next() agentFrame {
	a.t.Helper()
	a.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := a.ws.ReadMessage()
	if err != nil {
		a.t.Fatalf("agent read: %v", err)
	}
	var f agentFrame
	if err := json.Unmarshal(data, &f); err != nil {
		a.t.Fatalf("server sent %q: %v", data, err)
	}
	f.Raw = data
	return f
}

// await returns the next frame of that type, skipping presence frames and
// any other frame types listed in skip.
func (a *agentClient) await(typ string) agentFrame {
	a.t.Helper()
	for {
		f := a.next()
		if f.Type == typ {
			return f
		}
		if f.Type == "error" {
			a.t.Fatalf("waiting for %s: error %s", typ, f.Raw)
		}
	}
}

func (a *agentClient) online() {
	a.t.Helper()
	a.send(map[string]any{"type": "presence", "status": "online"})
	for {
		f := a.await("presence")
		if strings.Contains(string(f.Agent), `"status":"online"`) {
			return
		}
	}
}

// awaitCustomer returns the next frame of that type for a customer,
// skipping others.
func (c *client) await(typ string) frame {
	c.t.Helper()
	for {
		if f := c.next(); f.Type == typ {
			return f
		}
	}
}

// askForPerson has a new customer ask for a person; it returns the
// conversation's id and the bot's answer.
func askForPerson(t *testing.T, e *env, clientID string) (*client, string, frame) {
	t.Helper()
	c := e.dial(t)
	c.hello("", "", 0)
	c.say(clientID, "je veux parler à un conseiller")
	conv := c.expect("conversation").Conversation
	var answer frame
	for answer.Author != "bot" {
		answer = c.await("message")
	}
	// The answer goes out once the exchange is stored, and the
	// conversation joins the queue just after: wait for it there, as an
	// agent sees it in the queue before claiming it. An answer that offers
	// the email form queues nothing.
	if !strings.Contains(string(answer.Raw), `"form"`) {
		deadline := time.Now().Add(5 * time.Second)
		for e.svc.desk.humanState(conv) == "" {
			if time.Now().After(deadline) {
				t.Fatalf("conversation %s not queued after its answer %s", conv, answer.Raw)
			}
			time.Sleep(time.Millisecond)
		}
		// The desk changes in memory first, then in the store, both under
		// the conversation's stripe (Service.enqueue): once the stripe is
		// free, the queue is stored and the agents told.
		st := e.svc.hub.stripe(conv)
		st.Lock()
		st.Unlock()
	}
	return c, conv, answer
}

// TestQueueClaimAndRelay: during opening hours, with an agent online, a
// customer asking for a person is queued and told so; the agent sees the
// conversation arrive, claims it with its transcript, and the two talk
// live, typing indicators included, until the agent closes it.
func TestQueueClaimAndRelay(t *testing.T) {
	e, agentURL := deskEnv(t, nil)
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()

	c, conv, answer := askForPerson(t, e, "m_00000001")
	if answer.Route != "handoff" || !strings.Contains(answer.Text, "conseiller") || strings.Contains(string(answer.Raw), `"form"`) {
		t.Fatalf("queued answer: %s", answer.Raw)
	}
	state := c.await("state")
	if state.State != "queued" || !strings.Contains(string(state.Raw), `"position":1`) || !strings.Contains(string(state.Raw), `"wait_seconds":30`) {
		t.Fatalf("state %s", state.Raw)
	}
	q := marie.await("queued")
	if q.Item.Conversation != conv || q.Item.Question != "je veux parler à un conseiller" {
		t.Fatalf("queued %s", q.Raw)
	}
	// While queued, the customer writes to the team; the bot keeps quiet.
	c.say("m_00000002", "c'est pour un remboursement")
	c.expect("ack")
	if m := c.expect("message"); m.Author != "customer" {
		t.Fatalf("echo %s", m.Raw)
	}

	marie.send(map[string]any{"type": "claim", "conversation": conv})
	got := marie.await("assigned").assigned()
	if got.ID != conv || len(got.Messages) != 3 {
		t.Fatalf("assigned %+v", got)
	}
	if !strings.Contains(string(got.Messages[2]), "remboursement") || !strings.Contains(string(got.Messages[2]), `"conversation":"`+conv+`"`) {
		t.Fatalf("transcript %s", got.Messages[2])
	}
	joined := c.await("message")
	if joined.Author != "system" || joined.Text != "Marie a rejoint la conversation." {
		t.Fatalf("joined %s", joined.Raw)
	}
	if s := c.await("state"); s.State != "agent" || !strings.Contains(string(s.Raw), `"agent":"Marie"`) {
		t.Fatalf("state %s", s.Raw)
	}

	marie.send(map[string]any{"type": "typing", "conversation": conv, "on": true})
	marie.send(map[string]any{"type": "message", "conversation": conv, "client_id": "a_00000001", "text": "Bonjour, je regarde votre commande."})
	for {
		c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), `"type":"typing","author":"agent","on":true`) {
			break
		}
	}
	reply := c.await("message")
	if reply.Author != "agent" || reply.Text != "Bonjour, je regarde votre commande." || !strings.Contains(string(reply.Raw), `"agent":"Marie"`) {
		t.Fatalf("agent reply %s", reply.Raw)
	}
	if ack := marie.await("ack"); ack.ClientID != "a_00000001" || ack.Seq != reply.Seq {
		t.Fatalf("ack %s", ack.Raw)
	}

	c.send(map[string]any{"type": "typing", "on": true})
	if f := marie.await("typing"); f.conv() != conv || f.Author != "customer" || !f.On {
		t.Fatalf("typing %s", f.Raw)
	}
	c.say("m_00000003", "merci !")
	c.expect("ack")
	for {
		f := marie.await("message")
		if f.Author == "customer" {
			if f.Text != "merci !" || f.conv() != conv {
				t.Fatalf("relayed %s", f.Raw)
			}
			break
		}
	}

	marie.send(map[string]any{"type": "close", "conversation": conv, "resolution": "answered"})
	if f := marie.await("released"); f.conv() != conv || f.Reason != "closed" {
		t.Fatalf("released %s", f.Raw)
	}
	var closed frame
	for closed.Author != "system" {
		closed = c.await("message")
	}
	if !strings.Contains(closed.Text, "Marie a terminé") {
		t.Fatalf("closed %s", closed.Raw)
	}
	if s := c.await("state"); s.State != "bot" {
		t.Fatalf("state %s", s.Raw)
	}
	// The resolution is kept in the transcript.
	msgs, _ := e.store.Messages(context.Background(), conv, 0, 0)
	last := msgs[len(msgs)-1]
	if last.Author != store.AuthorSystem || !strings.Contains(string(last.Data), `"resolution":"answered"`) {
		t.Fatalf("last message %+v %s", last, last.Data)
	}
	// The bot answers again.
	c.say("m_00000004", "Puis-je payer par chèque ?")
	c.expect("ack")
	c.expect("message")
	if m := c.expect("message"); m.Author != "bot" {
		t.Fatalf("after close %s", m.Raw)
	}
	// The agent may no longer write there.
	marie.send(map[string]any{"type": "message", "conversation": conv, "client_id": "a_00000002", "text": "encore moi"})
	if f := marie.next(); f.Type != "error" || f.Code != CodeNotHolder {
		t.Fatalf("after close %s", f.Raw)
	}
}

// TestTwoAgentsNeverHoldTheSameConversation: five agents claim every
// queued conversation at once; each conversation goes to exactly one of
// them, and nobody goes over capacity.
func TestTwoAgentsNeverHoldTheSameConversation(t *testing.T) {
	e, agentURL := deskEnv(t, nil)
	const agents, capacity, conversations = 5, 3, 12
	var desk []*agentClient
	for i := range agents {
		a := dialAgent(t, agentURL, fmt.Sprintf("agent%d", i), capacity)
		a.online()
		desk = append(desk, a)
	}
	var convs []string
	for i := range conversations {
		_, conv, _ := askForPerson(t, e, fmt.Sprintf("m_%08d", i))
		convs = append(convs, conv)
	}
	var mu sync.Mutex
	holders := map[string][]int{}
	var wg sync.WaitGroup
	for i, a := range desk {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, conv := range convs {
				a.send(map[string]any{"type": "claim", "conversation": conv})
			}
			// One answer per claim: assigned, or an error.
			for answered := 0; answered < len(convs); {
				f := a.next()
				switch f.Type {
				case "assigned":
					answered++
					mu.Lock()
					holders[f.conv()] = append(holders[f.conv()], i)
					mu.Unlock()
				case "error":
					if f.Code != CodeTaken && f.Code != CodeCapacity {
						t.Errorf("agent %d: %s", i, f.Raw)
					}
					answered++
				}
			}
		}()
	}
	wg.Wait()
	load := make([]int, agents)
	for _, conv := range convs {
		if len(holders[conv]) != 1 {
			t.Errorf("conversation %s held by %v", conv, holders[conv])
		}
		for _, i := range holders[conv] {
			load[i]++
		}
	}
	for i, l := range load {
		if l > capacity {
			t.Errorf("agent %d holds %d conversations, capacity %d", i, l, capacity)
		}
	}
	for _, conv := range convs {
		got, err := e.store.Conversation(context.Background(), conv)
		if err != nil || got.State != "agent" || got.Agent != fmt.Sprintf("agent%d", holders[conv][0]) {
			t.Errorf("stored %+v, %v", got, err)
		}
	}
}

// TestRoundRobinWithinCapacity: in round-robin mode conversations go to
// the online agents with free places; the next waits, told its position,
// and is assigned when a place frees.
func TestRoundRobinWithinCapacity(t *testing.T) {
	e, agentURL := deskEnv(t, func(cfg *Config) { cfg.Assign = AssignRoundRobin })
	marie := dialAgent(t, agentURL, "marie", 1)
	marie.online()
	paul := dialAgent(t, agentURL, "paul", 1)
	paul.online()
	_, first, _ := askForPerson(t, e, "m_00000001")
	_, second, _ := askForPerson(t, e, "m_00000002")
	a1 := marie.await("assigned").conv()
	a2 := paul.await("assigned").conv()
	if !(a1 == first && a2 == second || a1 == second && a2 == first) {
		t.Fatalf("assigned %s and %s, want %s and %s", a1, a2, first, second)
	}
	third, conv3, _ := askForPerson(t, e, "m_00000003")
	if s := third.await("state"); s.State != "queued" || !strings.Contains(string(s.Raw), `"position":1`) {
		t.Fatalf("third %s", s.Raw)
	}
	marie.send(map[string]any{"type": "close", "conversation": a1, "resolution": "answered"})
	if got := marie.await("assigned").conv(); got != conv3 {
		t.Fatalf("marie got %s, want %s", got, conv3)
	}
	if s := third.await("state"); s.State != "agent" {
		t.Fatalf("third %s", s.Raw)
	}
}

// TestPositionsUpdateLive: the second customer in the queue is told when
// they become first.
func TestPositionsUpdateLive(t *testing.T) {
	e, agentURL := deskEnv(t, nil)
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	_, first, _ := askForPerson(t, e, "m_00000001")
	second, _, _ := askForPerson(t, e, "m_00000002")
	if s := second.await("state"); !strings.Contains(string(s.Raw), `"position":2`) {
		t.Fatalf("second %s", s.Raw)
	}
	marie.send(map[string]any{"type": "claim", "conversation": first})
	if s := second.await("state"); s.State != "queued" || !strings.Contains(string(s.Raw), `"position":1`) {
		t.Fatalf("second after the claim %s", s.Raw)
	}
}

// TestTransfer: an agent hands a conversation to another, who gets it
// with its transcript; the customer is told.
func TestTransfer(t *testing.T) {
	e, agentURL := deskEnv(t, nil)
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	paul := dialAgent(t, agentURL, "paul", 3)
	c, conv, _ := askForPerson(t, e, "m_00000001")
	marie.send(map[string]any{"type": "claim", "conversation": conv})
	marie.await("assigned")
	marie.send(map[string]any{"type": "transfer", "conversation": conv, "to": "paul"})
	if f := marie.await("error"); f.Code != CodeNotOnline {
		t.Fatalf("transfer to an offline agent: %s", f.Raw)
	}
	paul.online()
	marie.send(map[string]any{"type": "transfer", "conversation": conv, "to": "nobody"})
	if f := marie.await("error"); f.Code != CodeUnknownAgent {
		t.Fatalf("transfer to nobody: %s", f.Raw)
	}
	marie.send(map[string]any{"type": "transfer", "conversation": conv, "to": "paul"})
	if f := marie.await("released"); f.Reason != "transferred" {
		t.Fatalf("released %s", f.Raw)
	}
	got := paul.await("assigned").assigned()
	if got.ID != conv || got.From != "marie" || len(got.Messages) < 3 {
		t.Fatalf("paul got %+v", got)
	}
	for {
		m := c.await("message")
		if m.Author == "system" && m.Text == "Paul prend le relais." {
			break
		}
	}
	marie.send(map[string]any{"type": "message", "conversation": conv, "client_id": "a_00000001", "text": "toujours là"})
	if f := marie.await("error"); f.Code != CodeNotHolder {
		t.Fatalf("marie after the transfer: %s", f.Raw)
	}
}

// TestLastAgentOfflineOffersEmail: a customer waiting when the last agent
// goes offline gets the email form; nobody waits for no one.
func TestLastAgentOfflineOffersEmail(t *testing.T) {
	e, agentURL := deskEnv(t, nil)
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	c, conv, _ := askForPerson(t, e, "m_00000001")
	c.await("state")
	marie.send(map[string]any{"type": "presence", "status": "offline"})
	var form frame
	for !strings.Contains(string(form.Raw), `"form"`) {
		form = c.await("message")
	}
	if !strings.Contains(form.Text, "Plus aucun conseiller") || !strings.Contains(string(form.Raw), `"message":"je veux parler à un conseiller"`) {
		t.Fatalf("form %s", form.Raw)
	}
	if got, _ := e.store.Conversation(context.Background(), conv); got.State != "bot" {
		t.Fatalf("stored state %q", got.State)
	}
}

// TestOfflineAgentsConversationsGoBack: an agent going offline puts the
// conversations they held back at the head of the queue.
func TestOfflineAgentsConversationsGoBack(t *testing.T) {
	e, agentURL := deskEnv(t, nil)
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	paul := dialAgent(t, agentURL, "paul", 3)
	paul.online()
	c, conv, _ := askForPerson(t, e, "m_00000001")
	marie.send(map[string]any{"type": "claim", "conversation": conv})
	marie.await("assigned")
	marie.send(map[string]any{"type": "presence", "status": "offline"})
	if f := marie.await("released"); f.Reason != "requeued" {
		t.Fatalf("released %s", f.Raw)
	}
	// Paul saw the conversation arrive, then sees it come back first.
	paul.await("queued")
	if f := paul.await("queued"); f.Item.Conversation != conv || !f.Item.Front {
		t.Fatalf("paul sees %s", f.Raw)
	}
	for {
		if s := c.await("state"); s.State == "queued" {
			break
		}
	}
}

// TestWaitOverTheLimitTakesEmail: when the estimated wait is over the
// limit, the customer is offered the email form straight away.
func TestWaitOverTheLimitTakesEmail(t *testing.T) {
	e, agentURL := deskEnv(t, func(cfg *Config) { cfg.MaxWait = time.Second })
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	_, _, answer := askForPerson(t, e, "m_00000001")
	if !strings.Contains(string(answer.Raw), `"form"`) {
		t.Fatalf("answer %s", answer.Raw)
	}
}

// TestNewTicketReachesAgents: an email request taken outside hours shows
// at once in the agents' consoles.
func TestNewTicketReachesAgents(t *testing.T) {
	e, agentURL := deskEnv(t, func(cfg *Config) { cfg.Now = func() time.Time { return saturday } })
	marie := dialAgent(t, agentURL, "marie", 3)
	c, _, answer := askForPerson(t, e, "m_00000001")
	c.send(map[string]any{"type": "intake", "client_id": "i_00000001", "email": "lea@example.fr", "text": "Mon colis est abîmé.", "seq": answer.Seq})
	f := marie.await("ticket")
	if !strings.Contains(string(f.Raw), `"email":"lea@example.fr"`) || !strings.Contains(string(f.Raw), `"number":1`) {
		t.Fatalf("ticket %s", f.Raw)
	}
}

// TestDeskSurvivesRestart: after a restart, a queued conversation is
// queued again and a held one comes back to its agent.
func TestDeskSurvivesRestart(t *testing.T) {
	e, agentURL := deskEnv(t, nil)
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	_, held, _ := askForPerson(t, e, "m_00000001")
	_, queued, _ := askForPerson(t, e, "m_00000002")
	marie.send(map[string]any{"type": "claim", "conversation": held})
	marie.await("assigned")

	svc, err := NewService(Config{Store: e.store, Answerer: e.svc.cfg.Answerer, Logger: quiet(), Assignments: e.store.(Assignments), Now: func() time.Time { return monday }})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Shutdown(context.Background())
	if err := svc.RestoreDesk(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := svc.desk.humanState(queued); st != "queued" {
		t.Errorf("queued conversation is %q after the restart", st)
	}
	if st := svc.desk.humanState(held); st != "agent" {
		t.Errorf("held conversation is %q after the restart", st)
	}
	if !svc.holds(held, "marie") {
		t.Error("marie does not hold her conversation after the restart")
	}
	// Nobody is online yet, but the agents have the grace period to
	// reconnect before the queue turns into email requests.
	svc.sweepUnattended(context.Background())
	if st := svc.desk.humanState(queued); st != "queued" {
		t.Errorf("queued conversation is %q right after the restart", st)
	}
}

// TestPresenceSurvivesRestart: an agent online when supportd stops is
// online again as soon as their console reconnects to the new process;
// one who does not come back within the grace period is offline, and so
// is their recorded presence.
func TestPresenceSurvivesRestart(t *testing.T) {
	var agents store.Agents
	e, agentURL := deskEnv(t, func(cfg *Config) {
		agents = cfg.Store.(store.Agents)
		cfg.Agents = cfg.Store.(AgentDirectory)
	})
	for _, login := range []string{"marie", "paul"} {
		if err := agents.AddAgent(context.Background(), &store.Agent{Login: login, PasswordHash: []byte("h")}); err != nil {
			t.Fatal(err)
		}
	}
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	paul := dialAgent(t, agentURL, "paul", 3)
	paul.online()
	if a, err := agents.Agent(context.Background(), "marie"); err != nil || a.Presence != PresenceOnline {
		t.Fatalf("recorded presence %+v, %v; want online", a, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.svc.Shutdown(ctx)

	restart := func() *Service {
		svc, err := NewService(Config{Store: e.store, Answerer: e.svc.cfg.Answerer, Logger: quiet(), Now: func() time.Time { return monday },
			Assignments: e.store.(Assignments), Agents: e.store.(AgentDirectory), PresenceGrace: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Shutdown(context.Background()) })
		if err := svc.RestoreDesk(context.Background()); err != nil {
			t.Fatal(err)
		}
		return svc
	}
	svc := restart()
	if svc.route() == handoff.ToQueue {
		t.Error("the desk takes a queue before any agent has reconnected")
	}
	dialAgent(t, serveAgentsOf(t, svc), "marie", 3)
	svc.desk.mu.Lock()
	status := string(svc.desk.state.Agent("marie").Presence)
	svc.desk.mu.Unlock()
	if status != PresenceOnline {
		t.Errorf("marie is %q once her console reconnected, want online", status)
	}
	if svc.route() != handoff.ToQueue {
		t.Error("the desk takes no queue with marie back online")
	}
	// Paul never came back: after the grace period he is offline, and
	// recorded so.
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, err := agents.Agent(context.Background(), "paul")
		if err != nil {
			t.Fatal(err)
		}
		if a.Presence == PresenceOffline {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("paul's recorded presence is still %q after the grace period", a.Presence)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if a, _ := agents.Agent(context.Background(), "marie"); a.Presence != PresenceOnline {
		t.Errorf("marie's recorded presence is %q, want online", a.Presence)
	}
}

func TestDecodeAgentFrame(t *testing.T) {
	cases := []struct {
		in, code string
	}{
		{`{"type":"presence","status":"online"}`, ""},
		{`{"type":"presence","status":"busy"}`, CodeInvalid},
		{`{"type":"claim","conversation":"c_abc"}`, ""},
		{`{"type":"claim","conversation":"../etc"}`, CodeInvalid},
		{`{"type":"claim"}`, CodeInvalid},
		{`{"type":"message","conversation":"c_abc","client_id":"a_00000001","text":"bonjour"}`, ""},
		{`{"type":"message","conversation":"c_abc","client_id":"short","text":"bonjour"}`, CodeInvalid},
		{`{"type":"message","conversation":"c_abc","client_id":"a_00000001","text":"   "}`, CodeInvalid},
		{`{"type":"message","conversation":"c_abc","client_id":"a_00000001","text":"` + strings.Repeat("é", MaxTextLength+1) + `"}`, CodeTooLong},
		{`{"type":"transfer","conversation":"c_abc","to":"Paul"}`, ""},
		{`{"type":"transfer","conversation":"c_abc"}`, CodeInvalid},
		{`{"type":"close","conversation":"c_abc","resolution":"spam"}`, ""},
		{`{"type":"close","conversation":"c_abc","resolution":"done"}`, CodeInvalid},
		{`{"type":"dance"}`, CodeUnknownType},
		{`{}`, CodeBadFrame},
		{`[1]`, CodeBadFrame},
		{`{"type":"claim","conversation":"c_abc"}{}`, CodeBadFrame},
		{`{"type":"typing","conversation":"c_abc","on":"yes"}`, CodeBadFrame},
	}
	for _, c := range cases {
		_, err := DecodeAgentFrame([]byte(c.in))
		code := ""
		if err != nil {
			code = err.Code
		}
		if code != c.code {
			t.Errorf("%.80s: code %q, want %q", c.in, code, c.code)
		}
	}
}

func FuzzDecodeAgentFrame(f *testing.F) {
	f.Add([]byte(`{"type":"message","conversation":"c_abc","client_id":"a_00000001","text":"bonjour"}`))
	f.Add([]byte(`{"type":"close","conversation":"c_abc","resolution":"spam"}`))
	f.Add([]byte(`{"type":"presence","status":"away"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := DecodeAgentFrame(data)
		if err != nil {
			return
		}
		switch fr.Type {
		case "presence":
			if fr.Status != PresenceOnline && fr.Status != PresenceAway && fr.Status != PresenceOffline {
				t.Fatalf("accepted status %q", fr.Status)
			}
		case "claim", "message", "typing", "transfer", "close":
			if !validConversationID(fr.Conversation) {
				t.Fatalf("accepted conversation %q", fr.Conversation)
			}
		default:
			t.Fatalf("accepted type %q", fr.Type)
		}
	})
}

// TestAnswerTicketByEmail: an agent's answer to an email request goes to
// the outbox, addressed to the customer, and the ticket is answered.
func TestAnswerTicketByEmail(t *testing.T) {
	e, agentURL := deskEnv(t, func(cfg *Config) { cfg.Now = func() time.Time { return saturday } })
	marie := dialAgent(t, agentURL, "marie", 3)
	c, _, answer := askForPerson(t, e, "m_00000001")
	c.send(map[string]any{"type": "intake", "client_id": "i_00000001", "email": "lea@example.fr", "text": "Mon colis est abîmé.", "seq": answer.Seq})
	marie.await("ticket")
	ctx := context.Background()
	if _, err := e.svc.AnswerTicket(ctx, 1, "marie", "  "); err != ErrBadAnswer {
		t.Fatalf("empty answer: %v", err)
	}
	if _, err := e.svc.AnswerTicket(ctx, 99, "marie", "Bonjour"); err == nil {
		t.Fatal("answer to no ticket")
	}
	got, err := e.svc.AnswerTicket(ctx, 1, "marie", "Nous vous renvoyons un colis demain.")
	if err != nil || got.Status != store.TicketAnswered || got.AnsweredBy != "marie" {
		t.Fatalf("answered %+v, %v", got, err)
	}
	emails, err := e.store.(store.Outbox).DueEmails(ctx, time.Now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, m := range emails {
		if strings.HasPrefix(m.ID, "ticket-1-answer-") {
			found = true
			if m.To[0] != "lea@example.fr" || !strings.Contains(m.Text, "Nous vous renvoyons un colis demain.") ||
				!strings.Contains(m.Text, "> Mon colis est abîmé.") || !strings.Contains(m.Subject, "n° 1") {
				t.Errorf("answer email %+v", m)
			}
		}
	}
	if !found {
		t.Errorf("no answer email among %d", len(emails))
	}
	list, _ := e.svc.Tickets(ctx, store.TicketOpen)
	if len(list) != 0 {
		t.Errorf("open tickets after the answer: %+v", list)
	}
	info, msgs, err := e.svc.TicketDetail(ctx, 1)
	if err != nil || info.Email != "lea@example.fr" || len(msgs) < 2 {
		t.Errorf("detail %+v %d messages, %v", info, len(msgs), err)
	}
}

// TestAgentSeesTheVerifiedCustomersOrders: beside a verified customer's
// conversation the agent sees who they are and their own latest orders,
// and nobody else's.
func TestAgentSeesTheVerifiedCustomersOrders(t *testing.T) {
	e, fix, v := shopEnv(t, openDesk)
	marie := dialAgent(t, serveAgents(t, e), "marie", 3)
	marie.online()
	c := e.dial(t)
	if f := c.helloAs(token(t, v, "cust-1001", time.Hour), "", ""); f.Type != "welcome" {
		t.Fatalf("hello %s", f.Raw)
	}
	c.say("m_00000001", "je veux parler à un conseiller")
	conv := c.expect("conversation").Conversation
	// The conversation is claimed once it is in the queue.
	if q := marie.await("queued"); q.Item.Conversation != conv {
		t.Fatalf("queued %s", q.Raw)
	}
	marie.send(map[string]any{"type": "claim", "conversation": conv})
	got := marie.await("assigned").assigned()
	if got.Customer == nil || got.Customer.ID != "cust-1001" || got.Customer.Name != "Client cust-1001" {
		t.Fatalf("customer %+v", got.Customer)
	}
	own := ordersOf(fix, "cust-1001")
	if len(got.Orders) == 0 || len(got.Orders) > 5 {
		t.Fatalf("%d orders beside the conversation", len(got.Orders))
	}
	mine := map[string]bool{}
	for _, o := range own {
		mine[o.Number] = true
	}
	for _, o := range got.Orders {
		if !mine[o.Number] {
			t.Errorf("order %s is not cust-1001's", o.Number)
		}
	}
	latest := own[0]
	for _, o := range own {
		if o.PlacedAt.After(latest.PlacedAt) {
			latest = o
		}
	}
	if got.Orders[0].Number != latest.Number || got.Orders[0].Total == "" {
		t.Errorf("first order %+v, want the latest, %s", got.Orders[0], latest.Number)
	}
}
