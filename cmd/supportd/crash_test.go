package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/supportd/supportd/store"
)

// server is a supportd serve process started by a test.
type server struct {
	cmd  *exec.Cmd
	addr string // host:port
}

// buildSupportd compiles the command once per test binary.
var buildSupportd = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "supportd-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "supportd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

var listeningRe = regexp.MustCompile(`open http://([^/]+)/`)

// startServer runs supportd serve on a free port with the given data
// folder and waits until it listens.
func startServer(t *testing.T, dataDir string, extra ...string) *server {
	t.Helper()
	bin, err := buildSupportd()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--conn-per-minute", "-1", "--log-level", "error"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listeningRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case addr := <-found:
		return &server{cmd: cmd, addr: strings.Replace(addr, "localhost", "127.0.0.1", 1)}
	case <-time.After(60 * time.Second):
		t.Fatal("supportd serve did not start")
	}
	return nil
}

// chatter is a customer who keeps asking questions and records what was
// acknowledged.
type chatter struct {
	conversation, token string
	acked               map[string]int64 // client id -> seq
	sent                []string         // client ids sent, acked or not
}

func (s *server) dial() (*websocket.Conn, error) {
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+s.addr+"/ws", http.Header{"Origin": {"http://" + s.addr}})
	return ws, err
}

// chat sends questions until the connection breaks or ctx ends.
func (c *chatter) chat(ctx context.Context, s *server, n int) {
	ws, err := s.dial()
	if err != nil {
		return
	}
	defer ws.Close()
	go func() {
		<-ctx.Done()
		ws.Close()
	}()
	if ws.WriteJSON(map[string]any{"type": "hello", "v": 1}) != nil {
		return
	}
	for i := 0; ; i++ {
		id := fmt.Sprintf("m_%04d_%04d", n, i)
		c.sent = append(c.sent, id)
		if ws.WriteJSON(map[string]any{"type": "message", "client_id": id, "text": "Comment suivre mon colis ?"}) != nil {
			return
		}
		for answered := false; !answered; {
			var f struct {
				Type         string `json:"type"`
				ClientID     string `json:"client_id"`
				Conversation string `json:"conversation"`
				Token        string `json:"token"`
				Author       string `json:"author"`
				Seq          int64  `json:"seq"`
			}
			if ws.ReadJSON(&f) != nil {
				return
			}
			switch {
			case f.Type == "conversation":
				c.conversation, c.token = f.Conversation, f.Token
			case f.Type == "ack":
				c.acked[f.ClientID] = f.Seq
			case f.Type == "message" && f.Author == "bot":
				answered = true
			}
		}
	}
}

// TestKill9 kills the server with SIGKILL while customers chat, restarts
// it, and checks that every acknowledged message is there, once, and that
// the widgets' retries of unacknowledged ones are stored once.
func TestKill9(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)
	const customers = 20
	chatters := make([]*chatter, customers)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range chatters {
		chatters[i] = &chatter{acked: map[string]int64{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			chatters[i].chat(ctx, srv, i)
		}()
	}
	time.Sleep(2 * time.Second)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	cancel()
	wg.Wait()

	total := 0
	for _, c := range chatters {
		total += len(c.acked)
	}
	if total < customers {
		t.Fatalf("only %d messages acknowledged before the kill", total)
	}
	srv = startServer(t, dataDir)
	for i, c := range chatters {
		if c.conversation == "" {
			continue
		}
		ws, err := srv.dial()
		if err != nil {
			t.Fatal(err)
		}
		ws.WriteJSON(map[string]any{"type": "hello", "v": 1, "conversation": c.conversation, "token": c.token, "last_seq": 0})
		// The widget resends what was not acknowledged.
		for _, id := range c.sent {
			if _, ok := c.acked[id]; !ok {
				ws.WriteJSON(map[string]any{"type": "message", "client_id": id, "text": "Comment suivre mon colis ?"})
			}
		}
		var lastSeq int64
		seen := map[string]int{}
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		welcome := struct {
			LastSeq int64 `json:"last_seq"`
		}{}
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("customer %d: %v (seen %v, sent %v, acked %v, last %d, welcome %d)", i, err, seen, c.sent, c.acked, lastSeq, welcome.LastSeq)
			}
			var f struct {
				Type     string `json:"type"`
				ClientID string `json:"client_id"`
				Author   string `json:"author"`
				Seq      int64  `json:"seq"`
			}
			json.Unmarshal(data, &f)
			if f.Type == "welcome" {
				json.Unmarshal(data, &welcome)
				continue
			}
			if f.Type != "message" {
				continue
			}
			if f.Seq != lastSeq+1 {
				t.Fatalf("customer %d: seq %d after %d", i, f.Seq, lastSeq)
			}
			lastSeq = f.Seq
			if f.Author == "customer" {
				seen[f.ClientID]++
			}
			// Done once the old messages are replayed and every retry
			// is stored.
			if lastSeq >= welcome.LastSeq && len(seen) == len(c.sent) {
				break
			}
		}
		ws.Close()
		for id, seq := range c.acked {
			if seen[id] != 1 {
				t.Errorf("customer %d: acknowledged message %s (seq %d) found %d times", i, id, seq, seen[id])
			}
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("customer %d: message %s stored %d times", i, id, n)
			}
		}
	}
	t.Logf("%d messages acknowledged before kill -9, all found once after restart", total)
}

// TestGracefulShutdown: on SIGTERM, supportd serve closes each socket with
// "going away" and exits cleanly.
func TestGracefulShutdown(t *testing.T) {
	srv := startServer(t, t.TempDir())
	var sockets []*websocket.Conn
	for range 3 {
		ws, err := srv.dial()
		if err != nil {
			t.Fatal(err)
		}
		ws.WriteJSON(map[string]any{"type": "hello", "v": 1})
		ws.ReadMessage() // welcome
		sockets = append(sockets, ws)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for _, ws := range sockets {
		ws.SetReadDeadline(time.Now().Add(15 * time.Second))
		_, _, err := ws.ReadMessage()
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("socket got %v, want going away", err)
		}
		ws.Close()
	}
	done := make(chan error, 1)
	go func() { done <- srv.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("supportd serve exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("supportd serve did not exit after SIGTERM")
	}
}

// TestKill9KeepsTickets: an email request acknowledged just before kill -9
// is still there after the restart, with its two emails in the outbox, and
// its retry creates no second ticket.
func TestKill9KeepsTickets(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir, "--support-inbox", "support@shop.example")
	ws, err := srv.dial()
	if err != nil {
		t.Fatal(err)
	}
	type frame struct {
		Type, Conversation, Token, Author, Text string
		ClientID                                string `json:"client_id"`
		Seq                                     int64
		Form                                    json.RawMessage
	}
	read := func(ws *websocket.Conn, want func(frame) bool) frame {
		t.Helper()
		for {
			ws.SetReadDeadline(time.Now().Add(20 * time.Second))
			var f frame
			if err := ws.ReadJSON(&f); err != nil {
				t.Fatalf("read: %v", err)
			}
			if want(f) {
				return f
			}
		}
	}
	ws.WriteJSON(map[string]any{"type": "hello", "v": 1})
	ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_00000001", "text": "je veux parler à une personne"})
	conv := read(ws, func(f frame) bool { return f.Type == "conversation" })
	offer := read(ws, func(f frame) bool { return f.Type == "message" && f.Author == "bot" })
	if len(offer.Form) == 0 {
		t.Fatalf("no form in %+v", offer)
	}
	intake := map[string]any{"type": "intake", "client_id": "i_00000001", "email": "lea@example.fr", "text": "Colis abîmé", "seq": offer.Seq}
	ws.WriteJSON(intake)
	read(ws, func(f frame) bool { return f.Type == "ack" && f.ClientID == "i_00000001" })
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	ws.Close()

	srv = startServer(t, dir, "--support-inbox", "support@shop.example")
	ws, err = srv.dial()
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteJSON(map[string]any{"type": "hello", "v": 1, "conversation": conv.Conversation, "token": conv.Token})
	confirm := read(ws, func(f frame) bool { return f.Type == "message" && strings.Contains(f.Text, "demande n°") })
	if !strings.Contains(confirm.Text, "demande n° 1 ") {
		t.Fatalf("after the restart: %+v", confirm)
	}
	ws.WriteJSON(intake) // the widget's retry of an ack it may have missed
	if ack := read(ws, func(f frame) bool { return f.Type == "ack" }); ack.Seq != confirm.Seq {
		t.Errorf("retry acknowledged as %d, want %d", ack.Seq, confirm.Seq)
	}
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()

	st, err := store.OpenBolt(filepath.Join(dir, "supportd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tickets, err := st.ListTickets(t.Context(), "", 0)
	if err != nil || len(tickets) != 1 || tickets[0].Email != "lea@example.fr" {
		t.Fatalf("tickets %+v, %v", tickets, err)
	}
	emails, err := st.DueEmails(t.Context(), time.Now().Add(time.Hour), 0)
	if err != nil || len(emails) != 2 {
		t.Errorf("outbox %d emails, %v; want 2", len(emails), err)
	}
}

// TestSlowRequestIsCutOff: a request whose body trickles in at a byte a
// second is cut off at the read timeout, not kept open.
func TestSlowRequestIsCutOff(t *testing.T) {
	srv := startServer(t, t.TempDir(), "--read-timeout", "1s")
	c, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /agent/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n", srv.addr)
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, c)
		close(closed)
	}()
	// Far longer than the timeout: the server must have closed before.
	for range 30 {
		select {
		case <-closed:
			return
		case <-time.After(500 * time.Millisecond):
		}
		if _, err := c.Write([]byte("a")); err != nil {
			return
		}
	}
	t.Fatal("a request trickled for 15 s is still open")
}
