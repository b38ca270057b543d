package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Writes to PostgreSQL that customers wait for (new conversations and
// messages) are committed in groups. Each needs a commit, and a commit
// waits for the WAL to reach the disk; with hundreds of customers chatting,
// one commit per message made the writes queue for connections and the
// slowest wait hundreds of milliseconds. Instead, groupWorkers goroutines
// each take the writes waiting at that moment (up to maxGroup) and run them
// in one transaction: under load a commit carries many writes, and alone a
// write waits for nothing.

const (
	// groupWorkers is how many groups of writes are in flight at once.
	groupWorkers = 2
	// maxGroup caps the writes of one transaction.
	maxGroup = 64
)

// write is one statement waiting for a worker.
type write struct {
	// conversation orders the writes of a group.
	conversation string
	sql          string
	args         []any
	// scan reads the statement's row into the caller's variables. It
	// must handle pgx.ErrNoRows itself: any error it returns fails the
	// transaction.
	scan func(pgx.Row) error
	// stored, when set, returns after scan the messages the write stored,
	// as "conversation seq", for the other processes to be told
	// (listen_postgres.go).
	stored func() []string
	done   chan error
}

// groupCommitter runs the workers of a Postgres store.
type groupCommitter struct {
	queue chan *write
	stop  chan struct{}
	wg    sync.WaitGroup
	// mu guards closed; submit holds it for reading so that nothing is
	// queued once close has drained the queue.
	mu     sync.RWMutex
	closed bool
}

// errStoreClosed is the error of a write to a closed store.
var errStoreClosed = errors.New("the store is closed")

func (s *Postgres) startGroupCommits() {
	s.group = &groupCommitter{queue: make(chan *write, 4096), stop: make(chan struct{})}
	for range groupWorkers {
		s.group.wg.Add(1)
		go func() {
			defer s.group.wg.Done()
			s.groupWorker()
		}()
	}
}

// stopGroupCommits lets the workers finish their groups, then fails the
// writes still queued. Calling it twice is safe.
func (s *Postgres) stopGroupCommits() {
	g := s.group
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	g.mu.Unlock()
	close(g.stop)
	g.wg.Wait()
	for {
		select {
		case w := <-g.queue:
			w.done <- errStoreClosed
		default:
			return
		}
	}
}

// submit runs w in the next group and returns its error. Once queued, the
// write is carried out even if ctx ends: the caller then does not know
// whether it was stored, as with any commit whose answer is lost.
func (s *Postgres) submit(ctx context.Context, w *write) error {
	w.done = make(chan error, 1)
	if err := s.enqueue(ctx, w); err != nil {
		return err
	}
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Postgres) enqueue(ctx context.Context, w *write) error {
	g := s.group
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return errStoreClosed
	}
	select {
	case g.queue <- w:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// groupWorker commits groups of writes until the store closes.
func (s *Postgres) groupWorker() {
	group := make([]*write, 0, maxGroup)
	for {
		select {
		case w := <-s.group.queue:
			group = append(group[:0], w)
		case <-s.group.stop:
			return
		}
	fill:
		for len(group) < maxGroup {
			select {
			case w := <-s.group.queue:
				group = append(group, w)
			default:
				break fill
			}
		}
		s.commitGroup(group)
	}
}

// commitGroup runs a group of writes in one transaction. If it fails, each
// write is run alone, so that one failing write fails only itself.
func (s *Postgres) commitGroup(group []*write) {
	// Messages lock their conversation's row: taken in one order by every
	// group, the locks cannot deadlock.
	slices.SortStableFunc(group, func(a, b *write) int {
		return strings.Compare(a.conversation, b.conversation)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if len(group) > 1 && s.runGroup(ctx, group) == nil {
		for _, w := range group {
			w.done <- nil
		}
		return
	}
	for _, w := range group {
		w.done <- s.runGroup(ctx, []*write{w})
	}
}

// runGroup runs writes in one transaction.
func (s *Postgres) runGroup(ctx context.Context, group []*write) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var b pgx.Batch
		for _, w := range group {
			b.Queue(w.sql, w.args...)
		}
		br := tx.SendBatch(ctx, &b)
		for _, w := range group {
			if err := w.scan(br.QueryRow()); err != nil {
				br.Close()
				return err
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		// One notification a group, sent when it commits.
		var stored []string
		for _, w := range group {
			if w.stored != nil {
				stored = append(stored, w.stored()...)
			}
		}
		return notifyStored(ctx, tx, stored)
	})
}
