package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Survey is a customer's answer to the satisfaction survey offered when
// an agent closed their conversation.
type Survey struct {
	ConversationID string
	// Seq is the message that offered the survey: one answer per offer.
	Seq int64
	// Agent is the login of the agent who closed the conversation.
	Agent string
	// Rating is from 1 (bad) to 5 (very good).
	Rating    int
	Comment   string
	CreatedAt time.Time // set by the store when zero
}

// Surveys keeps the satisfaction surveys. *Bolt and *Postgres implement
// it. Errors other than those documented wrap ErrUnavailable.
type Surveys interface {
	// RecordSurvey stores an answer, setting s.CreatedAt when zero.
	// Errors: ErrExists when the offer was answered already; ErrInvalid
	// for a rating outside 1 to 5, a comment over 1,000 characters, an
	// empty conversation id or a sequence number below 1.
	RecordSurvey(ctx context.Context, s *Survey) error
	// ListSurveys returns up to limit answers, the newest first (limit 0
	// or less: all).
	ListSurveys(ctx context.Context, limit int) ([]Survey, error)
}

// maxSurveyComment is the longest comment kept, in characters.
const maxSurveyComment = 1000

func prepareSurvey(s *Survey) (Survey, error) {
	ns := *s
	ns.Comment = strings.TrimSpace(s.Comment)
	switch {
	case s.ConversationID == "" || s.Seq < 1:
		return Survey{}, fmt.Errorf("%w: survey without conversation or message", ErrInvalid)
	case s.Rating < 1 || s.Rating > 5:
		return Survey{}, fmt.Errorf("%w: rating %d is not 1 to 5", ErrInvalid, s.Rating)
	case utf8.RuneCountInString(ns.Comment) > maxSurveyComment:
		return Survey{}, fmt.Errorf("%w: comment over %d characters", ErrInvalid, maxSurveyComment)
	}
	if err := checkText("conversation", s.ConversationID, "agent", s.Agent, "comment", ns.Comment); err != nil {
		return Survey{}, err
	}
	if ns.CreatedAt.IsZero() {
		ns.CreatedAt = time.Now()
	}
	ns.CreatedAt = storedTime(ns.CreatedAt)
	return ns, nil
}
