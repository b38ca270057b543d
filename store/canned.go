package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// CannedReply is a reply the agents share, inserted in the console's reply
// box by its shortcut (« /delais »).
type CannedReply struct {
	ID int64 // set by the store
	// Shortcut is 1 to 32 characters among a-z, 0-9, '-' and '_', unique.
	Shortcut  string
	Text      string
	UpdatedBy string
	UpdatedAt time.Time // set by the store
}

// CannedReplies keeps the shared replies. *Bolt and *Postgres implement
// it. Errors other than those documented wrap ErrUnavailable.
type CannedReplies interface {
	// SaveCanned adds r (r.ID 0) or replaces the reply with r.ID, setting
	// r.ID and r.UpdatedAt. Errors: ErrExists (another reply has the
	// shortcut), ErrNotFound (no reply r.ID), ErrInvalid (a bad shortcut,
	// an empty text or one over 4,000 characters).
	SaveCanned(ctx context.Context, r *CannedReply) error
	// ListCanned returns the replies by shortcut.
	ListCanned(ctx context.Context) ([]CannedReply, error)
	// DeleteCanned deletes a reply; ErrNotFound if none.
	DeleteCanned(ctx context.Context, id int64) error
}

// ValidShortcut reports whether s can be a canned reply's shortcut.
func ValidShortcut(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func prepareCanned(r *CannedReply) (CannedReply, error) {
	nr := *r
	nr.Shortcut = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.Shortcut), "/")))
	nr.Text = strings.TrimSpace(r.Text)
	switch {
	case !ValidShortcut(nr.Shortcut):
		return CannedReply{}, fmt.Errorf("%w: shortcut %q", ErrInvalid, r.Shortcut)
	case nr.Text == "" || utf8.RuneCountInString(nr.Text) > 4000:
		return CannedReply{}, fmt.Errorf("%w: a canned reply has 1 to 4,000 characters", ErrInvalid)
	}
	if err := checkText("text", nr.Text, "agent", nr.UpdatedBy); err != nil {
		return CannedReply{}, err
	}
	nr.UpdatedAt = storedTime(time.Now())
	return nr, nil
}
