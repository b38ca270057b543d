package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/supportd/supportd/internal/openaitest"
)

// With -fake-model ADDR, loadgen serves a fake OpenAI-compatible model
// instead of putting load: every chat completion is answered after
// -fake-model-latency, from the first article of the prompt and citing
// it, streamed. supportd pointed at it (OPENAI_BASE_URL) then shows what
// its language-model path costs beside the offline one, with a model of
// known speed (docs/benchmarks.md).

// firstArticle finds the first article of a prompt: its id and body.
var firstArticle = regexp.MustCompile(`(?s)<article id="([^"]*)"[^>]*>\n(.*?)\n</article>`)

// fakeModelReply answers a request from its first article: its first
// sentence, which holds no link or number the article does not.
func fakeModelReply(req openai.ChatCompletionRequest, latency time.Duration) openaitest.Reply {
	prompt := ""
	for _, m := range req.Messages {
		if m.Role == openai.ChatMessageRoleUser {
			prompt = m.Content
		}
	}
	sub := firstArticle.FindStringSubmatch(prompt)
	if sub == nil {
		return openaitest.Reply{Delay: latency, Text: `{"covered": false, "answer": "", "sources": []}`}
	}
	body := strings.Join(strings.Fields(sub[2]), " ")
	if i := strings.Index(body, ". "); i > 0 {
		body = body[:i+1]
	}
	data, _ := json.Marshal(struct {
		Covered bool     `json:"covered"`
		Answer  string   `json:"answer"`
		Sources []string `json:"sources"`
	}{true, body, []string{sub[1]}})
	// The whole answer after the latency, in 20 chunks written at once.
	return openaitest.Reply{Delay: latency, Text: string(data), Chunks: 20, Burst: true, PromptTokens: len(prompt) / 4, CompletionTokens: len(body) / 4}
}

// serveFakeModel serves the fake model on addr until ctx ends.
func serveFakeModel(ctx context.Context, addr string, latency time.Duration) error {
	fake := openaitest.New()
	fake.KeepRequests(false)
	fake.OnChat(func(req openai.ChatCompletionRequest) openaitest.Reply { return fakeModelReply(req, latency) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: fake.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Printf("fake model at http://%s/v1, answering in %s\n", ln.Addr(), latency)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
