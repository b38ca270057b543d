package store

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// seekHole is lseek's SEEK_HOLE on Linux: the offset of the first hole
// at or after the one given.
const seekHole = 4

// firstHole returns the offset of the first hole in the file at path (its
// size when it has none).
func firstHole(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	off, err := syscall.Seek(int(f.Fd()), 0, seekHole)
	if err != nil {
		t.Skipf("lseek SEEK_HOLE: %v", err)
	}
	return off
}

// TestFileAhead: as a store grows, its file stays written (no hole) past
// the end of its data, and what was stored reads back after a restart,
// the zeros written after it notwithstanding.
func TestFileAhead(t *testing.T) {
	ctx := t.Context()
	path := t.TempDir() + "/supportd.db"
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.ahead == nil {
		t.Fatal("no file ahead")
	}
	const conversations, exchanges = 50, 40
	answer := strings.Repeat("Le colis part de l'entrepôt sous 48 heures ouvrées. ", 40)
	for i := range conversations {
		if err := s.CreateConversation(ctx, &Conversation{ID: fmt.Sprintf("c_%04d", i), State: "bot", Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
	}
	var dataEnd int64
	for n := range exchanges {
		for i := range conversations {
			id := fmt.Sprintf("c_%04d", i)
			q := &Message{ConversationID: id, ClientID: fmt.Sprintf("m_%d_%d", i, n), Author: AuthorCustomer, Text: fmt.Sprintf("question %d", n)}
			r := &Message{ConversationID: id, Author: AuthorBot, Text: answer}
			if _, _, _, err := s.AppendExchange(ctx, q, r); err != nil {
				t.Fatal(err)
			}
		}
		// The rounds run beside the commits: wait for the one under way
		// before looking at the file.
		s.ahead.done.Wait()
		if err := s.db.View(func(tx *bbolt.Tx) error { dataEnd = tx.Size(); return nil }); err != nil {
			t.Fatal(err)
		}
		if hole := firstHole(t, path); hole < dataEnd+aheadLow/2 {
			t.Fatalf("after %d exchanges a conversation: the data ends at %d, the first hole is at %d", n+1, dataEnd, hole)
		}
	}
	if dataEnd < 4*aheadRound {
		t.Fatalf("the data ends at %d: too small to have taken several rounds", dataEnd)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range conversations {
		list, err := s.Messages(ctx, fmt.Sprintf("c_%04d", i), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2*exchanges || list[len(list)-1].Text != answer || list[len(list)-2].Text != fmt.Sprintf("question %d", exchanges-1) {
			t.Fatalf("conversation %d after a restart: %d messages", i, len(list))
		}
	}
}

// BenchmarkExchangeAlone stores one exchange at a time in a store that
// grows, each its own commit as when customers write a few hundred times
// a second, with the file written ahead of the data (ahead) and without
// (holes, as bbolt grows it alone). Besides the mean, it reports the
// median and the 99th percentile of an exchange's time. The difference
// is in the disk's time: compare the two in one run (-count 5), as they
// interleave.
func BenchmarkExchangeAlone(b *testing.B) {
	for _, way := range []string{"ahead", "holes"} {
		b.Run(way, func(b *testing.B) {
			ctx := b.Context()
			s := openBolt(b)
			if way == "holes" {
				s.group.ahead = nil
			}
			ids := benchConversations(b, s)
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for n := range b.N {
				id := ids[n%len(ids)]
				q := &Message{ConversationID: id, ClientID: fmt.Sprintf("m_%016x", n), Author: AuthorCustomer, Text: "je n'ai pas reçu mon colis"}
				r := &Message{ConversationID: id, Author: AuthorBot, Text: benchAnswer}
				began := time.Now()
				if _, _, _, err := s.AppendExchange(ctx, q, r); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(began))
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "µs-p50")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "µs-p99")
		})
	}
}
