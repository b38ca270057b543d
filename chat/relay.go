package chat

import (
	"context"
	"hash/fnv"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/supportd/supportd/store"
)

// Several supportd processes may serve one store (PostgreSQL): a customer's
// socket on one, their other tab, or the agent who answers them, on
// another. Every message stored is then told to every process
// (MessageFeed), and each pushes it to the sockets it holds on that
// conversation: the message is read from the store, so a lost
// notification is repaired by the next one of the conversation, and a
// feed that lost its connection catches up on every conversation it
// serves (resync). What a process already pushed itself it does not push
// again: each stripe remembers the last message pushed of each
// conversation it serves.

// MessageFeed tells of the messages stored by every process sharing the
// store. *store.Postgres implements it; the embedded store serves one
// process and needs none.
type MessageFeed interface {
	ListenMessages(ctx context.Context, l store.MessageListener) error
	// Heartbeat and AbsentAgents tell which agents each process serves
	// (shared.go).
	store.Replicas
	// HoldLock holds a lock that one process at a time holds, for as long
	// as ctx lives, and tells in held whether this one does: the process
	// that holds the desk's lock assigns round-robin.
	HoldLock(ctx context.Context, name string, held *atomic.Bool)
	// NotifyTyping tells the other processes who types in a
	// conversation; origin is this process's name.
	NotifyTyping(ctx context.Context, origin, conversation, author string, on bool) error
}

var _ MessageFeed = (*store.Postgres)(nil)

// relayWorkers is how many goroutines relay what the feed tells: each
// relay reads the store, and one conversation's read must not hold up
// the others'. A conversation always goes to the same worker, so that
// what is told of it is done in order.
const relayWorkers = 8

// followFeed relays what the feed tells until ctx ends.
func (s *Service) followFeed(ctx context.Context, feed MessageFeed) {
	var workers [relayWorkers]chan func()
	var wg sync.WaitGroup
	for i := range workers {
		workers[i] = make(chan func(), 256)
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case f := <-workers[i]:
					f()
				}
			}
		})
	}
	defer wg.Wait()
	// of runs f on the worker of conv, waiting for room.
	of := func(conv string, f func()) {
		h := fnv.New32a()
		h.Write([]byte(conv))
		select {
		case workers[h.Sum32()%relayWorkers] <- f:
		case <-ctx.Done():
		}
	}
	feed.ListenMessages(ctx, store.MessageListener{
		Stored: func(conv string, seq int64) { of(conv, func() { s.relay(ctx, conv, seq) }) },
		Resync: func() {
			s.followDesk(ctx)
			s.resync(ctx)
		},
		Moved:    func(conv string) { of(conv, func() { s.followSeat(ctx, conv) }) },
		Presence: func(login string) { s.followAgent(ctx, login) },
		Ticket:   func(number int64) { s.followTicket(ctx, number) },
		Lost: func(err error, retryIn time.Duration) {
			s.log.Warn("chat: the messages of the other processes are not followed; listening again", "err", err, "in", retryIn)
		},
		Typing: func(origin, conv, author string, on bool) {
			if origin == s.origin {
				return
			}
			switch author {
			case store.AuthorCustomer:
				s.customerTypingHere(conv, on)
			case store.AuthorAgent:
				s.setTyping(conv, store.AuthorAgent, on)
			}
		},
	})
}

// shareTyping tells the other processes that a person types in a
// conversation, so that the sockets they hold on it show it too. The
// bot's typing is not shared: it is as long as its answer, which the
// other processes get at once.
func (s *Service) shareTyping(conv, author string, on bool) {
	if s.cfg.Feed == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Feed.NotifyTyping(ctx, s.origin, conv, author, on); err != nil {
			s.log.Debug("chat: share typing", "conversation", conv, "err", err)
		}
	}()
}

// served reports whether this process holds a socket on the conversation:
// a customer's, or the agent's who holds it. The caller holds its stripe.
func (s *Service) served(st *stripe, conv string) bool {
	return len(st.conns[conv]) > 0 || len(s.desk.holderConns(conv)) > 0
}

// relay pushes to this process's sockets on a conversation the messages
// stored after the last one it pushed, when seq is past it.
func (s *Service) relay(ctx context.Context, conv string, seq int64) {
	st := s.hub.stripe(conv)
	st.Lock()
	defer st.Unlock()
	if !s.served(st, conv) {
		delete(st.pushed, conv)
		return
	}
	after := st.pushed[conv]
	if seq <= after {
		return
	}
	for {
		msgs, err := s.cfg.Store.Messages(ctx, conv, after, s.cfg.ReplayLimit)
		if err != nil {
			s.log.Error("chat: messages of another process", "conversation", conv, "err", err)
			return
		}
		for i := range msgs {
			s.push(st, &msgs[i])
		}
		if len(msgs) < s.cfg.ReplayLimit {
			return
		}
		after = msgs[len(msgs)-1].Seq
	}
}

// resync relays, for every conversation this process serves, what was
// stored since it last pushed.
func (s *Service) resync(ctx context.Context) {
	var convs []string
	for i := range s.hub.stripes {
		st := &s.hub.stripes[i]
		st.Lock()
		for conv := range st.conns {
			convs = append(convs, conv)
		}
		for conv := range st.pushed {
			if _, ok := st.conns[conv]; !ok {
				convs = append(convs, conv)
			}
		}
		st.Unlock()
	}
	for _, conv := range convs {
		s.relay(ctx, conv, math.MaxInt64)
	}
}
