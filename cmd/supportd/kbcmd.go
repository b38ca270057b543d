package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/kb"
)

func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("kb check", stderr)
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: supportd kb check DIR")
		return errUsage
	}
	dir := fs.Arg(0)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("kb check: %s is not a folder", dir)
	}
	c, problems, err := kb.Load(os.DirFS(dir))
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "%d problem(s) in %d file(s)\n", len(problems), c.Files)
		return errFailed
	}
	published := len(c.Published())
	fmt.Fprintf(stdout, "ok: %d articles (%d published, %d drafts), %d synonym groups, no problems\n",
		len(c.Articles), published, len(c.Articles)-published, len(c.Synonyms))
	return nil
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("kb eval", stderr)
	dir := fs.String("kb", "", "knowledge-base folder (default: the built-in demo)")
	casesPath := fs.String("cases", "", "labelled messages, one JSON object a line")
	if err := fs.Parse(args); err != nil || *casesPath == "" {
		fmt.Fprintln(stderr, "usage: supportd kb eval --kb DIR --cases FILE")
		return errUsage
	}
	f, err := os.Open(*casesPath)
	if err != nil {
		return err
	}
	cases, err := assistant.ReadCases(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *casesPath, err)
	}
	base, err := openKB(*dir, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer base.Close()
	svc, err := assistant.New(assistant.Config{Searcher: base})
	if err != nil {
		return err
	}
	report, err := svc.Evaluate(ctx, cases)
	if err != nil {
		return err
	}
	for _, m := range report.Misses {
		fmt.Fprintf(stdout, "miss: %q expected %s, got %s %v\n", m.Case.Q, m.Case.Expect, m.Route, m.Articles)
	}
	fmt.Fprint(stdout, report.ConfusionTable())
	fmt.Fprintln(stdout, report.Line())
	return nil
}
