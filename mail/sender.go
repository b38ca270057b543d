// Package mail sends supportd's emails over SMTP through a durable outbox:
// an email is stored first ([Outbox.Enqueue]) and a worker ([Outbox.Run])
// sends it, retrying with backoff, so that nothing is lost while the SMTP
// server is down or supportd restarts.
//
// Package mail imports only package store, for [store.Email].
package mail

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/supportd/supportd/store"
)

// TLS policies of [SenderConfig].
const (
	// TLSOpportunistic uses STARTTLS when the server offers it.
	TLSOpportunistic = "opportunistic"
	// TLSMandatory refuses to send unless STARTTLS succeeds.
	TLSMandatory = "mandatory"
	// TLSNone never uses TLS: for a test server on loopback.
	TLSNone = "none"
)

// SenderConfig configures a [Sender]. A zero field means its documented
// default.
type SenderConfig struct {
	// Host is the SMTP server's name or address; required.
	Host string
	// Port defaults to 587 (submission).
	Port int
	// Username and Password, when Username is set, authenticate with the
	// strongest mechanism the server offers.
	Username string
	Password string
	// TLS is TLSOpportunistic (the default), TLSMandatory or TLSNone.
	TLS string
	// Timeout bounds connecting and each exchange with the server;
	// default 30 s.
	Timeout time.Duration
	// MessageIDDomain is the right part of the Message-ID of each email,
	// "<id@domain>"; default "supportd".
	MessageIDDomain string
}

// Sender sends emails over SMTP, one connection per email. It is safe for
// concurrent use.
type Sender struct {
	opts   []gomail.Option
	host   string
	domain string
}

// NewSender checks cfg and returns a Sender; it does not connect.
func NewSender(cfg SenderConfig) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: no SMTP host")
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MessageIDDomain == "" {
		cfg.MessageIDDomain = "supportd"
	}
	if !dotAtom.MatchString(cfg.MessageIDDomain) {
		return nil, fmt.Errorf("mail: message id domain %q is not a dot-atom", cfg.MessageIDDomain)
	}
	var policy gomail.TLSPolicy
	switch cfg.TLS {
	case "", TLSOpportunistic:
		policy = gomail.TLSOpportunistic
	case TLSMandatory:
		policy = gomail.TLSMandatory
	case TLSNone:
		policy = gomail.NoTLS
	default:
		return nil, fmt.Errorf("mail: unknown TLS policy %q (want %s, %s or %s)", cfg.TLS, TLSOpportunistic, TLSMandatory, TLSNone)
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTLSPolicy(policy),
		gomail.WithTimeout(cfg.Timeout),
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	// Fail early on options go-mail refuses.
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return &Sender{opts: opts, host: cfg.Host, domain: cfg.MessageIDDomain}, nil
}

// dotAtom matches RFC 5322's dot-atom-text, the form of each side of a
// Message-ID.
var dotAtom = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")

// MessageID returns the Message-ID header of the email with that id,
// angle brackets included.
func (s *Sender) MessageID(id string) string {
	return "<" + id + "@" + s.domain + ">"
}

// PermanentError is an error that retrying will not cure: the server
// rejected the email with a 5xx reply, or the email cannot be sent as it
// is.
type PermanentError struct {
	Err error
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a [PermanentError].
func IsPermanent(err error) bool {
	_, ok := errors.AsType[*PermanentError](err)
	return ok
}

// Send sends e and returns once the server has accepted it, or the error.
// The email's Message-ID is [Sender.MessageID] of e.ID, and its Date
// e.CreatedAt. An error that retrying will not cure is a
// [PermanentError]; the others are worth retrying.
//
// An error closing the connection after the server accepted the email is
// ignored: the email was sent.
func (s *Sender) Send(ctx context.Context, e *store.Email) error {
	msg, err := s.message(e)
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("mail: email %q: %w", e.ID, err)}
	}
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("mail: connect to %s: %w", s.host, err)
	}
	err = client.SendWithSMTPClient(conn, msg)
	if err != nil {
		client.CloseWithSMTPClient(conn)
		err = fmt.Errorf("mail: send email %q: %w", e.ID, err)
		if sendErr, ok := errors.AsType[*gomail.SendError](err); ok && sendErr.ErrorCode() >= 500 && sendErr.ErrorCode() < 600 {
			return &PermanentError{Err: err}
		}
		return err
	}
	client.CloseWithSMTPClient(conn)
	return nil
}

// message builds the email to send.
func (s *Sender) message(e *store.Email) (*gomail.Msg, error) {
	if !dotAtom.MatchString(e.ID) {
		return nil, errors.New("the id is not a dot-atom, which a Message-ID needs")
	}
	m := gomail.NewMsg()
	if err := m.From(e.From); err != nil {
		return nil, err
	}
	if err := m.To(e.To...); err != nil {
		return nil, err
	}
	if e.ReplyTo != "" {
		if err := m.ReplyTo(e.ReplyTo); err != nil {
			return nil, err
		}
	}
	m.Subject(e.Subject)
	m.SetMessageIDWithValue(e.ID + "@" + s.domain)
	if !e.CreatedAt.IsZero() {
		m.SetDateWithValue(e.CreatedAt)
	}
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	return m, nil
}
