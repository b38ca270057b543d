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
	Misses       []Miss
}

// Line formats the report's figures on one line.
func (r Report) Line() string {
	ratio := func(n, d int) float64 {
		if d == 0 {
			return 0
		}
		return float64(n) / float64(d)
	}
	return fmt.Sprintf("faq_top1=%.3f faq_top3=%.3f route_acc=%.3f false_answers=%d cases=%d",
		ratio(r.Top1, r.FAQCases), ratio(r.Top3, r.FAQCases), ratio(r.RouteOK, r.Cases), r.FalseAnswers, r.Cases)
}

// Evaluate answers every case and scores the replies.
func (s *Service) Evaluate(ctx context.Context, cases []Case) (Report, error) {
	var r Report
	for _, c := range cases {
		reply, err := s.Answer(ctx, Message{Text: c.Q})
		if err != nil {
			return r, err
		}
		route, id, _ := strings.Cut(c.Expect, ":")
		ids := make([]string, len(reply.Articles))
		for i, a := range reply.Articles {
			ids[i] = a.ID
		}
		r.Cases++
		routeOK := Route(route) == reply.Route
		ok := routeOK
		if Route(route) == RouteFAQ {
			r.FAQCases++
			if reply.Route == RouteFAQ && len(ids) > 0 && ids[0] == id {
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
		} else if reply.Route == RouteFAQ {
			r.FalseAnswers++
		}
		if routeOK {
			r.RouteOK++
		}
		if !ok {
			r.Misses = append(r.Misses, Miss{Case: c, Route: reply.Route, Articles: ids})
		}
	}
	return r, nil
}
