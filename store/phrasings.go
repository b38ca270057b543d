package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Phrasing is a customer's wording of a question, recorded as a candidate
// to add to the questions of the article that answered it: when the
// customer picked the article among suggestions and said it helped, or
// when an agent closed the conversation noting the article.
type Phrasing struct {
	ID        int64 // set by the store
	ArticleID string
	Text      string
	// Source is PhrasingFromVote or PhrasingFromAgent.
	Source         string
	ConversationID string
	// Status is PhrasingPending until an editor accepts or rejects it.
	Status    string
	CreatedAt time.Time // set by the store when zero
}

// Sources and statuses of phrasings.
const (
	PhrasingFromVote  = "vote"
	PhrasingFromAgent = "agent"

	PhrasingPending  = "pending"
	PhrasingAccepted = "accepted"
	PhrasingRejected = "rejected"
)

// Phrasings keeps the candidate phrasings of articles. *Bolt and
// *Postgres implement it. Errors other than those documented wrap
// ErrUnavailable.
type Phrasings interface {
	// AddPhrasing stores a new pending phrasing, setting p.ID, p.Status
	// and p.CreatedAt (when zero). Errors: ErrExists when the article
	// already has that text (in any case, with any spacing), whatever its
	// status, so that a rejected phrasing is not proposed again;
	// ErrInvalid for an empty article or text, a text over 1,000
	// characters, or an unknown source.
	AddPhrasing(ctx context.Context, p *Phrasing) error
	// Phrasings returns the phrasings with that status ("" for all), by
	// article id (byte order), then id.
	Phrasings(ctx context.Context, status string) ([]Phrasing, error)
	// SetPhrasingStatus records an editor's decision; ErrNotFound if no
	// such phrasing, ErrInvalid for a status other than the three.
	SetPhrasingStatus(ctx context.Context, id int64, status string) error
}

// maxPhrasing is the longest phrasing kept, in bytes.
const maxPhrasing = 1000

// preparePhrasing checks p and returns it as stored.
func preparePhrasing(p *Phrasing) (Phrasing, error) {
	np := *p
	np.Text = strings.Join(strings.Fields(p.Text), " ")
	switch {
	case p.ArticleID == "" || np.Text == "":
		return Phrasing{}, fmt.Errorf("%w: phrasing without article or text", ErrInvalid)
	case len(np.Text) > maxPhrasing:
		return Phrasing{}, fmt.Errorf("%w: phrasing over %d bytes", ErrInvalid, maxPhrasing)
	case p.Source != PhrasingFromVote && p.Source != PhrasingFromAgent:
		return Phrasing{}, fmt.Errorf("%w: phrasing source %q", ErrInvalid, p.Source)
	}
	if err := checkText("article", p.ArticleID, "text", np.Text, "conversation", p.ConversationID); err != nil {
		return Phrasing{}, err
	}
	np.Status = PhrasingPending
	if np.CreatedAt.IsZero() {
		np.CreatedAt = time.Now()
	}
	np.CreatedAt = storedTime(np.CreatedAt)
	return np, nil
}

// phrasingKey is what makes two phrasings of an article the same.
func phrasingKey(article, text string) string {
	return article + "\x00" + strings.ToLower(strings.Join(strings.Fields(text), " "))
}

func validPhrasingStatus(s string) bool {
	return s == PhrasingPending || s == PhrasingAccepted || s == PhrasingRejected
}
