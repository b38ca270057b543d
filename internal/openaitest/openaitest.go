// Package openaitest is a fake OpenAI-compatible API for tests: chat
// completions with and without streaming (server-sent events and a final
// [DONE]), tool-call deltas, embeddings, errors with Retry-After, slow,
// stalled and malformed answers, each scripted by the test. It speaks the
// API as github.com/sashabaranov/go-openai does, with that package's own
// types, so that code tested against it runs unchanged against a real
// server.
package openaitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Reply is what the fake answers one chat completion with.
type Reply struct {
	// Text is the assistant's content; ToolCalls, tool calls instead of
	// or beside it.
	Text      string
	ToolCalls []openai.ToolCall
	// Status, when set, answers with that HTTP error instead, and
	// RetryAfter, when set, with that Retry-After header.
	Status     int
	RetryAfter string
	// Delay waits before the first byte; Stall never answers, until the
	// client gives up.
	Delay time.Duration
	Stall bool
	// Malformed answers a body that is not the JSON the API promises.
	Malformed bool
	// Chunks splits a streamed Text into this many deltas (default 3),
	// ChunkDelay apart.
	Chunks     int
	ChunkDelay time.Duration
	// Burst writes the streamed chunks in one write, as a server that
	// has the whole answer at once; without it each chunk is flushed.
	Burst bool
	// PromptTokens and CompletionTokens are reported as the usage.
	PromptTokens, CompletionTokens int
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API's base URL, ending in /v1, for
	// openai.ClientConfig.BaseURL.
	URL string

	mu       sync.Mutex
	chat     func(openai.ChatCompletionRequest) Reply
	embed    func(input []string) [][]float32
	requests []openai.ChatCompletionRequest
	embedded []string
	forget   bool
}

// Start starts a fake that answers every chat completion with "ok" until
// told otherwise; it stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := New()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/v1"
	return s
}

// New returns a fake that is not listening yet, for a program that serves
// its Handler itself (the load generator's fake model); its URL is for
// the caller to set.
func New() *Server {
	return &Server{chat: func(openai.ChatCompletionRequest) Reply { return Reply{Text: "ok"} }}
}

// Handler serves the API under /v1.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chatCompletions)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	return mux
}

// KeepRequests, when false, stops recording the chat requests received
// (Requests), for a fake that serves many.
func (s *Server) KeepRequests(keep bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget = !keep
}

// Client returns a go-openai client of the fake.
func (s *Server) Client() *openai.Client {
	cfg := openai.DefaultConfig("test-key")
	cfg.BaseURL = s.URL
	return openai.NewClientWithConfig(cfg)
}

// OnChat scripts the chat completions from now on.
func (s *Server) OnChat(f func(openai.ChatCompletionRequest) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat = f
}

// OnEmbeddings scripts the embeddings: a vector for each input text. By
// default every text gets a vector derived from its length.
func (s *Server) OnEmbeddings(f func(input []string) [][]float32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embed = f
}

// Requests returns the chat completion requests received so far.
func (s *Server) Requests() []openai.ChatCompletionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]openai.ChatCompletionRequest(nil), s.requests...)
}

// Embedded returns the texts embedded so far, in order.
func (s *Server) Embedded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.embedded...)
}

func apiError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(openai.ErrorResponse{Error: &openai.APIError{Message: message, Type: "fake_error", Code: status}})
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) {
	var req openai.ChatCompletionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "bad request: "+err.Error())
		return
	}
	s.mu.Lock()
	if !s.forget {
		s.requests = append(s.requests, req)
	}
	script := s.chat
	s.mu.Unlock()
	reply := script(req)
	if reply.Stall {
		<-r.Context().Done()
		return
	}
	if reply.Delay > 0 {
		select {
		case <-time.After(reply.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if reply.Status != 0 {
		if reply.RetryAfter != "" {
			w.Header().Set("Retry-After", reply.RetryAfter)
		}
		apiError(w, reply.Status, http.StatusText(reply.Status))
		return
	}
	if reply.Malformed && req.Stream {
		// A first chunk that is not JSON, then the end of the stream.
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"id\": \"chatcmpl-1\", \"choices\": [{\"delta\": \n\ndata: [DONE]\n\n")
		return
	}
	if reply.Malformed {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id": "chatcmpl-1", "choices": [{"message": `))
		return
	}
	usage := openai.Usage{PromptTokens: reply.PromptTokens, CompletionTokens: reply.CompletionTokens, TotalTokens: reply.PromptTokens + reply.CompletionTokens}
	if req.Stream {
		s.stream(w, r, req, reply, usage)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(openai.ChatCompletionResponse{
		ID: "chatcmpl-fake", Object: "chat.completion", Created: time.Now().Unix(), Model: req.Model,
		Choices: []openai.ChatCompletionChoice{{Index: 0, FinishReason: finishReason(reply),
			Message: openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: reply.Text, ToolCalls: reply.ToolCalls}}},
		Usage: usage,
	})
}

func finishReason(r Reply) openai.FinishReason {
	if len(r.ToolCalls) > 0 {
		return openai.FinishReasonToolCalls
	}
	return openai.FinishReasonStop
}

// stream answers with server-sent events: the role, the text in chunks,
// each tool call as a delta naming it and one carrying its arguments, the
// finish reason with the usage, then [DONE].
func (s *Server) stream(w http.ResponseWriter, r *http.Request, req openai.ChatCompletionRequest, reply Reply, usage openai.Usage) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	send := func(delta openai.ChatCompletionStreamChoiceDelta, finish openai.FinishReason, u *openai.Usage) bool {
		chunk := openai.ChatCompletionStreamResponse{ID: "chatcmpl-fake", Object: "chat.completion.chunk", Created: time.Now().Unix(), Model: req.Model,
			Choices: []openai.ChatCompletionStreamChoice{{Index: 0, Delta: delta, FinishReason: finish}}, Usage: u}
		data, _ := json.Marshal(chunk)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
			return false
		}
		if flusher != nil && !reply.Burst {
			flusher.Flush()
		}
		if reply.ChunkDelay > 0 {
			select {
			case <-time.After(reply.ChunkDelay):
			case <-r.Context().Done():
				return false
			}
		}
		return true
	}
	if !send(openai.ChatCompletionStreamChoiceDelta{Role: openai.ChatMessageRoleAssistant}, "", nil) {
		return
	}
	for _, part := range split(reply.Text, reply.Chunks) {
		if !send(openai.ChatCompletionStreamChoiceDelta{Content: part}, "", nil) {
			return
		}
	}
	for i, tc := range reply.ToolCalls {
		idx := i
		head := openai.ToolCall{Index: &idx, ID: tc.ID, Type: openai.ToolTypeFunction, Function: openai.FunctionCall{Name: tc.Function.Name}}
		args := openai.ToolCall{Index: &idx, Function: openai.FunctionCall{Arguments: tc.Function.Arguments}}
		if !send(openai.ChatCompletionStreamChoiceDelta{ToolCalls: []openai.ToolCall{head}}, "", nil) ||
			!send(openai.ChatCompletionStreamChoiceDelta{ToolCalls: []openai.ToolCall{args}}, "", nil) {
			return
		}
	}
	if !send(openai.ChatCompletionStreamChoiceDelta{}, finishReason(reply), &usage) {
		return
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// split cuts text into n parts (3 by default), at rune boundaries.
func split(text string, n int) []string {
	if text == "" {
		return nil
	}
	if n <= 0 {
		n = 3
	}
	runes := []rune(text)
	n = min(n, len(runes))
	var parts []string
	for i := range n {
		parts = append(parts, string(runes[i*len(runes)/n:(i+1)*len(runes)/n]))
	}
	return parts
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Input json.RawMessage `json:"input"`
		Model string          `json:"model"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "bad request: "+err.Error())
		return
	}
	var inputs []string
	if err := json.Unmarshal(req.Input, &inputs); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			apiError(w, http.StatusBadRequest, "input is a text or a list of texts")
			return
		}
		inputs = []string{one}
	}
	s.mu.Lock()
	s.embedded = append(s.embedded, inputs...)
	embed := s.embed
	s.mu.Unlock()
	var vectors [][]float32
	if embed != nil {
		vectors = embed(inputs)
	} else {
		for _, in := range inputs {
			vectors = append(vectors, []float32{float32(len(in)), float32(strings.Count(in, " ")), 1})
		}
	}
	resp := openai.EmbeddingResponse{Object: "list", Model: openai.EmbeddingModel(req.Model)}
	for i, v := range vectors {
		resp.Data = append(resp.Data, openai.Embedding{Object: "embedding", Embedding: v, Index: i})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}
