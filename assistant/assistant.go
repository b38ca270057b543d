// Package assistant turns a customer's message into a reply: it decides the
// route (an FAQ answer, the customer's own order, a handoff to a person,
// small talk, or a fallback with suggestions) and writes the reply in the
// customer's language. Routes come from rules on the message and from the
// knowledge base's confidence; with a language model configured (llm.go),
// the model may write the answer to a question for the knowledge base from
// the articles found, and look up the verified customer's own orders, its
// answer used only when it holds.
package assistant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/supportd/supportd/hours"
	"github.com/supportd/supportd/kb"
)

// Route says how a message is answered.
type Route string

// The routes of a reply.
const (
	// RouteFAQ answers with an article of the knowledge base.
	RouteFAQ Route = "faq"
	// RouteOrder is about the customer's own order or account.
	RouteOrder Route = "order"
	// RouteHandoff hands the conversation to a person.
	RouteHandoff Route = "handoff"
	// RouteSmalltalk answers a greeting, thanks or goodbye.
	RouteSmalltalk Route = "smalltalk"
	// RouteFallback offers suggestions and a person when no article is
	// confident enough.
	RouteFallback Route = "fallback"
)

// Searcher finds articles in the knowledge base. *kb.Base implements it.
type Searcher interface {
	Search(ctx context.Context, text string, limit int) ([]kb.Hit, error)
	// Article returns the published article with that id, or nil.
	Article(id string) *kb.Article
	// Articles returns the published articles, by category then title.
	Articles() []*kb.Article
}

// Config configures a [Service]. A zero field takes the default given.
type Config struct {
	// Searcher is the knowledge base; it is required.
	Searcher Searcher
	// AnswerThreshold is the probability, as the model estimates it,
	// that the best article is the right answer from which it is given as
	// the answer. Default [DefaultAnswerThreshold].
	AnswerThreshold float64
	// SuggestThreshold is the coverage (kb.Hit.Confidence) from which an
	// article is offered as a suggestion when the assistant does not
	// answer. Default 0.1.
	SuggestThreshold float64
	// Model estimates how likely the best article is the right answer;
	// default the model fitted on the evaluation sets (docs/assistant.md).
	Model *Model
	// LLM, when set, lets a language model write the answers from the
	// articles found (llm.go); nil answers offline only.
	LLM *LLMConfig
	// MaxArticles is the number of articles listed in a reply. Default 3.
	MaxArticles int
	// ArticleURL returns the address of an article's page, which links
	// between articles point to. Default "/help/" + id.
	ArticleURL func(id string) string
	// Orders gives the customers' orders and accounts. Without it, order
	// questions are routed but answered only with how to get help.
	Orders Orders
	// Calendar and Cutoff give an order's expected dispatch date: the day
	// it is paid when that is a business day before the cut-off, else the
	// next business day. Default hours.France() and 15:00.
	Calendar *hours.Calendar
	Cutoff   hours.Clock
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// Service answers customers' messages. It is safe for concurrent use.
type Service struct {
	cfg   Config
	model Model
	// asked counts the answers given with each article, for the start
	// screen's frequent questions.
	asked *askedCounts
	// llm is the language model, or nil; embedder finds its articles by
	// meaning, or is nil.
	llm      *llm
	embedder *embedder
	// texts keeps the markdown of the articles answered with.
	texts *articleTexts
}

// New returns a Service, or an error if the configuration lacks a Searcher.
func New(cfg Config) (*Service, error) {
	if cfg.Searcher == nil {
		return nil, errors.New("assistant: a Searcher is required")
	}
	if cfg.AnswerThreshold == 0 {
		cfg.AnswerThreshold = DefaultAnswerThreshold
	}
	if cfg.SuggestThreshold == 0 {
		cfg.SuggestThreshold = 0.1
	}
	if cfg.MaxArticles == 0 {
		cfg.MaxArticles = 3
	}
	if cfg.ArticleURL == nil {
		cfg.ArticleURL = func(id string) string { return "/help/" + id }
	}
	if cfg.Calendar == nil {
		cfg.Calendar = hours.France()
	}
	if cfg.Cutoff == (hours.Clock{}) {
		cfg.Cutoff = hours.Clock{Hour: 15}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	svc := &Service{cfg: cfg, model: defaultModel, asked: &askedCounts{n: map[string]int{}}, texts: &articleTexts{}}
	if cfg.Model != nil {
		svc.model = *cfg.Model
	}
	if cfg.LLM != nil {
		if cfg.LLM.Client == nil || cfg.LLM.Model == "" {
			return nil, errors.New("assistant: an LLM needs a client and a model")
		}
		svc.llm = newLLM(*cfg.LLM)
		if cfg.LLM.EmbeddingModel != "" {
			svc.embedder = newEmbedder(cfg.LLM.Client, cfg.LLM.EmbeddingModel, cfg.LLM.CacheDir)
		}
	}
	return svc, nil
}

// Message is what the customer wrote, with what is known of them.
type Message struct {
	Text string
	// Lang is the language of the customer's interface ("fr" or "en"),
	// used when the message itself does not tell. Default "fr".
	Lang string
	// Customer is who writes, as far as the chat could verify.
	Customer Customer
	// AfterFallback tells that the assistant's previous reply in the
	// conversation found no answer either: this one then offers a person
	// outright.
	AfterFallback bool
	// Writing, when set, is given the answer a language model writes, a
	// piece at a time, to be shown while it is written. The Reply that
	// Answer returns then replaces what was shown: the model's answer
	// once it holds, or the offline one.
	Writing func(piece string)
}

// ArticleRef is an article a reply answers with or suggests.
type ArticleRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Score orders the articles of a reply (see kb.Hit.Score); Confidence
	// is what the answer threshold applies to (see kb.Hit.Confidence).
	Score      float64 `json:"score"`
	Confidence float64 `json:"confidence"`
	Snippet    string  `json:"snippet,omitempty"`
}

// Action is a button offered under a reply.
type Action struct {
	// ID is what the widget sends back when the button is pressed:
	// "handoff", "helpful:yes", "helpful:no" or "article:<id>".
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Reply is the assistant's answer to one message.
type Reply struct {
	Route Route
	// Lang is the language the reply is written in.
	Lang string
	// Text is the reply, in markdown.
	Text string
	// Articles are the articles answered with or suggested, best first;
	// for RouteFAQ the first is the answer.
	Articles []ArticleRef
	// OrderRefs are the order numbers recognised in the message.
	OrderRefs []string
	Actions   []Action
	// Focus is the order the conversation is about after this reply, for
	// the questions that follow ("can I cancel it?"): the order answered
	// about, the one already in focus after small talk, and "" once the
	// conversation has moved on. The caller keeps it for the next message.
	Focus string
	// Verified is set when the message proved the visitor owns an order.
	Verified *VerifiedOrder
	// Generated marks an answer a language model wrote from the articles
	// it cites (Articles).
	Generated bool
}

// Answer routes a message and writes the reply. Errors come only from the
// knowledge base; the caller should then offer a person.
func (s *Service) Answer(ctx context.Context, m Message) (Reply, error) {
	words := normalize(m.Text)
	reply := Reply{Lang: detectLang(m.Text, m.Lang)}
	if r, ok := s.byIntent(ctx, m, words, reply); ok {
		return r, nil
	}
	hits, err := s.search(ctx, m.Text, reply.Lang)
	if err != nil {
		return Reply{}, fmt.Errorf("assistant: %w", err)
	}
	reply = s.fromHits(hits, reply)
	if s.llm != nil {
		docs := hits
		if s.embedder != nil {
			docs = s.hybridHits(ctx, m.Text, hits, s.cfg.MaxArticles)
		} else if reply.Route != RouteFAQ && len(reply.Articles) == 0 {
			docs = nil // nothing the words found is worth the model's reading
		}
		if len(docs) > 0 {
			if written, ok := s.llmAnswer(ctx, m, docs, reply); ok {
				reply = written
			}
		}
	}
	if reply.Route == RouteFallback && m.AfterFallback {
		// Twice without an answer: a person is offered, as a button; the
		// customer chooses, and nothing is sent anywhere until they do.
		t := texts[reply.Lang]
		reply.Text = t.stillNoAnswer
		for i, a := range reply.Actions {
			if a.ID == "handoff" {
				reply.Actions[i].Label = t.talkToPerson
			}
		}
	}
	return s.withOwnData(ctx, m, words, reply), nil
}

// withOwnData follows the FAQ's answer to a verified customer's how-to
// question about their order (« comment annuler ma commande ? ») with
// what their own data says of it.
func (s *Service) withOwnData(ctx context.Context, m Message, words []string, reply Reply) Reply {
	if s.cfg.Orders == nil || m.Customer.ID == "" || reply.Route != RouteFAQ || !mentionsOwnOrder(words) || askedAspect(words) == aspectSummary {
		return reply
	}
	own := s.orderAnswer(ctx, m, words, nil, Reply{Lang: reply.Lang})
	if own.Text == "" {
		return reply
	}
	reply.Text += "\n\n---\n\n" + own.Text
	reply.Focus = own.Focus
	// The order's own buttons come before the article's.
	var actions []Action
	for _, a := range own.Actions {
		if a.ID != "handoff" {
			actions = append(actions, a)
		}
	}
	reply.Actions = append(actions, reply.Actions...)
	return reply
}

// search returns the articles that may answer text, best first, those in
// the customer's language ahead of the others.
func (s *Service) search(ctx context.Context, text, lang string) ([]kb.Hit, error) {
	hits, err := s.cfg.Searcher.Search(ctx, text, s.cfg.MaxArticles+2)
	if err != nil {
		return nil, err
	}
	preferLanguage(hits, lang)
	if len(hits) > s.cfg.MaxArticles {
		hits = hits[:s.cfg.MaxArticles]
	}
	return hits, nil
}

// byIntent answers the messages whose intent the words show: small talk,
// a request for a person, a question about the customer's own order or
// account. It reports false for the others, which the knowledge base
// answers.
func (s *Service) byIntent(ctx context.Context, m Message, words []string, reply Reply) (Reply, bool) {
	t := texts[reply.Lang]
	handoff := Action{ID: "handoff", Label: t.talkToPerson}
	if kind, ok := smalltalkKind(words); ok {
		reply.Route = RouteSmalltalk
		reply.Text = t.smalltalk[kind]
		reply.Focus = m.Customer.Focus
		return reply, true
	}
	if wantsPerson(words) {
		reply.Route = RouteHandoff
		reply.Text = t.handoff
		return reply, true
	}
	refs, ok := aboutOwnOrder(m.Text, words)
	if !ok && s.cfg.Orders != nil {
		ok = s.followsOrder(m, words)
	}
	if !ok {
		return reply, false
	}
	reply.Route = RouteOrder
	reply.OrderRefs = refs
	reply.Actions = []Action{handoff}
	if s.cfg.Orders != nil {
		return s.orderAnswer(ctx, m, words, refs, reply), true
	}
	if len(refs) > 0 {
		reply.Text = fmt.Sprintf(t.orderNumber, strings.Join(refs, ", "))
	} else {
		reply.Text = t.orderAccount
	}
	return reply, true
}

// fromHits chooses between the three outcomes of a question for the
// knowledge base: the answer, when the model is sure enough of the best
// article; else suggestions, the articles that may answer it with a
// person beside them; else a fallback that offers the person alone.
func (s *Service) fromHits(hits []kb.Hit, reply Reply) Reply {
	t := texts[reply.Lang]
	handoff := Action{ID: "handoff", Label: t.talkToPerson}
	probs := make([]float64, len(hits))
	for i := range hits {
		probs[i] = s.model.prob(featuresOf(hits, i))
	}
	if len(hits) > 0 && probs[0] >= s.cfg.AnswerThreshold {
		s.countAsked(hits[0].Article.ID)
		reply.Route = RouteFAQ
		reply.Articles = refsOf(hits, probs, 0)
		reply.Text = s.articleTextIn(hits[0].Article, reply.Lang)
		reply.Actions = faqActions(t)
		return reply
	}
	reply.Route = RouteFallback
	reply.Articles = refsOf(hits, probs, s.cfg.SuggestThreshold)
	if len(reply.Articles) == 0 {
		reply.Text = t.fallbackNothing
		reply.Actions = []Action{handoff}
		return reply
	}
	// Suggestions: the question, the articles as buttons, and « none of
	// these », which hands over to a person.
	reply.Text = t.fallbackSuggest
	for _, a := range reply.Articles {
		reply.Actions = append(reply.Actions, Action{ID: "article:" + a.ID, Label: a.Title})
	}
	reply.Actions = append(reply.Actions, Action{ID: "handoff", Label: t.noneOfThese})
	return reply
}

// preferLanguage moves ahead the articles in the customer's language: an
// article in another language keeps otherLanguageShare of its score, so
// that it comes first only when the customer's language has nothing close.
func preferLanguage(hits []kb.Hit, lang string) {
	for i := range hits {
		if hits[i].Article.Lang != lang {
			hits[i].Score *= otherLanguageShare
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
}

// otherLanguageShare is the share of its score an article in another
// language than the customer's keeps.
const otherLanguageShare = 0.8

// followsOrder reports whether a message that names no order is still
// about the customer's orders or account: a verified customer asking about
// "my order" or their credit, or a question about the order the
// conversation is about ("can I cancel it?", « et la facture ? »), or the
// email address asked for to verify it. A question on how to do
// something goes to the FAQ.
func (s *Service) followsOrder(m Message, words []string) bool {
	if isHowTo(words) {
		return false
	}
	c := m.Customer
	asked := askedAspect(words)
	if c.ID != "" && (mentionsOwnOrder(words) && asked != aspectSummary || asked == aspectCredit && (ownsAccountMoney(words) || aboutSelf(words))) {
		return true
	}
	if c.Focus == "" {
		return false
	}
	if emailRe.MatchString(m.Text) {
		return true
	}
	// A short question (« et la facture ? ») or one that points back
	// (« puis-je l'annuler ? ») follows on from the order just spoken of.
	return asked != aspectSummary && (len(words) <= 5 || refersBack(words))
}

// aboutSelf reports whether the customer speaks of themselves: « ai-je »,
// « j'ai », "do I have".
func aboutSelf(words []string) bool {
	for _, w := range words {
		if w == "je" || w == "j" || w == "i" || possessives[w] {
			return true
		}
	}
	return false
}

// ArticleReply answers with one article, as when the customer picks a
// suggestion. It reports false if there is no such published article.
func (s *Service) ArticleReply(id, lang string) (Reply, bool) {
	a := s.cfg.Searcher.Article(id)
	if a == nil {
		return Reply{}, false
	}
	lang = replyLang(lang)
	return Reply{
		Route:    RouteFAQ,
		Lang:     lang,
		Text:     s.articleText(a),
		Articles: []ArticleRef{{ID: a.ID, Title: a.Title, Score: 1, Confidence: 1}},
		Actions:  faqActions(texts[lang]),
	}, true
}

// HandoffReply is the reply to a customer who asks for a person through a
// button rather than in words.
func (s *Service) HandoffReply(lang string) Reply {
	lang = replyLang(lang)
	return Reply{Route: RouteHandoff, Lang: lang, Text: texts[lang].handoff}
}

// NotHelpfulReply answers a "not helpful" vote: an apology, the other
// articles that were suggested, and the offer of a person.
func (s *Service) NotHelpfulReply(lang string, others []ArticleRef) Reply {
	lang = replyLang(lang)
	t := texts[lang]
	r := Reply{Route: RouteFallback, Lang: lang, Text: t.notHelpful, Articles: others}
	for _, a := range others {
		r.Actions = append(r.Actions, Action{ID: "article:" + a.ID, Label: a.Title})
	}
	r.Actions = append(r.Actions, Action{ID: "handoff", Label: t.talkToPerson})
	return r
}

// articleText is the markdown of an answer with an article.
func (s *Service) articleText(a *kb.Article) string {
	s.texts.mu.Lock()
	text, ok := s.texts.m[a]
	s.texts.mu.Unlock()
	if ok {
		return text
	}
	text = "**" + a.Title + "**\n\n" + strings.TrimSpace(a.BodyWithLinks(s.cfg.ArticleURL))
	s.texts.mu.Lock()
	if s.texts.m == nil || len(s.texts.m) >= articleTextsSize {
		s.texts.m = make(map[*kb.Article]string)
	}
	s.texts.m[a] = text
	s.texts.mu.Unlock()
	return text
}

// articleTexts keeps the markdown of the articles answered with, by
// article: it is the same at each answer, since an index's articles are
// never changed (a reload builds new ones), and putting it together was a
// tenth of what an answer allocated. It starts afresh when it holds
// articleTextsSize articles, so that those of the indexes reloaded since
// do not stay.
type articleTexts struct {
	mu sync.Mutex
	m  map[*kb.Article]string
}

const articleTextsSize = 1024

// articleTextIn is the markdown of an answer with an article to a
// customer writing in lang: an article in another language says so, in
// the customer's language.
func (s *Service) articleTextIn(a *kb.Article, lang string) string {
	text := s.articleText(a)
	if a.Lang != "" && a.Lang != lang {
		t := texts[lang]
		text = fmt.Sprintf(t.otherLanguage, t.langName[lang], t.langName[a.Lang]) + "\n\n" + text
	}
	return text
}

func faqActions(t replyTexts) []Action {
	return []Action{
		{ID: "helpful:yes", Label: t.helpfulYes},
		{ID: "helpful:no", Label: t.helpfulNo},
		{ID: "handoff", Label: t.talkToPerson},
	}
}

// refsOf lists the hits whose coverage reaches min, each with the
// model's probability that it is the right answer as its confidence.
func refsOf(hits []kb.Hit, probs []float64, min float64) []ArticleRef {
	var out []ArticleRef
	for i, h := range hits {
		if h.Confidence < min {
			continue
		}
		out = append(out, ArticleRef{ID: h.Article.ID, Title: h.Article.Title, Score: h.Score, Confidence: probs[i], Snippet: h.Snippet})
	}
	return out
}
