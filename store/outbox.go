package store

import (
	"context"
	"fmt"
	"time"
)

// Email is one email of the outbox: stored before it is sent, so that
// nothing is lost while the SMTP server is down or supportd restarts.
type Email struct {
	// ID is chosen by the caller and unique; the sender derives the
	// email's Message-ID from it, so that a receiver can drop a
	// duplicate.
	ID string
	// To holds the recipients' addresses; at least one.
	To      []string
	From    string
	ReplyTo string
	Subject string
	// Text is the plain-text body.
	Text      string
	CreatedAt time.Time
	// Attempts counts the attempts to send the email, failed or not.
	Attempts int
	// NextAttempt is when the email is due to be sent (again).
	NextAttempt time.Time
	// LastError is the error of the last failed attempt.
	LastError string
	// SentAt is when the SMTP server accepted the email; zero while
	// unsent.
	SentAt time.Time
}

// Outbox is a durable queue of emails to send, kept by the stores beside
// [Store] (both *Bolt and *Postgres implement it). Errors other than those
// documented wrap [ErrUnavailable]; any method may return [ErrInvalid] for
// text that is not valid UTF-8 or that holds a NUL byte. Times are kept
// to the microsecond, in UTC.
//
// The outbox does not lease the emails it returns: one worker at a time
// should send them, or an email may be sent twice.
type Outbox interface {
	// EnqueueEmail stores e, unsent and with no attempts, before
	// returning. It sets e.CreatedAt when zero, and e.NextAttempt to
	// e.CreatedAt when zero. e.ID must be unique (ErrExists) and not
	// empty, and e.To must name at least one recipient (ErrInvalid).
	EnqueueEmail(ctx context.Context, e *Email) error
	// DueEmails returns up to limit unsent emails whose NextAttempt is
	// not after now, those due longest first (ties in ID order); a limit
	// of 0 or less means no limit.
	DueEmails(ctx context.Context, now time.Time, limit int) ([]Email, error)
	// ClaimDueEmails is DueEmails for a sender: it also moves the
	// NextAttempt of the emails it returns to until, in the same
	// transaction, so that another sender (another supportd process on
	// the same database) does not take them meanwhile. The sender then
	// marks each sent or retries it; one that stops before lets the
	// email fall due again at until.
	ClaimDueEmails(ctx context.Context, now, until time.Time, limit int) ([]Email, error)
	// MarkEmailSent records that the SMTP server accepted the email at
	// at (the current time when zero), counting the attempt; the email
	// is no longer due. ErrNotFound if no email has that id; an email
	// already marked sent keeps its first SentAt.
	MarkEmailSent(ctx context.Context, id string, at time.Time) error
	// RetryEmail records a failed attempt, its error and when to try
	// again. ErrNotFound if no email has that id; an email already
	// marked sent is left as it is.
	RetryEmail(ctx context.Context, id string, next time.Time, lastErr string) error
}

func checkEmail(e *Email) error {
	if e.ID == "" {
		return fmt.Errorf("%w: empty email id", ErrInvalid)
	}
	if len(e.To) == 0 {
		return fmt.Errorf("%w: email %q has no recipient", ErrInvalid, e.ID)
	}
	for _, to := range e.To {
		if err := checkText("recipient", to); err != nil {
			return err
		}
	}
	return checkText("email id", e.ID, "from", e.From, "reply-to", e.ReplyTo, "subject", e.Subject, "text", e.Text)
}
