package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/supportd/supportd/kb"
	"github.com/supportd/supportd/report"
)

// runReport runs "supportd kb report": what the conversations since a
// time say to the editors (docs/reports.md).
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c serveConfig
	fs := newFlagSet("kb report", stderr)
	storeFlags(fs, &c)
	dir := fs.String("kb", env("SUPPORTD_KB", ""), "the knowledge-base folder, for the articles' files and those never shown; empty: the built-in demo (SUPPORTD_KB)")
	sinceText := fs.String("since", "7d", "the period: a duration back from now (7d, 36h) or a date (2026-11-01)")
	format := fs.String("format", "text", "text or csv")
	what := fs.String("what", "", "unanswered, articles, daily or weekly; empty: all (text) or unanswered (csv)")
	zone := fs.String("timezone", "Europe/Paris", "the zone whose days and weeks the rates count by")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *format != "text" && *format != "csv" {
		fmt.Fprintln(stderr, "usage: supportd kb report [--since 7d] [--format text|csv] [--what unanswered|articles|daily|weekly] [--kb DIR]")
		return errUsage
	}
	switch *what {
	case "", "unanswered", "articles", "daily", "weekly":
	default:
		fmt.Fprintf(stderr, "supportd kb report: --what %q: unanswered, articles, daily or weekly\n", *what)
		return errUsage
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		fmt.Fprintf(stderr, "supportd kb report: --timezone: %v\n", err)
		return errUsage
	}
	now := time.Now()
	since, err := parseSince(*sinceText, now, loc)
	if err != nil {
		fmt.Fprintf(stderr, "supportd kb report: --since: %v\n", err)
		return errUsage
	}
	var fsys = demoKB()
	if *dir != "" {
		fsys = os.DirFS(*dir)
	}
	coll, _, err := kb.Load(fsys)
	if err != nil {
		return fmt.Errorf("knowledge base: %w", err)
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	convs, err := report.Load(ctx, st, since)
	if err != nil {
		return err
	}
	articles, weights := report.OfKB(coll.Published())
	groups := report.GroupMisses(report.Misses(convs), weights)
	lines, never := report.Articles(convs, articles)
	csv := *format == "csv"
	show := func(name string) bool { return *what == name || *what == "" && (!csv || name == "unanswered") }
	if !csv {
		fmt.Fprintf(stdout, "Du %s au %s : %d conversations.\n", since.In(loc).Format("02/01/2006 15:04"), now.In(loc).Format("02/01/2006 15:04"), len(convs))
	}
	section := func(title string) {
		if !csv && *what == "" {
			fmt.Fprintf(stdout, "\n== %s\n\n", title)
		}
	}
	if show("unanswered") {
		section("Questions sans réponse")
		if csv {
			err = report.WriteUnansweredCSV(stdout, groups)
		} else {
			err = report.WriteUnanswered(stdout, groups)
		}
	}
	if err == nil && show("articles") {
		section("Articles")
		if csv {
			err = report.WriteArticlesCSV(stdout, lines, never)
		} else {
			err = report.WriteArticles(stdout, lines, never)
		}
	}
	for _, period := range []string{"daily", "weekly"} {
		if err != nil || !show(period) {
			continue
		}
		rates := report.Daily(convs, since, now, loc)
		title := "Par jour"
		if period == "weekly" {
			rates, title = report.Weekly(convs, since, now, loc), "Par semaine"
		}
		section(title)
		if csv {
			err = report.WriteRatesCSV(stdout, rates)
		} else {
			err = report.WriteRates(stdout, rates)
		}
	}
	return err
}

// parseSince reads --since: a number of days (7d), a Go duration (36h),
// or a date, midnight in loc.
func parseSince(text string, now time.Time, loc *time.Location) (time.Time, error) {
	if days, ok := strings.CutSuffix(text, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return time.Time{}, fmt.Errorf("%q: a number of days, e.g. 7d", text)
		}
		return now.AddDate(0, 0, -n), nil
	}
	if d, err := time.ParseDuration(text); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", text, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: a duration (7d, 36h) or a date (2026-11-01)", text)
}
