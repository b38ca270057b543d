package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/supportd/supportd/report"
	"github.com/supportd/supportd/store"
)

// The editors' page, /agent/editors, shows the content editors what the
// conversations of the last days tell them (package report,
// docs/reports.md): the questions the assistant did not answer well,
// grouped, how each article did, and the resolution rate of the last 30
// days in a small chart; each table is also a CSV file. Agents with the
// editor or admin role reach it.

// editorPeriods are the periods the page offers, in days.
var editorPeriods = []int{7, 30, 90}

// routeEditors adds the editors' page; the caller has put it behind
// requireAgent.
func (h *Handler) routeEditors(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(h.requireEditor)
		r.Get("/editors", h.editorsPage)
		r.Get("/editors/{what}.csv", h.editorsCSV)
	})
}

// mayEdit reports whether an agent's role shows them the editors' page.
func mayEdit(a *store.Agent) bool { return a.Role == store.RoleEditor || a.Role == store.RoleAdmin }

// requireEditor lets through the editors and admins only; the others get
// 403.
func (h *Handler) requireEditor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := h.sessionAgent(w, r)
		if !ok {
			return
		}
		if !mayEdit(a) || h.cfg.Reports == nil {
			http.Error(w, "for editors and admins only", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// editorsData is what the editors' page shows.
type editorsData struct {
	Lang     string
	T        editorsText
	Days     int
	Periods  []int
	Convs    int
	Groups   []report.Group
	Articles []report.ArticleLine
	Never    []report.Article
	Weeks    []rateRow
	Chart    chart
}

type rateRow struct {
	Start                                string
	Conversations, Answered, Handoffs    int
	Resolution, HandoffRate, Wait, First string
	EmailRequests                        int
	Satisfaction                         string
}

// reportPeriod reads the page's period: ?days=7, 30 or 90.
func reportPeriod(r *http.Request) int {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	for _, p := range editorPeriods {
		if days == p {
			return days
		}
	}
	return editorPeriods[0]
}

// editorsLocation is the zone days and weeks are counted in.
var editorsLocation = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.UTC
}()

// loadReport reads the conversations of the last days, and the
// knowledge base's articles.
func (h *Handler) loadReport(r *http.Request, days int) ([]report.Conversation, []report.Article, *report.Weights, time.Time, error) {
	now := time.Now()
	since := now.AddDate(0, 0, -days)
	convs, err := report.Load(r.Context(), h.cfg.Reports, since)
	if err != nil {
		return nil, nil, nil, since, err
	}
	articles, weights := report.OfKB(h.cfg.Articles.Articles())
	return convs, articles, weights, since, nil
}

// editorsPage renders the editors' page.
func (h *Handler) editorsPage(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	days := reportPeriod(r)
	convs, articles, weights, since, err := h.loadReport(r, max(days, 30))
	if err != nil {
		h.cfg.Logger.Error("web: editors' report", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	now := time.Now()
	// The chart always shows 30 days; the tables, the period chosen.
	chartDays := report.Daily(convs, now.AddDate(0, 0, -29), now, editorsLocation)
	inPeriod := convs
	if days < 30 {
		from := now.AddDate(0, 0, -days)
		inPeriod = nil
		for _, c := range convs {
			if !c.CreatedAt.Before(from) {
				inPeriod = append(inPeriod, c)
			}
		}
		since = from
	}
	lines, never := report.Articles(inPeriod, articles)
	groups := report.GroupMisses(report.Misses(inPeriod), weights)
	if len(groups) > 50 {
		groups = groups[:50]
	}
	t := editorsTexts[lang]
	data := editorsData{Lang: lang, T: t, Days: days, Periods: editorPeriods, Convs: len(inPeriod), Groups: groups, Articles: lines, Never: never,
		Chart: chartOf(chartDays, t)}
	for _, wk := range report.Weekly(inPeriod, since, now, editorsLocation) {
		data.Weeks = append(data.Weeks, rateRowOf(wk))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := editorsTemplate.Execute(w, data); err != nil {
		h.cfg.Logger.Error("web: editors' page", "err", err)
	}
}

// editorsCSV serves a table of the page as CSV: unanswered, articles,
// daily or weekly.
func (h *Handler) editorsCSV(w http.ResponseWriter, r *http.Request) {
	what := chi.URLParam(r, "what")
	if what != "unanswered" && what != "articles" && what != "daily" && what != "weekly" {
		http.NotFound(w, r)
		return
	}
	days := reportPeriod(r)
	convs, articles, weights, since, err := h.loadReport(r, days)
	if err != nil {
		h.cfg.Logger.Error("web: editors' report", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="supportd-%s-%dj.csv"`, what, days))
	now := time.Now()
	switch what {
	case "unanswered":
		err = report.WriteUnansweredCSV(w, report.GroupMisses(report.Misses(convs), weights))
	case "articles":
		lines, never := report.Articles(convs, articles)
		err = report.WriteArticlesCSV(w, lines, never)
	case "daily":
		err = report.WriteRatesCSV(w, report.Daily(convs, since, now, editorsLocation))
	case "weekly":
		err = report.WriteRatesCSV(w, report.Weekly(convs, since, now, editorsLocation))
	}
	if err != nil {
		h.cfg.Logger.Warn("web: editors' CSV", "err", err)
	}
}

func rateRowOf(r report.Rates) rateRow {
	row := rateRow{Start: r.Start.Format("02/01"), Conversations: r.Conversations, Answered: r.Answered, Handoffs: r.Handoffs, EmailRequests: r.EmailRequests,
		Resolution: "—", HandoffRate: "—", Wait: "—", First: "—", Satisfaction: "—"}
	if r.Answered > 0 {
		row.Resolution = fmt.Sprintf("%.0f %%", 100*r.ResolutionRate())
	}
	if r.Conversations > 0 {
		row.HandoffRate = fmt.Sprintf("%.0f %%", 100*r.HandoffRate())
	}
	if r.Waits > 0 {
		row.Wait = r.MedianWait.Round(time.Second).String()
	}
	if r.FirstResponses > 0 {
		row.First = r.MedianFirstResponse.Round(time.Second).String()
	}
	if r.Ratings > 0 {
		row.Satisfaction = fmt.Sprintf("%.1f/5 (%d)", r.Satisfaction, r.Ratings)
	}
	return row
}

// chart is the 30 days' chart, drawn as inline SVG: the resolution rate
// and the handoff rate of each day, 0 to 100 %.
type chart struct {
	Width, Height       int
	Resolution, Handoff string // the polylines' points
	Label               string // the chart's text alternative
	Ticks               []chartTick
}

type chartTick struct {
	X     int
	Label string
}

const chartWidth, chartHeight, chartPad = 600, 160, 20

func chartOf(days []report.Rates, t editorsText) chart {
	c := chart{Width: chartWidth, Height: chartHeight}
	var res, hand, desc []string
	step := float64(chartWidth-2*chartPad) / float64(max(len(days)-1, 1))
	y := func(v float64) int { return chartHeight - chartPad - int(v*float64(chartHeight-2*chartPad)) }
	for i, d := range days {
		x := chartPad + int(float64(i)*step)
		if d.Answered > 0 {
			res = append(res, fmt.Sprintf("%d,%d", x, y(d.ResolutionRate())))
		}
		if d.Conversations > 0 {
			hand = append(hand, fmt.Sprintf("%d,%d", x, y(d.HandoffRate())))
			desc = append(desc, fmt.Sprintf("%s %.0f %%/%.0f %%", d.Start.Format("02/01"), 100*d.ResolutionRate(), 100*d.HandoffRate()))
		}
		if i%7 == 0 || i == len(days)-1 && i%7 >= 4 {
			c.Ticks = append(c.Ticks, chartTick{X: x, Label: d.Start.Format("02/01")})
		}
	}
	c.Resolution, c.Handoff = strings.Join(res, " "), strings.Join(hand, " ")
	c.Label = t.ChartLabel
	if len(desc) > 0 {
		c.Label += " — " + strings.Join(desc, ", ")
	}
	return c
}

type editorsText struct {
	Title, Back, Period, Days, Show, Conversations, Chart, ChartLabel, Resolution, HandoffRate             string
	Weeks, Week, Answered, Handoffs, Emails, Wait, First, Satisfaction, Unanswered, None                   string
	Question, Count, Why, Offered, Also, Articles, Article, Views, Suggested, Helpful, NotHelpful, After   string
	File, Never, Download, ReasonFallback, ReasonNotPicked, ReasonNotHelpful, ReasonPerson, Explain, Daily string
}

var editorsTexts = map[string]editorsText{
	"fr": {Title: "Éditeurs : ce que disent les conversations", Back: "Retour à la console", Period: "Période", Days: "jours", Show: "Afficher",
		Conversations: "conversations", Chart: "Les 30 derniers jours", ChartLabel: "Taux de résolution et taux de passage à une personne, par jour",
		Resolution: "taux de résolution", HandoffRate: "passage à une personne", Weeks: "Par semaine", Week: "Semaine du", Answered: "Répondues",
		Handoffs: "Vers une personne", Emails: "Demandes par email", Wait: "Attente médiane", First: "Première réponse", Satisfaction: "Satisfaction",
		Unanswered: "Questions sans bonne réponse", None: "Aucune sur la période.", Question: "Question", Count: "Fois", Why: "Pourquoi",
		Offered: "Articles proposés", Also: "aussi", Articles: "Articles", Article: "Article", Views: "Vues", Suggested: "Suggéré",
		Helpful: "Utile", NotHelpful: "Pas utile", After: "Personne après", File: "Fichier", Never: "Jamais montrés sur la période",
		Download: "Télécharger en CSV", ReasonFallback: "sans réponse", ReasonNotPicked: "suggestions non choisies", ReasonNotHelpful: "« pas utile »",
		ReasonPerson: "personne demandée après la réponse", Explain: "Données personnelles masquées. Définitions : docs/reports.md.", Daily: "par jour"},
	"en": {Title: "Editors: what the conversations say", Back: "Back to the console", Period: "Period", Days: "days", Show: "Show",
		Conversations: "conversations", Chart: "The last 30 days", ChartLabel: "Resolution rate and handoff rate, per day",
		Resolution: "resolution rate", HandoffRate: "handoff rate", Weeks: "Per week", Week: "Week of", Answered: "Answered",
		Handoffs: "Handed off", Emails: "Email requests", Wait: "Median wait", First: "First response", Satisfaction: "Satisfaction",
		Unanswered: "Questions not answered well", None: "None in the period.", Question: "Question", Count: "Times", Why: "Why",
		Offered: "Articles offered", Also: "also", Articles: "Articles", Article: "Article", Views: "Views", Suggested: "Suggested",
		Helpful: "Helpful", NotHelpful: "Not helpful", After: "Person after", File: "File", Never: "Never shown in the period",
		Download: "Download as CSV", ReasonFallback: "no answer", ReasonNotPicked: "suggestions not picked", ReasonNotHelpful: "“not helpful”",
		ReasonPerson: "person asked for after the answer", Explain: "Personal data masked. Definitions: docs/reports.md.", Daily: "per day"},
}

var editorsTemplate = template.Must(template.New("editors").Funcs(template.FuncMap{
	"reason": func(t editorsText, r string) string {
		return map[string]string{report.ReasonFallback: t.ReasonFallback, report.ReasonNotPicked: t.ReasonNotPicked,
			report.ReasonNotHelpful: t.ReasonNotHelpful, report.ReasonPerson: t.ReasonPerson}[r]
	},
}).Parse(loginPageHead + `<main class="admin editors">
<p><a href="/agent">{{.T.Back}}</a></p>
<h1>{{.T.Title}}</h1>
<form method="get" action="/agent/editors" class="period">
<label for="days">{{.T.Period}}</label>
<select id="days" name="days">{{range .Periods}}<option value="{{.}}"{{if eq . $.Days}} selected{{end}}>{{.}} {{$.T.Days}}</option>{{end}}</select>
<button type="submit">{{.T.Show}}</button>
</form>
<p id="summary">{{.Convs}} {{.T.Conversations}}. {{.T.Explain}}</p>
<h2>{{.T.Chart}}</h2>
<figure class="chart">
<svg role="img" aria-label="{{.Chart.Label}}" viewBox="0 0 {{.Chart.Width}} {{.Chart.Height}}" width="{{.Chart.Width}}" height="{{.Chart.Height}}">
<line x1="20" y1="140" x2="580" y2="140" stroke="currentColor" stroke-width="1"/>
<line x1="20" y1="20" x2="580" y2="20" stroke="currentColor" stroke-width="0.5" stroke-dasharray="4 4"/>
<text x="0" y="24" font-size="10">100 %</text><text x="8" y="144" font-size="10">0</text>
{{range .Chart.Ticks}}<text x="{{.X}}" y="156" font-size="10" text-anchor="middle">{{.Label}}</text>{{end}}
{{with .Chart.Resolution}}<polyline points="{{.}}" fill="none" stroke="#1a7f37" stroke-width="2"/>{{end}}
{{with .Chart.Handoff}}<polyline points="{{.}}" fill="none" stroke="#b35900" stroke-width="2" stroke-dasharray="6 3"/>{{end}}
</svg>
<figcaption><span class="key-resolution">━ {{.T.Resolution}}</span> <span class="key-handoff">╍ {{.T.HandoffRate}}</span> — <a href="/agent/editors/daily.csv?days=30">{{.T.Download}} ({{.T.Daily}})</a></figcaption>
</figure>
<h2>{{.T.Weeks}}</h2>
<table class="agents-table" id="weeks">
<thead><tr><th scope="col">{{.T.Week}}</th><th scope="col">Conversations</th><th scope="col">{{.T.Answered}}</th><th scope="col">{{.T.Resolution}}</th><th scope="col">{{.T.Handoffs}}</th><th scope="col">{{.T.HandoffRate}}</th><th scope="col">{{.T.Emails}}</th><th scope="col">{{.T.Wait}}</th><th scope="col">{{.T.First}}</th><th scope="col">{{.T.Satisfaction}}</th></tr></thead>
<tbody>{{range .Weeks}}<tr><td>{{.Start}}</td><td>{{.Conversations}}</td><td>{{.Answered}}</td><td>{{.Resolution}}</td><td>{{.Handoffs}}</td><td>{{.HandoffRate}}</td><td>{{.EmailRequests}}</td><td>{{.Wait}}</td><td>{{.First}}</td><td>{{.Satisfaction}}</td></tr>{{end}}</tbody>
</table>
<p><a href="/agent/editors/weekly.csv?days={{.Days}}">{{.T.Download}}</a></p>
<h2>{{.T.Unanswered}}</h2>
{{if .Groups}}<table class="agents-table" id="unanswered">
<thead><tr><th scope="col">{{.T.Question}}</th><th scope="col">{{.T.Count}}</th><th scope="col">{{.T.Why}}</th><th scope="col">{{.T.Offered}}</th></tr></thead>
<tbody>{{range .Groups}}<tr><td>« {{.Question}} »{{range .Examples}}<br><small>{{$.T.Also}} : « {{.}} »</small>{{end}}</td><td>{{.Count}}</td>
<td>{{range $r, $n := .Reasons}}{{reason $.T $r}} : {{$n}}<br>{{end}}</td><td>{{range .Offered}}{{.Name}} ({{.N}})<br>{{end}}</td></tr>{{end}}</tbody>
</table>{{else}}<p>{{.T.None}}</p>{{end}}
<p><a href="/agent/editors/unanswered.csv?days={{.Days}}">{{.T.Download}}</a></p>
<h2>{{.T.Articles}}</h2>
<table class="agents-table" id="articles">
<thead><tr><th scope="col">{{.T.Article}}</th><th scope="col">{{.T.Views}}</th><th scope="col">{{.T.Suggested}}</th><th scope="col">{{.T.Helpful}}</th><th scope="col">{{.T.NotHelpful}}</th><th scope="col">{{.T.After}}</th><th scope="col">{{.T.File}}</th></tr></thead>
<tbody>{{range .Articles}}<tr><td>{{if .Title}}{{.Title}}{{else}}{{.ID}}{{end}}</td><td>{{.Views}}</td><td>{{.Suggested}}</td><td>{{.Helpful}}</td><td>{{.NotHelpful}}</td><td>{{.HandoffsAfter}}</td><td><code>{{.Path}}</code></td></tr>{{end}}</tbody>
</table>
{{if .Never}}<h3>{{.T.Never}} ({{len .Never}})</h3>
<ul id="never">{{range .Never}}<li>{{.Title}} — <code>{{.Path}}</code></li>{{end}}</ul>{{end}}
<p><a href="/agent/editors/articles.csv?days={{.Days}}">{{.T.Download}}</a></p>
</main>
</body>
</html>
`))
