package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	openai "github.com/sashabaranov/go-openai"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/chat"
	"github.com/supportd/supportd/hours"
	"github.com/supportd/supportd/identity"
	"github.com/supportd/supportd/kb"
	"github.com/supportd/supportd/mail"
	"github.com/supportd/supportd/orders"
	"github.com/supportd/supportd/store"
	"github.com/supportd/supportd/web"
)

// serveConfig is the configuration of "supportd serve"; docs/configuration.md
// documents each field.
type serveConfig struct {
	addr              string
	kbDir             string
	kbIndex           string
	dataDir           string
	databaseURL       string
	allowedOrigins    string
	connPerMinute     int
	trustForwardedFor bool
	shutdownTimeout   time.Duration
	readTimeout       time.Duration
	logLevel          string
	logFormat         string
	metricsAddr       string
	metricsToken      string
	orders            string
	ordersDatabaseURL string
	customerSecret    string
	tokenMaxAge       time.Duration
	debugAddr         string
	memoryLimit       int64
	gcPercent         int
	debugPublic       bool
	llmModel          string
	llmEmbedding      string
	llmTimeout        time.Duration
	llmMaxTokens      int
	demoLogins        string
	hoursFile         string
	supportInbox      string
	mailFrom          string
	smtp              mail.SenderConfig
	assign            string
	maxWait           time.Duration
	replicaTimeout    time.Duration
	retentionText     string
	retention         time.Duration
	// now, when set, is the time supportd reads opening hours at when it
	// starts; its clock then runs from there (for tests and demos).
	now string
}

// demoLoginsOn tells whether the demo page offers to log in as a demo
// customer: "auto" turns it on with the built-in demo orders.
func (c serveConfig) demoLoginsOn() bool {
	return c.demoLogins == "on" || c.demoLogins == "auto" && (c.orders == "" || c.orders == "demo")
}

// env returns the environment variable, or def when it is unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// defaultGCPercent is the collector's target when neither --gc-percent nor
// GOGC set another: the heap grows to 1.5 times what is live, not Go's
// twice. Most of a server's memory is its sockets' (10,000 held: about
// 300 MB), and what it allocates to answer is short-lived: under chat the
// collector's headroom was most of the growth of the memory, ×1.30 at 500
// answers a second with Go's default and ×1.26 with this, for about a
// fifth more CPU per answer (docs/benchmarks.md).
const defaultGCPercent = 50

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// parseSize reads a size in bytes, with an optional unit: B, KiB, MiB,
// GiB (or KB, MB, GB, taken as the same powers of 1,024, as GOMEMLIMIT
// reads them).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		factor int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}}
	num, factor := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, factor = strings.TrimSpace(rest), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/factor {
		return 0, fmt.Errorf("%q is not a size such as 400MiB", s)
	}
	return n * factor, nil
}

// parseServeFlags reads the flags, each defaulting to its environment
// variable, then to the built-in default.
func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := newFlagSet("serve", stderr)
	fs.StringVar(&c.addr, "addr", env("SUPPORTD_ADDR", "localhost:8080"), "address to listen on (SUPPORTD_ADDR)")
	fs.StringVar(&c.kbDir, "kb", env("SUPPORTD_KB", ""), "knowledge-base folder, watched for changes; empty: the built-in demo (SUPPORTD_KB)")
	storeFlags(fs, &c)
	fs.StringVar(&c.kbIndex, "kb-index", env("SUPPORTD_KB_INDEX", ""), "folder where the knowledge base's index is kept between starts, this process's own; empty: kb-index in --data when --kb is set; off: in memory only (SUPPORTD_KB_INDEX)")
	fs.StringVar(&c.allowedOrigins, "allowed-origins", env("SUPPORTD_ALLOWED_ORIGINS", ""), "comma-separated origins whose pages may open the chat, e.g. https://shop.example, besides supportd's own pages (SUPPORTD_ALLOWED_ORIGINS)")
	fs.IntVar(&c.connPerMinute, "conn-per-minute", envInt("SUPPORTD_CONN_PER_MINUTE", 20), "websockets one IP address may open a minute; -1: no limit (SUPPORTD_CONN_PER_MINUTE)")
	fs.BoolVar(&c.trustForwardedFor, "trust-forwarded-for", env("SUPPORTD_TRUST_FORWARDED_FOR", "") == "true", "take the client address from X-Forwarded-For, behind a proxy (SUPPORTD_TRUST_FORWARDED_FOR)")
	fs.StringVar(&c.llmModel, "llm-model", env("SUPPORTD_LLM_MODEL", ""), "chat model of the OpenAI-compatible server at OPENAI_BASE_URL (key in OPENAI_API_KEY) that writes answers from the articles found; empty: answers offline only (SUPPORTD_LLM_MODEL)")
	fs.StringVar(&c.llmEmbedding, "llm-embedding-model", env("SUPPORTD_LLM_EMBEDDING_MODEL", ""), "embedding model of the same server, to find the articles the language model writes from by meaning too; their vectors are kept in --data (SUPPORTD_LLM_EMBEDDING_MODEL)")
	fs.DurationVar(&c.llmTimeout, "llm-timeout", envDuration("SUPPORTD_LLM_TIMEOUT", 8*time.Second), "longest wait for the model's answer, after which the offline answer is given (SUPPORTD_LLM_TIMEOUT)")
	fs.IntVar(&c.llmMaxTokens, "llm-max-tokens", 400, "longest answer the model may write, in tokens")
	fs.DurationVar(&c.tokenMaxAge, "customer-token-max-age", envDuration("SUPPORTD_CUSTOMER_TOKEN_MAX_AGE", identity.DefaultMaxLifetime), "longest a customer token may vouch for, from now; one expiring later is refused (SUPPORTD_CUSTOMER_TOKEN_MAX_AGE)")
	fs.DurationVar(&c.readTimeout, "read-timeout", envDuration("SUPPORTD_READ_TIMEOUT", 30*time.Second), "longest time a client may take to send a request, body included; a websocket has its own deadlines once open (SUPPORTD_READ_TIMEOUT)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", envDuration("SUPPORTD_SHUTDOWN_TIMEOUT", 10*time.Second), "how long connections may take to close on shutdown (SUPPORTD_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&c.logLevel, "log-level", env("SUPPORTD_LOG_LEVEL", "info"), "debug, info, warn or error (SUPPORTD_LOG_LEVEL)")
	fs.StringVar(&c.orders, "orders", env("SUPPORTD_ORDERS", "demo"), "customers' orders: demo (built-in), postgres (ORDERS_DATABASE_URL, else DATABASE_URL) or the path of a YAML fixture (SUPPORTD_ORDERS)")
	fs.StringVar(&c.demoLogins, "demo-logins", env("SUPPORTD_DEMO_LOGINS", "auto"), "the demo page offers to log in as a demo customer: on, off, or auto (on with --orders demo) (SUPPORTD_DEMO_LOGINS)")
	fs.StringVar(&c.hoursFile, "hours", env("SUPPORTD_HOURS", ""), "opening-hours file (docs/hours.md); empty: Monday to Friday 9:00-12:30 and 14:00-18:00, Europe/Paris, French holidays (SUPPORTD_HOURS)")
	fs.StringVar(&c.supportInbox, "support-inbox", env("SUPPORTD_SUPPORT_INBOX", ""), "address that receives the email requests taken when nobody answers in the chat (SUPPORTD_SUPPORT_INBOX)")
	fs.StringVar(&c.mailFrom, "mail-from", env("SUPPORTD_MAIL_FROM", "supportd@localhost"), "sender of supportd's emails (SUPPORTD_MAIL_FROM)")
	fs.StringVar(&c.smtp.Host, "smtp-host", env("SUPPORTD_SMTP_HOST", ""), "SMTP server; empty: emails wait in the outbox (SUPPORTD_SMTP_HOST)")
	fs.IntVar(&c.smtp.Port, "smtp-port", envInt("SUPPORTD_SMTP_PORT", 587), "SMTP port (SUPPORTD_SMTP_PORT)")
	fs.StringVar(&c.smtp.TLS, "smtp-tls", env("SUPPORTD_SMTP_TLS", mail.TLSOpportunistic), "opportunistic, mandatory or none (SUPPORTD_SMTP_TLS)")
	fs.StringVar(&c.assign, "assign", env("SUPPORTD_ASSIGN", chat.AssignClaim), "how queued conversations reach agents: claim (agents pick) or round-robin (SUPPORTD_ASSIGN)")
	fs.DurationVar(&c.maxWait, "max-wait", envDuration("SUPPORTD_MAX_WAIT", 10*time.Minute), "longest estimated wait for which a customer joins the queue; beyond it, an email request is taken (SUPPORTD_MAX_WAIT)")
	fs.StringVar(&c.retentionText, "retention", env("SUPPORTD_RETENTION", ""), "delete the conversations (messages, votes, email requests, survey answers) last changed longer ago than this, e.g. 365d; checked at start and every hour; empty: keep everything (SUPPORTD_RETENTION)")
	fs.DurationVar(&c.replicaTimeout, "replica-timeout", envDuration("SUPPORTD_REPLICA_TIMEOUT", 20*time.Second), "with several processes on one PostgreSQL: how long an agent online whose process died, and whose console reconnected to no other, stays so before going offline, their conversations back in the queue (SUPPORTD_REPLICA_TIMEOUT)")
	fs.StringVar(&c.logFormat, "log-format", env("SUPPORTD_LOG_FORMAT", "text"), "text, or json for one JSON object a line (SUPPORTD_LOG_FORMAT)")
	fs.StringVar(&c.metricsAddr, "metrics-addr", env("SUPPORTD_METRICS_ADDR", ""), "address serving /metrics alone, without a token, for a private network; empty: none (SUPPORTD_METRICS_ADDR)")
	memoryLimit := fs.String("memory-limit", env("SUPPORTD_MEMORY_LIMIT", ""), "soft limit of the memory the Go runtime uses, e.g. 400MiB: the collector works harder near it rather than let the heap double (Go's GOMEMLIMIT); empty: GOMEMLIMIT, else none (SUPPORTD_MEMORY_LIMIT)")
	gcDefault := defaultGCPercent
	if os.Getenv("GOGC") != "" {
		gcDefault = 0
	}
	fs.IntVar(&c.gcPercent, "gc-percent", envInt("SUPPORTD_GC_PERCENT", gcDefault), "how far the heap grows past what is live before the collector runs, in percent (Go's GOGC); 0: GOGC's (SUPPORTD_GC_PERCENT; default 50, or GOGC's when it is set)")
	fs.StringVar(&c.debugAddr, "debug-addr", env("SUPPORTD_DEBUG_ADDR", ""), "address serving Go's profiles (net/http/pprof), loopback only; empty: none (SUPPORTD_DEBUG_ADDR)")
	fs.BoolVar(&c.debugPublic, "debug-public", false, "allow --debug-addr on an address that is not loopback")
	fs.StringVar(&c.now, "now", env("SUPPORTD_NOW", ""), "for tests and demos: the time, RFC 3339, at which opening hours are read when supportd starts; the clock runs on from it (SUPPORTD_NOW)")
	c.smtp.Username = os.Getenv("SUPPORTD_SMTP_USERNAME")
	c.smtp.Password = os.Getenv("SUPPORTD_SMTP_PASSWORD")
	c.ordersDatabaseURL = env("ORDERS_DATABASE_URL", "")
	// A secret is read from the environment only, never from a flag that
	// ps would show.
	c.customerSecret = os.Getenv("SUPPORTD_CUSTOMER_SECRET")
	// With it, /metrics is served on the chat's address to its bearer.
	c.metricsToken = os.Getenv("SUPPORTD_METRICS_TOKEN")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return c, errUsage
	}
	if c.ordersDatabaseURL == "" {
		c.ordersDatabaseURL = c.databaseURL
	}
	if *memoryLimit != "" {
		n, err := parseSize(*memoryLimit)
		if err != nil {
			fmt.Fprintln(stderr, "--memory-limit:", err)
			return c, errUsage
		}
		c.memoryLimit = n
	}
	if c.gcPercent < 0 {
		fmt.Fprintln(stderr, "--gc-percent: 0 or more")
		return c, errUsage
	}
	if err := checkDebugAddr(c.debugAddr, c.debugPublic); err != nil {
		fmt.Fprintln(stderr, err)
		return c, errUsage
	}
	switch c.demoLogins {
	case "on", "off", "auto":
	default:
		fmt.Fprintln(stderr, "--demo-logins: on, off or auto")
		return c, errUsage
	}
	if c.retentionText != "" {
		d, err := parseRetention(c.retentionText)
		if err != nil {
			fmt.Fprintln(stderr, "--retention:", err)
			return c, errUsage
		}
		c.retention = d
	}
	return c, nil
}

// parseRetention reads --retention: days (365d) or a Go duration of a
// day at least.
func parseRetention(text string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(text, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%q: a number of days, at least 1, e.g. 365d", text)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(text)
	if err != nil || d < 24*time.Hour {
		return 0, fmt.Errorf("%q: a number of days (365d), or a duration of a day at least (48h)", text)
	}
	return d, nil
}

// llmConfig returns the language model's configuration, or nil when none
// is configured (no --llm-model). The server's address and key come from
// the environment only: OPENAI_BASE_URL (default OpenAI's) and
// OPENAI_API_KEY.
func llmConfig(cfg serveConfig) (*assistant.LLMConfig, error) {
	if cfg.llmModel == "" {
		return nil, nil
	}
	if cfg.llmTimeout <= 0 || cfg.llmMaxTokens <= 0 {
		return nil, errors.New("--llm-timeout and --llm-max-tokens must be positive")
	}
	c := openai.DefaultConfig(os.Getenv("OPENAI_API_KEY"))
	if base := os.Getenv("OPENAI_BASE_URL"); base != "" {
		c.BaseURL = base
	}
	// One server, many answers at once: keep enough connections to it
	// open rather than the default 2 a host and 100 in all (each answer
	// holds one for seconds; a connection made again per answer costs
	// more than the answer's own work).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = 1024
	transport.MaxIdleConnsPerHost = 1024
	c.HTTPClient = &http.Client{Transport: assistant.RetryAfter{Next: transport}}
	return &assistant.LLMConfig{Client: openai.NewClientWithConfig(c), Model: cfg.llmModel, Timeout: cfg.llmTimeout, MaxTokens: cfg.llmMaxTokens,
		EmbeddingModel: cfg.llmEmbedding, CacheDir: cfg.dataDir}, nil
}

// runServe runs supportd serve until ctx ends: it opens what the server
// reads (the knowledge base, the store, the orders), builds the assistant,
// the chat and the web handler on them, and serves.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	logger, err := newLogger(stderr, cfg.logLevel, cfg.logFormat)
	if err != nil {
		return err
	}
	if cfg.memoryLimit > 0 {
		debug.SetMemoryLimit(cfg.memoryLimit)
	}
	if cfg.gcPercent > 0 {
		debug.SetGCPercent(cfg.gcPercent)
	}
	// The language models load beside the knowledge base, and before
	// supportd listens, so that the first customers do not wait for them.
	languages := make(chan struct{})
	go func() {
		assistant.PreloadLanguages()
		close(languages)
	}()
	base, err := openKBIndexed(cfg.kbDir, cfg.kbIndexDir(), logger)
	if err != nil {
		return err
	}
	defer base.Close()
	st, err := openStore(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	logger.Info("store open", "store", st.where)
	ordersSrc, closeOrders, err := openServeOrders(ctx, cfg, st)
	if err != nil {
		return err
	}
	defer closeOrders()
	verifier, err := newVerifier(cfg, logger)
	if err != nil {
		return err
	}
	answerer, err := newAnswerer(ctx, cfg, base, ordersSrc, logger)
	if err != nil {
		return err
	}
	outbox, stopOutbox, err := startOutbox(ctx, cfg, st, logger)
	if err != nil {
		return err
	}
	// Deferred after the store's Close, so run before it.
	defer stopOutbox()
	if cfg.retention > 0 {
		retentionCtx, stopRetention := context.WithCancel(ctx)
		retentionDone := make(chan struct{})
		go func() {
			defer close(retentionDone)
			keepFor(retentionCtx, st, cfg.retention, logger)
		}()
		defer func() { stopRetention(); <-retentionDone }()
	}
	// The metrics, when an operator asked for them.
	var metrics *prometheus.Registry
	var answers chat.AnswerObserver
	sources := &serveMetrics{assistant: answerer, kb: base, outbox: outbox, emails: st, llm: cfg.llmModel != ""}
	if cfg.metricsAddr != "" || cfg.metricsToken != "" {
		metrics, answers = newMetrics(sources)
	}
	chatSvc, err := newChat(ctx, cfg, st, answerer, ordersSrc, verifier, outbox, answers, logger)
	if err != nil {
		return err
	}
	sources.chat = chatSvc
	handler, err := newWebHandler(cfg, base, st, chatSvc, ordersSrc, verifier, logger)
	if err != nil {
		chatSvc.Shutdown(ctx)
		return err
	}
	stopWatch := watchKB(ctx, cfg, base, logger)
	<-languages
	return serveHTTP(ctx, cfg, handler, metrics, chatSvc, stopWatch, stdout, logger)
}

// articleURL is the address of an article's page.
func articleURL(id string) string { return "/help/" + id }

// openServeOrders opens the customers' orders of --orders; in the
// database of the conversations, they share its pool.
func openServeOrders(ctx context.Context, cfg serveConfig, st openedStore) (orders.Source, func(), error) {
	if cfg.orders == "postgres" && st.pool != nil && cfg.ordersDatabaseURL == st.url {
		if _, err := orders.Migrate(ctx, st.pool); err != nil {
			return nil, nil, fmt.Errorf("orders: %w", err)
		}
		return orders.NewPostgres(st.pool), func() {}, nil
	}
	return openOrders(ctx, cfg.orders, cfg.ordersDatabaseURL)
}

// newVerifier returns the verifier of the shop's customer tokens, or nil
// when every visitor is anonymous.
func newVerifier(cfg serveConfig, logger *slog.Logger) (*identity.Verifier, error) {
	verifier, err := customerVerifier(cfg.customerSecret, cfg.demoLoginsOn())
	if err != nil {
		return nil, fmt.Errorf("SUPPORTD_CUSTOMER_SECRET: %w", err)
	}
	if verifier == nil {
		logger.Warn("SUPPORTD_CUSTOMER_SECRET is not set: every visitor is anonymous and must verify an order with its email address")
		return nil, nil
	}
	verifier.MaxLifetime = cfg.tokenMaxAge
	return verifier, nil
}

// newAnswerer builds the assistant, with the language model when one is
// configured, and starts embedding the articles for it.
func newAnswerer(ctx context.Context, cfg serveConfig, base *kb.Base, ordersSrc orders.Source, logger *slog.Logger) (*assistant.Service, error) {
	llmCfg, err := llmConfig(cfg)
	if err != nil {
		return nil, err
	}
	if llmCfg != nil {
		logger.Info("answers written by a language model", "model", llmCfg.Model, "server", os.Getenv("OPENAI_BASE_URL"), "timeout", llmCfg.Timeout)
	} else {
		logger.Info("answers from the knowledge base only (no language model configured)")
	}
	answerer, err := assistant.New(assistant.Config{Searcher: base, ArticleURL: articleURL, Orders: ordersSrc, Logger: logger, LLM: llmCfg})
	if err != nil {
		return nil, err
	}
	go func() {
		if err := answerer.WarmEmbeddings(ctx); err != nil {
			logger.Warn("embed the articles", "err", err)
		}
	}()
	return answerer, nil
}

// newChat builds the chat service on the store and restores its desk.
func newChat(ctx context.Context, cfg serveConfig, st openedStore, answerer *assistant.Service, ordersSrc orders.Source,
	verifier *identity.Verifier, outbox *mail.Outbox, answers chat.AnswerObserver, logger *slog.Logger) (*chat.Service, error) {
	schedule := hours.DefaultSchedule()
	if cfg.hoursFile != "" {
		var err error
		if schedule, err = hours.LoadSchedule(cfg.hoursFile); err != nil {
			return nil, err
		}
	}
	chatCfg := chat.Config{Store: st, Answerer: answerer, Logger: logger, ArticleURL: articleURL,
		Hours: schedule, SupportInbox: cfg.supportInbox, MailFrom: cfg.mailFrom, Orders: ordersSrc,
		Assign: cfg.assign, MaxWait: cfg.maxWait, ReplicaTimeout: cfg.replicaTimeout, Assignments: st, Agents: st, Phrasings: st, Surveys: st,
		History: st, Tickets: st, Feed: st.feed, Answers: answers}
	if cfg.now != "" {
		start, err := time.Parse(time.RFC3339, cfg.now)
		if err != nil {
			return nil, fmt.Errorf("--now: %w", err)
		}
		began := time.Now()
		chatCfg.Now = func() time.Time { return start.Add(time.Since(began)) }
		logger.Warn("the clock of opening hours is set by --now", "now", start)
	}
	if outbox != nil {
		chatCfg.Outbox = outbox
	}
	if verifier != nil {
		chatCfg.Customers = verifier
	}
	chatSvc, err := chat.NewService(chatCfg)
	if err != nil {
		return nil, err
	}
	if err := chatSvc.RestoreDesk(ctx); err != nil {
		chatSvc.Shutdown(ctx)
		return nil, err
	}
	return chatSvc, nil
}

// newWebHandler builds the HTTP routes.
func newWebHandler(cfg serveConfig, base *kb.Base, st openedStore, chatSvc *chat.Service, ordersSrc orders.Source,
	verifier *identity.Verifier, logger *slog.Logger) (*web.Handler, error) {
	webCfg := web.Config{
		Chat:                 chatSvc,
		Articles:             base,
		ConnectionsPerMinute: cfg.connPerMinute,
		TrustForwardedFor:    cfg.trustForwardedFor,
		Logger:               logger,
		Agents:               st,
		Desk:                 chatSvc,
		Canned:               st,
		Reports:              st,
		Ready: func(ctx context.Context) error {
			if base.Len() == 0 {
				return errors.New("the knowledge base has no article")
			}
			return st.Ping(ctx)
		},
	}
	if cfg.demoLoginsOn() {
		fixture, ok := ordersSrc.(*orders.Fixture)
		if !ok {
			// The demo customers, seeded into PostgreSQL.
			fixture = demoOrders()
		}
		webCfg.DemoCustomers, webCfg.DemoToken = demoLogins(fixture, verifier)
	}
	for _, o := range strings.Split(cfg.allowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			webCfg.AllowedOrigins = append(webCfg.AllowedOrigins, o)
		}
	}
	return web.NewHandler(webCfg)
}

// watchKB follows the knowledge-base folder, if one is given, until the
// returned stop is called; stop waits for the watcher to end.
func watchKB(ctx context.Context, cfg serveConfig, base *kb.Base, logger *slog.Logger) (stop func()) {
	watchCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if cfg.kbDir == "" {
			return
		}
		if err := base.Watch(watchCtx); err != nil {
			logger.Error("kb: not watching the folder; restart to see changes", "err", err)
		}
	}()
	return func() { cancel(); <-done }
}

// serveHTTP listens and serves until ctx ends, then shuts down: the HTTP
// server, the handler, the chat's sockets and the watcher. metrics, when
// not nil, are served too (metrics.go).
func serveHTTP(ctx context.Context, cfg serveConfig, handler *web.Handler, metrics *prometheus.Registry, chatSvc *chat.Service, stopWatch func(), stdout io.Writer, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		stopWatch()
		chatSvc.Shutdown(ctx)
		return err
	}
	// A client that trickles its request is cut off at the read timeout;
	// once a websocket is open, its read deadline follows its pongs.
	var served http.Handler = handler
	if metrics != nil {
		served = withMetrics(handler, metrics, cfg.metricsToken)
	}
	srv := &http.Server{
		Handler:           served,
		ReadHeaderTimeout: min(10*time.Second, cfg.readTimeout),
		ReadTimeout:       cfg.readTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// The profiles and the metrics, each on an address of its own when
	// asked for.
	type asideServer struct {
		flag, addr string
		handler    http.Handler
	}
	var aside []asideServer
	if cfg.debugAddr != "" {
		aside = append(aside, asideServer{"--debug-addr", cfg.debugAddr, debugHandler()})
	}
	if metrics != nil && cfg.metricsAddr != "" {
		aside = append(aside, asideServer{"--metrics-addr", cfg.metricsAddr, metricsHandler(metrics, "")})
	}
	for _, a := range aside {
		other, err := serveAside(a.addr, a.handler, logger)
		if err != nil {
			ln.Close()
			stopWatch()
			chatSvc.Shutdown(ctx)
			return fmt.Errorf("%s: %w", a.flag, err)
		}
		defer other.Close()
	}
	fmt.Fprintf(stdout, "supportd is listening: open http://%s/\n", displayAddr(ln.Addr()))
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		stopWatch()
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	// net/http's Shutdown leaves hijacked websockets alone: the chat
	// service closes them itself.
	srvErr := srv.Shutdown(shutdownCtx)
	handler.Close()
	chatErr := chatSvc.Shutdown(shutdownCtx)
	stopWatch()
	if err := errors.Join(srvErr, chatErr); err != nil {
		logger.Warn("shutdown incomplete", "err", err)
	}
	logger.Info("stopped")
	return nil
}

// startOutbox starts sending the emails of the outbox when an SMTP server
// is configured; without one, they wait in the store, and nil is returned.
// stop ends the sending and waits for it, so that the store can close.
func startOutbox(ctx context.Context, cfg serveConfig, queue mail.Queue, logger *slog.Logger) (outbox *mail.Outbox, stop func(), err error) {
	if cfg.smtp.Host == "" {
		logger.Warn("no SMTP server (--smtp-host): the emails of email requests wait in the outbox until one is configured")
		return nil, func() {}, nil
	}
	sender, err := mail.NewSender(cfg.smtp)
	if err != nil {
		return nil, nil, err
	}
	outbox, err = mail.NewOutbox(mail.OutboxConfig{Queue: queue, Mailer: sender, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		outbox.Run(ctx)
	}()
	return outbox, func() { cancel(); <-done }, nil
}

// displayAddr turns a listening address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() || ip.IsLoopback() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	url := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (DATABASE_URL)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	if *url == "" {
		fmt.Fprintln(stderr, "supportd migrate: set DATABASE_URL or --database-url; the embedded store needs no migration")
		return errUsage
	}
	applied, err := store.Migrate(ctx, *url)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "the database is up to date")
	}
	for _, v := range applied {
		fmt.Fprintln(stdout, "applied", v)
	}
	return nil
}
