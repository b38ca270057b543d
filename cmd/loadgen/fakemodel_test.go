package main

import (
	"encoding/json"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// TestFakeModelReply: the fake model answers from the first article of
// the prompt, citing it, "covered" first so that supportd streams it.
func TestFakeModelReply(t *testing.T) {
	req := openai.ChatCompletionRequest{Messages: []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: "rules"},
		{Role: openai.ChatMessageRoleUser, Content: "Articles :\n<article id=\"suivi\" titre=\"Suivre\">\nDepuis « Mes commandes ». Ou par email.\n</article>\n<article id=\"b\" titre=\"B\">\nAutre.\n</article>\n\nQuestion du client :\nou est mon colis"},
	}}
	r := fakeModelReply(req, 300*time.Millisecond)
	if r.Delay != 300*time.Millisecond || r.Text != `{"covered":true,"answer":"Depuis « Mes commandes ».","sources":["suivi"]}` {
		t.Errorf("reply %+v", r)
	}
	var g map[string]any
	if err := json.Unmarshal([]byte(fakeModelReply(openai.ChatCompletionRequest{}, 0).Text), &g); err != nil || g["covered"] != false {
		t.Errorf("without articles: %v, %v", g, err)
	}
}
