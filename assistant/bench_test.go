package assistant

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/supportd/supportd/kb"
)

// benchQuestions are the load generator's questions
// (cmd/loadgen/questions.txt): the offline answer's CPU as the chat
// benchmarks spend it.
func benchQuestions(b *testing.B) []string {
	data, err := os.ReadFile("../cmd/loadgen/questions.txt")
	if err != nil {
		b.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// BenchmarkOfflineAnswer: the CPU of an answer without a language model,
// on the demo shop's knowledge base, the questions in turn (the search
// cache keeps their hits, as it does under the load generator).
func BenchmarkOfflineAnswer(b *testing.B) {
	base, err := kb.Open(kb.Config{FS: os.DirFS("../cmd/supportd/demo/kb")})
	if err != nil {
		b.Fatal(err)
	}
	defer base.Close()
	svc, err := New(Config{Searcher: base})
	if err != nil {
		b.Fatal(err)
	}
	questions := benchQuestions(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		svc.Answer(ctx, Message{Text: questions[i%len(questions)]})
		i++
	}
}

// TestLangCache: a language found once is found again from the cache,
// alike, and the cache stays within its size.
func TestLangCache(t *testing.T) {
	for _, text := range []string{"Comment suivre mon colis ?", "Where is my parcel?", "ok"} {
		first, again := detectLang(text, "en"), detectLang(text, "en")
		if first != again {
			t.Errorf("%q: %s, then %s from the cache", text, first, again)
		}
	}
	if got := detectLang("ok", "fr"); got != "fr" {
		t.Errorf("« ok » with a French interface: %s (the hint decides when the text does not tell)", got)
	}
	for i := range langCacheSize + 10 {
		detected(strings.Repeat("a", i%190+1) + " colis " + string(rune('a'+i%26)) + strconv.Itoa(i))
	}
	langCache.Lock()
	n := len(langCache.langs)
	langCache.Unlock()
	if n > langCacheSize {
		t.Errorf("the cache holds %d texts, over %d", n, langCacheSize)
	}
}
