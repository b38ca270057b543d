package mail

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/supportd/supportd/store"
)

// Queue is the durable queue of emails an [Outbox] works on;
// *store.Bolt and *store.Postgres implement it (see [store.Outbox] for
// the contract).
type Queue interface {
	EnqueueEmail(ctx context.Context, e *store.Email) error
	ClaimDueEmails(ctx context.Context, now, until time.Time, limit int) ([]store.Email, error)
	MarkEmailSent(ctx context.Context, id string, at time.Time) error
	RetryEmail(ctx context.Context, id string, next time.Time, lastErr string) error
}

var (
	_ Queue = (*store.Bolt)(nil)
	_ Queue = (*store.Postgres)(nil)
)

// Mailer sends one email; *[Sender] implements it. It returns nil only
// once the SMTP server accepted the email, and a [PermanentError] when
// retrying will not help.
type Mailer interface {
	Send(ctx context.Context, e *store.Email) error
}

var _ Mailer = (*Sender)(nil)

// OutboxConfig configures an [Outbox]. A zero field means its documented
// default.
type OutboxConfig struct {
	// Queue holds the emails; required.
	Queue Queue
	// Mailer sends them; required.
	Mailer Mailer
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// PollInterval is how often the queue is read for due emails;
	// default 2 s. [Outbox.Notify] wakes the worker sooner.
	PollInterval time.Duration
	// MinBackoff is the delay before the first retry of an email;
	// default 5 s. Each failed attempt doubles it, up to MaxBackoff,
	// and each delay is drawn at random between its half and itself.
	MinBackoff time.Duration
	// MaxBackoff caps the delay between attempts; default 10 min.
	MaxBackoff time.Duration
	// SendTimeout bounds the sending of one email; default 1 min.
	SendTimeout time.Duration
}

// Outbox sends the emails of a [Queue], retrying those that fail.
//
// Delivery is at least once, and exactly once but for one window: an
// email the server accepted is marked sent right away, before the next
// email is taken; if supportd stops (crash, kill -9) between the server's
// acceptance and that mark, the email is sent again after the restart.
// Both copies carry the same Message-ID ([Sender.MessageID]), by which
// the receiver can drop the second. When marking fails (the store is
// down), the Outbox remembers the email as sent and marks it again before
// its next round, without sending it again.
//
// A permanent rejection ([PermanentError], such as a 5xx reply) is
// retried too, but after MaxBackoff: the store has no state for failed
// emails, and an operator may fix the cause (an address, the server's
// configuration). Each attempt's error is logged and kept as the email's
// LastError.
//
// Only one Outbox should run on a queue at a time (one supportd process
// per PostgreSQL database): the queue does not lease the emails it
// returns, so two would send the same email.
type Outbox struct {
	cfg  OutboxConfig
	wake chan struct{}

	// mu guards unmarked: emails the server accepted but that could not
	// be marked sent yet, by id, with when they were sent.
	mu       sync.Mutex
	unmarked map[string]time.Time
	// sent and failed count the attempts that sent an email and those
	// that did not, since start (Stats).
	sent, failed atomic.Int64
}

// NewOutbox returns an Outbox; it sends nothing until [Outbox.Run].
func NewOutbox(cfg OutboxConfig) (*Outbox, error) {
	if cfg.Queue == nil || cfg.Mailer == nil {
		return nil, errors.New("mail: an outbox needs a queue and a mailer")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 2 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 5 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 10 * time.Minute
	}
	cfg.MaxBackoff = max(cfg.MaxBackoff, cfg.MinBackoff)
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = time.Minute
	}
	return &Outbox{cfg: cfg, wake: make(chan struct{}, 1), unmarked: make(map[string]time.Time)}, nil
}

// Enqueue stores e in the queue (see [store.Outbox.EnqueueEmail] for its
// errors), then wakes the worker. Once it returns nil, the email will be
// sent even if supportd restarts.
func (o *Outbox) Enqueue(ctx context.Context, e *store.Email) error {
	if err := o.cfg.Queue.EnqueueEmail(ctx, e); err != nil {
		return err
	}
	o.Notify()
	return nil
}

// OutboxStats are an outbox's counts since start.
type OutboxStats struct {
	// Sent counts the emails sent; Failed, the attempts that failed
	// (each is retried).
	Sent, Failed int64
}

// Stats returns the outbox's counts since start.
func (o *Outbox) Stats() OutboxStats {
	return OutboxStats{Sent: o.sent.Load(), Failed: o.failed.Load()}
}

// Notify wakes the worker to look for due emails now; it never blocks.
func (o *Outbox) Notify() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run sends due emails until ctx ends, then returns ctx's error. An email
// being sent when ctx ends is finished (within SendTimeout) and marked,
// so that it is not sent twice. Run must not be called twice at once.
func (o *Outbox) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		case <-o.wake:
		}
		o.round(ctx)
		timer.Reset(o.cfg.PollInterval)
	}
}

// round sends the emails due now, a batch at a time, until none is due
// or ctx ends.
func (o *Outbox) round(ctx context.Context) {
	log := o.cfg.Logger
	if !o.markPending(ctx) {
		return
	}
	for ctx.Err() == nil {
		// Each email is claimed for as long as sending it may take, so
		// that another supportd process sending from the same database
		// leaves it alone; if this one stops, it falls due again then.
		// One at a time: an email left unsent by a round that ends early
		// is not held by a claim.
		now := time.Now()
		due, err := o.cfg.Queue.ClaimDueEmails(ctx, now, now.Add(o.cfg.SendTimeout+time.Minute), 1)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("mail: read the outbox", "err", err)
			}
			return
		}
		if len(due) == 0 || !o.send(ctx, &due[0]) {
			return
		}
	}
}

// send sends one email and records the outcome; it reports false when
// the store failed, to end the round.
func (o *Outbox) send(ctx context.Context, e *store.Email) bool {
	log := o.cfg.Logger.With("email", e.ID, "attempt", e.Attempts+1)
	// The attempt outlives ctx: cut short, the server might accept the
	// email without supportd knowing.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.cfg.SendTimeout)
	defer cancel()
	sendErr := o.cfg.Mailer.Send(sendCtx, e)
	if sendErr == nil {
		at := time.Now()
		if err := o.cfg.Queue.MarkEmailSent(sendCtx, e.ID, at); err != nil {
			log.Error("mail: email sent, but not marked sent; will mark it again", "err", err)
			o.mu.Lock()
			o.unmarked[e.ID] = at
			o.mu.Unlock()
			return false
		}
		log.Info("mail: email sent")
		o.sent.Add(1)
		return true
	}
	o.failed.Add(1)
	delay := o.backoff(e.Attempts)
	if IsPermanent(sendErr) {
		delay = o.cfg.MaxBackoff
	}
	next := time.Now().Add(delay)
	log.Warn("mail: email not sent; will retry", "err", sendErr, "permanent", IsPermanent(sendErr), "retry_in", delay)
	if err := o.cfg.Queue.RetryEmail(sendCtx, e.ID, next, storableText(sendErr.Error())); err != nil {
		log.Error("mail: record a failed attempt", "err", err)
		return false
	}
	return true
}

// markPending marks sent the emails whose marking failed; it reports
// whether all are marked.
func (o *Outbox) markPending(ctx context.Context) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for id, at := range o.unmarked {
		err := o.cfg.Queue.MarkEmailSent(ctx, id, at)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			if ctx.Err() == nil {
				o.cfg.Logger.Error("mail: mark a sent email", "email", id, "err", err)
			}
			return false
		}
		delete(o.unmarked, id)
	}
	return true
}

// backoff is the delay before retrying an email that failed after
// attempts earlier attempts: MinBackoff doubled each time, capped at
// MaxBackoff, then drawn between its half and itself.
func (o *Outbox) backoff(attempts int) time.Duration {
	d := o.cfg.MinBackoff
	for range min(max(attempts, 0), 62) {
		if d >= o.cfg.MaxBackoff/2 {
			d = o.cfg.MaxBackoff
			break
		}
		d *= 2
	}
	d = min(d, o.cfg.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// storableText is s as the stores accept it: valid UTF-8 without NUL
// bytes.
func storableText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
