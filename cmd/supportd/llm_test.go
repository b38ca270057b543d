package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	openai "github.com/sashabaranov/go-openai"

	"github.com/supportd/supportd/internal/openaitest"
)

// TestServeWithALanguageModel: supportd serve with --llm-model and
// OPENAI_BASE_URL answers a customer with what the model wrote from the
// articles found, its sources listed; when the model fails, with the
// offline answer.
func TestServeWithALanguageModel(t *testing.T) {
	fake := openaitest.Start(t)
	fake.OnChat(func(req openai.ChatCompletionRequest) openaitest.Reply {
		if !strings.Contains(req.Messages[1].Content, `id="commande-suivi-colis"`) {
			return openaitest.Reply{Status: 500}
		}
		data, _ := json.Marshal(map[string]any{"covered": true, "answer": "Suivez votre colis depuis « Mes commandes », avec le lien de suivi de l'email d'expédition.", "sources": []string{"commande-suivi-colis"}})
		return openaitest.Reply{Text: string(data)}
	})
	t.Setenv("OPENAI_BASE_URL", fake.URL)
	t.Setenv("OPENAI_API_KEY", "test-key")
	t.Setenv("SUPPORTD_METRICS_TOKEN", "llm-metrics-token")
	srv := startServer(t, t.TempDir(), "--llm-model", "fake-model", "--llm-timeout", "3s")
	ask := func(q string) map[string]any {
		t.Helper()
		ws, err := srv.dial()
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		ws.WriteJSON(map[string]any{"type": "hello", "v": 1})
		ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_llm00001", "text": q})
		ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		for {
			var f map[string]any
			if err := ws.ReadJSON(&f); err != nil {
				t.Fatalf("reading the answer to %q: %v", q, err)
			}
			if f["type"] == "message" && f["author"] == "bot" {
				return f
			}
		}
	}
	f := ask("Comment suivre mon colis ?")
	if f["generated"] != true || !strings.Contains(f["text"].(string), "Mes commandes") || !strings.Contains(string(must(json.Marshal(f["articles"]))), "commande-suivi-colis") {
		t.Errorf("the written answer: %v", f)
	}
	// The model fails for anything else: the offline outcome stands.
	f = ask("Puis-je payer par chèque ?")
	if f["generated"] == true {
		t.Errorf("an answer from a failing model: %v", f)
	}
	// The model's figures are in the metrics.
	families, status := scrape(t, "http://"+srv.addr+"/metrics", "llm-metrics-token")
	if status != 200 {
		t.Fatalf("metrics: %d", status)
	}
	for name, want := range map[string]float64{"supportd_llm_calls_total": 2, "supportd_llm_answered_total": 1, "supportd_llm_errors_total": 1} {
		if f := families[name]; f == nil || f.Metric[0].Counter.GetValue() != want {
			t.Errorf("%s: %v, want %v", name, f, want)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestKBEvalWithALanguageModel: kb eval --llm scores through the model
// at OPENAI_BASE_URL, with its counts, tokens and latency per answer.
func TestKBEvalWithALanguageModel(t *testing.T) {
	fake := openaitest.Start(t)
	fake.OnChat(func(req openai.ChatCompletionRequest) openaitest.Reply {
		data, _ := json.Marshal(map[string]any{"covered": true, "answer": "Depuis « Mes commandes ».", "sources": []string{"commande-suivi-colis"}})
		return openaitest.Reply{Text: string(data), PromptTokens: 500, CompletionTokens: 30}
	})
	t.Setenv("OPENAI_BASE_URL", fake.URL)
	cases := t.TempDir() + "/cases.jsonl"
	if err := os.WriteFile(cases, []byte(`{"q": "Comment suivre mon colis ?", "expect": "faq:commande-suivi-colis"}
{"q": "bonjour", "expect": "smalltalk"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCmd(t, "", "kb", "eval", "--cases", cases, "--llm", "fake-model")
	if err != nil {
		t.Fatalf("kb eval --llm: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "llm: calls=1 answered=1 discarded=0 failed=0 prompt_tokens_per_answer=500 completion_tokens_per_answer=30") ||
		!strings.Contains(out, "right=1.000") {
		t.Errorf("kb eval --llm:\n%s", out)
	}
}

// TestStreamedAnswerInBrowser: in Chromium, a customer asks the widget a
// question; the model's answer shows as it is written, then gives way to
// the stored answer, its source a link to the article; after a reload the
// complete answer is there, and no draft.
func TestStreamedAnswerInBrowser(t *testing.T) {
	const answer = "Suivez votre colis depuis « Mes commandes » : le lien de suivi est aussi dans l'email d'expédition, dès que le colis part."
	fake := openaitest.Start(t)
	fake.OnChat(func(req openai.ChatCompletionRequest) openaitest.Reply {
		// In the order the rules ask for: "covered" first, so that the
		// answer may be shown as it comes.
		data, _ := json.Marshal(struct {
			Covered bool     `json:"covered"`
			Answer  string   `json:"answer"`
			Sources []string `json:"sources"`
		}{true, answer, []string{"commande-suivi-colis"}})
		return openaitest.Reply{Text: string(data), Chunks: 30, ChunkDelay: 100 * time.Millisecond}
	})
	t.Setenv("OPENAI_BASE_URL", fake.URL)
	t.Setenv("OPENAI_API_KEY", "test-key")
	srv := startServer(t, t.TempDir(), "--llm-model", "fake-model", "--llm-timeout", "10s")
	ctx := newBrowser(t)
	var partial, during, href, html string
	err := chromedp.Run(ctx,
		chromedp.Navigate("http://"+srv.addr+"/"),
		click(".sd-launcher"),
		typeInto(".sd-input", "Comment suivre mon colis ?"),
		pressEnter(".sd-input"),
		waitText(".sd-draft", "Suivez votre"),
		chromedp.Text(".sd-draft", &partial, chromedp.ByQuery),
		chromedp.OuterHTML(".sd-log", &during, chromedp.ByQuery),
		waitText(".sd-articles", "Réponse rédigée à partir de"),
		chromedp.AttributeValue(".sd-articles a", "href", &href, nil, chromedp.ByQuery),
		chromedp.OuterHTML(".sd-log", &html, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if q, d := strings.Index(during, "sd-msg sd-customer"), strings.Index(during, "sd-draft"); q < 0 || d < q {
		t.Errorf("while written, the answer is not after the question: %s", during)
	}
	if strings.Contains(partial, "dès que le colis part") {
		t.Errorf("the draft showed the whole answer at once: %q", partial)
	}
	if !strings.HasSuffix(href, "/help/commande-suivi-colis") || strings.Contains(html, "sd-draft") || strings.Count(html, "Mes commandes") != 1 {
		t.Errorf("after the answer: href %q, log %s", href, html)
	}
	err = chromedp.Run(ctx,
		chromedp.Reload(),
		click(".sd-launcher"),
		waitText(".sd-log", "dès que le colis part."),
		chromedp.OuterHTML(".sd-log", &html, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "sd-draft") || !strings.Contains(html, "Réponse rédigée à partir de") {
		t.Errorf("after a reload: %s", html)
	}
}
