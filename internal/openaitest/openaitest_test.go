package openaitest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

func chatRequest(stream bool) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{Model: "fake-model", Stream: stream,
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Bonjour"}}}
}

// TestChat: go-openai reads the fake's answers, plain and streamed, tool
// calls included, and the fake keeps what it was asked.
func TestChat(t *testing.T) {
	s := Start(t)
	s.OnChat(func(req openai.ChatCompletionRequest) Reply {
		return Reply{Text: "Réponse à « " + req.Messages[0].Content + " »", PromptTokens: 12, CompletionTokens: 5, Chunks: 4}
	})
	c := s.Client()
	resp, err := c.CreateChatCompletion(context.Background(), chatRequest(false))
	if err != nil || resp.Choices[0].Message.Content != "Réponse à « Bonjour »" || resp.Usage.PromptTokens != 12 {
		t.Fatalf("plain: %+v, %v", resp, err)
	}
	st, err := c.CreateChatCompletionStream(context.Background(), chatRequest(true))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	deltas := 0
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Content != "" {
			deltas++
			text.WriteString(chunk.Choices[0].Delta.Content)
		}
	}
	st.Close()
	if text.String() != "Réponse à « Bonjour »" || deltas != 4 {
		t.Errorf("streamed %q in %d deltas", text.String(), deltas)
	}
	s.OnChat(func(openai.ChatCompletionRequest) Reply {
		return Reply{ToolCalls: []openai.ToolCall{{ID: "call_1", Type: openai.ToolTypeFunction, Function: openai.FunctionCall{Name: "recent_orders", Arguments: `{"limit":3}`}}}}
	})
	resp, err = c.CreateChatCompletion(context.Background(), chatRequest(false))
	if err != nil || len(resp.Choices[0].Message.ToolCalls) != 1 || resp.Choices[0].Message.ToolCalls[0].Function.Name != "recent_orders" || resp.Choices[0].FinishReason != openai.FinishReasonToolCalls {
		t.Fatalf("tool call: %+v, %v", resp, err)
	}
	st, err = c.CreateChatCompletionStream(context.Background(), chatRequest(true))
	if err != nil {
		t.Fatal(err)
	}
	var name, args string
	for {
		chunk, err := st.Recv()
		if err != nil {
			break
		}
		for _, tc := range chunk.Choices[0].Delta.ToolCalls {
			name += tc.Function.Name
			args += tc.Function.Arguments
		}
	}
	st.Close()
	if name != "recent_orders" || args != `{"limit":3}` {
		t.Errorf("streamed tool call %q %q", name, args)
	}
	if n := len(s.Requests()); n != 4 {
		t.Errorf("%d requests kept", n)
	}
}

// TestFailures: errors carry their status, a stalled answer ends with the
// client's deadline, a malformed one is an error.
func TestFailures(t *testing.T) {
	s := Start(t)
	c := s.Client()
	for _, status := range []int{429, 500} {
		s.OnChat(func(openai.ChatCompletionRequest) Reply { return Reply{Status: status, RetryAfter: "2"} })
		_, err := c.CreateChatCompletion(context.Background(), chatRequest(false))
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != status {
			t.Errorf("status %d: %v", status, err)
		}
	}
	s.OnChat(func(openai.ChatCompletionRequest) Reply { return Reply{Stall: true} })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err := c.CreateChatCompletion(ctx, chatRequest(false))
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stalled: %v", err)
	}
	s.OnChat(func(openai.ChatCompletionRequest) Reply { return Reply{Malformed: true} })
	if _, err := c.CreateChatCompletion(context.Background(), chatRequest(false)); err == nil {
		t.Error("a malformed answer read without error")
	}
}

// TestEmbeddings: one vector per text, in order, scripted or not.
func TestEmbeddings(t *testing.T) {
	s := Start(t)
	c := s.Client()
	resp, err := c.CreateEmbeddings(context.Background(), openai.EmbeddingRequest{Model: "fake-embed", Input: []string{"un", "deux mots"}})
	if err != nil || len(resp.Data) != 2 || resp.Data[1].Embedding[0] != 9 {
		t.Fatalf("embeddings %+v, %v", resp, err)
	}
	s.OnEmbeddings(func(in []string) [][]float32 {
		out := make([][]float32, len(in))
		for i := range in {
			out[i] = []float32{1, 0}
		}
		return out
	})
	resp, err = c.CreateEmbeddings(context.Background(), openai.EmbeddingRequest{Model: "fake-embed", Input: []string{"trois"}})
	if err != nil || resp.Data[0].Embedding[0] != 1 {
		t.Fatalf("scripted embeddings %+v, %v", resp, err)
	}
	if got := s.Embedded(); strings.Join(got, "|") != "un|deux mots|trois" {
		t.Errorf("embedded %q", got)
	}
}
