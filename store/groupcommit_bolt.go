package store

import (
	"fmt"
	"sync"

	"go.etcd.io/bbolt"
)

// boltGroup runs the embedded store's writes the way a database's
// group commit does: one transaction at a time, each carrying every write
// waiting when it begins. Alone, a write is committed at once; under load,
// the writes that arrive during a commit share the next one, so that the
// number of commits (each an fsync and a rewrite of the pages it touches)
// grows slower than the writes. bbolt's own Batch waits a fixed delay
// instead, which costs every write that delay when the store is quiet.
//
// As with bbolt's Batch, a write may run more than once: when one write
// of a group fails, the group is rolled back, the failing write runs
// alone, and the others again together. Writes must therefore only
// depend on the transaction.
type boltGroup struct {
	db     *bbolt.DB
	writes chan *boltWrite
	// ahead is told the end of the data after each commit; nil: none.
	ahead *fileAhead
	// mu guards closed: Close takes it whole, writers share it while they
	// hand their write over.
	mu     sync.RWMutex
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

type boltWrite struct {
	fn  func(*bbolt.Tx) error
	err chan error
}

// maxBoltGroup is the most writes one transaction carries.
const maxBoltGroup = 1000

func newBoltGroup(db *bbolt.DB, ahead *fileAhead) *boltGroup {
	g := &boltGroup{db: db, ahead: ahead, writes: make(chan *boltWrite, maxBoltGroup), stop: make(chan struct{}), done: make(chan struct{})}
	go g.run()
	return g
}

// write runs fn in a transaction shared with the other writes waiting,
// and returns once that transaction is committed, or fn's error.
func (g *boltGroup) write(fn func(*bbolt.Tx) error) error {
	w := &boltWrite{fn: fn, err: make(chan error, 1)}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return errStoreClosed
	}
	g.writes <- w
	g.mu.RUnlock()
	return <-w.err
}

// close commits the writes handed over and stops.
func (g *boltGroup) close() {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	g.mu.Unlock()
	close(g.stop)
	<-g.done
}

func (g *boltGroup) run() {
	defer close(g.done)
	for {
		var first *boltWrite
		select {
		case first = <-g.writes:
		case <-g.stop:
			// No write is handed over once stop is closed; commit those
			// that were.
			for {
				select {
				case w := <-g.writes:
					g.commit(g.gather(w))
				default:
					return
				}
			}
		}
		g.commit(g.gather(first))
	}
}

// gather returns first with the writes waiting now.
func (g *boltGroup) gather(first *boltWrite) []*boltWrite {
	group := []*boltWrite{first}
	for len(group) < maxBoltGroup {
		select {
		case w := <-g.writes:
			group = append(group, w)
		default:
			return group
		}
	}
	return group
}

// commit runs the group in one transaction and tells each write how it
// went. When a write fails, it runs alone and the rest again.
func (g *boltGroup) commit(group []*boltWrite) {
	for len(group) > 0 {
		failed := -1
		var dataEnd int64
		err := g.db.Update(func(tx *bbolt.Tx) error {
			dataEnd = tx.Size()
			for i, w := range group {
				if err := callSafely(w.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		switch {
		case err == nil:
			// Before the writers hear of it, so that a round of zeros
			// it starts is under way when they return.
			g.ahead.note(dataEnd)
			for _, w := range group {
				w.err <- nil
			}
			return
		case failed < 0 || len(group) == 1:
			// The commit itself failed, or the only write did.
			for _, w := range group {
				w.err <- err
			}
			return
		}
		w := group[failed]
		w.err <- g.db.Update(func(tx *bbolt.Tx) error { return callSafely(w.fn, tx) })
		group = append(group[:failed:failed], group[failed+1:]...)
	}
}

// callSafely runs fn, turning a panic into an error that rolls the
// transaction back.
func callSafely(fn func(*bbolt.Tx) error, tx *bbolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a write: %v", p)
		}
	}()
	return fn(tx)
}
