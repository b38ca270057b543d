package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/store"
)

// TestListenMessages: a process is told of each message another stores,
// with its conversation and number; when its listening connection is cut,
// it listens again and is told to catch up.
func TestListenMessages(t *testing.T) {
	url := pgtest.URL(t)
	writer, listener := mustOpenPostgres(t, url), mustOpenPostgres(t, url)
	defer writer.Close()
	defer listener.Close()
	type note struct {
		conv string
		seq  int64
	}
	notes := make(chan note, 16)
	typing := make(chan string, 4)
	var mu sync.Mutex
	resyncs := 0
	listening := make(chan struct{}, 4)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- listener.ListenMessages(ctx, store.MessageListener{
			Stored: func(conv string, seq int64) { notes <- note{conv, seq} },
			Typing: func(origin, conv, author string, on bool) {
				typing <- origin + " " + conv + " " + author + " " + map[bool]string{true: "on", false: "off"}[on]
			},
			Resync: func() {
				mu.Lock()
				resyncs++
				mu.Unlock()
				listening <- struct{}{}
			},
		})
	}()
	<-listening
	if err := writer.CreateConversation(t.Context(), &store.Conversation{ID: "c_listen", TokenHash: []byte("h"), State: "bot"}); err != nil {
		t.Fatal(err)
	}
	q := &store.Message{ConversationID: "c_listen", ClientID: "m_listen01", Author: store.AuthorCustomer, Text: "bonjour"}
	r := &store.Message{ConversationID: "c_listen", Author: store.AuthorBot, Text: "Bonjour !"}
	if _, _, _, err := writer.AppendExchange(t.Context(), q, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []note{{"c_listen", 1}, {"c_listen", 2}} {
		select {
		case got := <-notes:
			if got != want {
				t.Fatalf("told %v, want %v", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("not told of %v", want)
		}
	}

	// Who types is told too, with who tells.
	if err := writer.NotifyTyping(t.Context(), "p_writer", "c_listen", store.AuthorAgent, true); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-typing:
		if got != "p_writer c_listen agent on" {
			t.Errorf("typing told as %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("not told who types")
	}

	// The listening connection is cut: the listener comes back, resyncs,
	// and is told of what follows.
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-listening:
	case <-time.After(20 * time.Second):
		t.Fatal("the listener did not come back")
	}
	if _, _, err := writer.AppendMessage(t.Context(), &store.Message{ConversationID: "c_listen", Author: store.AuthorSystem, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-notes:
		if got != (note{"c_listen", 3}) {
			t.Fatalf("after the cut, told %v", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("not told after the cut")
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("ListenMessages returned %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if resyncs != 2 {
		t.Errorf("%d resyncs, want 2", resyncs)
	}
}

// TestListenDesk: a process is told of each move at the desk, each
// presence set and each email request taken by another, and of nothing a
// move refused.
func TestListenDesk(t *testing.T) {
	url := pgtest.URL(t)
	writer, listener := mustOpenPostgres(t, url), mustOpenPostgres(t, url)
	defer writer.Close()
	defer listener.Close()
	events := make(chan string, 16)
	listening := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go listener.ListenMessages(ctx, store.MessageListener{
		Stored:   func(string, int64) {},
		Resync:   func() { listening <- struct{}{} },
		Moved:    func(conv string) { events <- "moved " + conv },
		Presence: func(login string) { events <- "presence " + login },
		Ticket:   func(n int64) { events <- "ticket" },
	})
	<-listening
	c := t.Context()
	if err := writer.CreateConversation(c, &store.Conversation{ID: "c_desk", TokenHash: []byte("h"), State: "bot"}); err != nil {
		t.Fatal(err)
	}
	if err := writer.AddAgent(c, &store.Agent{Login: "marie", PasswordHash: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := writer.MoveConversation(c, store.DeskMove{Conversation: "c_desk", FromState: store.StateBot, ToState: store.StateQueued}); err != nil {
		t.Fatal(err)
	}
	// Refused: Marie is offline. Nothing is told.
	if err := writer.MoveConversation(c, store.DeskMove{Conversation: "c_desk", FromState: store.StateQueued, ToState: store.StateAgent, ToAgent: "marie"}); err == nil {
		t.Fatal("a claim for an offline agent was taken")
	}
	if err := writer.SetAgentPresence(c, "marie", "online"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := writer.CreateTicket(c, &store.Ticket{ConversationID: "c_desk", ClientID: "f_desk01", Email: "a@example.com", Message: "aidez-moi", Lang: "fr"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"moved c_desk", "presence marie", "ticket"} {
		select {
		case got := <-events:
			if got != want {
				t.Errorf("told %q, want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("not told %q", want)
		}
	}
}
