package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
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
