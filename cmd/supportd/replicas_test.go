package main

import (
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/supportd/supportd/internal/pgtest"
)

// tab is a widget socket of the replicas test.
type tab struct {
	t  *testing.T
	ws *websocket.Conn
}

func openTab(t *testing.T, addr string) *tab {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", http.Header{"Origin": {"http://" + addr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &tab{t: t, ws: ws}
}

// frame reads frames until one of that type (and author, for messages).
func (tb *tab) frame(typ, author string) map[string]any {
	tb.t.Helper()
	tb.ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		var f map[string]any
		if err := tb.ws.ReadJSON(&f); err != nil {
			tb.t.Fatalf("waiting for a %s %s frame: %v", author, typ, err)
		}
		if f["type"] == typ && (author == "" || f["author"] == author) {
			return f
		}
	}
}

// TestReplicasRelayMessages: two supportd serve on one PostgreSQL; a
// customer has the conversation open in one tab on each. What is written
// in one, and answered, shows live in the other; when the first replica
// is killed, its tab resumes on the second with nothing lost or twice.
func TestReplicasRelayMessages(t *testing.T) {
	url := pgtest.URL(t)
	a := startServer(t, t.TempDir(), "--database-url", url)
	b := startServer(t, t.TempDir(), "--database-url", url)

	one := openTab(t, a.addr)
	one.ws.WriteJSON(map[string]any{"type": "hello", "v": 2})
	one.frame("welcome", "")
	one.ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_replica01", "text": "bonjour"})
	conv := one.frame("conversation", "")
	one.frame("message", "bot")

	two := openTab(t, b.addr)
	two.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "conversation": conv["conversation"], "token": conv["token"], "last_seq": 2})
	two.frame("welcome", "")

	// Written on A: B's tab sees the question and its answer.
	one.ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_replica02", "text": "Comment suivre mon colis ?"})
	if f := two.frame("message", "customer"); f["text"] != "Comment suivre mon colis ?" || f["seq"] != 3.0 {
		t.Fatalf("on B: %v", f)
	}
	if f := two.frame("message", "bot"); f["seq"] != 4.0 {
		t.Fatalf("on B: %v", f)
	}
	one.frame("message", "bot")
	// Written on B: A's tab sees it.
	two.ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_replica03", "text": "merci"})
	if f := one.frame("message", "customer"); f["text"] != "merci" || f["seq"] != 5.0 {
		t.Fatalf("on A: %v", f)
	}
	if f := one.frame("message", "bot"); f["seq"] != 6.0 {
		t.Fatalf("on A: %v", f)
	}

	// A dies; its tab resumes on B from what it had, nothing missing.
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.cmd.Wait()
	two.frame("message", "bot") // the answer to "merci" on B's tab
	again := openTab(t, b.addr)
	again.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "conversation": conv["conversation"], "token": conv["token"], "last_seq": 4})
	if w := again.frame("welcome", ""); w["last_seq"] != 6.0 {
		t.Fatalf("welcome on B: %v", w)
	}
	seen := map[float64]int{}
	for range 2 {
		f := again.frame("message", "")
		seen[f["seq"].(float64)]++
	}
	if seen[5] != 1 || seen[6] != 1 {
		t.Errorf("resumed on B: %v", seen)
	}
}
