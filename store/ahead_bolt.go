package store

import (
	"os"
	"sync"

	"go.etcd.io/bbolt"
)

// fileAhead keeps the embedded store's file written with zeros past the
// end of its data, so that a commit writes its new pages over blocks the
// file system has already allocated.
//
// bbolt grows its file by truncating it larger, which leaves a hole: the
// first commit to write a page into it has the file system allocate the
// block, and that commit's fdatasync then waits for a journal commit as
// well as for its pages. Over written blocks it waits for its pages only
// (4 KiB and its fdatasync on this project's machine: 175–240 µs over
// written blocks, 260–550 µs into a hole; docs/benchmarks.md). A store
// that is chatted in grows all the time, so the cost fell on a steady
// share of the commits.
//
// The zeros are written past bbolt's high-water mark (the pages it has
// handed out), holding bbolt's writer lock through a write transaction
// that is rolled back, so that no commit can be handing those pages out
// meanwhile; they are flushed after the lock is let go. bbolt does not
// truncate a file already larger than it needs, and reads nothing past
// its high-water mark, so the zeros are never data.
type fileAhead struct {
	db   *bbolt.DB
	file *os.File

	mu sync.Mutex
	// writtenTo is the end of the zeros written so far.
	writtenTo int64
	// running is set while a round of zeros is written.
	running bool
	closed  bool
	done    sync.WaitGroup
}

const (
	// aheadLow is how far ahead of the data the zeros may fall before a
	// round writes more.
	aheadLow = 2 << 20
	// aheadRound is what one round writes, in pieces of aheadPiece, each
	// under the writer lock: a commit waits for a piece at most.
	aheadRound = 2 << 20
	aheadPiece = 64 << 10
)

var aheadZeros = make([]byte, aheadPiece)

// newFileAhead opens the store's file at path a second time, for the
// zeros; nil when it cannot, as the store works without.
func newFileAhead(db *bbolt.DB, path string) *fileAhead {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil
	}
	return &fileAhead{db: db, file: f}
}

// note is told the end of the store's data after a commit, and starts a
// round of zeros when the data has come within aheadLow of their end.
func (a *fileAhead) note(dataEnd int64) {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.running || a.closed || a.writtenTo-dataEnd >= aheadLow {
		return
	}
	a.running = true
	a.done.Add(1)
	go a.round()
}

// round writes aheadRound bytes of zeros past the data, or past the zeros
// already written, then flushes them. It stops at the first error: the
// zeros only spare time, and a full disk is bbolt's to report.
func (a *fileAhead) round() {
	defer func() {
		a.mu.Lock()
		a.running = false
		a.mu.Unlock()
		a.done.Done()
	}()
	for written := 0; written < aheadRound; written += aheadPiece {
		if !a.piece() {
			return
		}
	}
	a.file.Sync()
}

// piece writes one piece of zeros under bbolt's writer lock, and reports
// whether it did.
func (a *fileAhead) piece() bool {
	tx, err := a.db.Begin(true)
	if err != nil {
		return false
	}
	defer tx.Rollback()
	a.mu.Lock()
	from := max(a.writtenTo, tx.Size())
	a.mu.Unlock()
	if _, err := a.file.WriteAt(aheadZeros, from); err != nil {
		return false
	}
	a.mu.Lock()
	a.writtenTo = from + aheadPiece
	a.mu.Unlock()
	return true
}

// close waits for a round under way and closes the file.
func (a *fileAhead) close() {
	if a == nil {
		return
	}
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.done.Wait()
	a.file.Close()
}
