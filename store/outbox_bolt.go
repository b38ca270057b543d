package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

var _ Outbox = (*Bolt)(nil)

// The outbox adds two buckets to the bbolt file, created by the first
// email enqueued (older files simply lack them, so the layout version
// stays 1):
//
//	outbox       id -> boltEmail, JSON
//	outbox_due   next attempt, 8 bytes big-endian microseconds since 1970, id -> empty
//
// An email stays in outbox_due, under its next attempt, until it is sent.
var (
	bucketOutbox    = []byte("outbox")
	bucketOutboxDue = []byte("outbox_due")
)

// boltEmail is an [Email] as stored.
type boltEmail struct {
	To          []string  `json:"to"`
	From        string    `json:"from,omitempty"`
	ReplyTo     string    `json:"reply_to,omitempty"`
	Subject     string    `json:"subject,omitempty"`
	Text        string    `json:"text,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt"`
	LastError   string    `json:"last_error,omitempty"`
	SentAt      time.Time `json:"sent_at,omitzero"`
}

// dueKey is the key of an email in outbox_due.
func dueKey(next time.Time, id string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(next.UnixMicro())), id...)
}

// EnqueueEmail implements [Outbox].
func (s *Bolt) EnqueueEmail(ctx context.Context, e *Email) error {
	if err := ctx.Err(); err != nil {
		return errBolt("enqueue email", err)
	}
	if err := checkEmail(e); err != nil {
		return err
	}
	p := prepareEmail(e)
	err := s.group.write(func(tx *bbolt.Tx) error { return putEmail(tx, &p) })
	if err != nil {
		return errBolt("enqueue email", err)
	}
	*e = p
	return nil
}

// prepareEmail returns e as EnqueueEmail stores it: unsent, with no
// attempts, CreatedAt and NextAttempt set.
func prepareEmail(e *Email) Email {
	p := *e
	p.CreatedAt = storedTime(e.CreatedAt)
	if e.CreatedAt.IsZero() {
		p.CreatedAt = storedTime(time.Now())
	}
	p.NextAttempt = p.CreatedAt
	if !e.NextAttempt.IsZero() {
		p.NextAttempt = storedTime(e.NextAttempt)
	}
	p.Attempts, p.LastError, p.SentAt = 0, "", time.Time{}
	return p
}

// putEmail stores in tx the email e, checked and prepared by
// prepareEmail, or returns ErrExists.
func putEmail(tx *bbolt.Tx, e *Email) error {
	v, err := json.Marshal(boltEmail{
		To:          e.To,
		From:        e.From,
		ReplyTo:     e.ReplyTo,
		Subject:     e.Subject,
		Text:        e.Text,
		CreatedAt:   e.CreatedAt,
		NextAttempt: e.NextAttempt,
	})
	if err != nil {
		return err
	}
	emails, err := tx.CreateBucketIfNotExists(bucketOutbox)
	if err != nil {
		return err
	}
	due, err := tx.CreateBucketIfNotExists(bucketOutboxDue)
	if err != nil {
		return err
	}
	if emails.Get([]byte(e.ID)) != nil {
		return fmt.Errorf("email %q: %w", e.ID, ErrExists)
	}
	if err := emails.Put([]byte(e.ID), v); err != nil {
		return err
	}
	return due.Put(dueKey(e.NextAttempt, e.ID), nil)
}

// DueEmails implements [Outbox].
func (s *Bolt) DueEmails(ctx context.Context, now time.Time, limit int) ([]Email, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("list due emails", err)
	}
	end := binary.BigEndian.AppendUint64(nil, uint64(storedTime(now).UnixMicro()))
	var list []Email
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		list, _, err = dueEmails(tx, end, limit)
		return err
	})
	if err != nil {
		return nil, errBolt("list due emails", err)
	}
	return list, nil
}

// ClaimDueEmails implements [Outbox].
func (s *Bolt) ClaimDueEmails(ctx context.Context, now, until time.Time, limit int) ([]Email, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("claim due emails", err)
	}
	end := binary.BigEndian.AppendUint64(nil, uint64(storedTime(now).UnixMicro()))
	until = storedTime(until)
	var list []Email
	err := s.db.Update(func(tx *bbolt.Tx) error {
		emails, keys, err := dueEmails(tx, end, limit)
		list = emails
		for i, k := range keys {
			rec := emailRecord(&list[i])
			rec.NextAttempt = until
			if err := rewriteEmail(tx, list[i].ID, k, rec); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		return nil, errBolt("claim due emails", err)
	}
	return list, nil
}

// dueEmails reads the unsent emails due up to end (8 bytes, as in the
// keys of outbox_due), at most limit of them when limit > 0, with their
// keys in outbox_due.
func dueEmails(tx *bbolt.Tx, end []byte, limit int) ([]Email, [][]byte, error) {
	due, emails := tx.Bucket(bucketOutboxDue), tx.Bucket(bucketOutbox)
	if due == nil || emails == nil {
		return nil, nil, nil
	}
	keys, err := dueKeys(due, end, limit)
	if err != nil {
		return nil, nil, err
	}
	list := make([]Email, 0, len(keys))
	for _, k := range keys {
		id := string(k[8:])
		rec, err := getEmail(emails, id)
		if err != nil {
			return nil, nil, err
		}
		list = append(list, rec.email(id))
	}
	return list, keys, nil
}

// rewriteEmail stores rec as the email id, whose key in outbox_due was
// oldKey, and files it under its next attempt unless it is sent.
func rewriteEmail(tx *bbolt.Tx, id string, oldKey []byte, rec *boltEmail) error {
	due := tx.Bucket(bucketOutboxDue)
	if err := due.Delete(oldKey); err != nil {
		return err
	}
	if rec.SentAt.IsZero() {
		if err := due.Put(dueKey(rec.NextAttempt, id), nil); err != nil {
			return err
		}
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketOutbox).Put([]byte(id), v)
}

// dueKeys returns the keys of outbox_due up to end (8 bytes, as in the
// keys), at most limit of them when limit > 0, copied so that they
// outlive changes to the bucket.
func dueKeys(due *bbolt.Bucket, end []byte, limit int) ([][]byte, error) {
	var keys [][]byte
	c := due.Cursor()
	for k, _ := c.First(); k != nil && (limit <= 0 || len(keys) < limit); k, _ = c.Next() {
		if len(k) < 8 {
			return nil, fmt.Errorf("malformed outbox key %x", k)
		}
		if bytes.Compare(k[:8], end) > 0 {
			break
		}
		keys = append(keys, bytes.Clone(k))
	}
	return keys, nil
}

// getEmail reads an email, or returns ErrNotFound.
func getEmail(emails *bbolt.Bucket, id string) (*boltEmail, error) {
	var v []byte
	if emails != nil && id != "" {
		v = emails.Get([]byte(id))
	}
	if v == nil {
		return nil, fmt.Errorf("email %q: %w", id, ErrNotFound)
	}
	var rec boltEmail
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("email %q: %w", id, err)
	}
	return &rec, nil
}

func (rec *boltEmail) email(id string) Email {
	return Email{
		ID:          id,
		To:          rec.To,
		From:        rec.From,
		ReplyTo:     rec.ReplyTo,
		Subject:     rec.Subject,
		Text:        rec.Text,
		CreatedAt:   rec.CreatedAt,
		Attempts:    rec.Attempts,
		NextAttempt: rec.NextAttempt,
		LastError:   rec.LastError,
		SentAt:      rec.SentAt,
	}
}

// emailRecord is the stored form of e, the inverse of boltEmail.email.
func emailRecord(e *Email) *boltEmail {
	return &boltEmail{
		To: e.To, From: e.From, ReplyTo: e.ReplyTo, Subject: e.Subject, Text: e.Text,
		CreatedAt: e.CreatedAt, Attempts: e.Attempts, NextAttempt: e.NextAttempt,
		LastError: e.LastError, SentAt: e.SentAt,
	}
}

// updateEmail runs change on the unsent email id and stores the result,
// keeping outbox_due in step; a sent email is left as it is.
func (s *Bolt) updateEmail(op, id string, change func(rec *boltEmail)) error {
	err := s.group.write(func(tx *bbolt.Tx) error {
		emails := tx.Bucket(bucketOutbox)
		rec, err := getEmail(emails, id)
		if err != nil {
			return err
		}
		if !rec.SentAt.IsZero() {
			return nil
		}
		oldKey := dueKey(rec.NextAttempt, id)
		change(rec)
		return rewriteEmail(tx, id, oldKey, rec)
	})
	if err != nil {
		return errBolt(op, err)
	}
	return nil
}

// MarkEmailSent implements [Outbox].
func (s *Bolt) MarkEmailSent(ctx context.Context, id string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return errBolt("mark email sent", err)
	}
	if at.IsZero() {
		at = time.Now()
	}
	at = storedTime(at)
	return s.updateEmail("mark email sent", id, func(rec *boltEmail) {
		rec.Attempts++
		rec.SentAt = at
	})
}

// RetryEmail implements [Outbox].
func (s *Bolt) RetryEmail(ctx context.Context, id string, next time.Time, lastErr string) error {
	if err := ctx.Err(); err != nil {
		return errBolt("retry email", err)
	}
	if err := checkText("last error", lastErr); err != nil {
		return err
	}
	next = storedTime(next)
	return s.updateEmail("retry email", id, func(rec *boltEmail) {
		rec.Attempts++
		rec.NextAttempt = next
		rec.LastError = lastErr
	})
}
