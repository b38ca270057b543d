package assistant

import (
	"context"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/supportd/supportd/internal/openaitest"
)

// BenchmarkLLMAnswer: the CPU of an answer written by a model that
// answers at once, streamed in 20 pieces, shown as it comes — the
// language-model path's own cost (with the fake's, in this process).
func BenchmarkLLMAnswer(b *testing.B) {
	fake := openaitest.Start(b)
	fake.KeepRequests(false)
	answer := modelSays(true, "Votre colis arrive sous 48 h ; suivez-le sur https://shop.example/suivi, ou appelez le 01 23 45 67 89.", "livraison-delais")
	answer.Chunks = 20
	fake.OnChat(func(openai.ChatCompletionRequest) openaitest.Reply { return answer })
	svc, _ := llmShop(&testing.T{}, 5*time.Second)
	svc.llm.cfg.Client = fake.Client()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r, _ := svc.Answer(ctx, Message{Text: "quand arrive mon paquet", Writing: func(string) {}}); !r.Generated {
			b.Fatal("not written")
		}
	}
}
