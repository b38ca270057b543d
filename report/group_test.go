package report

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/supportd/supportd/kb"
)

// pair is a line of testdata/paraphrases.txt.
type pair struct {
	same bool
	a, b string
}

func readPairs(t *testing.T) []pair {
	t.Helper()
	f, err := os.Open("testdata/paraphrases.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []pair
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		kind, rest, ok := strings.Cut(line, ": ")
		if strings.HasPrefix(line, "#") || !ok {
			continue
		}
		a, b, ok := strings.Cut(rest, " | ")
		if !ok || kind != "same" && kind != "distinct" {
			t.Fatalf("bad line %q", line)
		}
		out = append(out, pair{kind == "same", a, b})
	}
	return out
}

// langOf guesses a test question's language: the set's English questions
// use no accent and these words.
func langOf(q string) string {
	for _, w := range strings.Fields(strings.ToLower(q)) {
		switch strings.Trim(w, "?,.") {
		case "how", "my", "the", "do", "can", "is", "i", "where", "when", "what":
			return "en"
		}
	}
	return "fr"
}

// TestParaphraseGrouping: the report puts at least 90 % of the test set's
// pairs of wordings of one question on one line, and keeps at least 90 %
// of its pairs of different questions apart.
func TestParaphraseGrouping(t *testing.T) {
	w := demoWeights(t)
	var same, sameOK, distinct, distinctOK int
	for _, p := range readPairs(t) {
		groups := GroupMisses([]Miss{{Conversation: "c1", Lang: langOf(p.a), Question: p.a}, {Conversation: "c2", Lang: langOf(p.b), Question: p.b}}, w)
		together := len(groups) == 1
		if p.same {
			same++
			if together {
				sameOK++
			} else {
				t.Logf("apart, but one question: %q | %q", p.a, p.b)
			}
		} else {
			distinct++
			if !together {
				distinctOK++
			} else {
				t.Logf("together, but two questions: %q | %q", p.a, p.b)
			}
		}
	}
	grouped, apart := float64(sameOK)/float64(same), float64(distinctOK)/float64(distinct)
	t.Logf("paraphrases on one line: %d of %d (%.3f); different questions apart: %d of %d (%.3f)", sameOK, same, grouped, distinctOK, distinct, apart)
	if grouped < 0.9 || apart < 0.9 {
		t.Errorf("grouped %.3f, apart %.3f: both must be at least 0.9", grouped, apart)
	}
}

// demoWeights are the weights of the demo shop's knowledge base.
func demoWeights(t *testing.T) *Weights {
	t.Helper()
	c, _, err := kb.Load(os.DirFS("../cmd/supportd/demo/kb"))
	if err != nil {
		t.Fatal(err)
	}
	return WeightsOf(c.Published())
}
