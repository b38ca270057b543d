package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

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
	s, err := OpenBolt(t.TempDir() + "/old.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateConversation(ctx, &Conversation{ID: "c_1", TokenHash: []byte("h"), State: "bot"}); err != nil {
		t.Fatal(err)
	}
	first := &Message{ConversationID: "c_1", ClientID: "m_old", Author: AuthorCustomer, Text: "avant"}
	if _, _, err := s.AppendMessage(ctx, first); err != nil {
		t.Fatal(err)
	}
	// As an earlier version wrote it: the client id in a bucket of its own.
	err = s.db.Update(func(tx *bbolt.Tx) error {
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
