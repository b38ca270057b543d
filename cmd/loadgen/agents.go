package main

// Agent mode (-agents N): N agents log in over HTTP and hold websockets
// on /agent/ws (docs/agent-protocol.md); -conns customers each ask a
// question, then ask for a person, and wait to be held by an agent. Once
// every customer is held (or -assign-timeout has passed), agents and
// customers write to each other for -duration, and loadgen reports the
// relay latency both ways: from sending a message to the other side
// receiving it, both measured in this process on the monotonic clock.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// writeWait bounds every websocket write.
	writeWait = 10 * time.Second
	// onlineTimeout bounds the wait for the agents to be online.
	onlineTimeout = 30 * time.Second
	// drainTimeout bounds the wait, after the measured phase, for the
	// messages still on their way.
	drainTimeout = 5 * time.Second
	// parallelLogins is how many agents log in at once; each login
	// costs the server a bcrypt comparison.
	parallelLogins = 4
	// sessionCookie is the agent's session cookie (web/agent.go).
	sessionCookie = "supportd_agent"
)

// agentResult is what an agent run measured.
type agentResult struct {
	assign                              string // the server's assignment mode
	agentsOnline, agentsFailed          int
	heldMin, heldMax                    int // conversations held per agent at the end
	opened, failedOpen                  int
	handedOff, everHeld, heldEnd        int64
	queuedOnly, forms, closedEarly      int64
	settleTime                          time.Duration
	elapsed                             time.Duration
	toCustomer, toAgent                 []time.Duration
	sentToCustomer, sentToAgent         int
	lostToCustomer, lostToAgent, strays int
	errs                                map[string]int
	rssBefore, rssHeld, rssPeak         int64 // KiB
}

// runAgents runs the agent mode.
func runAgents(ctx context.Context, cfg config) (*agentResult, error) {
	if cfg.agentPassword == "" {
		return nil, errors.New("-agents needs the agents' password: -agent-password or LOADGEN_AGENT_PASSWORD")
	}
	if cfg.agentInterval <= 0 || cfg.customerInterval <= 0 {
		return nil, errors.New("-agent-interval and -customer-interval must be positive")
	}
	// -url may name several servers, comma-separated: processes sharing
	// one PostgreSQL. Agent i and customer i go to server i modulo
	// their number.
	var targets []target
	for _, raw := range strings.Split(cfg.url, ",") {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("-url: %w", err)
		}
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("-agents dials from a loopback address per agent, so the server must listen on loopback, not %q", u.Hostname())
		}
		one := config{url: u.String(), origin: cfg.origin}
		base := httpOrigin(config{url: u.String()})
		wsURL := *u
		wsURL.Path, wsURL.RawQuery = "/agent/ws", ""
		targets = append(targets, target{customerURL: u.String(), origin: httpOrigin(one), base: base, loginURL: base + "/agent/login", wsURL: wsURL.String()})
	}
	if _, err := agentAddr(cfg.agents - 1); err != nil {
		return nil, err
	}

	run := &agentRun{cfg: cfg, targets: targets, measuring: make(chan struct{}), relays: newRelays(), errs: &errorCounts{}}
	writeCtx, stopWriting := context.WithCancel(ctx)
	defer stopWriting()
	run.writeCtx = writeCtx
	res := &agentResult{rssBefore: rssKiB(cfg.pid)}

	// Agents: log in, connect, go online.
	agents := run.connectAgents(ctx)
	defer func() {
		for _, a := range agents {
			a.ws.Close()
		}
	}()
	res.agentsFailed = cfg.agents - len(agents)
	if len(agents) == 0 {
		return nil, errors.New("no agent could connect")
	}
	online := waitFor(ctx, onlineTimeout, func() bool { return run.online.Load() == int64(len(agents)) })
	res.agentsOnline = int(run.online.Load())
	if !online {
		fmt.Fprintf(os.Stderr, "loadgen: only %d of %d agents online after %s\n", res.agentsOnline, len(agents), onlineTimeout)
	}
	fmt.Fprintf(os.Stderr, "loadgen: %d agents online (assignment: %s); opening %d customers\n", res.agentsOnline, run.assignMode(), cfg.conns)

	// Customers: hello, a question, then a person.
	dialer := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, HandshakeTimeout: 30 * time.Second}
	customers := make([]*customer, 0, cfg.conns)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failed atomic.Int64
	openStart := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(max(cfg.openRate, 1)))
	for i := 0; i < cfg.conns && ctx.Err() == nil; i++ {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := run.dialCustomer(ctx, &dialer, i)
			if err != nil {
				if failed.Add(1) <= 3 {
					fmt.Fprintln(os.Stderr, "loadgen: connect:", err)
				}
				return
			}
			mu.Lock()
			customers = append(customers, c)
			mu.Unlock()
		}()
	}
	tick.Stop()
	wg.Wait()
	defer func() {
		for _, c := range customers {
			c.ws.Close()
		}
	}()
	res.opened, res.failedOpen = len(customers), int(failed.Load())
	all := waitFor(ctx, cfg.assignTimeout, func() bool { return run.settled.Load() == int64(len(customers)) })
	res.settleTime = time.Since(openStart)
	res.rssHeld = rssKiB(cfg.pid)
	if !all {
		fmt.Fprintf(os.Stderr, "loadgen: after %s, %d of %d customers are held by an agent, %d got the email form\n",
			cfg.assignTimeout, run.held.Load(), len(customers), run.forms.Load())
	}
	fmt.Fprintf(os.Stderr, "loadgen: %d customers held, %d email forms, in %s; measuring for %s\n",
		run.held.Load(), run.forms.Load(), res.settleTime.Round(time.Millisecond), cfg.duration)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// The measured phase: everyone writes.
	var rssPeak atomic.Int64
	peakCtx, stopPeak := context.WithCancel(ctx)
	go func() {
		for peakCtx.Err() == nil {
			if v := rssKiB(cfg.pid); v > rssPeak.Load() {
				rssPeak.Store(v)
			}
			sleep(peakCtx, time.Second)
		}
	}()
	start := time.Now()
	close(run.measuring)
	sleep(ctx, cfg.duration)
	stopWriting()
	res.elapsed = time.Since(start)
	waitFor(ctx, drainTimeout, func() bool { return run.relays.inFlight() == 0 })
	stopPeak()
	res.rssPeak = rssPeak.Load()

	res.assign = run.assignMode()
	res.handedOff, res.everHeld, res.forms = run.handedOff.Load(), run.held.Load(), run.forms.Load()
	for _, c := range customers {
		if c.holding.Load() {
			res.heldEnd++
		}
		if c.queued.Load() && !c.everHeld.Load() {
			res.queuedOnly++
		}
		if c.closed.Load() {
			res.closedEarly++
		}
	}
	res.heldMin, res.heldMax = -1, 0
	for _, a := range agents {
		n := a.heldCount()
		if res.heldMin < 0 || n < res.heldMin {
			res.heldMin = n
		}
		res.heldMax = max(res.heldMax, n)
	}
	run.relays.result(res)
	res.errs = run.errs.snapshot()
	return res, nil
}

func (r *agentResult) print(cfg config) {
	fmt.Printf("agents: %d requested, %d connected, %d online, %d failed; assignment %s; conversations held per agent at the end: %d to %d\n",
		cfg.agents, cfg.agents-r.agentsFailed, r.agentsOnline, r.agentsFailed, r.assign, r.heldMin, r.heldMax)
	fmt.Printf("customers: %d requested, %d opened, %d failed; %d asked for a person, %d got state agent (%d still held at the end) in %s, %d queued and never held, %d connections closed by the server\n",
		cfg.conns, r.opened, r.failedOpen, r.handedOff, r.everHeld, r.heldEnd, r.settleTime.Round(time.Millisecond), r.queuedOnly, r.closedEarly)
	if r.forms > 0 {
		fmt.Printf("WARNING: %d customers got the email form instead of an agent: the server judged nobody available (closed hours? agents not online? all at capacity?)\n", r.forms)
	}
	if int64(r.opened) > r.everHeld {
		fmt.Printf("WARNING: %d of %d customers were never held by an agent\n", int64(r.opened)-r.everHeld, r.opened)
	}
	fmt.Printf("measured: %s; each agent writes every %s in each conversation it holds, each held customer every %s\n",
		r.elapsed.Round(time.Millisecond), cfg.agentInterval, cfg.customerInterval)
	secs := r.elapsed.Seconds()
	for _, d := range []struct {
		name       string
		lat        []time.Duration
		sent, lost int
	}{
		{"agent → customer", r.toCustomer, r.sentToCustomer, r.lostToCustomer},
		{"customer → agent", r.toAgent, r.sentToAgent, r.lostToAgent},
	} {
		sort.Slice(d.lat, func(i, j int) bool { return d.lat[i] < d.lat[j] })
		fmt.Printf("%s relay: sent %d, received %d (%.1f/s), lost %d; p50 %s  p90 %s  p99 %s  max %s\n",
			d.name, d.sent, len(d.lat), float64(len(d.lat))/secs, d.lost,
			formatPercentile(d.lat, 50), formatPercentile(d.lat, 90), formatPercentile(d.lat, 99), formatPercentile(d.lat, 100))
	}
	fmt.Printf("messages relayed: %.1f/s both ways", float64(len(r.toCustomer)+len(r.toAgent))/secs)
	if r.strays > 0 {
		fmt.Printf(" (%d received that were not awaited)", r.strays)
	}
	fmt.Println()
	fmt.Printf("errors: %s\n", formatErrors(r.errs))
	if cfg.pid > 0 {
		fmt.Printf("server RSS: %d KiB before, %d KiB with every customer connected and held, %d KiB peak while measuring\n",
			r.rssBefore, r.rssHeld, r.rssPeak)
	}
}

// agentRun is the state shared by the agents and customers of a run.
type agentRun struct {
	cfg                    config
	targets                []target
	writeCtx               context.Context // cancelled at the end of the measured phase
	measuring              chan struct{}   // closed when the measured phase starts
	relays                 *relays
	errs                   *errorCounts
	online                 atomic.Int64 // agents seen online
	assign                 atomic.Value // string: the welcome's assign
	settled                atomic.Int64 // customers held, given the form, or closed
	handedOff, held, forms atomic.Int64
	agentMessageN          atomic.Int64
}

// target is one server of -url.
type target struct {
	customerURL string // the widget's websocket
	origin      string // the Origin header
	// base is the server's http origin; loginURL and wsURL its pages.
	base, loginURL, wsURL string
}

// target returns the server of agent or customer i.
func (run *agentRun) target(i int) target { return run.targets[i%len(run.targets)] }

func (run *agentRun) assignMode() string {
	if s, ok := run.assign.Load().(string); ok && s != "" {
		return s
	}
	return "unknown"
}

// isLoopback reports whether host names this machine's loopback.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// agentAddr returns the loopback address agent i (from 0) connects
// from: 127.0.0.2, 127.0.0.3, … so that the server, which limits login
// attempts per address, sees each agent apart. Linux routes all of
// 127.0.0.0/8 to the loopback interface.
func agentAddr(i int) (net.IP, error) {
	n := 2 + i
	if i < 0 || n >= 1<<24-1 {
		return nil, fmt.Errorf("no loopback address for agent %d", i+1)
	}
	return net.IPv4(127, byte(n>>16), byte(n>>8), byte(n)), nil
}

// textID returns the id that starts the text of a measured message.
func textID(who string, n int64) string {
	return "lg:" + who + ":" + strconv.FormatInt(n, 10)
}

// parseTextID returns the id that starts text, as textID made it:
// "lg:WHO:N", followed by a space or nothing, WHO without ':' or space
// and N a decimal number.
func parseTextID(text string) (string, bool) {
	id, _, _ := strings.Cut(text, " ")
	rest, ok := strings.CutPrefix(id, "lg:")
	if !ok {
		return "", false
	}
	who, n, ok := strings.Cut(rest, ":")
	if !ok || who == "" || n == "" {
		return "", false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return "", false
		}
	}
	return id, true
}

// jittered returns d scaled by a factor from 0.8 to 1.2, r being a
// random number from 0 to 1.
func jittered(d time.Duration, r float64) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*r))
}

// randomID returns a client_id: prefix and 16 hexadecimal digits.
func randomID(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// waitFor polls done every 50 ms until it is true, timeout passes or
// ctx ends, and reports whether it became true.
func waitFor(ctx context.Context, timeout time.Duration, done func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !done() {
		if ctx.Err() != nil || time.Now().After(deadline) {
			return false
		}
		sleep(ctx, 50*time.Millisecond)
	}
	return true
}

// Direction of a relayed message.
const (
	toCustomer = iota
	toAgent
)

// relays matches received messages with sent ones by the id their text
// starts with.
type relays struct {
	mu      sync.Mutex
	pending map[string]pendingMessage
	lat     [2][]time.Duration
	sent    [2]int
	strays  int
}

type pendingMessage struct {
	dir  int
	sent time.Time
}

func newRelays() *relays { return &relays{pending: make(map[string]pendingMessage)} }

// send records that a message with that id is about to be sent.
func (r *relays) send(id string, dir int) {
	r.mu.Lock()
	r.pending[id] = pendingMessage{dir: dir, sent: time.Now()}
	r.sent[dir]++
	r.mu.Unlock()
}

// receive records the receipt of a message of direction dir; texts
// that were not sent by send, or were received already, are strays.
func (r *relays) receive(text string, dir int) {
	now := time.Now()
	id, ok := parseTextID(text)
	r.mu.Lock()
	defer r.mu.Unlock()
	p, found := r.pending[id]
	if !ok || !found || p.dir != dir {
		r.strays++
		return
	}
	delete(r.pending, id)
	r.lat[dir] = append(r.lat[dir], now.Sub(p.sent))
}

func (r *relays) inFlight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}

func (r *relays) result(res *agentResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res.toCustomer, res.toAgent = r.lat[toCustomer], r.lat[toAgent]
	res.sentToCustomer, res.sentToAgent = r.sent[toCustomer], r.sent[toAgent]
	res.strays = r.strays
	for _, p := range r.pending {
		if p.dir == toCustomer {
			res.lostToCustomer++
		} else {
			res.lostToAgent++
		}
	}
}

// errorCounts counts error frames and failures by side and code.
type errorCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (e *errorCounts) add(side, code string) {
	e.mu.Lock()
	if e.n == nil {
		e.n = make(map[string]int)
	}
	e.n[side+" "+code]++
	e.mu.Unlock()
}

func (e *errorCounts) snapshot() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := make(map[string]int, len(e.n))
	for k, v := range e.n {
		m[k] = v
	}
	return m
}

// formatErrors lists the counts by key, or "none".
func formatErrors(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + strconv.Itoa(m[k])
	}
	return strings.Join(parts, ", ")
}

// socket is a websocket written to by several goroutines.
type socket struct {
	ws *websocket.Conn
	mu sync.Mutex
}

func (s *socket) send(v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws.SetWriteDeadline(time.Now().Add(writeWait))
	return s.ws.WriteJSON(v)
}

// Agents.

// agent is one agent's websocket.
type agent struct {
	socket
	run      *agentRun
	login    string
	mu       sync.Mutex
	capacity int
	held     map[string]context.CancelFunc // conversation → stops its writer
	claiming map[string]bool
	online   bool
}

// connectAgents logs every agent in and connects it, a few at a time,
// and returns those that connected.
func (run *agentRun) connectAgents(ctx context.Context) []*agent {
	agents := make([]*agent, run.cfg.agents)
	sem := make(chan struct{}, parallelLogins)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			a, err := run.connectAgent(ctx, i)
			if err != nil {
				run.errs.add("agent", "connect")
				if failed.Add(1) <= 3 {
					fmt.Fprintf(os.Stderr, "loadgen: agent %s%d: %v\n", run.cfg.agentPrefix, i+1, err)
				}
				return
			}
			agents[i] = a
		}()
	}
	wg.Wait()
	var ok []*agent
	for _, a := range agents {
		if a != nil {
			ok = append(ok, a)
		}
	}
	return ok
}

// connectAgent logs agent i in from its own loopback address, opens its
// websocket and starts reading it.
func (run *agentRun) connectAgent(ctx context.Context, i int) (*agent, error) {
	ip, err := agentAddr(i)
	if err != nil {
		return nil, err
	}
	netDialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 30 * time.Second}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	transport := &http.Transport{DialContext: netDialer.DialContext}
	defer transport.CloseIdleConnections()
	hc := &http.Client{
		Transport: transport, Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	login := run.cfg.agentPrefix + strconv.Itoa(i+1)
	tg := run.target(i)
	if err := run.logIn(ctx, hc, tg, login); err != nil {
		return nil, err
	}
	d := websocket.Dialer{NetDialContext: netDialer.DialContext, Jar: jar, HandshakeTimeout: 30 * time.Second,
		ReadBufferSize: 4096, WriteBufferSize: 4096}
	ws, resp, err := d.DialContext(ctx, tg.wsURL, http.Header{"Origin": {tg.origin}})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("%s: %w (HTTP %d)", tg.wsURL, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("%s: %w", tg.wsURL, err)
	}
	a := &agent{socket: socket{ws: ws}, run: run, login: login, held: make(map[string]context.CancelFunc), claiming: make(map[string]bool)}
	go a.read()
	return a, nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// parseCSRF returns the value of the login form's hidden csrf field.
func parseCSRF(page string) (string, bool) {
	m := csrfField.FindStringSubmatch(page)
	if m == nil || m[1] == "" {
		return "", false
	}
	return html.UnescapeString(m[1]), true
}

// logIn fetches the login form, then posts it; the session cookie ends
// up in hc's jar.
func (run *agentRun) logIn(ctx context.Context, hc *http.Client, tg target, login string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tg.loginURL, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("login form: %w", err)
	}
	page, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("login form: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("login form: HTTP %d", resp.StatusCode)
	}
	token, ok := parseCSRF(string(page))
	if !ok {
		return errors.New("login form: no csrf field")
	}
	form := url.Values{"csrf": {token}, "login": {login}, "password": {run.cfg.agentPassword}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, tg.loginURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", tg.origin)
	resp, err = hc.Do(req)
	if err != nil {
		return fmt.Errorf("log in: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusSeeOther:
	case http.StatusUnauthorized:
		return errors.New("log in: wrong login or password (HTTP 401)")
	case http.StatusTooManyRequests:
		return errors.New("log in: too many attempts from this address or for this login (HTTP 429)")
	default:
		return fmt.Errorf("log in: HTTP %d", resp.StatusCode)
	}
	// The jar knows only http URLs; the websocket dialer asks it so.
	u, err := url.Parse(tg.base + "/agent/ws")
	if err != nil {
		return err
	}
	for _, c := range hc.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return nil
		}
	}
	return errors.New("log in: no session cookie for " + u.String())
}

// agentFrame is a frame from /agent/ws, the fields loadgen uses.
type agentFrame struct {
	Type   string `json:"type"`
	Assign string `json:"assign"`
	// Agent is an object in welcome and presence, the agent's name (a
	// string) in message frames.
	Agent json.RawMessage `json:"agent"`
	Queue []queueItem     `json:"queue"`
	Held  []struct {
		ID string `json:"id"`
	} `json:"held"`
	Item *queueItem `json:"item"`
	// Conversation is an object in assigned, an id elsewhere.
	Conversation json.RawMessage `json:"conversation"`
	Author       string          `json:"author"`
	Text         string          `json:"text"`
	Code         string          `json:"code"`
}

type queueItem struct {
	Conversation string `json:"conversation"`
}

// agentInfo is the agent object of welcome and presence frames.
type agentInfo struct {
	Login    string `json:"login"`
	Capacity int    `json:"capacity"`
	Status   string `json:"status"`
}

// agent returns the frame's agent object, or nil when it has none.
func (f *agentFrame) agent() *agentInfo {
	var info agentInfo
	if len(f.Agent) == 0 || f.Agent[0] != '{' || json.Unmarshal(f.Agent, &info) != nil {
		return nil
	}
	return &info
}

// conversationID returns the id of the frame's conversation.
func (f *agentFrame) conversationID() string {
	if len(f.Conversation) == 0 {
		return ""
	}
	var id string
	if json.Unmarshal(f.Conversation, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"id"`
	}
	json.Unmarshal(f.Conversation, &obj)
	return obj.ID
}

// read handles the agent's frames until the socket closes.
func (a *agent) read() {
	defer a.releaseAll()
	for {
		_, data, err := a.ws.ReadMessage()
		if err != nil {
			return
		}
		var f agentFrame
		if json.Unmarshal(data, &f) != nil {
			a.run.errs.add("agent", "unreadable_frame")
			continue
		}
		switch f.Type {
		case "welcome":
			a.run.assign.Store(f.Assign)
			if info := f.agent(); info != nil {
				a.mu.Lock()
				a.capacity = info.Capacity
				a.mu.Unlock()
			}
			for _, c := range f.Held {
				a.hold(c.ID)
			}
			if err := a.send(map[string]string{"type": "presence", "status": "online"}); err != nil {
				a.run.errs.add("agent", "write")
				return
			}
			for _, q := range f.Queue {
				a.claim(q.Conversation)
			}
		case "presence":
			if info := f.agent(); info != nil && info.Login == a.login && info.Status == "online" {
				a.markOnline()
			}
		case "queued":
			if f.Item != nil {
				a.claim(f.Item.Conversation)
			}
		case "assigned":
			a.hold(f.conversationID())
		case "released":
			a.release(f.conversationID())
		case "message":
			if f.Author == "customer" {
				a.run.relays.receive(f.Text, toAgent)
			}
		case "error":
			a.run.errs.add("agent", f.Code)
			if id := f.conversationID(); id != "" {
				a.mu.Lock()
				delete(a.claiming, id)
				a.mu.Unlock()
			}
		}
	}
}

func (a *agent) markOnline() {
	a.mu.Lock()
	first := !a.online
	a.online = true
	a.mu.Unlock()
	if first {
		a.run.online.Add(1)
	}
}

// claim claims a queued conversation if the agent is under capacity and
// the server lets agents claim (not in round-robin, where the server
// assigns).
func (a *agent) claim(id string) {
	if a.run.assignMode() == "round-robin" {
		return
	}
	a.mu.Lock()
	ok := id != "" && a.held[id] == nil && !a.claiming[id] && len(a.held)+len(a.claiming) < a.capacity
	if ok {
		a.claiming[id] = true
	}
	a.mu.Unlock()
	if ok {
		if err := a.send(map[string]string{"type": "claim", "conversation": id}); err != nil {
			a.run.errs.add("agent", "write")
		}
	}
}

// hold starts writing to a conversation the agent now holds.
func (a *agent) hold(id string) {
	if id == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.claiming, id)
	if a.held[id] != nil {
		return
	}
	ctx, cancel := context.WithCancel(a.run.writeCtx)
	a.held[id] = cancel
	go a.write(ctx, id)
}

func (a *agent) release(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cancel := a.held[id]; cancel != nil {
		cancel()
		delete(a.held, id)
	}
}

func (a *agent) releaseAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, cancel := range a.held {
		cancel()
		delete(a.held, id)
	}
}

func (a *agent) heldCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.held)
}

// write sends a message to the conversation every -agent-interval,
// jittered, during the measured phase.
func (a *agent) write(ctx context.Context, conv string) {
	select {
	case <-ctx.Done():
		return
	case <-a.run.measuring:
	}
	interval := a.run.cfg.agentInterval
	sleep(ctx, time.Duration(mathrand.Int64N(int64(interval))))
	for ctx.Err() == nil {
		id := textID(a.login, a.run.agentMessageN.Add(1))
		a.run.relays.send(id, toCustomer)
		err := a.send(map[string]string{"type": "message", "conversation": conv, "client_id": randomID("a_"),
			"text": id + " Je regarde votre commande, un instant."})
		if err != nil {
			a.run.errs.add("agent", "write")
			return
		}
		sleep(ctx, jittered(interval, mathrand.Float64()))
	}
}

// Customers.

// customer is one customer's websocket, in agent mode.
type customer struct {
	socket
	run  *agentRun
	name string
	// Read by the run; written by the reader.
	holding, everHeld, queued, closed atomic.Bool
	settled                           atomic.Bool
	// The reader's own state.
	questionID         string
	ackSeq, lastBotSeq int64
	acked, askedPerson bool
	// The writer's own state.
	n int64
}

// customerFrame is a frame from /ws, the fields loadgen uses.
type customerFrame struct {
	Type     string          `json:"type"`
	Seq      int64           `json:"seq"`
	Author   string          `json:"author"`
	Text     string          `json:"text"`
	ClientID string          `json:"client_id"`
	Code     string          `json:"code"`
	State    string          `json:"state"`
	Form     json.RawMessage `json:"form"`
}

// dialCustomer opens customer i's websocket, says hello and starts its
// reader, which asks a question and then for a person, and its writer.
func (run *agentRun) dialCustomer(ctx context.Context, d *websocket.Dialer, i int) (*customer, error) {
	tg := run.target(i)
	ws, _, err := d.DialContext(ctx, tg.customerURL, http.Header{"Origin": {tg.origin}})
	if err != nil {
		return nil, err
	}
	c := &customer{socket: socket{ws: ws}, run: run, name: "c" + strconv.Itoa(i+1)}
	if err := c.send(map[string]any{"type": "hello", "v": 1, "locale": "fr"}); err != nil {
		ws.Close()
		return nil, err
	}
	go c.read(i)
	go c.write()
	return c, nil
}

// settle counts the customer as done waiting, once.
func (c *customer) settle() {
	if c.settled.CompareAndSwap(false, true) {
		c.run.settled.Add(1)
	}
}

func (c *customer) read(i int) {
	defer func() {
		c.closed.Store(true)
		c.holding.Store(false)
		c.settle()
	}()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var f customerFrame
		if json.Unmarshal(data, &f) != nil {
			c.run.errs.add("customer", "unreadable_frame")
			continue
		}
		if err := c.handle(f, i); err != nil {
			c.run.errs.add("customer", "write")
			return
		}
	}
}

// handle reacts to one frame: after welcome a question, after its answer
// a request for a person.
func (c *customer) handle(f customerFrame, i int) error {
	switch f.Type {
	case "welcome":
		if c.questionID != "" {
			return nil
		}
		c.questionID = randomID("m_")
		return c.send(map[string]string{"type": "message", "client_id": c.questionID, "text": questions[i%len(questions)]})
	case "ack":
		if f.ClientID == c.questionID && !c.acked {
			c.acked, c.ackSeq = true, f.Seq
			return c.askForPerson()
		}
	case "message":
		switch f.Author {
		case "agent":
			c.run.relays.receive(f.Text, toCustomer)
		case "bot":
			if len(f.Form) > 0 && string(f.Form) != "null" {
				if !c.everHeld.Load() {
					c.run.forms.Add(1)
					c.settle()
				}
				return nil
			}
			c.lastBotSeq = max(c.lastBotSeq, f.Seq)
			return c.askForPerson()
		}
	case "state":
		switch f.State {
		case "agent":
			c.holding.Store(true)
			if !c.everHeld.Swap(true) {
				c.run.held.Add(1)
			}
			c.settle()
		case "queued":
			c.queued.Store(true)
		default:
			c.holding.Store(false)
		}
	case "error":
		c.run.errs.add("customer", f.Code)
	}
	return nil
}

// askForPerson presses « Parler à une personne » under the bot's answer
// to the question, once the question is acknowledged and answered.
func (c *customer) askForPerson() error {
	if !c.acked || c.lastBotSeq <= c.ackSeq || c.askedPerson || c.queued.Load() || c.everHeld.Load() {
		return nil
	}
	c.askedPerson = true
	c.run.handedOff.Add(1)
	return c.send(map[string]any{"type": "action", "client_id": randomID("h_"), "action": "handoff", "seq": c.lastBotSeq})
}

// write sends a message every -customer-interval, jittered, while an
// agent holds the conversation, during the measured phase.
func (c *customer) write() {
	ctx := c.run.writeCtx
	select {
	case <-ctx.Done():
		return
	case <-c.run.measuring:
	}
	interval := c.run.cfg.customerInterval
	sleep(ctx, time.Duration(mathrand.Int64N(int64(interval))))
	for ctx.Err() == nil && !c.closed.Load() {
		if c.holding.Load() {
			c.n++
			id := textID(c.name, c.n)
			c.run.relays.send(id, toAgent)
			if err := c.send(map[string]string{"type": "message", "client_id": randomID("m_"), "text": id + " merci, j'attends."}); err != nil {
				c.run.errs.add("customer", "write")
				return
			}
		}
		sleep(ctx, jittered(interval, mathrand.Float64()))
	}
}
