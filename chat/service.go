package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/hours"
	"github.com/supportd/supportd/identity"
	"github.com/supportd/supportd/internal/ratelimit"
	"github.com/supportd/supportd/orders"
	"github.com/supportd/supportd/store"
)

// Answerer writes the bot's replies. *assistant.Service implements it.
// PhrasingRecorder keeps candidate phrasings of articles.
// *store.Bolt and *store.Postgres implement it.
type PhrasingRecorder interface {
	AddPhrasing(ctx context.Context, p *store.Phrasing) error
}

type Answerer interface {
	Answer(ctx context.Context, m assistant.Message) (assistant.Reply, error)
	ArticleReply(id, lang string) (assistant.Reply, bool)
	StartScreen(lang string) assistant.Start
	HandoffReply(lang string) assistant.Reply
	NotHelpfulReply(lang string, others []assistant.ArticleRef) assistant.Reply
	OrderReply(ctx context.Context, m assistant.Message, number, question string) assistant.Reply
	OrdersMenu(ctx context.Context, m assistant.Message) assistant.Reply
}

// CustomerVerifier checks the tokens by which the shop vouches for its
// logged-in customers. *identity.Verifier implements it.
type CustomerVerifier interface {
	Verify(token string) (identity.Customer, error)
}

var _ CustomerVerifier = (*identity.Verifier)(nil)

var _ Answerer = (*assistant.Service)(nil)

// Config configures a [Service]. A zero field takes the default given.
type Config struct {
	// Store keeps conversations and messages; required.
	Store store.Store
	// Answerer writes the bot's replies; required.
	Answerer Answerer
	// Logger; default slog.Default().
	Logger *slog.Logger
	// ArticleURL returns the address of an article's page; default
	// "/help/" + id.
	ArticleURL func(id string) string
	// FrameRate and FrameBurst limit the frames a connection may send:
	// FrameBurst at once, then FrameRate a second. Default 2 and 10.
	FrameRate  float64
	FrameBurst int
	// MaxStrikes is how many frames in a row may be refused by the rate
	// limit before the connection is closed. Default 20.
	MaxStrikes int
	// QueueBytes caps the frames waiting to be written to one
	// connection; a client that falls further behind is disconnected.
	// Default 1 MiB.
	QueueBytes int
	// TypingDelay is how long an answer takes before the assistant is
	// shown typing: an answer that comes sooner would only make the
	// indicator flicker. Default 300 ms.
	TypingDelay time.Duration
	// ReplayLimit is the page size in which a resuming client's missed
	// messages are read from the store. Default 500.
	ReplayLimit int
	// Customers verifies the customer tokens of hello frames. Without
	// it every visitor is anonymous.
	Customers CustomerVerifier
	// VerifyBurst and VerifyPerHour limit the attempts one client
	// address makes at proving an order theirs with its number and email
	// address: VerifyBurst at once, then VerifyPerHour an hour. Default 5
	// and 20.
	VerifyBurst   int
	VerifyPerHour int
	// IntakesPerConversation is how many email requests one conversation
	// may send, and IntakesPerEmailHour how many may be sent for one
	// address an hour, so that the form cannot make supportd email any
	// address at will. Default 3 and 3.
	IntakesPerConversation int
	IntakesPerEmailHour    int
	// Tickets keeps the requests taken by email; with it, a handoff that
	// no one can take in the chat offers the email form (intake.go).
	Tickets TicketStore
	// Hours are the team's opening hours, which say when an email
	// request will be answered; default hours.DefaultSchedule().
	Hours *hours.Schedule
	// SupportInbox receives a notification of each new ticket; MailFrom
	// sends the emails.
	SupportInbox, MailFrom string
	// Orders lists a verified customer's recent orders for the support
	// inbox's notification of their email request; may be nil.
	Orders interface {
		Orders(ctx context.Context, customerID string, limit int) ([]orders.Order, error)
		OrderByEmail(ctx context.Context, number, email string) (orders.Order, error)
	}
	// Outbox is woken when a ticket's emails are queued; may be nil.
	Outbox interface{ Notify() }
	// Now returns the current time, which opening hours are read at;
	// default time.Now.
	Now func() time.Time
	// Agents lists the agents for the console; Assignments keeps who
	// holds each conversation across restarts. Either may be nil.
	Agents      AgentDirectory
	Assignments Assignments
	// History records the conversations agents close, for the console's
	// history; nil records none.
	History HistoryStore
	// Surveys keeps the customers' answers to the satisfaction survey
	// offered when an agent closes; nil offers none.
	Surveys SurveyStore
	// Phrasings records the customers' wordings of the questions that an
	// article answered, for editors to add to its questions (supportd kb
	// learned); nil records none.
	Phrasings PhrasingRecorder
	// Assign is AssignClaim (the default) or AssignRoundRobin.
	Assign string
	// MaxWait is the longest estimated wait for which a handoff joins the
	// queue rather than taking an email request; default 10 minutes.
	MaxWait time.Duration
	// PresenceGrace is how long an agent whose sockets all closed stays
	// as they were (a reload, a network blip); default 60 s.
	PresenceGrace time.Duration
	// ReplicaTimeout, with a shared store (Feed), is how long an agent
	// online whom no process serves stays so before being set offline,
	// their conversations given back to the queue (shared.go); default
	// 20 s.
	ReplicaTimeout time.Duration
	// Answers, when set, is told how long each answer took (stats.go).
	Answers AnswerObserver
	// Feed, with a store that other processes share, tells of the
	// messages they store, for this process's sockets (relay.go); nil
	// for a store of this process alone.
	Feed MessageFeed
}

// Service runs the conversations. Create it with [NewService].
type Service struct {
	cfg  Config
	hub  *hub
	desk *desk
	// stopDesk ends the desk's loop.
	stopDesk context.CancelFunc
	// sweepAfter is when the queue may first be found unattended: after
	// a restart with conversations waiting, agents get the grace period to
	// reconnect. Set by RestoreDesk, before the desk's loop reads it.
	sweepAfter atomic.Int64
	// assigner, with a shared store, tells whether this process is the
	// one that assigns round-robin (shared.go).
	assigner atomic.Bool
	log      *slog.Logger
	conns    sync.Map // *conn -> struct{}
	active   atomic.Int64
	// origin names this process to the others sharing its store.
	origin string
	// framesIn and messagesOut count frames accepted and messages pushed
	// (Stats).
	framesIn, messagesOut atomic.Int64
	wg                    sync.WaitGroup
	closed                atomic.Bool
	// verifyLimits limits order verifications per client address;
	// intakeLimits email requests per email address.
	verifyLimits *ratelimit.Keyed
	intakeLimits *ratelimit.Keyed
}

// NewService returns a Service, or an error if Store or Answerer is
// missing.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Answerer == nil {
		return nil, errors.New("chat: Store and Answerer are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ArticleURL == nil {
		cfg.ArticleURL = func(id string) string { return "/help/" + id }
	}
	if cfg.FrameRate == 0 {
		cfg.FrameRate = 2
	}
	if cfg.FrameBurst == 0 {
		cfg.FrameBurst = 10
	}
	if cfg.MaxStrikes == 0 {
		cfg.MaxStrikes = 20
	}
	if cfg.QueueBytes == 0 {
		cfg.QueueBytes = 1 << 20
	}
	if cfg.ReplayLimit == 0 {
		cfg.ReplayLimit = 500
	}
	if cfg.TypingDelay == 0 {
		cfg.TypingDelay = 300 * time.Millisecond
	}
	if cfg.IntakesPerConversation == 0 {
		cfg.IntakesPerConversation = 3
	}
	if cfg.IntakesPerEmailHour == 0 {
		cfg.IntakesPerEmailHour = 3
	}
	if cfg.VerifyBurst == 0 {
		cfg.VerifyBurst = 5
	}
	if cfg.VerifyPerHour == 0 {
		cfg.VerifyPerHour = 20
	}
	if cfg.Hours == nil {
		cfg.Hours = hours.DefaultSchedule()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch cfg.Assign {
	case "":
		cfg.Assign = AssignClaim
	case AssignClaim, AssignRoundRobin:
	default:
		return nil, fmt.Errorf("chat: assignment mode %q: want %s or %s", cfg.Assign, AssignClaim, AssignRoundRobin)
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 10 * time.Minute
	}
	if cfg.PresenceGrace == 0 {
		cfg.PresenceGrace = time.Minute
	}
	if cfg.ReplicaTimeout <= 0 {
		cfg.ReplicaTimeout = 20 * time.Second
	}
	s := &Service{
		cfg: cfg, hub: newHub(), desk: newDesk(), log: cfg.Logger, origin: "p_" + randomString(8),
		verifyLimits: ratelimit.NewKeyed(rate.Limit(float64(cfg.VerifyPerHour)/3600), cfg.VerifyBurst),
		intakeLimits: ratelimit.NewKeyed(rate.Limit(float64(cfg.IntakesPerEmailHour)/3600), cfg.IntakesPerEmailHour),
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopDesk = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.deskLoop(ctx)
	}()
	if cfg.Feed != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.followFeed(ctx, cfg.Feed)
		}()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.heartbeatLoop(ctx, cfg.Feed)
		}()
		if cfg.Assign == AssignRoundRobin {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				cfg.Feed.HoldLock(ctx, "supportd.desk.round-robin", &s.assigner)
			}()
		}
	}
	return s, nil
}

type clientIPKey struct{}

// WithClientIP returns a context that tells ServeConn the address the
// connection comes from, which limits are counted by.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// Connections returns the number of open connections.
func (s *Service) Connections() int { return int(s.active.Load()) }

// ErrShuttingDown is returned by ServeConn once Shutdown has begun.
var ErrShuttingDown = errors.New("chat: shutting down")

// ServeConn runs one widget connection until it closes. It reads frames
// itself and writes from another goroutine, started while there is
// something to write, and returns once the socket is closed. ctx ends the
// connection when done.
func (s *Service) ServeConn(ctx context.Context, ws *websocket.Conn) error {
	s.wg.Add(1)
	defer s.wg.Done()
	c, finish := s.openConn(ctx, ws, rate.NewLimiter(rate.Limit(s.cfg.FrameRate), s.cfg.FrameBurst))
	if c == nil {
		return ErrShuttingDown
	}
	c.clientIP, _ = ctx.Value(clientIPKey{}).(string)
	s.active.Add(1)
	defer func() {
		if c.conversation != "" {
			st := s.hub.stripe(c.conversation)
			st.Lock()
			st.remove(c.conversation, c)
			st.Unlock()
		}
		finish()
		s.active.Add(-1)
	}()

	s.readFrames(c, func(data []byte) {
		frame, ferr := DecodeClientFrame(data)
		if ferr != nil {
			s.sendError(c, ferr.Code, ferr.ClientID, "")
			return
		}
		s.handle(ctx, c, frame)
	}, func(code string) { s.sendError(c, code, "", "") })
	return nil
}

// openConn registers a new socket and starts its pings; ctx's end closes
// it; finish closes the socket and waits for the writer to have closed
// it. Once Shutdown has begun it closes the socket with "going away" and
// returns a nil conn. The caller holds s.wg.
func (s *Service) openConn(ctx context.Context, ws *websocket.Conn, limiter *rate.Limiter) (c *conn, finish func()) {
	if s.closed.Load() {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "shutting down"), time.Now().Add(writeWait))
		ws.Close()
		return nil, nil
	}
	c = newConn(ws, limiter)
	s.conns.Store(c, struct{}{})
	c.start()
	stop := context.AfterFunc(ctx, func() { c.close(websocket.CloseGoingAway, "") })
	return c, func() {
		stop()
		c.close(0, "")
		<-c.closed
		s.conns.Delete(c)
	}
}

// readFrames reads a socket's frames until it closes, under the frame size
// limit, the pong deadline and the frame rate limit, and hands each text
// frame to handle. A frame refused by the rate limit or not text gets
// refuse's error frame; too many refused in a row close the socket.
func (s *Service) readFrames(c *conn, handle func(data []byte), refuse func(code string)) {
	ws := c.ws
	ws.SetReadLimit(MaxFrameSize)
	ws.SetReadDeadline(time.Now().Add(pongWait))
	ws.SetPongHandler(func(string) error {
		ws.SetReadDeadline(time.Now().Add(pongWait))
		return nil
	})
	for {
		kind, data, err := ws.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.close(websocket.CloseMessageTooBig, "frame over 16 KiB")
			}
			return
		}
		ws.SetReadDeadline(time.Now().Add(pongWait))
		if !c.limiter.Allow() {
			c.strikes++
			refuse(CodeRateLimited)
			if c.strikes >= s.cfg.MaxStrikes {
				c.close(websocket.ClosePolicyViolation, "rate limit")
				return
			}
			continue
		}
		c.strikes = 0
		s.framesIn.Add(1)
		if kind != websocket.TextMessage {
			refuse(CodeBadFrame)
			continue
		}
		handle(data)
	}
}

// Shutdown closes every connection with "going away" and waits, until ctx
// is done, for their goroutines to end. Calling it twice is safe.
func (s *Service) Shutdown(ctx context.Context) error {
	s.closed.Store(true)
	s.stopDesk()
	s.desk.stopTimers()
	s.conns.Range(func(k, _ any) bool {
		k.(*conn).close(websocket.CloseGoingAway, "server restarting")
		return true
	})
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		// Sockets whose close handshake hangs are cut.
		s.conns.Range(func(k, _ any) bool {
			k.(*conn).ws.NetConn().Close()
			return true
		})
		return ctx.Err()
	}
}

// handle acts on one valid frame.
func (s *Service) handle(ctx context.Context, c *conn, f ClientFrame) {
	if f.Type != "hello" && !c.hello {
		s.sendError(c, CodeHelloRequired, f.ClientID, "")
		return
	}
	switch f.Type {
	case "hello":
		s.hello(ctx, c, f)
	case "message":
		s.customerMessage(ctx, c, f)
	case "action":
		s.action(ctx, c, f)
	case "intake":
		s.intake(ctx, c, f)
	case "survey":
		s.survey(ctx, c, f)
	case "typing":
		if c.conversation != "" {
			s.customerTyping(c.conversation, f.On)
		}
	}
}

// hello starts or resumes the connection's conversation.
func (s *Service) hello(ctx context.Context, c *conn, f ClientFrame) {
	c.locale = f.Locale
	c.version = f.V
	if c.hello {
		s.sendError(c, CodeInvalid, "", "")
		return
	}
	c.hello = true
	s.identify(c, f.CustomerToken)
	if f.Conversation == "" {
		c.send(s.welcome(c, "", "bot", 0), s.cfg.QueueBytes)
		return
	}
	conv, err := s.cfg.Store.Conversation(ctx, f.Conversation)
	// A conversation of a verified customer resumes only for them: the
	// next person on a shared computer starts their own.
	if err == nil && conv.CustomerID != "" && conv.CustomerID != c.customer.ID {
		err = store.ErrNotFound
	}
	if err != nil || !tokenMatches(conv.TokenHash, f.Token) {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Error("chat: resume", "err", err)
			s.sendError(c, CodeUnavailable, "", "")
			c.hello = false
			return
		}
		s.sendError(c, CodeConversationNotFound, "", "")
		c.send(s.welcome(c, "", "bot", 0), s.cfg.QueueBytes)
		return
	}
	st := s.hub.stripe(conv.ID)
	st.Lock()
	defer st.Unlock()
	c.conversation = conv.ID
	// Alone on the conversation in this process, the socket's replay
	// tells up to where it was pushed; beside others, the relay keeps
	// them all up to date.
	alone := !s.served(st, conv.ID)
	st.add(conv.ID, c)
	state := "bot"
	if human := s.desk.humanState(conv.ID); human != "" {
		state = human
	}
	c.send(s.welcome(c, conv.ID, state, conv.LastSeq), s.cfg.QueueBytes)
	after := min(f.LastSeq, conv.LastSeq)
	c.mu.Lock()
	c.lastSeq = after
	c.mu.Unlock()
	for {
		msgs, err := s.cfg.Store.Messages(ctx, conv.ID, after, s.cfg.ReplayLimit)
		if err != nil {
			s.log.Error("chat: replay", "conversation", conv.ID, "err", err)
			s.sendError(c, CodeUnavailable, "", "")
			return
		}
		for i := range msgs {
			if msgs[i].Author == store.AuthorNote {
				continue // the agents' notes are not the customer's to read
			}
			c.sendMessage(msgs[i].Seq, s.messageFrame(&msgs[i]), s.cfg.QueueBytes)
		}
		if len(msgs) > 0 && alone && s.cfg.Feed != nil {
			st.markPushed(conv.ID, msgs[len(msgs)-1].Seq)
		}
		if len(msgs) < s.cfg.ReplayLimit {
			if alone && s.cfg.Feed != nil {
				st.markPushed(conv.ID, conv.LastSeq)
			}
			s.sendStateTo(c)
			return
		}
		after = msgs[len(msgs)-1].Seq
	}
}

// identify checks the customer token of a hello frame. An invalid token
// leaves the visitor anonymous, and the widget is told.
func (s *Service) identify(c *conn, token string) {
	if token == "" || s.cfg.Customers == nil {
		return
	}
	cust, err := s.cfg.Customers.Verify(token)
	if err != nil {
		s.log.Info("chat: customer token refused", "ip", c.clientIP, "err", err)
		s.sendError(c, CodeCustomerToken, "", "")
		return
	}
	c.customer = cust
}

// welcome encodes the welcome frame of a connection.
func (s *Service) welcome(c *conn, conversation, state string, lastSeq int64) []byte {
	f := welcomeFrame{Type: "welcome", V: ProtocolVersion, Conversation: conversation, State: state, LastSeq: lastSeq}
	if c.customer.ID != "" {
		f.Customer = &customerInfo{Name: c.customer.Name}
	}
	f.Start = s.startScreen(c.locale)
	return encode(f)
}

// startScreen is what the widget shows before any question, in lang.
func (s *Service) startScreen(lang string) *startScreen {
	st := s.cfg.Answerer.StartScreen(lang)
	out := &startScreen{Greeting: st.Greeting, Hours: s.cfg.Hours.DescribeToday(s.cfg.Now(), lang), Topics: []startTopic{}, Frequent: []ArticleRef{}}
	for _, t := range st.Topics {
		topic := startTopic{Name: t.Name}
		for _, a := range t.Articles {
			topic.Articles = append(topic.Articles, ArticleRef{ID: a.ID, Title: a.Title, URL: s.cfg.ArticleURL(a.ID)})
		}
		out.Topics = append(out.Topics, topic)
	}
	for _, a := range st.Frequent {
		out.Frequent = append(out.Frequent, ArticleRef{ID: a.ID, Title: a.Title, URL: s.cfg.ArticleURL(a.ID)})
	}
	return out
}

// assistantMessage is what the assistant is told of a message: its text
// and who writes it.
func (s *Service) assistantMessage(c *conn, text string) assistant.Message {
	m := assistant.Message{Text: text, Lang: c.locale, Customer: assistant.Customer{Verified: c.verified, Focus: c.focus}}
	// A token vouches for its customer until it expires, even on a
	// connection that stays open longer.
	if c.customer.ID != "" && time.Now().Before(c.customer.Expires) {
		m.Customer.ID = c.customer.ID
	}
	m.Customer.TryVerify = func() bool { return s.verifyLimits.Allow(c.clientIP) }
	return m
}

// remember keeps what a reply established about the customer's orders:
// the order in focus (none once the conversation moved on) and the orders
// the visitor proved theirs.
func (c *conn) remember(r assistant.Reply) {
	c.focus = r.Focus
	if v := r.Verified; v != nil {
		if c.verified == nil {
			c.verified = map[string]string{}
		}
		c.verified[v.Number] = v.Email
	}
}

// customerMessage stores the customer's message, acknowledges it, and
// answers it.
func (s *Service) customerMessage(ctx context.Context, c *conn, f ClientFrame) {
	if c.conversation == "" && !s.startConversation(ctx, c, f.ClientID) {
		return
	}
	// Queued or with an agent, the customer writes to the team: the bot
	// keeps quiet.
	if human := s.desk.humanState(c.conversation); human != "" {
		m := &store.Message{ConversationID: c.conversation, ClientID: f.ClientID, Author: store.AuthorCustomer, Text: f.Text}
		if _, _, err := s.append(ctx, c, m); err != nil {
			s.storeFailed(c, f.ClientID, err)
		}
		return
	}
	// The answer is written first, so that the message and its answer
	// share one commit: the customer waits for one write, not two.
	began := time.Now()
	typing := s.botTyping(c.conversation)
	defer typing.answered()
	m := s.assistantMessage(c, f.Text)
	m.AfterFallback = c.lastRoute == assistant.RouteFallback
	// An answer shown while it is written goes out in draft frames: the
	// first piece at once, then what came since, every draftInterval at
	// most. What is still unsent at the end goes with the answer itself.
	draft := ""
	var unsent strings.Builder
	var sentAt time.Time
	m.Writing = func(piece string) {
		unsent.WriteString(piece)
		if draft == "" {
			draft = "d_" + randomString(12)
		} else if time.Since(sentAt) < draftInterval {
			return
		}
		// A draft shows the answer being written: the indicator is on
		// until the answer is sent, whose "off" ends the drafts that no
		// message replaced.
		typing.show()
		s.sendDraft(c.conversation, draft, unsent.String())
		unsent.Reset()
		sentAt = time.Now()
	}
	reply, err := s.cfg.Answerer.Answer(ctx, m)
	if err != nil {
		s.log.Error("chat: answer", "conversation", c.conversation, "err", err)
		reply = s.cfg.Answerer.HandoffReply(c.locale)
		reply.Route = assistant.RouteFallback
		reply.Text = texts[c.locale].cannotAnswer
		reply.Actions = []assistant.Action{{ID: ActionHandoff, Label: texts[c.locale].talkToPerson}}
	}
	// The conversation goes on in the language the customer writes in.
	if _, ok := texts[reply.Lang]; ok {
		c.locale = reply.Lang
	}
	reply, form, queue := s.handover(c, reply, f.Text)
	c.lastQuestion, c.lastRoute = f.Text, reply.Route
	// A question the assistant found something for may prefill the email
	// form; one it found nothing for (nonsense, off topic) may not.
	c.lastFound = reply.Route == assistant.RouteFAQ || len(reply.Articles) > 0
	c.suggestedFor, c.suggested, c.picked = "", nil, ""
	if reply.Route == assistant.RouteFallback {
		c.suggestedFor = f.Text
		for _, a := range reply.Articles {
			c.suggested = append(c.suggested, a.ID)
		}
	}
	question := &store.Message{ConversationID: c.conversation, ClientID: f.ClientID, Author: store.AuthorCustomer, Text: f.Text}
	data := s.replyData(reply, form)
	data.Draft = draft
	stored, dup, err := s.exchange(ctx, c, question, botMessageOf(c.conversation, "", reply.Text, data), &data)
	if err != nil {
		s.storeFailed(c, f.ClientID, err)
		return
	}
	if s.cfg.Answers != nil && !dup {
		s.cfg.Answers.ObserveAnswer(string(reply.Route), time.Since(began))
	}
	if !dup {
		c.remember(reply)
		if queue {
			s.enqueue(ctx, c, f.Text)
		}
		return
	}
	// A retry: answered already, unless the server stopped between the
	// message and its answer, as an older version could.
	if s.unanswered(ctx, stored) {
		c.remember(reply)
		if _, _, err := s.append(ctx, nil, s.botMessage(c.conversation, "", reply, form)); err != nil {
			s.storeFailed(c, f.ClientID, err)
		}
	}
}

// unanswered reports whether a customer message is the last of its
// conversation, as when the server stopped between storing it and
// storing the reply: a retry must then be answered.
func (s *Service) unanswered(ctx context.Context, m *store.Message) bool {
	conv, err := s.cfg.Store.Conversation(ctx, m.ConversationID)
	return err == nil && conv.LastSeq == m.Seq
}

// action handles a button pressed under a message.
func (s *Service) action(ctx context.Context, c *conn, f ClientFrame) {
	if c.conversation == "" {
		// Asking for one's orders, or an article of the start screen, may
		// open the conversation; every other button belongs to a message
		// of it.
		if f.Action != ActionOrders && !strings.HasPrefix(f.Action, actionArticle) {
			s.sendError(c, CodeInvalid, f.ClientID, "")
			return
		}
		if !s.startConversation(ctx, c, f.ClientID) {
			return
		}
	}
	switch f.Action {
	case ActionHandoff:
		if human := s.desk.humanState(c.conversation); human != "" {
			// Already waiting for or talking to a person.
			c.send(encode(ackFrame{Type: "ack", ClientID: f.ClientID}), s.cfg.QueueBytes)
			return
		}
		reply, form, queue := s.handover(c, s.cfg.Answerer.HandoffReply(c.locale), c.prefill())
		c.lastRoute = reply.Route
		_, dup, err := s.append(ctx, c, s.botMessage(c.conversation, f.ClientID, reply, form))
		if err != nil {
			s.storeFailed(c, f.ClientID, err)
			return
		}
		if queue && !dup {
			s.enqueue(ctx, c, c.lastQuestion)
		}
	case ActionHelpful, ActionNotHelpful:
		s.vote(ctx, c, f)
	case ActionOrders:
		s.reply(ctx, c, f.ClientID, s.cfg.Answerer.OrdersMenu(ctx, s.assistantMessage(c, "")))
	default:
		if rest, ok := strings.CutPrefix(f.Action, actionOrder); ok {
			number, question, _ := strings.Cut(rest, ":")
			reply := s.cfg.Answerer.OrderReply(ctx, s.assistantMessage(c, ""), number, question)
			c.remember(reply)
			s.reply(ctx, c, f.ClientID, reply)
			return
		}
		id := f.Action[len(actionArticle):]
		reply, ok := s.cfg.Answerer.ArticleReply(id, c.locale)
		if !ok {
			s.sendError(c, CodeInvalid, f.ClientID, "")
			return
		}
		// A suggestion picked: if the customer says it helped, their
		// question becomes a candidate phrasing of the article.
		c.picked = ""
		if slices.Contains(c.suggested, id) {
			c.picked = id
		}
		s.reply(ctx, c, f.ClientID, reply)
	}
}

// vote records a "was this helpful?" vote on the article answered in
// message f.Seq.
func (s *Service) vote(ctx context.Context, c *conn, f ClientFrame) {
	data, err := s.botData(ctx, c.conversation, f.Seq)
	if err != nil {
		s.storeFailed(c, f.ClientID, err)
		return
	}
	if data.Route != string(assistant.RouteFAQ) || len(data.Articles) == 0 {
		s.sendError(c, CodeInvalid, f.ClientID, "")
		return
	}
	helpful := f.Action == ActionHelpful
	err = s.cfg.Store.RecordFeedback(ctx, store.Feedback{ConversationID: c.conversation, ArticleID: data.Articles[0].ID, Seq: f.Seq, Helpful: helpful})
	if err != nil {
		s.storeFailed(c, f.ClientID, err)
		return
	}
	if helpful {
		if c.picked != "" && c.picked == data.Articles[0].ID {
			s.recordPhrasing(ctx, c.picked, c.suggestedFor, store.PhrasingFromVote, c.conversation)
			c.picked = ""
		}
		c.send(encode(ackFrame{Type: "ack", ClientID: f.ClientID}), s.cfg.QueueBytes)
		return
	}
	var others []assistant.ArticleRef
	for _, a := range data.Articles[1:] {
		others = append(others, assistant.ArticleRef{ID: a.ID, Title: a.Title})
	}
	// "Not helpful" hands over: the other articles stay on offer beside
	// the email form, when nobody can answer in the chat.
	reply := s.cfg.Answerer.NotHelpfulReply(c.locale, others)
	if human := s.desk.humanState(c.conversation); human != "" {
		// A person is on the way already.
		if _, _, err := s.append(ctx, c, s.botMessage(c.conversation, f.ClientID, reply, nil)); err != nil {
			s.storeFailed(c, f.ClientID, err)
		}
		return
	}
	handoff, form, queue := s.handover(c, s.cfg.Answerer.HandoffReply(c.locale), c.prefill())
	if form != nil || queue {
		reply.Route, reply.Text = handoff.Route, reply.Text+"\n\n"+handoff.Text
		reply.Actions = slices.DeleteFunc(reply.Actions, func(a assistant.Action) bool { return a.ID == ActionHandoff })
		c.lastRoute = reply.Route
	}
	_, dup, err := s.append(ctx, c, s.botMessage(c.conversation, f.ClientID, reply, form))
	if err != nil {
		s.storeFailed(c, f.ClientID, err)
		return
	}
	if queue && !dup {
		s.enqueue(ctx, c, c.lastQuestion)
	}
}

// recordPhrasing records a customer's wording of a question as a
// candidate phrasing of the article that answered it. A phrasing already
// recorded, or that cannot be, is no error to the customer.
func (s *Service) recordPhrasing(ctx context.Context, article, text, source, conv string) {
	if s.cfg.Phrasings == nil || strings.TrimSpace(text) == "" {
		return
	}
	err := s.cfg.Phrasings.AddPhrasing(ctx, &store.Phrasing{ArticleID: article, Text: text, Source: source, ConversationID: conv})
	if err != nil && !errors.Is(err, store.ErrExists) {
		s.log.Warn("chat: record phrasing", "conversation", conv, "article", article, "err", err)
	}
}

// botData returns what the bot message seq of a conversation stores
// besides its text: zero when seq is no bot message.
func (s *Service) botData(ctx context.Context, conv string, seq int64) (messageData, error) {
	var data messageData
	msgs, err := s.cfg.Store.Messages(ctx, conv, seq-1, 1)
	if err != nil {
		return data, err
	}
	if len(msgs) == 1 && msgs[0].Seq == seq && msgs[0].Author == store.AuthorBot {
		json.Unmarshal(msgs[0].Data, &data)
	}
	return data, nil
}

// reply stores a bot reply and pushes it; clientID makes it idempotent
// when it answers an action.
func (s *Service) reply(ctx context.Context, c *conn, clientID string, r assistant.Reply) {
	var origin *conn
	if clientID != "" {
		origin = c
	}
	if _, _, err := s.append(ctx, origin, s.botMessage(c.conversation, clientID, r, nil)); err != nil {
		s.storeFailed(c, clientID, err)
	}
}

// botMessage is the message that stores a bot reply, with the email form
// if any.
func (s *Service) botMessage(conversation, clientID string, r assistant.Reply, form *IntakeForm) *store.Message {
	return botMessageOf(conversation, clientID, r.Text, s.replyData(r, form))
}

// replyData is what a bot message of reply r stores besides its text.
func (s *Service) replyData(r assistant.Reply, form *IntakeForm) messageData {
	data := messageData{Route: string(r.Route), Lang: r.Lang, Form: form, Generated: r.Generated}
	for _, a := range r.Articles {
		data.Articles = append(data.Articles, ArticleRef{ID: a.ID, Title: a.Title, URL: s.cfg.ArticleURL(a.ID)})
	}
	for _, a := range r.Actions {
		data.Actions = append(data.Actions, ActionRef(a))
	}
	return data
}

// botMessageOf is the bot message of that text and data.
func botMessageOf(conversation, clientID, text string, data messageData) *store.Message {
	raw, _ := json.Marshal(data)
	return &store.Message{ConversationID: conversation, ClientID: clientID, Author: store.AuthorBot, Text: text, Data: raw}
}

// messageData is what a bot message stores besides its text.
type messageData struct {
	Route    string       `json:"route,omitempty"`
	Articles []ArticleRef `json:"articles,omitempty"`
	Actions  []ActionRef  `json:"actions,omitempty"`
	Form     *IntakeForm  `json:"form,omitempty"`
	// Lang is the language the reply is written in.
	Lang string `json:"lang,omitempty"`
	// Generated marks an answer a language model wrote from its articles.
	Generated bool `json:"generated,omitempty"`
	// Draft names the draft frames the message replaced, if any.
	Draft string `json:"draft,omitempty"`
	// Survey, on the message that offers the satisfaction survey after
	// an agent closed the conversation, names that agent.
	Survey *surveyOffer `json:"survey,omitempty"`
	// FormSeq, on the confirmation of an email request, is the message
	// whose form the request was sent with: a form takes one request.
	FormSeq int64 `json:"form_seq,omitempty"`
}

// append stores a message and pushes it to the conversation's sockets, in
// sequence order. When origin is set, the message has m.ClientID from
// origin's frame, and origin is sent the ack before the message itself.
func (s *Service) append(ctx context.Context, origin *conn, m *store.Message) (*store.Message, bool, error) {
	st := s.hub.stripe(m.ConversationID)
	st.Lock()
	defer st.Unlock()
	stored, dup, err := s.cfg.Store.AppendMessage(ctx, m)
	if err != nil {
		return nil, false, err
	}
	if origin != nil {
		origin.send(encode(ackFrame{Type: "ack", ClientID: m.ClientID, Seq: stored.Seq}), s.cfg.QueueBytes)
	}
	if !dup {
		s.push(st, stored)
	}
	return stored, dup, nil
}

// push sends a stored message to its conversation's sockets; the caller
// holds the stripe's lock.
func (s *Service) push(st *stripe, m *store.Message) { s.pushWith(st, m, nil) }

// pushWith is push of a message whose data the caller has decoded
// already (data), or nil.
func (s *Service) pushWith(st *stripe, m *store.Message, data *messageData) {
	if s.cfg.Feed != nil {
		// Another process may have stored messages in between, whose
		// notification has not come yet: they go first.
		if last, ok := st.pushed[m.ConversationID]; ok && m.Seq > last+1 {
			s.pushStored(st, m.ConversationID, last, m.Seq-1)
		}
		st.markPushed(m.ConversationID, m.Seq)
	}
	s.pushOne(st, m, data)
}

// pushStored pushes the stored messages of a conversation after seq
// after, up to seq upTo; the caller holds the stripe's lock.
func (s *Service) pushStored(st *stripe, conv string, after, upTo int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := s.cfg.Store.Messages(ctx, conv, after, int(upTo-after))
	if err != nil {
		s.log.Error("chat: messages of another process", "conversation", conv, "err", err)
		return
	}
	for i := range msgs {
		st.markPushed(conv, msgs[i].Seq)
		s.pushOne(st, &msgs[i], nil)
	}
}

// pushOne sends one stored message to its conversation's sockets.
func (s *Service) pushOne(st *stripe, m *store.Message, data *messageData) {
	agents := s.desk.holderConns(m.ConversationID)
	if m.Author == store.AuthorNote && len(agents) == 0 {
		return
	}
	f := s.messageFrameWith(m, data)
	// An internal note goes to the agents only.
	if m.Author != store.AuthorNote {
		frame := encode(f)
		st.each(m.ConversationID, func(c *conn) { c.sendMessage(m.Seq, frame, s.cfg.QueueBytes) })
		s.messagesOut.Add(int64(len(st.conns[m.ConversationID])))
	}
	if len(agents) > 0 {
		// The agent console's frame is the widget's with the
		// conversation's id.
		f.Conversation = m.ConversationID
		frame := encode(f)
		for _, c := range agents {
			c.send(frame, s.cfg.QueueBytes)
		}
		s.messagesOut.Add(int64(len(agents)))
	}
}

// exchange stores a customer's message with its answer and pushes them in
// sequence order, the ack to origin first. A retried message stores and
// pushes nothing; it returns the stored message with dup true.
func (s *Service) exchange(ctx context.Context, origin *conn, m, answer *store.Message, answerData *messageData) (*store.Message, bool, error) {
	st := s.hub.stripe(m.ConversationID)
	st.Lock()
	defer st.Unlock()
	stored, storedAnswer, dup, err := s.cfg.Store.AppendExchange(ctx, m, answer)
	if err != nil {
		return nil, false, err
	}
	origin.send(encode(ackFrame{Type: "ack", ClientID: m.ClientID, Seq: stored.Seq}), s.cfg.QueueBytes)
	if dup {
		return stored, true, nil
	}
	s.push(st, stored)
	s.pushWith(st, storedAnswer, answerData)
	return stored, false, nil
}

// messageFrame encodes a stored message for the widget.
func (s *Service) messageFrame(m *store.Message) []byte {
	return encode(s.messageFrameOf(m))
}

// messageFrameOf returns the frame of a stored message.
func (s *Service) messageFrameOf(m *store.Message) MessageFrame { return s.messageFrameWith(m, nil) }

// messageFrameWith is messageFrameOf of a message whose data the caller
// has decoded already (data), or nil.
func (s *Service) messageFrameWith(m *store.Message, data *messageData) MessageFrame {
	f := MessageFrame{Type: "message", Seq: m.Seq, Author: m.Author, Text: m.Text, CreatedAt: m.CreatedAt.UTC()}
	if m.Author == store.AuthorCustomer {
		f.ClientID = m.ClientID
	}
	if m.Author == store.AuthorAgent || m.Author == store.AuthorNote {
		f.Agent = s.agentName(m.AgentID)
	}
	if data == nil && len(m.Data) > 0 {
		var d messageData
		if json.Unmarshal(m.Data, &d) == nil {
			data = &d
		}
	}
	if d := data; d != nil {
		f.Route, f.Lang, f.Articles, f.Actions, f.Form = d.Route, d.Lang, d.Articles, d.Actions, d.Form
		f.Survey = d.Survey != nil
		f.Generated, f.Draft = d.Generated, d.Draft
	}
	return f
}

// startConversation creates the connection's conversation and tells the
// widget its id and resume token.
func (s *Service) startConversation(ctx context.Context, c *conn, clientID string) bool {
	token := "r_" + randomString(24)
	sum := sha256.Sum256([]byte(token))
	conv := &store.Conversation{ID: "c_" + randomString(16), TokenHash: sum[:], CustomerID: c.customer.ID, Lang: c.locale, State: "bot"}
	if err := s.cfg.Store.CreateConversation(ctx, conv); err != nil {
		s.storeFailed(c, clientID, err)
		return false
	}
	st := s.hub.stripe(conv.ID)
	st.Lock()
	c.conversation = conv.ID
	st.add(conv.ID, c)
	if s.cfg.Feed != nil {
		st.pushed[conv.ID] = 0 // a new conversation: every message is to push
	}
	st.Unlock()
	c.send(encode(conversationFrame{Type: "conversation", Conversation: conv.ID, Token: token}), s.cfg.QueueBytes)
	return true
}

// botTyping shows the assistant typing in a conversation if the answer
// takes longer than the configured TypingDelay, or when a draft of it is
// sent (see [typingIndicator]).
func (s *Service) botTyping(conversation string) *typingIndicator {
	t := &typingIndicator{s: s, conversation: conversation}
	t.timer = time.AfterFunc(s.cfg.TypingDelay, t.show)
	return t
}

// typingIndicator is the assistant's typing indicator while it answers
// one message: shown at most once, hidden once the answer is sent if it
// was shown.
type typingIndicator struct {
	s            *Service
	conversation string
	timer        *time.Timer
	mu           sync.Mutex
	shown, done  bool
}

// show shows the indicator, unless it is shown already or the answer was
// sent.
func (t *typingIndicator) show() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.shown && !t.done {
		t.shown = true
		t.s.setTyping(t.conversation, "bot", true)
	}
}

// answered hides the indicator if it was shown; it is not shown after.
func (t *typingIndicator) answered() {
	t.timer.Stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
	if t.shown {
		t.s.setTyping(t.conversation, "bot", false)
	}
}

func (s *Service) setTyping(conversation, author string, on bool) {
	frame := encode(typingFrame{Type: "typing", Author: author, On: on})
	st := s.hub.stripe(conversation)
	st.Lock()
	defer st.Unlock()
	st.each(conversation, func(c *conn) { c.send(frame, s.cfg.QueueBytes) })
}

// draftInterval is the shortest time between two draft frames of an
// answer: often enough to read it as it comes, without a frame a word.
const draftInterval = 100 * time.Millisecond

// sendDraft sends a piece of an answer being written to the conversation's
// widgets that speak version 2 of the protocol.
func (s *Service) sendDraft(conversation, draft, piece string) {
	frame := encode(draftFrame{Type: "draft", Draft: draft, Text: piece})
	st := s.hub.stripe(conversation)
	st.Lock()
	defer st.Unlock()
	st.each(conversation, func(c *conn) {
		if c.version >= 2 {
			c.send(frame, s.cfg.QueueBytes)
		}
	})
}

// storeFailed tells the client its frame was not stored.
func (s *Service) storeFailed(c *conn, clientID string, err error) {
	// What the store can never hold is the client's mistake: retrying
	// would not help.
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		s.sendError(c, CodeInvalid, clientID, "")
		return
	}
	s.log.Error("chat: store", "conversation", c.conversation, "err", err)
	s.sendError(c, CodeUnavailable, clientID, "")
}

// sendError sends an error frame with the code's message in the
// connection's language.
func (s *Service) sendError(c *conn, code, clientID, detail string) {
	msg := texts[c.locale].errors[code]
	if msg == "" {
		msg = texts[c.locale].errors[CodeInternal]
	}
	if detail != "" {
		msg = fmt.Sprintf("%s (%s)", msg, detail)
	}
	c.send(encode(errorFrame{Type: "error", Code: code, Message: msg, ClientID: clientID}), s.cfg.QueueBytes)
}

func tokenMatches(hash []byte, token string) bool {
	sum := sha256.Sum256([]byte(token))
	return len(hash) == len(sum) && subtle.ConstantTimeCompare(hash, sum[:]) == 1
}

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
