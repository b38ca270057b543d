package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supportd/supportd/internal/pgtest"
)

// runCmd runs a command line and returns its output and error.
func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestAskJSON(t *testing.T) {
	out, _, err := runCmd(t, "bonjour\n\nje veux parler à un conseiller\nquelle est la capitale du Pérou ?\nmot de passe oublié\n", "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want one line per non-empty input line, got:\n%s", out)
	}
	var answers []askLine
	for _, l := range lines {
		var a askLine
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if a.Articles == nil {
			t.Errorf("%q: articles must be a list, even empty", l)
		}
		if a.Answer == "" {
			t.Errorf("%q: no answer", l)
		}
		answers = append(answers, a)
	}
	for i, want := range []string{"smalltalk", "handoff", "fallback", "faq"} {
		if answers[i].Route != want {
			t.Errorf("%q: route %s, want %s", answers[i].Q, answers[i].Route, want)
		}
	}
	faq := answers[3]
	if len(faq.Articles) == 0 || len(faq.Articles) > 3 || !strings.Contains(strings.ToLower(faq.Articles[0].Title), "mot de passe") {
		t.Errorf("faq answer: %+v", faq)
	}
	for i := 1; i < len(faq.Articles); i++ {
		if faq.Articles[i].Score > faq.Articles[i-1].Score {
			t.Errorf("articles not best first: %+v", faq.Articles)
		}
	}
}

func TestAskMessageArgument(t *testing.T) {
	out, _, err := runCmd(t, "", "ask", "merci", "beaucoup")
	if err != nil || !strings.HasPrefix(out, "[smalltalk]") {
		t.Fatalf("out %q err %v", out, err)
	}
}

func TestKBCheckDemo(t *testing.T) {
	out, _, err := runCmd(t, "", "kb", "check", "demo/kb")
	if err != nil {
		t.Fatalf("the demo knowledge base has problems:\n%s", out)
	}
	if !strings.HasPrefix(out, "ok: ") || strings.Count(out, "\n") != 1 {
		t.Errorf("want a one-line summary, got %q", out)
	}
}

func TestKBCheckProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.md", "---\nid: a\ntitle: A\n---\nVoir [b](b.md) et [x](x.md).\n")
	write("b.md", "---\nid: a\ntitle: B\n---\nDoublon.\n")
	write("c.md", "---\ntitle: C\nlang: xx\n---\n\n")
	out, _, err := runCmd(t, "", "kb", "check", dir)
	if !errors.Is(err, errFailed) {
		t.Fatalf("err = %v, want a failure", err)
	}
	want := []string{
		`b.md:1: duplicate id "a"`,
		`c.md:3: unknown lang "xx"`,
		"c.md:5: empty body",
		`a.md:5: link to a missing article "x.md"`,
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got:\n%s", out)
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], want[i])
		}
	}
}

func TestKBEval(t *testing.T) {
	cases := filepath.Join(t.TempDir(), "cases.jsonl")
	os.WriteFile(cases, []byte(`{"q": "bonjour", "expect": "smalltalk"}
{"q": "un humain svp", "expect": "handoff"}
{"q": "où en est ma commande 48213 ?", "expect": "order"}
{"q": "recette de la tarte tatin", "expect": "fallback"}
{"q": "recette de la tarte tatin", "expect": "smalltalk"}
`), 0o644)
	out, _, err := runCmd(t, "", "kb", "eval", "--cases", cases)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	// The historical fields come first, the outcomes after them.
	if want := "faq_top1=0.000 faq_top3=0.000 route_acc=0.800 false_answers=0 cases=5 right=0.000 wrong=0.000 shown=0.000 missed=0.000 right_or_shown=0.000 nonfaq_answered=0 nonfaq_route=0.800"; last != want {
		t.Errorf("last line = %q, want %q", last, want)
	}
	var misses []string
	for _, l := range lines {
		if strings.HasPrefix(l, "miss: ") {
			misses = append(misses, l)
		}
	}
	if len(misses) != 1 || !strings.Contains(misses[0], "tarte tatin") {
		t.Errorf("misses: %q", misses)
	}
	// The confusion of routes: one smalltalk case given a fallback.
	if !strings.Contains(out, "smalltalk                  0         0         0         1         1") {
		t.Errorf("no confusion table, or a wrong one:\n%s", out)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}, {"kb"}, {"kb", "check"}, {"kb", "eval"}} {
		if _, stderr, err := runCmd(t, "", args...); !errors.Is(err, errUsage) || stderr == "" {
			t.Errorf("%v: err %v, stderr %q", args, err, stderr)
		}
	}
}

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestAskAsCustomer answers as a demo customer from the command line,
// carrying the order from one line to the next.
func TestAskAsCustomer(t *testing.T) {
	out, _, err := runCmd(t, "où en est ma commande CMD-2026-004512 ?\npuis-je l'annuler ?\n", "ask", "--json", "--customer", "cust-1001")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("output:\n%s", out)
	}
	var first, second askLine
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[1]), &second)
	if first.Route != "order" || !strings.Contains(first.Answer, "Colissimo") || !strings.Contains(first.Answer, "6A23456789012") {
		t.Errorf("first: %+v", first)
	}
	if second.Route != "order" || !strings.Contains(second.Answer, "CMD-2026-004512") || !strings.Contains(second.Answer, "ne peut plus être annulée") {
		t.Errorf("second: %+v", second)
	}
	// Another demo customer asking for it learns nothing.
	out, _, _ = runCmd(t, "", "ask", "--customer", "cust-1002", "où en est ma commande CMD-2026-004512 ?")
	if strings.Contains(out, "Colissimo") || !strings.Contains(out, "Je ne trouve pas") {
		t.Errorf("cust-1002 asking for cust-1001's order: %s", out)
	}
}

// TestDemoSeed loads the demo orders into PostgreSQL, twice, and answers
// from there.
func TestDemoSeed(t *testing.T) {
	url := pgtest.URL(t)
	for range 2 {
		out, stderr, err := runCmd(t, "", "demo", "seed", "--database-url", url)
		if err != nil || !strings.Contains(out, "seeded 4 demo customers") {
			t.Fatalf("demo seed: %v\n%s%s", err, out, stderr)
		}
	}
	t.Setenv("DATABASE_URL", url)
	out, stderr, err := runCmd(t, "", "ask", "--orders", "postgres", "--customer", "cust-1003", "ai-je une subvention ?")
	if err != nil || !strings.Contains(out, "Transports Garnier") {
		t.Errorf("ask from PostgreSQL: %v\n%s%s", err, out, stderr)
	}
}
