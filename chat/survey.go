package chat

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/store"
)

// When an agent closes a conversation, the customer is asked how they
// would rate it, from 1 to 5, with a comment if they wish; the answer is
// stored (SurveyStore) and shown to the agents. One answer per offer.

// SurveyStore keeps the satisfaction surveys. *store.Bolt and
// *store.Postgres implement it.
type SurveyStore interface {
	RecordSurvey(ctx context.Context, s *store.Survey) error
	ListSurveys(ctx context.Context, limit int) ([]store.Survey, error)
}

// surveyOffer is what the message offering a survey keeps.
type surveyOffer struct {
	Agent string `json:"agent"`
}

// surveyFrame tells the agents' consoles of a survey answered.
type surveyFrame struct {
	Type         string `json:"type"`
	Conversation string `json:"conversation"`
	Agent        string `json:"agent"`
	Rating       int    `json:"rating"`
	Comment      string `json:"comment,omitempty"`
}

// offerSurveyLocked asks the customer to rate the conversation an agent
// just closed; the caller holds the conversation's stripe.
func (s *Service) offerSurveyLocked(ctx context.Context, st *stripe, conv, lang, agent string) {
	if s.cfg.Surveys == nil {
		return
	}
	t, lang := textsFor(lang)
	raw, _ := json.Marshal(messageData{Route: string(assistant.RouteSmalltalk), Lang: lang, Survey: &surveyOffer{Agent: agent}})
	stored, _, err := s.cfg.Store.AppendMessage(ctx, &store.Message{ConversationID: conv, Author: store.AuthorBot, Text: t.surveyAsk, Data: raw})
	if err != nil {
		s.log.Error("chat: survey offer", "conversation", conv, "err", err)
		return
	}
	s.push(st, stored)
}

// survey stores the customer's answer to the survey of message f.Seq,
// thanks them, and tells the agents.
func (s *Service) survey(ctx context.Context, c *conn, f ClientFrame) {
	if c.conversation == "" || s.cfg.Surveys == nil {
		s.sendError(c, CodeInvalid, f.ClientID, "")
		return
	}
	data, err := s.botData(ctx, c.conversation, f.Seq)
	if err != nil {
		s.storeFailed(c, f.ClientID, err)
		return
	}
	if data.Survey == nil {
		s.sendError(c, CodeInvalid, f.ClientID, "")
		return
	}
	answer := &store.Survey{ConversationID: c.conversation, Seq: f.Seq, Agent: data.Survey.Agent, Rating: f.Rating, Comment: f.Comment}
	err = s.cfg.Surveys.RecordSurvey(ctx, answer)
	switch {
	case errors.Is(err, store.ErrExists):
		// Answered already (a retry, or a second tab): the first answer
		// stands.
	case err != nil:
		s.storeFailed(c, f.ClientID, err)
		return
	default:
		s.desk.mu.Lock()
		s.desk.toAgentsLocked(encode(surveyFrame{Type: "survey", Conversation: c.conversation, Agent: answer.Agent, Rating: answer.Rating, Comment: answer.Comment}), s.cfg.QueueBytes)
		s.desk.mu.Unlock()
	}
	t, lang := textsFor(c.locale)
	thanks := assistant.Reply{Route: assistant.RouteSmalltalk, Lang: lang, Text: t.surveyThanks}
	if _, _, err := s.append(ctx, c, s.botMessage(c.conversation, f.ClientID, thanks, nil)); err != nil {
		s.storeFailed(c, f.ClientID, err)
	}
}

// SurveyInfo is an answered survey as the console shows it.
type SurveyInfo struct {
	Conversation string    `json:"conversation"`
	Agent        string    `json:"agent"`
	AgentName    string    `json:"agent_name"`
	Rating       int       `json:"rating"`
	Comment      string    `json:"comment,omitempty"`
	At           time.Time `json:"at"`
}

// Surveys returns the latest answered surveys, the newest first, with the
// mean rating of those listed.
func (s *Service) Surveys(ctx context.Context, limit int) ([]SurveyInfo, float64, error) {
	if s.cfg.Surveys == nil {
		return []SurveyInfo{}, 0, nil
	}
	list, err := s.cfg.Surveys.ListSurveys(ctx, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]SurveyInfo, 0, len(list))
	sum := 0
	for _, sv := range list {
		out = append(out, SurveyInfo{Conversation: sv.ConversationID, Agent: sv.Agent, AgentName: s.agentName(sv.Agent), Rating: sv.Rating, Comment: sv.Comment, At: sv.CreatedAt.UTC()})
		sum += sv.Rating
	}
	mean := 0.0
	if len(out) > 0 {
		mean = float64(sum) / float64(len(out))
	}
	return out, mean, nil
}
