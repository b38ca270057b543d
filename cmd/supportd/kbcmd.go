package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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
	folds := fs.Int("folds", 0, "score by K-fold cross-validation: each fold answered by a model fitted on the other folds (and the --train sets)")
	threshold := fs.Float64("answer-threshold", 0, "the probability of being right from which the assistant answers (default: the built-in one)")
	llmModel := fs.String("llm", "", "score through the language model of this name at OPENAI_BASE_URL (key in OPENAI_API_KEY), as serve --llm-model answers")
	learn := fs.String("learn", "", "first add the messages of these labelled cases to their articles' questions, as accepted phrasings (in a copy of --kb)")
	var train evalSets
	fs.Var(&train, "train", "fit the answer model on this set, KB:CASES, instead of using the built-in one (repeatable)")
	if err := fs.Parse(args); err != nil || *casesPath == "" || *folds < 0 || *learn != "" && *dir == "" {
		fmt.Fprintln(stderr, "usage: supportd kb eval --kb DIR --cases FILE [--folds K] [--train KB:CASES ...] [--learn CASES]")
		return errUsage
	}
	cases, err := readCases(*casesPath)
	if err != nil {
		return err
	}
	kbDir := *dir
	if *learn != "" {
		copyDir, added, err := learnedCopy(*dir, *learn)
		if err != nil {
			return err
		}
		defer os.RemoveAll(copyDir)
		fmt.Fprintf(stdout, "learned: %d phrasings added from %s\n", added, *learn)
		kbDir = copyDir
	}
	var llmCfg *assistant.LLMConfig
	if *llmModel != "" {
		if llmCfg, err = llmConfig(serveConfig{llmModel: *llmModel, llmTimeout: 8 * time.Second, llmMaxTokens: 400}); err != nil {
			return err
		}
	}
	svc, closeKB, err := evalServiceWith(kbDir, *threshold, llmCfg, stderr)
	if err != nil {
		return err
	}
	defer closeKB()
	var report assistant.Report
	if *folds > 0 || len(train) > 0 {
		extra, err := train.samples(ctx, stderr)
		if err != nil {
			return err
		}
		report, err = svc.EvaluateFolds(ctx, cases, max(*folds, 1), extra)
		if err != nil {
			return err
		}
	} else if report, err = svc.Evaluate(ctx, cases); err != nil {
		return err
	}
	for _, m := range report.Misses {
		fmt.Fprintf(stdout, "miss: %q expected %s, got %s %v\n", m.Case.Q, m.Case.Expect, m.Route, m.Articles)
	}
	fmt.Fprint(stdout, report.ConfusionTable())
	if llmCfg != nil {
		st := svc.LLMStats()
		replied := max(st.Calls-st.Failed, 1)
		per := func(n int) float64 { return float64(n) / float64(replied) }
		perTime := func(d time.Duration) time.Duration { return (d / time.Duration(replied)).Round(time.Millisecond) }
		fmt.Fprintf(stdout, "llm: calls=%d answered=%d discarded=%d failed=%d prompt_tokens_per_answer=%.0f completion_tokens_per_answer=%.0f latency_per_answer=%s first_token_per_answer=%s\n",
			st.Calls, st.Answered, st.Discarded, st.Failed, per(st.PromptTokens), per(st.CompletionTokens), perTime(st.Latency), perTime(st.FirstToken))
	}
	fmt.Fprintln(stdout, report.Line())
	return nil
}

// runFit fits the answer model on labelled sets and prints it as Go, for
// assistant/model.go.
func runFit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("kb fit", stderr)
	var sets evalSets
	fs.Var(&sets, "set", "a labelled set to fit on, KB:CASES (repeatable)")
	if err := fs.Parse(args); err != nil || len(sets) == 0 {
		fmt.Fprintln(stderr, "usage: supportd kb fit --set KB:CASES [--set KB:CASES ...]")
		return errUsage
	}
	samples, err := sets.samples(ctx, stderr)
	if err != nil {
		return err
	}
	right := 0
	for _, s := range samples {
		if s.Right {
			right++
		}
	}
	fmt.Fprintf(stdout, "// %d samples, %d right answers\n", len(samples), right)
	fmt.Fprintln(stdout, assistant.FitModel(samples, assistant.DefaultL2))
	return nil
}

// evalSets are labelled sets named on the command line as KB:CASES.
type evalSets [][2]string

func (e *evalSets) String() string { return fmt.Sprint(*e) }

func (e *evalSets) Set(v string) error {
	dir, cases, ok := strings.Cut(v, ":")
	if !ok || dir == "" || cases == "" {
		return fmt.Errorf("want KB:CASES, got %q", v)
	}
	*e = append(*e, [2]string{dir, cases})
	return nil
}

// samples returns the model samples of every set, weighed so that each
// knowledge base counts as much as another in the fit, however many
// messages its sets hold: a model fitted on two shops must not be the
// model of the shop with more messages.
func (e evalSets) samples(ctx context.Context, stderr io.Writer) ([]assistant.Sample, error) {
	var all []assistant.Sample
	perKB := map[string]int{}
	kbOf := make([]string, 0)
	for _, set := range e {
		cases, err := readCases(set[1])
		if err != nil {
			return nil, err
		}
		svc, closeKB, err := evalService(set[0], 0, stderr)
		if err != nil {
			return nil, err
		}
		samples, err := svc.Samples(ctx, cases)
		closeKB()
		if err != nil {
			return nil, err
		}
		for range samples {
			kbOf = append(kbOf, set[0])
		}
		perKB[set[0]] += len(samples)
		all = append(all, samples...)
	}
	for i := range all {
		all[i].Weight = float64(len(all)) / float64(len(perKB)*perKB[kbOf[i]])
	}
	return all, nil
}

// readCases reads a file of labelled messages.
func readCases(path string) ([]assistant.Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cases, err := assistant.ReadCases(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cases, nil
}

// evalService opens a knowledge base and an assistant on it, as kb eval
// scores them: no orders, no customer.
func evalService(dir string, threshold float64, stderr io.Writer) (*assistant.Service, func(), error) {
	return evalServiceWith(dir, threshold, nil, stderr)
}

// evalServiceWith is evalService with a language model, if llm is set.
func evalServiceWith(dir string, threshold float64, llm *assistant.LLMConfig, stderr io.Writer) (*assistant.Service, func(), error) {
	base, err := openKB(dir, quietLogger(stderr))
	if err != nil {
		return nil, nil, err
	}
	svc, err := assistant.New(assistant.Config{Searcher: base, AnswerThreshold: threshold, LLM: llm, Logger: quietLogger(stderr)})
	if err != nil {
		base.Close()
		return nil, nil, err
	}
	return svc, func() { base.Close() }, nil
}
