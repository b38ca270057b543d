package assistant

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/supportd/supportd/internal/openaitest"
)

// written collects what Message.Writing is given.
type written struct {
	mu     sync.Mutex
	pieces []string
}

func (w *written) add(p string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pieces = append(w.pieces, p)
}

func (w *written) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.pieces, "")
}

// TestLLMAnswerStreamed: the answer is shown word by word as the model
// writes it, and what was shown is the answer returned.
func TestLLMAnswerStreamed(t *testing.T) {
	svc, fake := llmShop(t, 2*time.Second)
	answer := "Votre colis arrive sous 48 h ; suivez-le sur https://shop.example/suivi, ou appelez le 01 23 45 67 89."
	fake.OnChat(func(req openai.ChatCompletionRequest) openaitest.Reply {
		r := modelSays(true, answer, "livraison-delais")
		r.Chunks = 25
		return r
	})
	var w written
	r, err := svc.Answer(context.Background(), Message{Text: "quand arrive mon paquet", Writing: w.add})
	if err != nil || !r.Generated || r.Text != answer {
		t.Fatalf("reply %+v, %v", r, err)
	}
	if len(w.pieces) < 5 || w.text() != answer {
		t.Errorf("shown in %d pieces: %q", len(w.pieces), w.text())
	}
	for _, p := range w.pieces[:len(w.pieces)-1] {
		if !strings.HasSuffix(p, " ") {
			t.Errorf("a piece that ends inside a word: %q", p)
		}
	}
	if st := svc.LLMStats(); st.FirstToken <= 0 || st.FirstToken > st.Latency || st.PromptTokens != 300 {
		t.Errorf("stats %+v", st)
	}
}

// TestLLMStreamShowsNothingUnsupported: nothing of an answer that is not
// covered is shown, and showing stops at the first word that holds a link
// of no source; the offline outcome then replaces it.
func TestLLMStreamShowsNothingUnsupported(t *testing.T) {
	for name, c := range map[string]struct {
		reply openaitest.Reply
		shown string
	}{
		"not covered":    {modelSays(false, "Je ne sais pas, désolé de ne pas pouvoir vous aider.", "livraison-delais"), ""},
		"answer first":   {openaitest.Reply{Text: `{"answer": "Sous 48 h, promis juré.", "covered": true, "sources": ["livraison-delais"]}`}, ""},
		"invented link":  {modelSays(true, "Sous 48 h. Voir https://evil.example/phish pour le suivi.", "livraison-delais"), "Sous 48 h. Voir "},
		"invented phone": {modelSays(true, "Sous 48 h, au 06 66 66 66 66 si besoin.", "livraison-delais"), "Sous 48 h, au 06 66 66 "},
	} {
		t.Run(name, func(t *testing.T) {
			svc, fake := llmShop(t, 2*time.Second)
			fake.OnChat(func(openai.ChatCompletionRequest) openaitest.Reply {
				r := c.reply
				r.Chunks = 40
				return r
			})
			var w written
			r, _ := svc.Answer(context.Background(), Message{Text: "quand arrive mon paquet", Writing: w.add})
			if w.text() != c.shown {
				t.Errorf("shown %q, want %q", w.text(), c.shown)
			}
			if name != "answer first" && r.Generated {
				t.Errorf("reply %+v, want the offline outcome", r)
			}
		})
	}
}

// TestLLMStreamCutOff: a stream that stops before its end, or a model
// that stops answering in the middle, gives the offline outcome within
// the timeout.
func TestLLMStreamCutOff(t *testing.T) {
	svc, fake := llmShop(t, 300*time.Millisecond)
	fake.OnChat(func(openai.ChatCompletionRequest) openaitest.Reply {
		r := modelSays(true, "Votre colis arrive sous 48 h, en France métropolitaine.", "livraison-delais")
		r.Chunks, r.ChunkDelay = 10, 100*time.Millisecond
		return r
	})
	var w written
	start := time.Now()
	r, _ := svc.Answer(context.Background(), Message{Text: "quand arrive mon paquet", Writing: w.add})
	if r.Generated || r.Route != RouteFallback {
		t.Errorf("reply %+v after a timeout mid-stream", r)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("answered after %s, before the timeout", took)
	}
	if st := svc.LLMStats(); st.Failed != 1 {
		t.Errorf("stats %+v: the cut stream is not counted as a failure", st)
	}
}

// FuzzPartialAnswer: however the reply is cut into pieces, what is shown
// is a prefix of the answer, valid UTF-8, and the whole answer once the
// reply is complete and holds nothing unsupported.
func FuzzPartialAnswer(f *testing.F) {
	f.Add("Sous 48 h, « promis » \\ \"vraiment\" 😀 é\n fin.", uint8(3))
	f.Add("a", uint8(1))
	f.Add("\u2028\t\"", uint8(7))
	f.Fuzz(func(t *testing.T, answer string, step uint8) {
		if !utf8.ValidString(answer) {
			return
		}
		data, _ := json.Marshal(groundedAnswer{Covered: true, Answer: answer, Sources: []string{"a"}})
		raw := string(data)
		n := int(step)%9 + 1
		var shown strings.Builder
		a := &answerStream{show: func(p string) { shown.WriteString(p) }, known: newSourceText(answer)}
		for i := 0; i < len(raw); i += n {
			a.add(raw[i:min(i+n, len(raw))])
			if !strings.HasPrefix(answer, shown.String()) || !utf8.ValidString(shown.String()) {
				t.Fatalf("shown %q, not a prefix of %q", shown.String(), answer)
			}
		}
		if shown.String() != answer {
			t.Fatalf("shown %q of %q", shown.String(), answer)
		}
	})
}

// TestLLMFailuresGiveTheOfflineOutcome: every way the model can fail —
// no answer, a first byte after the timeout, a stream that stops in the
// middle, a 429 asking to wait past the deadline, a 500, a 503, a
// malformed stream — gives the offline outcome, and counts the failure.
// The time each took over the timeout is logged (go test -v -run
// FailuresGive ./assistant); the test fails only on a wait far past it,
// such as one that honoured the Retry-After, as a shared machine's
// scheduling must not fail it.
func TestLLMFailuresGiveTheOfflineOutcome(t *testing.T) {
	const timeout = 300 * time.Millisecond
	detectLang("quand arrive mon paquet", "fr") // loads the language models, once
	for name, reply := range map[string]openaitest.Reply{
		"stalled":             {Stall: true},
		"first byte too late": {Delay: 2 * time.Second, Text: `{"covered": true, "answer": "trop tard", "sources": ["livraison-delais"]}`},
		"stream stops":        {Text: `{"covered": true, "answer": "Sous 48 h en France métropolitaine, sauf exceptions.", "sources": ["livraison-delais"]}`, Chunks: 10, ChunkDelay: 200 * time.Millisecond},
		"429 for a minute":    {Status: 429, RetryAfter: "60"},
		"500":                 {Status: 500},
		"503":                 {Status: 503},
		"malformed":           {Malformed: true},
	} {
		t.Run(name, func(t *testing.T) {
			svc, fake := llmShop(t, timeout)
			fake.OnChat(func(openai.ChatCompletionRequest) openaitest.Reply { return reply })
			start := time.Now()
			r, err := svc.Answer(context.Background(), Message{Text: "quand arrive mon paquet", Writing: func(string) {}})
			took := time.Since(start)
			t.Logf("%s: offline outcome after %s (timeout %s)", name, took.Round(time.Millisecond), timeout)
			if err != nil || r.Generated || r.Route != RouteFallback || len(r.Articles) == 0 {
				t.Errorf("reply %+v, %v: want the offline suggestions", r, err)
			}
			if took > timeout+time.Second {
				t.Errorf("the offline outcome came after %s, far past the timeout of %s", took, timeout)
			}
			if st := svc.LLMStats(); st.Failed != 1 || st.Answered != 0 {
				t.Errorf("stats %+v: the failure is not counted", st)
			}
		})
	}
}
