package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Both stores check their input with the functions of this file, so that
// they refuse the same things: PostgreSQL cannot hold a NUL byte or
// invalid UTF-8 in text, nor \u0000 in jsonb, and bbolt cannot hold an
// empty key.

// validText reports whether PostgreSQL can store s as text.
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// checkText returns an error wrapping ErrInvalid naming the first field
// that cannot be stored; fields alternate names and values.
func checkText(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if !validText(fields[i+1]) {
			return fmt.Errorf("%w: %s is not UTF-8 text without NUL bytes", ErrInvalid, fields[i])
		}
	}
	return nil
}

func checkConversation(c *Conversation) error {
	if c.ID == "" {
		return fmt.Errorf("%w: empty conversation id", ErrInvalid)
	}
	return checkText("conversation id", c.ID, "customer id", c.CustomerID, "lang", c.Lang, "state", c.State, "agent", c.Agent)
}

func checkMessage(m *Message) error {
	if err := checkText("client id", m.ClientID, "author", m.Author, "agent id", m.AgentID, "text", m.Text); err != nil {
		return err
	}
	if len(m.Data) > 0 && (!json.Valid(m.Data) || hasNULEscape(m.Data)) {
		return fmt.Errorf("%w: message data is not JSON, or holds \\u0000", ErrInvalid)
	}
	return nil
}

// checkExchange checks the messages of AppendExchange.
func checkExchange(m, reply *Message) error {
	if err := checkMessage(m); err != nil {
		return err
	}
	if reply.ConversationID != m.ConversationID || reply.ClientID != "" {
		return fmt.Errorf("%w: a reply belongs to the message's conversation and has no client id", ErrInvalid)
	}
	return checkMessage(reply)
}

func checkFeedback(f *Feedback) error {
	return checkText("article id", f.ArticleID)
}

// hasNULEscape reports whether the valid JSON data holds the escape
// \u0000, which PostgreSQL's jsonb refuses. Outside strings, valid JSON
// has no backslash, so each backslash starts an escape.
func hasNULEscape(data []byte) bool {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if i+5 < len(data) && data[i+1] == 'u' && string(data[i+2:i+6]) == "0000" {
			return true
		}
		i++ // skip the escaped character
	}
	return false
}

// storedTime is t as the stores keep it: in UTC, to the microsecond (the
// precision of PostgreSQL's timestamptz).
func storedTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
