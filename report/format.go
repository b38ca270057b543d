package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteUnanswered writes the unanswered questions' report as text: a
// line a group, with its count, reasons, examples and the articles
// offered.
func WriteUnanswered(w io.Writer, groups []Group) error {
	if len(groups) == 0 {
		_, err := fmt.Fprintln(w, "Aucune question sans réponse sur la période.")
		return err
	}
	for i, g := range groups {
		fmt.Fprintf(w, "%d. « %s » — %d fois (%s)\n", i+1, g.Question, g.Count, reasonsText(g.Reasons))
		for _, e := range g.Examples {
			fmt.Fprintf(w, "     aussi : « %s »\n", e)
		}
		if len(g.Offered) > 0 {
			fmt.Fprintf(w, "     articles proposés : %s\n", countsText(g.Offered))
		}
	}
	return nil
}

// reasonLabels name the reasons for editors.
var reasonLabels = map[string]string{
	ReasonFallback:   "sans réponse",
	ReasonNotPicked:  "suggestions non choisies",
	ReasonNotHelpful: "« pas utile »",
	ReasonPerson:     "une personne demandée après la réponse",
}

func reasonsText(m map[string]int) string {
	var parts []string
	for _, r := range []string{ReasonFallback, ReasonNotPicked, ReasonNotHelpful, ReasonPerson} {
		if n := m[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s : %d", reasonLabels[r], n))
		}
	}
	return strings.Join(parts, ", ")
}

func countsText(cs []Count) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s (%d)", c.Name, c.N)
	}
	return strings.Join(parts, ", ")
}

// WriteUnansweredCSV writes the unanswered questions' report as CSV.
func WriteUnansweredCSV(w io.Writer, groups []Group) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"rank", "question", "count", "fallback", "suggestion_not_picked", "not_helpful", "person_after_answer", "examples", "articles_offered"})
	for i, g := range groups {
		var offered []string
		for _, c := range g.Offered {
			offered = append(offered, c.Name+":"+strconv.Itoa(c.N))
		}
		cw.Write([]string{strconv.Itoa(i + 1), g.Question, strconv.Itoa(g.Count),
			strconv.Itoa(g.Reasons[ReasonFallback]), strconv.Itoa(g.Reasons[ReasonNotPicked]), strconv.Itoa(g.Reasons[ReasonNotHelpful]), strconv.Itoa(g.Reasons[ReasonPerson]),
			strings.Join(g.Examples, " | "), strings.Join(offered, " ")})
	}
	cw.Flush()
	return cw.Error()
}

// WriteArticles writes the per-article report as text.
func WriteArticles(w io.Writer, lines []ArticleLine, never []Article) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "article\tvues\tsuggéré\tutile\tpas utile\tpersonne après\tfichier")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", l.ID, l.Views, l.Suggested, l.Helpful, l.NotHelpful, l.HandoffsAfter, l.Path)
	}
	tw.Flush()
	if len(never) > 0 {
		fmt.Fprintf(w, "\nJamais montrés sur la période (%d) :\n", len(never))
		for _, a := range never {
			fmt.Fprintf(w, "  %s  %s\n", a.ID, a.Path)
		}
	}
	return nil
}

// WriteArticlesCSV writes the per-article report as CSV; the articles
// never shown come with zeros.
func WriteArticlesCSV(w io.Writer, lines []ArticleLine, never []Article) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"article", "title", "path", "views", "suggested", "helpful", "not_helpful", "handoffs_after"})
	for _, l := range lines {
		cw.Write([]string{l.ID, l.Title, l.Path, strconv.Itoa(l.Views), strconv.Itoa(l.Suggested), strconv.Itoa(l.Helpful), strconv.Itoa(l.NotHelpful), strconv.Itoa(l.HandoffsAfter)})
	}
	for _, a := range never {
		cw.Write([]string{a.ID, a.Title, a.Path, "0", "0", "0", "0", "0"})
	}
	cw.Flush()
	return cw.Error()
}

// WriteRates writes rates (daily or weekly) as text.
func WriteRates(w io.Writer, rates []Rates) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "début\tconversations\tréponses\trésolues\ttaux de résolution\tpersonne\ttaux\temails\tattente médiane\tpremière réponse\tsatisfaction")
	for _, r := range rates {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%d\t%s\t%d\t%s\t%s\t%s\n", r.Start.Format("2006-01-02"), r.Conversations, r.Answered, r.Resolved,
			percent(r.ResolutionRate(), r.Answered), r.Handoffs, percent(r.HandoffRate(), r.Conversations), r.EmailRequests,
			duration(r.MedianWait, r.Waits), duration(r.MedianFirstResponse, r.FirstResponses), satisfaction(r))
	}
	return tw.Flush()
}

// WriteRatesCSV writes rates as CSV, durations in seconds.
func WriteRatesCSV(w io.Writer, rates []Rates) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"start", "conversations", "answered", "resolved", "resolution_rate", "handoffs", "handoff_rate", "email_requests",
		"median_wait_s", "waits", "median_first_response_s", "first_responses", "satisfaction", "ratings"})
	for _, r := range rates {
		cw.Write([]string{r.Start.Format("2006-01-02"), strconv.Itoa(r.Conversations), strconv.Itoa(r.Answered), strconv.Itoa(r.Resolved),
			strconv.FormatFloat(r.ResolutionRate(), 'f', 3, 64), strconv.Itoa(r.Handoffs), strconv.FormatFloat(r.HandoffRate(), 'f', 3, 64),
			strconv.Itoa(r.EmailRequests), strconv.FormatFloat(r.MedianWait.Seconds(), 'f', 1, 64), strconv.Itoa(r.Waits),
			strconv.FormatFloat(r.MedianFirstResponse.Seconds(), 'f', 1, 64), strconv.Itoa(r.FirstResponses),
			strconv.FormatFloat(r.Satisfaction, 'f', 2, 64), strconv.Itoa(r.Ratings)})
	}
	cw.Flush()
	return cw.Error()
}

func percent(v float64, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f %%", 100*v)
}

func duration(d time.Duration, n int) string {
	if n == 0 {
		return "—"
	}
	return d.Round(time.Second).String()
}

func satisfaction(r Rates) string {
	if r.Ratings == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f/5 (%d)", r.Satisfaction, r.Ratings)
}
