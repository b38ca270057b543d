package report

import (
	"slices"
	"strings"
	"time"

	"github.com/supportd/supportd/store"
)

// ArticleLine is one line of the per-article report.
type ArticleLine struct {
	Article
	// Views counts the times the assistant answered with the article (a
	// question, or the article picked among suggestions); Suggested, the
	// times it was among suggestions.
	Views, Suggested    int
	Helpful, NotHelpful int
	// HandoffsAfter counts the handoffs right after the article was
	// answered: a request for a person, or a not-helpful vote, which
	// hands over.
	HandoffsAfter int
}

// Articles returns how each article did, by views, then id; articles of
// the knowledge base never shown are in never, by id. An article shown
// that the knowledge base no longer has keeps its id alone.
func Articles(convs []Conversation, articles []Article) (lines []ArticleLine, never []Article) {
	by := map[string]*ArticleLine{}
	line := func(id string) *ArticleLine {
		l := by[id]
		if l == nil {
			l = &ArticleLine{Article: Article{ID: id}}
			by[id] = l
		}
		return l
	}
	for _, a := range articles {
		line(a.ID).Article = a
	}
	for i := range convs {
		c := &convs[i]
		answered := map[int64]string{}
		last := ""
		for j := range c.Messages {
			m := &c.Messages[j]
			d := dataOf(m)
			switch {
			case m.Author == store.AuthorCustomer:
				last = ""
			case isAnswer(m, d):
				id := d.Articles[0].ID
				line(id).Views++
				answered[m.Seq], last = id, id
			case m.Author == store.AuthorBot && d.Route == routeFallback:
				for _, id := range d.articleIDs() {
					line(id).Suggested++
				}
			case isHandoff(m, d) && last != "":
				line(last).HandoffsAfter++
				last = ""
			}
		}
		for _, v := range c.Votes {
			l := line(v.ArticleID)
			if v.Helpful {
				l.Helpful++
			} else {
				l.NotHelpful++
			}
		}
	}
	for _, l := range by {
		if l.Views == 0 && l.Suggested == 0 && l.Helpful+l.NotHelpful == 0 {
			if l.Path != "" {
				never = append(never, l.Article)
			}
			continue
		}
		lines = append(lines, *l)
	}
	slices.SortFunc(lines, func(a, b ArticleLine) int {
		if a.Views != b.Views {
			return b.Views - a.Views
		}
		return strings.Compare(a.ID, b.ID)
	})
	slices.SortFunc(never, func(a, b Article) int { return strings.Compare(a.ID, b.ID) })
	return lines, never
}

// facts are what one conversation tells the rates.
type facts struct {
	answered, resolved, handoff bool
	emailRequests               int
	waits, firstResponses       []time.Duration
	ratings                     []int
}

// factsOf reads a conversation. Resolved follows Intercom's resolution
// rate: the assistant's last answer was followed by a helpful vote, or by
// neither a request for a person nor a not-helpful vote (docs/reports.md).
func factsOf(c *Conversation) facts {
	var f facts
	votes := map[int64]bool{}
	for _, v := range c.Votes {
		votes[v.Seq] = v.Helpful
	}
	var lastAnswer int64
	personAfter := false
	var queuedAt, assignedAt time.Time
	for i := range c.Messages {
		m := &c.Messages[i]
		d := dataOf(m)
		switch {
		case isAnswer(m, d):
			f.answered, lastAnswer, personAfter = true, m.Seq, false
		case isHandoff(m, d):
			f.handoff, personAfter = true, true
			if len(d.Form) == 0 || string(d.Form) == "null" {
				queuedAt = m.CreatedAt
			}
		case m.Author == store.AuthorBot && d.FormSeq > 0:
			f.emailRequests++
		case m.Author == store.AuthorSystem && d.Event == "assigned" && !queuedAt.IsZero():
			f.waits = append(f.waits, m.CreatedAt.Sub(queuedAt))
			queuedAt, assignedAt = time.Time{}, m.CreatedAt
		case m.Author == store.AuthorAgent && !assignedAt.IsZero():
			f.firstResponses = append(f.firstResponses, m.CreatedAt.Sub(assignedAt))
			assignedAt = time.Time{}
		}
	}
	if f.answered {
		helpful, voted := votes[lastAnswer]
		f.resolved = voted && helpful || !voted && !personAfter
	}
	f.ratings = c.Ratings
	return f
}

// Rates are the figures of a day or a week.
type Rates struct {
	// Start is the day's (or the week's Monday's) midnight.
	Start time.Time
	// Conversations started; Answered, those the assistant answered from
	// the knowledge base at least once; Resolved, those of them it
	// resolved.
	Conversations, Answered, Resolved int
	// Handoffs: conversations handed to the team: the customer asked
	// for a person, or voted an answer not helpful, which hands over.
	Handoffs      int
	EmailRequests int
	// MedianWait is the median wait in the queue before an agent took
	// the conversation; MedianFirstResponse, from then to the agent's
	// first message. Zero without any.
	MedianWait, MedianFirstResponse time.Duration
	Waits, FirstResponses           int
	// Satisfaction is the mean rating (1 to 5) of the surveys answered,
	// Ratings how many; 0 without any.
	Satisfaction float64
	Ratings      int
}

// ResolutionRate is Resolved over Answered, 0 without any.
func (r Rates) ResolutionRate() float64 { return ratio(r.Resolved, r.Answered) }

// HandoffRate is Handoffs over Conversations, 0 without any.
func (r Rates) HandoffRate() float64 { return ratio(r.Handoffs, r.Conversations) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Daily returns the rates of each day, in loc, from the day of since to
// the day of until, days without conversations included.
func Daily(convs []Conversation, since, until time.Time, loc *time.Location) []Rates {
	return bucket(convs, since, until, loc, func(t time.Time) time.Time { return t }, 1)
}

// Weekly returns the rates of each week (Monday to Sunday, in loc).
func Weekly(convs []Conversation, since, until time.Time, loc *time.Location) []Rates {
	monday := func(t time.Time) time.Time { return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7)) }
	return bucket(convs, since, until, loc, monday, 7)
}

// bucket sums the conversations by the period start(day) of the day they
// started, periods of step days.
func bucket(convs []Conversation, since, until time.Time, loc *time.Location, start func(time.Time) time.Time, step int) []Rates {
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return start(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc))
	}
	type acc struct {
		r       Rates
		waits   []time.Duration
		firsts  []time.Duration
		ratings []int
	}
	var out []*acc
	index := map[time.Time]*acc{}
	for d := day(since); !d.After(day(until)); d = d.AddDate(0, 0, step) {
		a := &acc{r: Rates{Start: d}}
		out = append(out, a)
		index[d] = a
	}
	for i := range convs {
		a := index[day(convs[i].CreatedAt)]
		if a == nil {
			continue
		}
		f := factsOf(&convs[i])
		a.r.Conversations++
		if f.answered {
			a.r.Answered++
		}
		if f.resolved {
			a.r.Resolved++
		}
		if f.handoff {
			a.r.Handoffs++
		}
		a.r.EmailRequests += f.emailRequests
		a.waits = append(a.waits, f.waits...)
		a.firsts = append(a.firsts, f.firstResponses...)
		a.ratings = append(a.ratings, f.ratings...)
	}
	rates := make([]Rates, len(out))
	for i, a := range out {
		a.r.MedianWait, a.r.Waits = median(a.waits), len(a.waits)
		a.r.MedianFirstResponse, a.r.FirstResponses = median(a.firsts), len(a.firsts)
		if n := len(a.ratings); n > 0 {
			sum := 0
			for _, v := range a.ratings {
				sum += v
			}
			a.r.Satisfaction, a.r.Ratings = float64(sum)/float64(n), n
		}
		rates[i] = a.r
	}
	return rates
}

// median returns the median of ds (the mean of the two middle ones for an
// even count), 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}
