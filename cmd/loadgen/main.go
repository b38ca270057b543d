// Command loadgen puts a supportd server under load: it opens many
// customer websockets, has some of them chat, and reports the connections
// held, the bot's answer latency (from sending a message to receiving the
// answer), the messages per second and the server's memory.
//
// With -agents N, it logs N agents in and connects them to /agent/ws,
// hands every customer over to a person, and measures the relay of
// messages between agents and customers, both ways (see agents.go).
//
// Usage:
//
//	loadgen [-url ws://localhost:8080/ws] [-conns 1000] [-chatters 100] [-interval 1s] [-duration 30s] [-pid PID]
//	loadgen -fake-model 127.0.0.1:18500 [-fake-model-latency 300ms]
//	loadgen -echo 127.0.0.1:18481
//	LOADGEN_AGENT_PASSWORD=... loadgen -agents 50 -conns 2000 [-agent-interval 10s] [-customer-interval 10s] [-duration 30s] [-pid PID]
package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	mathrand "math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.url, "url", "ws://localhost:8080/ws", "the server's websocket URL; with -agents, several comma-separated (processes sharing one PostgreSQL), over which agents and customers are spread")
	flag.StringVar(&cfg.origin, "origin", "", "Origin header; default: the server's own http origin")
	flag.IntVar(&cfg.conns, "conns", 1000, "connections to open and hold")
	flag.IntVar(&cfg.chatters, "chatters", 100, "how many of them chat")
	flag.DurationVar(&cfg.interval, "interval", time.Second, "time between a chatter's questions")
	flag.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long the chatters chat, once all connections are open")
	flag.DurationVar(&cfg.hold, "hold", 5*time.Second, "how long to hold idle connections before measuring memory")
	flag.IntVar(&cfg.openRate, "open-rate", 2000, "connections opened a second")
	flag.IntVar(&cfg.pid, "pid", 0, "the server's process id, to report its memory")
	flag.IntVar(&cfg.agents, "agents", 0, "agents to log in; 0: customers and the bot only. With agents, every customer asks for a person")
	flag.StringVar(&cfg.agentPrefix, "agent-prefix", "loadagent", "agents' logins are this prefix followed by 1 to -agents")
	flag.StringVar(&cfg.agentPassword, "agent-password", os.Getenv("LOADGEN_AGENT_PASSWORD"), "the agents' password (LOADGEN_AGENT_PASSWORD)")
	flag.DurationVar(&cfg.agentInterval, "agent-interval", 10*time.Second, "with agents: time between an agent's messages in each conversation it holds")
	flag.DurationVar(&cfg.customerInterval, "customer-interval", 10*time.Second, "with agents: time between a held customer's messages")
	flag.DurationVar(&cfg.assignTimeout, "assign-timeout", time.Minute, "with agents: how long to wait for every customer to be held by an agent")
	fakeModel := flag.String("fake-model", "", "serve a fake OpenAI-compatible model on this address instead of putting load (see fakemodel.go)")
	fakeLatency := flag.Duration("fake-model-latency", 300*time.Millisecond, "with -fake-model: the time it takes to answer")
	echo := flag.String("echo", "", "serve a bare websocket echo server on this address instead of putting load: the floor supportd is measured against (see echo.go)")
	disk := flag.String("disk-probe", "", "time 4 KiB written and flushed in this folder instead of putting load: the state of the disk a run is measured on (see diskprobe.go)")
	flag.Parse()
	if cfg.chatters > cfg.conns {
		cfg.chatters = cfg.conns
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *echo != "" {
		if err := serveEcho(ctx, *echo); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if *disk != "" {
		if err := runDiskProbe(*disk); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if *fakeModel != "" {
		if err := serveFakeModel(ctx, *fakeModel, *fakeLatency); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if cfg.agents > 0 {
		r, err := runAgents(ctx, cfg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		r.print(cfg)
		return
	}
	r, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	r.print(cfg)
}

type config struct {
	url, origin               string
	conns, chatters, openRate int
	interval, duration, hold  time.Duration
	pid                       int
	// Agent mode.
	agents                                         int
	agentPrefix, agentPassword                     string
	agentInterval, customerInterval, assignTimeout time.Duration
}

// questions are what chatters ask, in turn: questions.txt, one a line.
// The assistant's benchmark of an offline answer asks the same.
var questions = strings.Split(strings.TrimSpace(questionsText), "\n")

//go:embed questions.txt
var questionsText string

type result struct {
	opened, failedOpen, held int
	latencies                []time.Duration
	answers, errorsSeen      int64
	elapsed                  time.Duration
	rssBefore, rssIdle       int64 // KiB
	rssLoad                  int64
	// anonIdle and anonLoad are the anonymous part of rssIdle and
	// rssLoad: the process's own memory, without the files it maps
	// (the embedded store's file, the executable).
	anonIdle, anonLoad int64
	// cpuChat is the CPU time the server spent while the customers
	// chatted, and cpuClient the load generator's own: on one machine,
	// what the client takes is not the server's.
	cpuChat, cpuClient time.Duration
}

// httpOrigin returns the origin of cfg: -origin, else the http origin of
// the websocket URL.
func httpOrigin(cfg config) string {
	if cfg.origin != "" {
		return cfg.origin
	}
	origin := strings.Replace(strings.Replace(cfg.url, "wss://", "https://", 1), "ws://", "http://", 1)
	if len(origin) < 8 {
		return origin
	}
	if i := strings.Index(origin[8:], "/"); i >= 0 {
		origin = origin[:8+i]
	}
	return origin
}

func run(ctx context.Context, cfg config) (*result, error) {
	origin := httpOrigin(cfg)
	dialer := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, HandshakeTimeout: 30 * time.Second}
	header := http.Header{"Origin": {origin}}
	res := &result{rssBefore: rssKiB(cfg.pid)}

	clients := make([]*client, 0, cfg.conns)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failed atomic.Int64
	tick := time.NewTicker(time.Second / time.Duration(max(cfg.openRate, 1)))
	for i := 0; i < cfg.conns && ctx.Err() == nil; i++ {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dial(ctx, &dialer, cfg.url, header)
			if err != nil {
				if failed.Add(1) <= 3 {
					fmt.Fprintln(os.Stderr, "loadgen: connect:", err)
				}
				return
			}
			mu.Lock()
			clients = append(clients, c)
			mu.Unlock()
		}()
	}
	tick.Stop()
	wg.Wait()
	res.opened, res.failedOpen = len(clients), int(failed.Load())
	fmt.Fprintf(os.Stderr, "loadgen: %d connections open (%d failed); holding %s\n", res.opened, res.failedOpen, cfg.hold)
	sleep(ctx, cfg.hold)
	res.rssIdle = rssKiB(cfg.pid)
	res.anonIdle = statusKiB(cfg.pid, "RssAnon:")

	chatters := clients[:min(cfg.chatters, len(clients))]
	var lat []time.Duration
	var latMu sync.Mutex
	start := time.Now()
	chatCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	var rssPeak, anonPeak atomic.Int64
	cpuBefore, clientBefore := cpuTime(cfg.pid), cpuTime(os.Getpid())
	go func() {
		for chatCtx.Err() == nil {
			if v := rssKiB(cfg.pid); v > rssPeak.Load() {
				rssPeak.Store(v)
			}
			if v := statusKiB(cfg.pid, "RssAnon:"); v > anonPeak.Load() {
				anonPeak.Store(v)
			}
			sleep(chatCtx, time.Second)
		}
	}()
	for i, c := range chatters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the chatters over the first interval.
			sleep(chatCtx, time.Duration(mathrand.Int64N(int64(cfg.interval))))
			for n := i; chatCtx.Err() == nil; n++ {
				sent := time.Now()
				d, err := c.ask(chatCtx, questions[n%len(questions)])
				if err != nil {
					if chatCtx.Err() == nil {
						c.errors.Add(1)
					}
					return
				}
				latMu.Lock()
				lat = append(lat, d)
				latMu.Unlock()
				sleep(chatCtx, cfg.interval-time.Since(sent))
			}
		}()
	}
	wg.Wait()
	cancel()
	res.elapsed = time.Since(start)
	res.cpuChat = cpuTime(cfg.pid) - cpuBefore
	res.cpuClient = cpuTime(os.Getpid()) - clientBefore
	res.latencies = lat
	res.answers = int64(len(lat))
	res.rssLoad = rssPeak.Load()
	res.anonLoad = anonPeak.Load()
	for _, c := range clients {
		if !c.closed.Load() {
			res.held++
		}
		res.errorsSeen += c.errors.Load()
		c.ws.Close()
	}
	return res, nil
}

func (r *result) print(cfg config) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) string { return formatPercentile(r.latencies, p) }
	fmt.Printf("connections: %d requested, %d opened, %d failed, %d still held at the end\n", cfg.conns, r.opened, r.failedOpen, r.held)
	fmt.Printf("chat: %d chatters, one question every %s, for %s\n", min(cfg.chatters, r.opened), cfg.interval, r.elapsed.Round(time.Millisecond))
	fmt.Printf("answers: %d (%.1f/s), errors: %d\n", r.answers, float64(r.answers)/r.elapsed.Seconds(), r.errorsSeen)
	fmt.Printf("answer latency: p50 %s  p90 %s  p99 %s  max %s\n", pct(50), pct(90), pct(99), pct(100))
	if r.answers > 0 && r.elapsed > 0 {
		fmt.Printf("load generator CPU: %.3f ms per answer, %.0f%% of a core while chatting\n",
			float64(r.cpuClient.Microseconds())/1000/float64(r.answers), 100*r.cpuClient.Seconds()/r.elapsed.Seconds())
	}
	if cfg.pid > 0 {
		per := 0.0
		if r.opened > 0 {
			per = float64(r.rssIdle-r.rssBefore) / float64(r.opened)
		}
		fmt.Printf("server RSS: %d KiB before, %d KiB with %d idle connections (%.1f KiB per connection), %d KiB peak under chat\n",
			r.rssBefore, r.rssIdle, r.opened, per, r.rssLoad)
		fmt.Printf("server anonymous memory (RSS without mapped files): %d KiB idle, %d KiB peak under chat\n", r.anonIdle, r.anonLoad)
		if r.answers > 0 {
			fmt.Printf("server CPU: %.3f ms per answer, %.0f%% of a core while chatting\n",
				float64(r.cpuChat.Microseconds())/1000/float64(r.answers), 100*r.cpuChat.Seconds()/r.elapsed.Seconds())
		}
	}
}

// client is one customer's websocket.
type client struct {
	ws      *websocket.Conn
	frames  chan frame
	closed  atomic.Bool
	errors  atomic.Int64
	counter int
}

type frame struct {
	Type     string `json:"type"`
	Author   string `json:"author"`
	ClientID string `json:"client_id"`
	Seq      int64  `json:"seq"`
	Code     string `json:"code"`
}

func dial(ctx context.Context, d *websocket.Dialer, url string, header http.Header) (*client, error) {
	ws, _, err := d.DialContext(ctx, url, header)
	if err != nil {
		return nil, err
	}
	c := &client{ws: ws, frames: make(chan frame, 16)}
	// Version 2, as the widget: answers written by a model come in draft
	// frames first (ignored here: the latency is to the stored answer).
	if err := ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "locale": "fr"}); err != nil {
		ws.Close()
		return nil, err
	}
	go c.read()
	return c, nil
}

// read forwards the frames that matter to ask; gorilla answers pings
// while it reads.
func (c *client) read() {
	defer func() {
		c.closed.Store(true)
		close(c.frames)
	}()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var f frame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch f.Type {
		case "ack", "error":
		case "message":
			if f.Author == "customer" {
				continue
			}
		default:
			continue
		}
		select {
		case c.frames <- f:
		default:
		}
	}
}

// ask sends a question and waits for the answer, returning the time
// between the two.
func (c *client) ask(ctx context.Context, q string) (time.Duration, error) {
	b := make([]byte, 8)
	rand.Read(b)
	id := "m_" + hex.EncodeToString(b)
	start := time.Now()
	if err := c.ws.WriteJSON(map[string]string{"type": "message", "client_id": id, "text": q}); err != nil {
		return 0, err
	}
	acked := false
	for {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case f, ok := <-c.frames:
			if !ok {
				return 0, errors.New("connection closed")
			}
			switch {
			case f.Type == "error":
				return 0, errors.New("error frame: " + f.Code)
			case f.Type == "ack" && f.ClientID == id:
				acked = true
			case f.Type == "message" && acked:
				return time.Since(start), nil
			}
		}
	}
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted
// durations, the nearest rank: the smallest that p % of them do not
// exceed. It returns false for no durations.
func percentile(sorted []time.Duration, p float64) (time.Duration, bool) {
	if len(sorted) == 0 {
		return 0, false
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)], true
}

// formatPercentile is percentile to 10 µs, or "-" for no durations.
func formatPercentile(sorted []time.Duration, p float64) string {
	d, ok := percentile(sorted, p)
	if !ok {
		return "-"
	}
	return d.Round(10 * time.Microsecond).String()
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// cpuTime reads the CPU time a process has used so far, user and system,
// from /proc, or 0. The kernel counts it in clock ticks, 100 a second on
// Linux.
func cpuTime(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command's name, which is in parentheses and
	// may hold spaces: utime and stime are the 12th and 13th.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100)
}

// rssKiB reads a process's resident memory from /proc, or 0.
func rssKiB(pid int) int64 { return statusKiB(pid, "VmRSS:") }

// statusKiB reads a figure in kB of /proc/PID/status, or 0.
func statusKiB(pid int, field string) int64 {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
