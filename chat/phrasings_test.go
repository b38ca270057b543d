package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/store"
)

// suggesting answers every message with suggestions of the two payment
// articles, as the assistant does when it is not sure.
type suggesting struct{ *assistant.Service }

func (s suggesting) Answer(ctx context.Context, m assistant.Message) (assistant.Reply, error) {
	return assistant.Reply{Route: assistant.RouteFallback, Lang: "fr", Text: "Votre question concerne-t-elle l'un de ces sujets ?",
		Articles: []assistant.ArticleRef{{ID: "paiement-cheque", Title: "Puis-je payer par chèque ?"}, {ID: "paiement-moyens", Title: "Quels moyens de paiement acceptez-vous ?"}},
		Actions:  []assistant.Action{{ID: "article:paiement-cheque", Label: "chèque"}, {ID: "article:paiement-moyens", Label: "moyens"}, {ID: "handoff", Label: "Aucune de ces réponses"}}}, nil
}

func phrasingsOf(t *testing.T, st store.Store) []store.Phrasing {
	t.Helper()
	list, err := st.(store.Phrasings).Phrasings(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestPickedSuggestionVotedHelpfulIsAPhrasing: a customer who picks a
// suggested article and says it helped gives their question as a
// candidate phrasing of it; a helpful vote on an article the customer did
// not pick among suggestions gives none.
func TestPickedSuggestionVotedHelpfulIsAPhrasing(t *testing.T) {
	e := newEnv(t, func(cfg *Config) {
		cfg.Answerer = suggesting{cfg.Answerer.(*assistant.Service)}
		cfg.Phrasings = cfg.Store.(PhrasingRecorder)
	})
	c := e.dial(t)
	c.hello("", "", 0)
	if r := c.ask("m_00000001", "je peux régler avec un chèque de ma banque ?"); r.Route != "fallback" || len(r.Articles) != 2 {
		t.Fatalf("suggestions %s", r.Raw)
	}
	c.send(map[string]any{"type": "action", "client_id": "a_00000001", "action": "article:paiement-cheque", "seq": 2})
	var article frame
	for article.Author != "bot" {
		article = c.await("message")
	}
	if article.Route != "faq" || article.Articles[0].ID != "paiement-cheque" {
		t.Fatalf("picked %s", article.Raw)
	}
	if got := phrasingsOf(t, e.store); len(got) != 0 {
		t.Errorf("a phrasing before the vote: %+v", got)
	}
	c.send(map[string]any{"type": "action", "client_id": "a_00000002", "action": "helpful:yes", "seq": article.Seq})
	if ack := c.expect("ack"); ack.ClientID != "a_00000002" {
		t.Fatalf("vote ack %+v", ack)
	}
	got := phrasingsOf(t, e.store)
	if len(got) != 1 || got[0].ArticleID != "paiement-cheque" || got[0].Text != "je peux régler avec un chèque de ma banque ?" ||
		got[0].Source != store.PhrasingFromVote || got[0].Status != store.PhrasingPending {
		t.Fatalf("phrasings %+v", got)
	}
	// A second vote does not record it twice.
	c.send(map[string]any{"type": "action", "client_id": "a_00000003", "action": "helpful:yes", "seq": article.Seq})
	c.expect("ack")
	if got := phrasingsOf(t, e.store); len(got) != 1 {
		t.Errorf("phrasings after a second vote %+v", got)
	}
}

// TestAgentNotesTheArticle: an agent who closes a conversation noting the
// article that answered gives the customer's question, the one the
// assistant could not answer, as a candidate phrasing of it; an unknown
// article gives none.
func TestAgentNotesTheArticle(t *testing.T) {
	e, agentURL := deskEnv(t, func(cfg *Config) { cfg.Phrasings = cfg.Store.(PhrasingRecorder) })
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	for i, article := range []string{"paiement-cheque", "nulle-part"} {
		c := e.dial(t)
		c.start("m_0000000"+string(rune('1'+2*i)), "mon virement bancaire n'apparaît toujours pas")
		c.say("m_0000000"+string(rune('2'+2*i)), "je veux parler à un conseiller")
		var conv string
		for conv == "" {
			if q := marie.await("queued"); q.Item.Conversation != "" {
				conv = q.Item.Conversation
			}
		}
		marie.send(map[string]any{"type": "claim", "conversation": conv})
		marie.await("assigned")
		marie.send(map[string]any{"type": "message", "conversation": conv, "client_id": "g_0000000" + string(rune('1'+i)), "text": "Voici la réponse."})
		marie.await("ack")
		marie.send(map[string]any{"type": "close", "conversation": conv, "resolution": "answered", "article": article})
		marie.await("released")
	}
	deadline := time.Now().Add(5 * time.Second)
	var got []store.Phrasing
	for len(got) == 0 && time.Now().Before(deadline) {
		got = phrasingsOf(t, e.store)
		time.Sleep(10 * time.Millisecond)
	}
	if len(got) != 1 || got[0].ArticleID != "paiement-cheque" || got[0].Text != "mon virement bancaire n'apparaît toujours pas" || got[0].Source != store.PhrasingFromAgent {
		t.Fatalf("phrasings %+v", got)
	}
}

// TestSurveyAfterClose: when an agent closes, the customer is asked to
// rate the conversation; the answer is stored once, the agents are told,
// and an answer to a message that offered no survey is refused.
func TestSurveyAfterClose(t *testing.T) {
	e, agentURL := deskEnv(t, func(cfg *Config) { cfg.Surveys = cfg.Store.(SurveyStore) })
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	c, conv, _ := askForPerson(t, e, "m_00000001")
	marie.send(map[string]any{"type": "claim", "conversation": conv})
	marie.await("assigned")
	marie.send(map[string]any{"type": "close", "conversation": conv, "resolution": "answered"})
	var offer frame
	for !strings.Contains(string(offer.Raw), `"survey":true`) {
		offer = c.await("message")
	}
	if offer.Text != "Comment évalueriez-vous cette conversation ?" {
		t.Errorf("survey offer %s", offer.Raw)
	}
	c.send(map[string]any{"type": "survey", "client_id": "s_00000001", "seq": offer.Seq - 1, "rating": 5})
	if f := c.await("error"); f.Code != CodeInvalid {
		t.Errorf("an answer to the message before the offer: %s", f.Raw)
	}
	for range 2 { // the second is a retry
		c.send(map[string]any{"type": "survey", "client_id": "s_00000002", "seq": offer.Seq, "rating": 4, "comment": "Rapide et aimable"})
		if ack := c.await("ack"); ack.ClientID != "s_00000002" {
			t.Fatalf("survey ack %s", ack.Raw)
		}
	}
	c.send(map[string]any{"type": "survey", "client_id": "s_00000003", "seq": offer.Seq, "rating": 1})
	c.await("ack")
	if f := marie.await("survey"); !strings.Contains(string(f.Raw), `"rating":4`) || !strings.Contains(string(f.Raw), "Rapide et aimable") {
		t.Errorf("the agents are told %s", f.Raw)
	}
	list, err := e.store.(store.Surveys).ListSurveys(t.Context(), 0)
	if err != nil || len(list) != 1 || list[0].Rating != 4 || list[0].Agent != "marie" || list[0].Comment != "Rapide et aimable" {
		t.Errorf("surveys %+v, %v", list, err)
	}
}

// TestInternalNotesStayWithTheAgents: an agent's note reaches the agents'
// consoles and the transcript they read, never the customer: not live,
// not on resume.
func TestInternalNotesStayWithTheAgents(t *testing.T) {
	e, agentURL := deskEnv(t, nil)
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	c := e.dial(t)
	c.hello("", "", 0)
	c.say("m_00000001", "je veux parler à un conseiller")
	started := c.expect("conversation")
	conv := started.Conversation
	marie.await("queued")
	marie.send(map[string]any{"type": "claim", "conversation": conv})
	marie.await("assigned")
	marie.send(map[string]any{"type": "note", "conversation": conv, "client_id": "n_00000001", "text": "Client déjà remboursé en mars : ne pas rembourser deux fois."})
	marie.await("ack")
	if f := marie.await("message"); f.Author != "note" || !strings.Contains(f.Text, "remboursé en mars") {
		t.Fatalf("the agent's note came back as %s", f.Raw)
	}
	marie.send(map[string]any{"type": "message", "conversation": conv, "client_id": "g_00000001", "text": "Je regarde votre commande."})
	marie.await("ack")
	// Live: the customer's next message is the agent's, not the note.
	for {
		f := c.await("message")
		if strings.Contains(string(f.Raw), "remboursé en mars") {
			t.Fatalf("the customer received the note: %s", f.Raw)
		}
		if f.Author == "agent" {
			break
		}
	}
	// On resume, from the start of the conversation.
	again := e.dial(t)
	w := again.hello(conv, started.Token, 0)
	if w.Type != "welcome" {
		t.Fatalf("resume: %s", w.Raw)
	}
	for {
		f := again.next()
		if strings.Contains(string(f.Raw), "remboursé en mars") {
			t.Fatalf("the note was replayed to the customer: %s", f.Raw)
		}
		if f.Type == "message" && f.Author == "agent" {
			break
		}
	}
}

// TestClosedConversationsStayFindable: a closed conversation is in the
// history, found by agent, resolution or a text of its messages, and its
// transcript, notes included, is readable.
func TestClosedConversationsStayFindable(t *testing.T) {
	e, agentURL := deskEnv(t, func(cfg *Config) { cfg.History = cfg.Store.(HistoryStore) })
	marie := dialAgent(t, agentURL, "marie", 3)
	marie.online()
	_, conv, _ := askForPerson(t, e, "m_00000001")
	marie.send(map[string]any{"type": "claim", "conversation": conv})
	marie.await("assigned")
	marie.send(map[string]any{"type": "note", "conversation": conv, "client_id": "n_00000001", "text": "Vu avec la logistique."})
	marie.await("ack")
	marie.send(map[string]any{"type": "close", "conversation": conv, "resolution": "refunded"})
	marie.await("released")
	// The agent is told first; the closing is recorded right after.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if list, _ := e.svc.History(t.Context(), store.HistoryQuery{}); len(list) > 0 {
			break
		}
	}
	for _, q := range []store.HistoryQuery{{}, {Agent: "marie"}, {Resolution: "refunded"}, {Text: "CONSEILLER"}, {Text: "logistique"}} {
		list, err := e.svc.History(t.Context(), q)
		if err != nil || len(list) != 1 || list[0].Conversation != conv || list[0].Resolution != "refunded" || list[0].First != "je veux parler à un conseiller" {
			t.Errorf("History(%+v) = %+v, %v", q, list, err)
		}
	}
	if list, _ := e.svc.History(t.Context(), store.HistoryQuery{Resolution: "spam"}); len(list) != 0 {
		t.Errorf("History(spam) = %+v", list)
	}
	msgs, err := e.svc.Transcript(t.Context(), conv)
	if err != nil || !strings.Contains(fmt.Sprintf("%s", msgs), `"author":"note","text":"Vu avec la logistique."`) {
		t.Errorf("transcript %s, %v", msgs, err)
	}
	if _, err := e.svc.Transcript(t.Context(), "c_none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the transcript of no conversation: %v", err)
	}
}
