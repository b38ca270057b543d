// Package smtptest runs a real SMTP server on loopback for tests: it
// records the messages it accepts, answers 451 to MAIL FROM while Refuse is
// set, and 550 to any recipient whose address starts with "reject".
package smtptest

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is a message the server accepted.
type Message struct {
	From      string
	To        []string
	MessageID string
	Subject   string
	ReplyTo   string
	Body      string
}

// Server is a real SMTP server on loopback that records the messages it
// accepts.
type Server struct {
	// Addr is the address it listens on.
	Addr string
	srv  *smtp.Server
	// Refuse makes MAIL FROM answer 451, a temporary failure.
	Refuse atomic.Bool

	mu  sync.Mutex
	got []Message
}

// Start starts a server listening on addr ("127.0.0.1:0" for any
// port), retrying for a while if the port is still taken; it stops with
// the test.
func Start(t testing.TB, addr string) *Server {
	t.Helper()
	var (
		l   net.Listener
		err error
	)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if l, err = net.Listen("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	s := &Server{Addr: l.Addr().String()}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.AllowInsecureAuth = true
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("SMTP server: %v", err)
		}
	}()
	t.Cleanup(func() {
		s.srv.Close()
		<-done
	})
	return s
}

// FreeAddr returns a loopback address where nothing listens.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.got...)
}

// ByMessageID counts the messages received per Message-ID.
func (s *Server) ByMessageID() map[string]int {
	n := make(map[string]int)
	for _, m := range s.Messages() {
		n[m.MessageID]++
	}
	return n
}

type session struct {
	server *Server
	from   string
	to     []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.server.Refuse.Load() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "reject") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	msg, err := netmail.ReadMessage(r)
	if err != nil {
		return err
	}
	var text io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		text = quotedprintable.NewReader(msg.Body)
	case "base64":
		text = base64.NewDecoder(base64.StdEncoding, msg.Body)
	}
	// Subjects outside ASCII come as RFC 2047 encoded words.
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(text)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.got = append(s.server.got, Message{
		From:      s.from,
		To:        s.to,
		MessageID: msg.Header.Get("Message-Id"),
		Subject:   subject,
		ReplyTo:   msg.Header.Get("Reply-To"),
		Body:      string(body),
	})
	return nil
}
