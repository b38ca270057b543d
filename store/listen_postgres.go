package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Several supportd processes may share one PostgreSQL database. Each
// message stored is notified to all of them (NOTIFY supportd_messages, a
// line "conversation seq" a message, one notification for each group of
// writes, sent when it commits), so that a message stored by one reaches
// the sockets that the others hold. The notification only
// names the message: the listener reads it from the store, so that a lost
// notification is repaired by the next one, and after a lost connection
// by a catch-up of everything the listener's sockets may have missed.

// messagesChannel is the channel of the messages stored; typingChannel,
// of who types in a conversation (NotifyTyping), which is not stored.
const (
	messagesChannel = "supportd_messages"
	typingChannel   = "supportd_typing"
)

// NotifyTyping tells every process listening that author ("customer",
// "agent") starts or stops typing in a conversation; origin names the
// process that tells, so that it can leave its own notifications alone.
func (s *Postgres) NotifyTyping(ctx context.Context, origin, conversation, author string, on bool) error {
	state := "0"
	if on {
		state = "1"
	}
	_, err := s.pool.Exec(ctx, "SELECT pg_notify($1, $2)", typingChannel, strings.Join([]string{origin, conversation, author, state}, " "))
	if err != nil {
		return errPostgres("notify typing", err)
	}
	return nil
}

// notifyPayloadMax keeps a notification under PostgreSQL's limit of
// 8,000 bytes.
const notifyPayloadMax = 7000

// storedLine is a message stored, as notified.
func storedLine(conversation string, seq int64) string {
	return conversation + " " + strconv.FormatInt(seq, 10)
}

// notifyStored notifies, in tx, the messages stored: one notification,
// or a few when they do not fit in one.
func notifyStored(ctx context.Context, tx pgx.Tx, lines []string) error {
	for len(lines) > 0 {
		n, size := 0, 0
		for n < len(lines) && (n == 0 || size+len(lines[n])+1 <= notifyPayloadMax) {
			size += len(lines[n]) + 1
			n++
		}
		if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", messagesChannel, strings.Join(lines[:n], "\n")); err != nil {
			return err
		}
		lines = lines[n:]
	}
	return nil
}

// MessageListener is told of the messages stored by every process.
type MessageListener struct {
	// Stored is called for each message stored, this process's own
	// included, with its conversation and sequence number.
	Stored func(conversation string, seq int64)
	// Resync is called each time the listening (re)starts: what was
	// stored, or moved at the desk, while nobody listened is for the
	// caller to read.
	Resync func()
	// Lost, if set, is told why the listening stopped, and when it is
	// tried again.
	Lost func(err error, retryIn time.Duration)
	// Typing, if set, is told of each NotifyTyping, with its origin.
	Typing func(origin, conversation, author string, on bool)
	// Moved, if set, is told of each conversation moved at the desk
	// (MoveConversation), and Presence of each agent whose presence was
	// set (SetAgentPresence), this process's own moves included.
	Moved    func(conversation string)
	Presence func(login string)
	// Ticket, if set, is told of each email request taken (CreateTicket).
	Ticket func(number int64)
}

// ListenMessages tells l of every message stored in the database until ctx
// ends, and returns ctx's error. It listens on a connection of its own,
// not one of the pool's; when that connection is lost it makes another,
// after a pause that grows from 100 ms to 5 s, and calls l.Resync.
func (s *Postgres) ListenMessages(ctx context.Context, l MessageListener) error {
	wait := 100 * time.Millisecond
	for {
		listened, err := s.listenOnce(ctx, l)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if listened {
			wait = 100 * time.Millisecond
		}
		if l.Lost != nil {
			l.Lost(err, wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// listenOnce listens on one connection until it fails or ctx ends; it
// reports whether it was listening.
func (s *Postgres) listenOnce(ctx context.Context, l MessageListener) (bool, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false, err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+messagesChannel); err != nil {
		return false, err
	}
	if l.Typing != nil {
		if _, err := conn.Exec(ctx, "LISTEN "+typingChannel); err != nil {
			return false, err
		}
	}
	if l.Moved != nil || l.Presence != nil || l.Ticket != nil {
		if _, err := conn.Exec(ctx, "LISTEN "+deskChannel); err != nil {
			return false, err
		}
	}
	l.Resync()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		if n.Channel == typingChannel {
			if f := strings.Fields(n.Payload); len(f) == 4 && l.Typing != nil {
				l.Typing(f[0], f[1], f[2], f[3] == "1")
			}
			continue
		}
		if n.Channel == deskChannel {
			kind, id, _ := strings.Cut(n.Payload, " ")
			switch {
			case kind == "c" && l.Moved != nil:
				l.Moved(id)
			case kind == "a" && l.Presence != nil:
				l.Presence(id)
			case kind == "t" && l.Ticket != nil:
				if n, err := strconv.ParseInt(id, 10, 64); err == nil {
					l.Ticket(n)
				}
			}
			continue
		}
		for _, line := range strings.Split(n.Payload, "\n") {
			conv, seqText, ok := strings.Cut(line, " ")
			seq, err := strconv.ParseInt(seqText, 10, 64)
			if ok && err == nil {
				l.Stored(conv, seq)
			}
		}
	}
}
