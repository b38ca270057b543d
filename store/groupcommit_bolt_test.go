package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"go.etcd.io/bbolt"
)

// TestBoltGroupCommit has 200 writers write at once, a few of them
// failing or panicking: every other write is committed, each failure comes
// back to its own writer only, and a write after Close is refused.
func TestBoltGroupCommit(t *testing.T) {
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	g := newBoltGroup(db, nil)
	errRefused := errors.New("refused")
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = g.write(func(tx *bbolt.Tx) error {
				if err := tx.Bucket([]byte("b")).Put(fmt.Appendf(nil, "k%03d", i), []byte("v")); err != nil {
					return err
				}
				switch {
				case i%50 == 7:
					return errRefused
				case i%50 == 8:
					panic("boom")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	err = db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		for i := range 200 {
			stored := b.Get(fmt.Appendf(nil, "k%03d", i)) != nil
			switch i % 50 {
			case 7:
				if !errors.Is(errs[i], errRefused) || stored {
					t.Errorf("write %d: %v, stored %v; want its own error, nothing stored", i, errs[i], stored)
				}
			case 8:
				if errs[i] == nil || stored {
					t.Errorf("write %d panicked: %v, stored %v; want an error, nothing stored", i, errs[i], stored)
				}
			default:
				if errs[i] != nil || !stored {
					t.Errorf("write %d: %v, stored %v; want it committed", i, errs[i], stored)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.close()
	g.close()
	if err := g.write(func(*bbolt.Tx) error { return nil }); !errors.Is(err, errStoreClosed) {
		t.Errorf("a write after close: %v, want errStoreClosed", err)
	}
}
