package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/smtptest"
	"github.com/supportd/supportd/mail"
	"github.com/supportd/supportd/store"
)

// waitTimeout bounds every wait of the tests; none measures time.
const waitTimeout = 10 * time.Second

// waitFor polls cond until it holds, failing t after waitTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(waitTimeout); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting, after %v, for %s", waitTimeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func openBolt(t *testing.T, path string) *store.Bolt {
	t.Helper()
	s, err := store.OpenBolt(path)
	if err != nil {
		t.Fatalf("OpenBolt: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newSender returns a Sender to the server at addr, without TLS.
func newSender(t *testing.T, addr string) *mail.Sender {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	s, err := mail.NewSender(mail.SenderConfig{Host: host, Port: p, TLS: mail.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	return s
}

// fastConfig is an outbox configuration with short delays, for tests.
func fastConfig(t *testing.T, q mail.Queue, m mail.Mailer) mail.OutboxConfig {
	return mail.OutboxConfig{
		Queue:        q,
		Mailer:       m,
		Logger:       slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		PollInterval: 10 * time.Millisecond,
		MinBackoff:   20 * time.Millisecond,
		MaxBackoff:   200 * time.Millisecond,
		SendTimeout:  5 * time.Second,
	}
}

// startOutbox runs an outbox until the returned function stops it, which
// waits for Run to return.
func startOutbox(t *testing.T, cfg mail.OutboxConfig) (*mail.Outbox, func()) {
	t.Helper()
	o, err := mail.NewOutbox(cfg)
	if err != nil {
		t.Fatalf("NewOutbox: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run: %v, want context.Canceled", err)
			}
		case <-time.After(waitTimeout):
			t.Errorf("Run did not return %v after its context ended", waitTimeout)
		}
	}
	t.Cleanup(stop)
	return o, stop
}

func testEmail(id string) *store.Email {
	return &store.Email{
		ID:      id,
		To:      []string{"client-" + id + "@example.com"},
		From:    "support@shop.example",
		ReplyTo: "reponse@shop.example",
		Subject: "Votre demande " + id,
		Text:    "Bonjour,\nnous avons bien reçu votre demande " + id + ".\n",
	}
}

// unsent returns the emails of q not sent yet, due or not.
func unsent(t *testing.T, q mail.Queue) []store.Email {
	t.Helper()
	if f, ok := q.(*failingMarks); ok {
		q = f.Queue
	}
	list, err := q.(store.Outbox).DueEmails(context.Background(), time.Now().Add(1000*time.Hour), 0)
	if err != nil {
		t.Fatalf("DueEmails: %v", err)
	}
	return list
}

// checkDeliveredOnce checks that the server received each of ids once,
// as the Sender builds them.
func checkDeliveredOnce(t *testing.T, srv *smtptest.Server, ids []string) {
	t.Helper()
	counts := srv.ByMessageID()
	if len(counts) != len(ids) {
		t.Errorf("%d Message-IDs received, want %d: %v", len(counts), len(ids), counts)
	}
	for _, id := range ids {
		if n := counts["<"+id+"@supportd>"]; n != 1 {
			t.Errorf("email %s received %d times, want once", id, n)
		}
	}
}

// waitDelivered waits until the server received every id and the queue
// holds no unsent email.
func waitDelivered(t *testing.T, srv *smtptest.Server, q mail.Queue, ids []string) {
	t.Helper()
	waitFor(t, "every email to be received and marked sent", func() bool {
		return len(srv.ByMessageID()) >= len(ids) && len(unsent(t, q)) == 0
	})
}

func ids(prefix string, n int) []string {
	var list []string
	for i := range n {
		list = append(list, fmt.Sprintf("%s%02d", prefix, i))
	}
	return list
}

func TestDeliveredOnce(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1:0")
	q := openBolt(t, filepath.Join(t.TempDir(), "supportd.db"))
	host, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	// The default TLS policy: the test server offers no STARTTLS.
	sender, err := mail.NewSender(mail.SenderConfig{Host: host, Port: p, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cfg := fastConfig(t, q, sender)
	// Only Notify makes this outbox look before the test's deadline.
	cfg.PollInterval = time.Hour
	o, stop := startOutbox(t, cfg)
	all := ids("once-", 20)
	for _, id := range all {
		if err := o.Enqueue(t.Context(), testEmail(id)); err != nil {
			t.Fatalf("Enqueue(%s): %v", id, err)
		}
	}
	waitDelivered(t, srv, q, all)
	stop()
	checkDeliveredOnce(t, srv, all)
	for _, m := range srv.Messages() {
		id := strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), "@supportd>")
		want := testEmail(id)
		if m.From != want.From || !slices.Equal(m.To, want.To) || m.Subject != want.Subject || m.ReplyTo != "<"+want.ReplyTo+">" ||
			strings.ReplaceAll(m.Body, "\r\n", "\n") != want.Text {
			t.Errorf("received %+v, want %+v", m, want)
		}
	}
	if err := o.Enqueue(t.Context(), testEmail(all[0])); !errors.Is(err, store.ErrExists) {
		t.Errorf("Enqueue(an id sent already): %v, want ErrExists", err)
	}
}

func TestSMTPDownThenBack(t *testing.T) {
	addr := smtptest.FreeAddr(t)
	q := openBolt(t, filepath.Join(t.TempDir(), "supportd.db"))
	_, stop := startOutbox(t, fastConfig(t, q, newSender(t, addr)))
	all := ids("down-", 10)
	for _, id := range all {
		if err := q.EnqueueEmail(t.Context(), testEmail(id)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every email to fail at least 3 times", func() bool {
		for _, e := range unsent(t, q) {
			if e.Attempts < 3 || e.LastError == "" {
				return false
			}
		}
		return true
	})
	if got := unsent(t, q); len(got) != len(all) {
		t.Fatalf("%d emails unsent while the server is down, want %d", len(got), len(all))
	}

	srv := smtptest.Start(t, addr)
	waitDelivered(t, srv, q, all)
	stop()
	checkDeliveredOnce(t, srv, all)
}

func TestSMTPRefusesThenAccepts(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1:0")
	srv.Refuse.Store(true)
	q := openBolt(t, filepath.Join(t.TempDir(), "supportd.db"))
	_, stop := startOutbox(t, fastConfig(t, q, newSender(t, srv.Addr)))
	all := ids("busy-", 10)
	for _, id := range all {
		if err := q.EnqueueEmail(t.Context(), testEmail(id)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every email to be refused twice", func() bool {
		for _, e := range unsent(t, q) {
			if e.Attempts < 2 || !strings.Contains(e.LastError, "451") {
				return false
			}
		}
		return true
	})
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages received while refusing", n)
	}
	srv.Refuse.Store(false)
	waitDelivered(t, srv, q, all)
	stop()
	checkDeliveredOnce(t, srv, all)
}

func TestPermanentRejection(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1:0")
	q := openBolt(t, filepath.Join(t.TempDir(), "supportd.db"))
	cfg := fastConfig(t, q, newSender(t, srv.Addr))
	cfg.MaxBackoff = 1000 * time.Hour
	_, stop := startOutbox(t, cfg)
	bad := testEmail("bad")
	bad.To = []string{"reject@example.com"}
	for _, e := range []*store.Email{bad, testEmail("good")} {
		if err := q.EnqueueEmail(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the good email to be received and the bad one refused", func() bool {
		list := unsent(t, q)
		return len(srv.Messages()) == 1 && len(list) == 1 && list[0].Attempts == 1
	})
	stop()
	checkDeliveredOnce(t, srv, []string{"good"})
	e := unsent(t, q)[0]
	if e.ID != "bad" || !strings.Contains(e.LastError, "550") {
		t.Errorf("refused email: %+v, want bad with a 550 error", e)
	}
	// Retried after MaxBackoff, drawn between its half and itself.
	if e.NextAttempt.Before(time.Now().Add(400 * time.Hour)) {
		t.Errorf("refused permanently, the email is due again at %v", e.NextAttempt)
	}
}

func TestRestart(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1:0")
	path := filepath.Join(t.TempDir(), "supportd.db")
	s1, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	// An outbox that stores the emails, and stops before sending them.
	o1, err := mail.NewOutbox(fastConfig(t, s1, newSender(t, srv.Addr)))
	if err != nil {
		t.Fatal(err)
	}
	all := ids("restart-", 5)
	for _, id := range all {
		if err := o1.Enqueue(t.Context(), testEmail(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := openBolt(t, path)
	_, stop := startOutbox(t, fastConfig(t, s2, newSender(t, srv.Addr)))
	waitDelivered(t, srv, s2, all)
	stop()
	checkDeliveredOnce(t, srv, all)
}

// failingMarks is a queue whose MarkEmailSent fails a number of times.
type failingMarks struct {
	mail.Queue
	fails int
	calls int
}

func (q *failingMarks) MarkEmailSent(ctx context.Context, id string, at time.Time) error {
	q.calls++
	if q.calls <= q.fails {
		return fmt.Errorf("%w: disk full", store.ErrUnavailable)
	}
	return q.Queue.MarkEmailSent(ctx, id, at)
}

// TestMarkFails: when an accepted email cannot be marked sent, it is
// marked later without being sent again.
func TestMarkFails(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1:0")
	s := openBolt(t, filepath.Join(t.TempDir(), "supportd.db"))
	q := &failingMarks{Queue: s, fails: 3}
	_, stop := startOutbox(t, fastConfig(t, q, newSender(t, srv.Addr)))
	all := ids("mark-", 3)
	for _, id := range all {
		if err := s.EnqueueEmail(t.Context(), testEmail(id)); err != nil {
			t.Fatal(err)
		}
	}
	waitDelivered(t, srv, s, all)
	stop()
	checkDeliveredOnce(t, srv, all)
}

func TestSenderRefuses(t *testing.T) {
	for _, cfg := range []mail.SenderConfig{
		{},
		{Host: "localhost", TLS: "sometimes"},
		{Host: "localhost", MessageIDDomain: "a b"},
	} {
		if _, err := mail.NewSender(cfg); err == nil {
			t.Errorf("NewSender(%+v): no error", cfg)
		}
	}
	s, err := mail.NewSender(mail.SenderConfig{Host: "localhost", Port: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a b", "a@b", "<a>", "", "a..b"} {
		e := testEmail("x")
		e.ID = id
		if err := s.Send(t.Context(), e); !mail.IsPermanent(err) {
			t.Errorf("Send(id %q): %v, want a permanent error", id, err)
		}
	}
	if got := s.MessageID("abc-1"); got != "<abc-1@supportd>" {
		t.Errorf("MessageID = %q", got)
	}
}
