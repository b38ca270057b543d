package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// openBolt opens a store in a file of its own, closed when tb ends.
func openBolt(tb testing.TB) *Bolt {
	tb.Helper()
	s, err := OpenBolt(tb.TempDir() + "/supportd.db")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// TestEncodeMessage: a message's record, encoded before its transaction
// and stamped with its time within it, is the one json.Marshal writes of
// the whole record, and decodes to the same message.
func TestEncodeMessage(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 30, 0, 123456000, time.UTC)
	for _, m := range []Message{
		{Author: AuthorCustomer, ClientID: "m_1", Text: "Où est ma commande « 12 » ? <b>&</b>\u2028"},
		{Author: AuthorBot, Text: "", Data: []byte(`{"route":"faq"}`)},
		{Author: AuthorAgent, AgentID: "marie", Text: "Bonjour\n\t\"Marie\""},
	} {
		encoded, err := encodeMessage(&m)
		if err != nil {
			t.Fatal(err)
		}
		got := stampMessage(encoded, at)
		want, _ := json.Marshal(boltMessage{boltMessageBody{ClientID: m.ClientID, Author: m.Author, AgentID: m.AgentID, Text: m.Text, Data: m.Data}, at})
		if string(got) != string(want) {
			t.Errorf("stamped %s, want %s", got, want)
		}
		back, err := decodeMessage("c_1", seqKey(1), got)
		if err != nil || back.Text != m.Text || back.Author != m.Author || !back.CreatedAt.Equal(at) || string(back.Data) != string(m.Data) {
			t.Errorf("decoded %+v, %v", back, err)
		}
	}
	if _, err := encodeMessage(&Message{Author: AuthorBot, CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a time past year 9999: %v", err)
	}
}

// TestClientIDsWrittenBefore: a store written before the client ids moved
// into the conversations' buckets of messages still knows the client ids
// it holds, and lists only messages.
func TestClientIDsWrittenBefore(t *testing.T) {
	ctx := t.Context()
	s := openBolt(t)
	if err := s.CreateConversation(ctx, &Conversation{ID: "c_1", TokenHash: []byte("h"), State: "bot"}); err != nil {
		t.Fatal(err)
	}
	first := &Message{ConversationID: "c_1", ClientID: "m_old", Author: AuthorCustomer, Text: "avant"}
	if _, _, err := s.AppendMessage(ctx, first); err != nil {
		t.Fatal(err)
	}
	// As an earlier version wrote it: the client id in a bucket of its own.
	err := s.db.Update(func(tx *bbolt.Tx) error {
		msgs := tx.Bucket(bucketMessages).Bucket([]byte("c_1"))
		key := msgs.Get(clientIDKey("m_old"))
		if key == nil {
			return errors.New("the client id is not in the bucket of messages")
		}
		if err := msgs.Delete(clientIDKey("m_old")); err != nil {
			return err
		}
		old, err := tx.Bucket(bucketClientIDs).CreateBucketIfNotExists([]byte("c_1"))
		if err != nil {
			return err
		}
		return old.Put([]byte("m_old"), key)
	})
	if err != nil {
		t.Fatal(err)
	}
	again, dup, err := s.AppendMessage(ctx, &Message{ConversationID: "c_1", ClientID: "m_old", Author: AuthorCustomer, Text: "avant"})
	if err != nil || !dup || again.Seq != 1 {
		t.Fatalf("the retry of a message stored before: %+v, dup %v, %v", again, dup, err)
	}
	if _, dup, err := s.AppendMessage(ctx, &Message{ConversationID: "c_1", ClientID: "m_new", Author: AuthorCustomer, Text: "après"}); err != nil || dup {
		t.Fatalf("a new message: dup %v, %v", dup, err)
	}
	if _, dup, _ := s.AppendMessage(ctx, &Message{ConversationID: "c_1", ClientID: "m_new", Author: AuthorCustomer, Text: "après"}); !dup {
		t.Fatal("the retry of a new message was stored again")
	}
	msgs, err := s.Messages(ctx, "c_1", 0, 0)
	if err != nil || len(msgs) != 2 || msgs[0].Text != "avant" || msgs[1].Text != "après" {
		t.Fatalf("messages %+v, %v", msgs, err)
	}
}

// TestExchangeLeavesRecord: storing messages writes their conversation's
// progress beside them, not its record, and the conversation still reads
// with the last sequence number and time of its newest message.
func TestExchangeLeavesRecord(t *testing.T) {
	ctx := t.Context()
	s := openBolt(t)
	if err := s.CreateConversation(ctx, &Conversation{ID: "c_1", TokenHash: []byte("h"), State: "bot"}); err != nil {
		t.Fatal(err)
	}
	record := func() string {
		var v string
		s.db.View(func(tx *bbolt.Tx) error {
			v = string(tx.Bucket(bucketConversations).Get([]byte("c_1")))
			return nil
		})
		return v
	}
	before := record()
	q := &Message{ConversationID: "c_1", ClientID: "m_1", Author: AuthorCustomer, Text: "Où est mon colis ?"}
	r := &Message{ConversationID: "c_1", Author: AuthorBot, Text: "Le voici."}
	if _, _, _, err := s.AppendExchange(ctx, q, r); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AppendMessage(ctx, &Message{ConversationID: "c_1", ClientID: "m_2", Author: AuthorCustomer, Text: "Merci"}); err != nil {
		t.Fatal(err)
	}
	if after := record(); after != before {
		t.Errorf("the record was written again: %s, was %s", after, before)
	}
	c, err := s.Conversation(ctx, "c_1")
	if err != nil || c.LastSeq != 3 {
		t.Fatalf("conversation %+v, %v: want last seq 3", c, err)
	}
	msgs, err := s.Messages(ctx, "c_1", 0, 0)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("messages %+v, %v", msgs, err)
	}
	if !c.UpdatedAt.Equal(msgs[2].CreatedAt) {
		t.Errorf("updated at %v, the last message at %v", c.UpdatedAt, msgs[2].CreatedAt)
	}
	// A change of the record keeps the progress, and its own time.
	if err := s.SetState(ctx, "c_1", "closed"); err != nil {
		t.Fatal(err)
	}
	c2, err := s.Conversation(ctx, "c_1")
	if err != nil || c2.LastSeq != 3 || c2.UpdatedAt.Before(c.UpdatedAt) || c2.State != "closed" {
		t.Fatalf("after a change of state: %+v, %v", c2, err)
	}
	if _, _, err := s.AppendMessage(ctx, &Message{ConversationID: "c_1", Author: AuthorSystem, Text: "fin"}); err != nil {
		t.Fatal(err)
	}
	if c3, _ := s.Conversation(ctx, "c_1"); c3.LastSeq != 4 {
		t.Errorf("last seq %d after a fourth message", c3.LastSeq)
	}
}

// TestLayoutVersion1: a file of version 1, whose records alone hold their
// conversation's last sequence number, goes on from it, and is marked
// version 2; a file of a later version is refused.
func TestLayoutVersion1(t *testing.T) {
	ctx := t.Context()
	path := t.TempDir() + "/v1.db"
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateConversation(ctx, &Conversation{ID: "c_1", TokenHash: []byte("h"), State: "bot"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AppendMessage(ctx, &Message{ConversationID: "c_1", ClientID: "m_1", Author: AuthorCustomer, Text: "un"}); err != nil {
		t.Fatal(err)
	}
	// As version 1 wrote it: the last sequence number in the record, no
	// progress beside the messages.
	setVersion := func(v int64) {
		t.Helper()
		err := s.db.Update(func(tx *bbolt.Tx) error {
			return tx.Bucket(bucketMeta).Put(keyVersion, seqKey(v))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		rec, err := getConversation(tx, "c_1")
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketMessages).Bucket([]byte("c_1")).Delete(progressKey); err != nil {
			return err
		}
		return putConversation(tx, "c_1", rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	setVersion(1)
	s.Close()

	s, err = OpenBolt(path)
	if err != nil {
		t.Fatalf("a file of version 1: %v", err)
	}
	m, _, err := s.AppendMessage(ctx, &Message{ConversationID: "c_1", ClientID: "m_2", Author: AuthorCustomer, Text: "deux"})
	if err != nil || m.Seq != 2 {
		t.Fatalf("the next message of a version 1 conversation: %+v, %v", m, err)
	}
	s.db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyVersion); string(v) != string(seqKey(boltVersion)) {
			t.Errorf("version %x after opening, want %d", v, boltVersion)
		}
		return nil
	})
	setVersion(boltVersion + 1)
	s.Close()
	if _, err := OpenBolt(path); !errors.Is(err, ErrUnavailable) {
		t.Errorf("a file of a later version: %v, want ErrUnavailable", err)
	}
}

// benchConversations creates the 1,000 conversations the store's
// benchmarks write exchanges to, and returns their ids, in an order that
// spreads them over the store's pages.
func benchConversations(b *testing.B, s *Bolt) []string {
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("c_%022d", i*7919%1000)
		if err := s.CreateConversation(b.Context(), &Conversation{ID: ids[i], TokenHash: make([]byte, 32), State: "bot", Lang: "fr"}); err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

// benchAnswer is the bot's answer in the store's benchmarks, about 2 KB.
var benchAnswer = strings.Repeat("Le suivi du colis indique presque toujours où il se trouve. ", 32)

// BenchmarkExchangePages appends exchanges the size of the load
// generator's (a short question, an answer of about 2 KB with its data)
// to 1,000 conversations from 64 goroutines, so that the group commit
// carries several to a transaction, and reports the pages each exchange
// rewrote (docs/benchmarks.md).
func BenchmarkExchangePages(b *testing.B) {
	ctx := b.Context()
	s := openBolt(b)
	ids := benchConversations(b, s)
	answer := benchAnswer
	data := []byte(`{"route":"faq","lang":"fr","articles":[{"id":"livraison-colis-non-recu","title":"Je n'ai pas reçu mon colis, que faire ?","url":"/help/livraison-colis-non-recu"}]}`)
	var next atomic.Int64
	before := s.db.Stats()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			id := ids[n%int64(len(ids))]
			q := &Message{ConversationID: id, ClientID: fmt.Sprintf("m_%016x", n), Author: AuthorCustomer, Text: "je n'ai pas reçu mon colis"}
			r := &Message{ConversationID: id, Author: AuthorBot, Text: answer, Data: data}
			if _, _, _, err := s.AppendExchange(ctx, q, r); err != nil {
				b.Error(err)
				return
			}
		}
	})
	after := s.db.Stats()
	written := after.TxStats.Sub(&before.TxStats)
	b.ReportMetric(float64(written.GetWrite())/float64(b.N), "pages/exchange")
}
