package chat

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/supportd/supportd/assistant"
)

// writingAnswerer shows its answers while it writes them, as an answer
// from a language model is: in pieces, through Message.Writing.
type writingAnswerer struct {
	*assistant.Service
	pieces []string
}

func (w writingAnswerer) Answer(ctx context.Context, m assistant.Message) (assistant.Reply, error) {
	if m.Text != "et la livraison ?" || m.Writing == nil {
		return w.Service.Answer(ctx, m)
	}
	for _, p := range w.pieces {
		m.Writing(p)
	}
	return assistant.Reply{Route: assistant.RouteFAQ, Lang: "fr", Text: strings.Join(w.pieces, ""), Generated: true}, nil
}

// TestDraftsOfAnAnswerBeingWritten: a widget of protocol version 2 gets
// the answer in draft frames as it is written, then the stored message
// that names them; one of version 1 gets the message only; a widget that
// resumes gets the complete stored answer.
func TestDraftsOfAnAnswerBeingWritten(t *testing.T) {
	pieces := []string{"Sous ", "48 h ", "en France."}
	e := newEnv(t, func(c *Config) {
		c.Answerer = writingAnswerer{Service: c.Answerer.(*assistant.Service), pieces: pieces}
	})
	v2 := e.dial(t)
	v2.send(map[string]any{"type": "hello", "v": 2, "locale": "fr"})
	v2.expect("welcome")
	v2.say("m_draft0001", "bonjour")
	conv := v2.expect("conversation")
	v2.expect("ack")
	v2.expect("message")
	v2.expect("message")
	v1 := e.dial(t)
	v1.hello(conv.Conversation, conv.Token, 2)

	v2.say("m_draft0002", "et la livraison ?")
	// The first piece at once; the next ones, which come within the
	// draft interval, go with the answer itself.
	f := v2.expect("draft")
	var d struct{ Draft, Text string }
	decode(t, f.Raw, &d)
	if d.Text != pieces[0] || d.Draft == "" {
		t.Fatalf("draft: %s", f.Raw)
	}
	draft := d.Draft
	for f = v2.next(); f.Type == "draft"; f = v2.next() {
		decode(t, f.Raw, &d)
		if d.Draft != draft {
			t.Fatalf("another draft: %s", f.Raw)
		}
	}
	if f.Type != "ack" {
		t.Fatalf("got %s, want the ack", f.Raw)
	}
	v2.expect("message")
	answer := v2.expect("message")
	var named struct{ Draft string }
	decode(t, answer.Raw, &named)
	if answer.Text != "Sous 48 h en France." || named.Draft != draft {
		t.Fatalf("the answer %s does not replace draft %s", answer.Raw, draft)
	}
	v1.expect("message")
	if f := v1.expect("message"); f.Text != answer.Text {
		t.Fatalf("version 1 got %s", f.Raw)
	}

	again := e.dial(t)
	again.hello(conv.Conversation, conv.Token, 3)
	if f := again.expect("message"); f.Seq != answer.Seq || f.Text != answer.Text {
		t.Fatalf("resumed: %s", f.Raw)
	}
}

func decode(t *testing.T, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
}
