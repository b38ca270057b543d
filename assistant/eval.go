package assistant

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Case is one labelled customer message of an evaluation set: Expect is
// "faq:<article id>", "order", "handoff", "smalltalk" or "fallback".
type Case struct {
	Q      string `json:"q"`
	Expect string `json:"expect"`
}

// ReadCases reads an evaluation set, one JSON [Case] a line; blank lines
// are skipped. The error names the line of a malformed case.
func ReadCases(r io.Reader) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var c Case
		if err := json.Unmarshal([]byte(text), &c); err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		route, _, _ := strings.Cut(c.Expect, ":")
		switch Route(route) {
		case RouteFAQ, RouteOrder, RouteHandoff, RouteSmalltalk, RouteFallback:
		default:
			return nil, fmt.Errorf("line %d: unknown expectation %q", line, c.Expect)
		}
		cases = append(cases, c)
	}
	return cases, sc.Err()
}

// Miss is a case the assistant got wrong.
type Miss struct {
	Case  Case
	Route Route
	// Articles are the ids the reply listed, best first.
	Articles []string
}

// Outcomes of an FAQ case, as the customer meets them.
const (
	// OutcomeRight: answered with the expected article.
	OutcomeRight = "right"
	// OutcomeWrong: answered with another article, the worst outcome.
	OutcomeWrong = "wrong"
	// OutcomeShown: not answered, but the expected article is among the
	// articles offered.
	OutcomeShown = "shown"
	// OutcomeMissed: neither answered nor offered.
	OutcomeMissed = "missed"
)

// Report sums up an evaluation.
type Report struct {
	Cases int
	// FAQCases counts the cases expecting an article.
	FAQCases int
	// Top1 and Top3 count the FAQ cases whose article was answered with
	// (route faq, listed first), and listed among the first three.
	Top1, Top3 int
	// RouteOK counts the cases given the expected route, whichever
	// article answered.
	RouteOK int
	// FalseAnswers counts the cases not expecting an article that were
	// answered with one.
	FalseAnswers int
	// Outcomes counts the FAQ cases by outcome (OutcomeRight, ...).
	Outcomes map[string]int
	// NonFAQRouteOK counts the cases not expecting an article that got
	// the expected route.
	NonFAQRouteOK int
	// Confusion counts the cases by expected route, then route given.
	Confusion map[Route]map[Route]int
	Misses    []Miss
}

// ratio is n/d, or 0 when d is 0.
func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Line formats the report's figures on one line: the historical fields
// (faq_top1, faq_top3, route_acc, false_answers, cases) first, then the
// outcomes of the FAQ cases as shares of them (right, wrong, shown,
// missed, and right_or_shown), then the non-FAQ cases answered with an
// article (nonfaq_answered, a count) and given their route (nonfaq_route,
// a share).
func (r Report) Line() string {
	o := r.Outcomes
	return fmt.Sprintf("faq_top1=%.3f faq_top3=%.3f route_acc=%.3f false_answers=%d cases=%d "+
		"right=%.3f wrong=%.3f shown=%.3f missed=%.3f right_or_shown=%.3f nonfaq_answered=%d nonfaq_route=%.3f",
		ratio(r.Top1, r.FAQCases), ratio(r.Top3, r.FAQCases), ratio(r.RouteOK, r.Cases), r.FalseAnswers, r.Cases,
		ratio(o[OutcomeRight], r.FAQCases), ratio(o[OutcomeWrong], r.FAQCases), ratio(o[OutcomeShown], r.FAQCases),
		ratio(o[OutcomeMissed], r.FAQCases), ratio(o[OutcomeRight]+o[OutcomeShown], r.FAQCases),
		r.FalseAnswers, ratio(r.NonFAQRouteOK, r.Cases-r.FAQCases))
}

// ConfusionTable formats the confusion of routes: a row per expected
// route, a column per route given.
func (r Report) ConfusionTable() string {
	routes := []Route{RouteFAQ, RouteOrder, RouteHandoff, RouteSmalltalk, RouteFallback}
	var b strings.Builder
	fmt.Fprintf(&b, "%-18s", "expected \\ given")
	for _, g := range routes {
		fmt.Fprintf(&b, " %9s", g)
	}
	b.WriteByte('\n')
	for _, e := range routes {
		row := r.Confusion[e]
		if len(row) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%-18s", e)
		for _, g := range routes {
			fmt.Fprintf(&b, " %9d", row[g])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Outcome returns the outcome of a reply to a message expecting the
// article id.
func Outcome(reply Reply, id string) string {
	if reply.Route == RouteFAQ && len(reply.Articles) > 0 {
		if reply.Articles[0].ID == id {
			return OutcomeRight
		}
		return OutcomeWrong
	}
	for _, a := range reply.Articles {
		if a.ID == id {
			return OutcomeShown
		}
	}
	return OutcomeMissed
}

// Evaluate answers every case and scores the replies.
func (s *Service) Evaluate(ctx context.Context, cases []Case) (Report, error) {
	r := Report{Outcomes: map[string]int{}, Confusion: map[Route]map[Route]int{}}
	for _, c := range cases {
		reply, err := s.Answer(ctx, Message{Text: c.Q})
		if err != nil {
			return r, err
		}
		r.add(c, reply)
	}
	return r, nil
}

// add scores one reply.
func (r *Report) add(c Case, reply Reply) {
	route, id, _ := strings.Cut(c.Expect, ":")
	ids := make([]string, len(reply.Articles))
	for i, a := range reply.Articles {
		ids[i] = a.ID
	}
	r.Cases++
	if r.Confusion[Route(route)] == nil {
		r.Confusion[Route(route)] = map[Route]int{}
	}
	r.Confusion[Route(route)][reply.Route]++
	routeOK := Route(route) == reply.Route
	ok := routeOK
	if Route(route) == RouteFAQ {
		r.FAQCases++
		outcome := Outcome(reply, id)
		r.Outcomes[outcome]++
		if outcome == OutcomeRight {
			r.Top1++
		} else {
			ok = false
		}
		for i := 0; i < len(ids) && i < 3; i++ {
			if ids[i] == id {
				r.Top3++
				break
			}
		}
	} else {
		if reply.Route == RouteFAQ {
			r.FalseAnswers++
		}
		if routeOK {
			r.NonFAQRouteOK++
		}
	}
	if routeOK {
		r.RouteOK++
	}
	if !ok {
		r.Misses = append(r.Misses, Miss{Case: c, Route: reply.Route, Articles: ids})
	}
}

// Samples returns the samples to fit a [Model] on from labelled cases:
// for each case that no intent takes and that retrieves an article, the
// features of the best article and whether it is the expected answer. A
// case expecting another route than faq is a sample of a wrong answer.
func (s *Service) Samples(ctx context.Context, cases []Case) ([]Sample, error) {
	var out []Sample
	for _, c := range cases {
		m := Message{Text: c.Q}
		words := normalize(m.Text)
		if _, ok := s.byIntent(ctx, m, words, Reply{Lang: detectLang(m.Text, "")}); ok {
			continue
		}
		hits, err := s.search(ctx, m.Text, detectLang(m.Text, ""))
		if err != nil {
			return nil, err
		}
		if len(hits) == 0 {
			continue
		}
		out = append(out, Sample{x: featuresOf(hits, 0), Right: c.Expect == "faq:"+hits[0].Article.ID})
	}
	return out, nil
}

// DefaultL2 is the penalty on the weights with which [FitModel] fits the
// default model.
const DefaultL2 = 1.0

// EvaluateFolds scores cases by k-fold cross-validation: the cases are
// dealt into k folds in turn, and each fold is answered with a model
// fitted on the other folds' samples and on extra, samples from other
// sets. k of 1 fits on extra alone.
func (s *Service) EvaluateFolds(ctx context.Context, cases []Case, k int, extra []Sample) (Report, error) {
	k = max(k, 1)
	r := Report{Outcomes: map[string]int{}, Confusion: map[Route]map[Route]int{}}
	for fold := range k {
		var train, test []Case
		for i, c := range cases {
			if k > 1 && i%k != fold {
				train = append(train, c)
			} else {
				test = append(test, c)
			}
		}
		samples, err := s.Samples(ctx, train)
		if err != nil {
			return r, err
		}
		m := FitModel(append(samples, extra...), DefaultL2)
		folded := *s
		folded.model = m
		for _, c := range test {
			reply, err := folded.Answer(ctx, Message{Text: c.Q})
			if err != nil {
				return r, err
			}
			r.add(c, reply)
		}
	}
	return r, nil
}
