package report

import (
	"math"
	"slices"
	"strings"

	"github.com/supportd/supportd/kb"
	"github.com/supportd/supportd/store"
)

// Why a question counts as unanswered.
const (
	// ReasonFallback: the assistant found no article, and offered none
	// or suggestions nobody picked.
	ReasonFallback = "fallback"
	// ReasonNotPicked: the assistant offered suggestions, and the
	// customer picked none of them.
	ReasonNotPicked = "suggestion_not_picked"
	// ReasonNotHelpful: the customer said the article answered was not
	// helpful.
	ReasonNotHelpful = "not_helpful"
	// ReasonPerson: the customer asked for a person right after the
	// assistant's answer.
	ReasonPerson = "person_after_answer"
)

// Miss is one question the assistant did not answer well.
type Miss struct {
	Conversation string
	Lang         string
	// Question is the customer's message, masked (Mask).
	Question string
	Reason   string
	// Offered are the articles answered with or suggested.
	Offered []string
}

// Misses returns the questions of the conversations that the assistant
// did not answer well: a fallback, suggestions nobody picked, an answer
// voted not helpful, or a request for a person right after an answer.
// Each customer message counts once, for the first reason met.
func Misses(convs []Conversation) []Miss {
	var out []Miss
	for i := range convs {
		out = append(out, missesOf(&convs[i])...)
	}
	return out
}

func missesOf(c *Conversation) []Miss {
	notHelpful := map[int64]bool{}
	for _, v := range c.Votes {
		if !v.Helpful {
			notHelpful[v.Seq] = true
		}
	}
	var out []Miss
	msgs := c.Messages
	for i := 0; i < len(msgs); i++ {
		q := &msgs[i]
		if q.Author != store.AuthorCustomer || i+1 >= len(msgs) {
			continue
		}
		reply := &msgs[i+1]
		d := dataOf(reply)
		if reply.Author != store.AuthorBot {
			continue
		}
		// What followed the reply, up to the customer's next message:
		// a suggestion picked (an answer with no question of its own),
		// or a request for a person.
		picked, person := false, false
		var answers []*store.Message
		if isAnswer(reply, d) {
			answers = append(answers, reply)
		}
		for j := i + 2; j < len(msgs) && msgs[j].Author != store.AuthorCustomer; j++ {
			m := &msgs[j]
			md := dataOf(m)
			switch {
			case isAnswer(m, md):
				if slices.Contains(d.articleIDs(), md.articleIDs()[0]) {
					picked = true
				}
				answers = append(answers, m)
			case isHandoff(m, md):
				person = true
			}
			if person {
				break
			}
		}
		reason := ""
		switch {
		case d.Route == routeFallback && len(d.Articles) == 0:
			reason = ReasonFallback
		case d.Route == routeFallback && !picked:
			reason = ReasonNotPicked
		case d.Route != routeFAQ && d.Route != routeFallback:
			continue
		}
		if reason == "" {
			for _, a := range answers {
				if notHelpful[a.Seq] {
					reason = ReasonNotHelpful
				}
			}
		}
		if reason == "" && person && len(answers) > 0 {
			reason = ReasonPerson
		}
		if reason == "" {
			continue
		}
		out = append(out, Miss{Conversation: c.ID, Lang: c.Lang, Question: Mask(q.Text), Reason: reason, Offered: d.articleIDs()})
	}
	return out
}

// Group is one line of the unanswered questions' report: the variants of
// one question.
type Group struct {
	// Question is the commonest wording, masked.
	Question string
	Count    int
	// Examples are up to three other wordings, masked.
	Examples []string
	// Reasons counts the misses by reason.
	Reasons map[string]int
	// Offered counts the articles offered, most offered first.
	Offered []Count
	// Conversations are the conversations it comes from, for the
	// console's links.
	Conversations []string
}

// Count is a name and how often.
type Count struct {
	Name string
	N    int
}

// Similar is the likeness (weighted Dice's coefficient of their
// concepts) from which two questions are variants of one; a question
// whose concepts are all in another's is its variant from Contained.
// Chosen on the report's own test set of paraphrases
// (testdata/paraphrases.txt): see docs/reports.md.
const (
	Similar   = 0.6
	Contained = 0.4
)

// Weights weighs the concepts of questions (kb.Concepts) by how few of
// the knowledge base's articles they are found in: « commande », in
// every article, tells less of a question than « facture », in three. A
// concept no article has weighs most; a nil Weights weighs each 1.
type Weights struct {
	df map[string]int
	n  int
}

// OfKB returns a knowledge base's articles as the reports name them, and
// the weights of their concepts.
func OfKB(published []*kb.Article) ([]Article, *Weights) {
	articles := make([]Article, 0, len(published))
	for _, a := range published {
		articles = append(articles, Article{ID: a.ID, Title: a.Title, Path: a.Path})
	}
	return articles, WeightsOf(published)
}

// WeightsOf returns the weights of the concepts of these articles.
func WeightsOf(articles []*kb.Article) *Weights {
	w := &Weights{df: map[string]int{}, n: len(articles)}
	for _, a := range articles {
		text := a.Title + "\n" + strings.Join(a.Questions, "\n") + "\n" + a.Body
		for _, c := range termSet(a.Lang, text) {
			w.df[c]++
		}
	}
	return w
}

// of returns the weight of a concept: its inverse document frequency.
func (w *Weights) of(concept string) float64 {
	if w == nil || w.n == 0 {
		return 1
	}
	return math.Log(float64(w.n+1)/float64(w.df[concept]+1)) + 1
}

// alike reports whether two questions, by their sorted concepts, are
// variants of one, and how alike they are.
func (w *Weights) alike(a, b []string) (bool, float64) {
	var wa, wb, shared float64
	for _, c := range a {
		wa += w.of(c)
	}
	for _, c := range b {
		wb += w.of(c)
	}
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch c := strings.Compare(a[i], b[j]); {
		case c == 0:
			shared += w.of(a[i])
			n++
			i++
			j++
		case c < 0:
			i++
		default:
			j++
		}
	}
	if n == 0 {
		return false, 0
	}
	s := 2 * shared / (wa + wb)
	contained := n == len(a) || n == len(b)
	return s >= Similar || contained && s >= Contained, s
}

// GroupMisses groups the misses whose questions are alike: each question
// joins the group holding the question it is most alike (Weights.alike,
// on the questions' concepts, kb.Concepts), or starts a group. Groups
// come by count, then by question.
func GroupMisses(misses []Miss, w *Weights) []Group {
	type group struct {
		terms    [][]string
		wordings map[string]int
		order    []string
		reasons  map[string]int
		offered  map[string]int
		convs    []string
	}
	var groups []*group
	for _, m := range misses {
		terms := termSet(m.Lang, m.Question)
		var best *group
		bestScore := 0.0
		for _, g := range groups {
			for _, t := range g.terms {
				if ok, s := w.alike(terms, t); ok && s > bestScore {
					best, bestScore = g, s
				}
			}
		}
		if best == nil {
			best = &group{wordings: map[string]int{}, reasons: map[string]int{}, offered: map[string]int{}}
			groups = append(groups, best)
		}
		best.terms = append(best.terms, terms)
		if best.wordings[m.Question] == 0 {
			best.order = append(best.order, m.Question)
		}
		best.wordings[m.Question]++
		best.reasons[m.Reason]++
		for _, a := range m.Offered {
			best.offered[a]++
		}
		if !slices.Contains(best.convs, m.Conversation) {
			best.convs = append(best.convs, m.Conversation)
		}
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		wordings := slices.Clone(g.order)
		slices.SortStableFunc(wordings, func(a, b string) int { return g.wordings[b] - g.wordings[a] })
		line := Group{Question: wordings[0], Count: len(g.terms), Reasons: g.reasons, Offered: counts(g.offered), Conversations: g.convs}
		line.Examples = wordings[1:min(len(wordings), 4)]
		out = append(out, line)
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Question, b.Question)
	})
	return out
}

// termSet returns the distinct concepts of a question, sorted.
func termSet(lang, text string) []string {
	terms := kb.Concepts(lang, text)
	slices.Sort(terms)
	return slices.Compact(terms)
}

// counts returns a map's counts, most first, then by name.
func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for name, n := range m {
		out = append(out, Count{name, n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}
