package assistant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	openai "github.com/sashabaranov/go-openai"

	"github.com/supportd/supportd/kb"
)

// With an embedding model configured, the articles the language model
// writes from are found by meaning as well as by words: the message and
// every article are embedded (/v1/embeddings), the articles nearest the
// message by cosine are fused with the lexical ranking by reciprocal rank,
// and the first of the fused list go to the model. An article's vector is
// kept under the hash of its content, in memory and in a file, so that a
// restart or an edit embeds again only what changed.

// rrfK is the constant of reciprocal rank fusion: 1/(rrfK+rank).
const rrfK = 60

// embedBatch is how many articles one embeddings request holds.
const embedBatch = 64

// denseCandidates is how many articles each ranking brings to the fusion.
const denseCandidates = 5

// embedder embeds texts and keeps the articles' vectors.
type embedder struct {
	client *openai.Client
	model  string
	// path is the cache file, "" for none.
	path string

	mu      sync.Mutex
	vectors map[string][]float32 // content hash -> vector
	loaded  bool
}

func newEmbedder(client *openai.Client, model, cacheDir string) *embedder {
	e := &embedder{client: client, model: model, vectors: map[string][]float32{}}
	if cacheDir != "" {
		name := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
				return r
			}
			return '_'
		}, model)
		e.path = filepath.Join(cacheDir, "embeddings-"+name+".json")
	}
	return e
}

// contentHash identifies what of an article is embedded.
func contentHash(a *kb.Article) string {
	h := sha256.New()
	h.Write([]byte(a.Title + "\n" + strings.Join(a.Questions, "\n") + "\n" + a.Body))
	return hex.EncodeToString(h.Sum(nil))
}

// embedText is what is embedded of an article.
func embedText(a *kb.Article) string {
	return a.Title + "\n" + strings.Join(a.Questions, "\n") + "\n" + a.Body
}

// vectorsOf returns the vector of each article (by id), embedding those
// not known yet in one request and saving the cache when it grew.
func (e *embedder) vectorsOf(ctx context.Context, articles []*kb.Article) (map[string][]float32, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.loaded {
		e.loaded = true
		if data, err := os.ReadFile(e.path); e.path != "" && err == nil {
			json.Unmarshal(data, &e.vectors)
		}
	}
	out := make(map[string][]float32, len(articles))
	var missing []*kb.Article
	for _, a := range articles {
		if v, ok := e.vectors[contentHash(a)]; ok {
			out[a.ID] = v
		} else {
			missing = append(missing, a)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	// In batches, as servers bound the inputs of one request.
	for start := 0; start < len(missing); start += embedBatch {
		batch := missing[start:min(start+embedBatch, len(missing))]
		inputs := make([]string, len(batch))
		for i, a := range batch {
			inputs[i] = embedText(a)
		}
		resp, err := e.client.CreateEmbeddings(ctx, openai.EmbeddingRequest{Model: openai.EmbeddingModel(e.model), Input: inputs})
		if err != nil {
			return nil, err
		}
		for _, d := range resp.Data {
			if d.Index >= 0 && d.Index < len(batch) {
				e.vectors[contentHash(batch[d.Index])] = d.Embedding
				out[batch[d.Index].ID] = d.Embedding
			}
		}
	}
	if e.path != "" {
		if data, err := json.Marshal(e.vectors); err == nil {
			tmp := e.path + ".tmp"
			if os.WriteFile(tmp, data, 0o644) == nil {
				os.Rename(tmp, e.path)
			}
		}
	}
	return out, nil
}

// embed returns the vector of one text.
func (e *embedder) embed(ctx context.Context, text string) ([]float32, error) {
	resp, err := e.client.CreateEmbeddings(ctx, openai.EmbeddingRequest{Model: openai.EmbeddingModel(e.model), Input: []string{text}})
	if err != nil {
		return nil, err
	}
	if len(resp.Data) == 0 {
		return nil, errEmptyEmbedding
	}
	return resp.Data[0].Embedding, nil
}

var errEmptyEmbedding = errors.New("assistant: no vector in the embeddings' reply")

func cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// hybridHits fuses the lexical hits with the articles nearest the text by
// meaning, by reciprocal rank, and returns the first limit; on any failure
// of the embeddings it returns the lexical hits.
func (s *Service) hybridHits(ctx context.Context, text string, lexical []kb.Hit, limit int) []kb.Hit {
	e := s.embedder
	ctx, cancel := context.WithTimeout(ctx, s.llm.cfg.Timeout)
	defer cancel()
	articles := s.cfg.Searcher.Articles()
	vectors, err := e.vectorsOf(ctx, articles)
	if err != nil {
		s.cfg.Logger.Warn("assistant: embed articles", "err", err)
		return lexical[:min(len(lexical), limit)]
	}
	q, err := e.embed(ctx, text)
	if err != nil {
		s.cfg.Logger.Warn("assistant: embed message", "err", err)
		return lexical[:min(len(lexical), limit)]
	}
	type near struct {
		a   *kb.Article
		sim float64
	}
	var dense []near
	for _, a := range articles {
		if v, ok := vectors[a.ID]; ok {
			dense = append(dense, near{a, cosine(q, v)})
		}
	}
	sort.SliceStable(dense, func(i, j int) bool { return dense[i].sim > dense[j].sim })
	score := map[string]float64{}
	byID := map[string]kb.Hit{}
	for i, h := range lexical[:min(len(lexical), denseCandidates)] {
		score[h.Article.ID] += 1 / float64(rrfK+i+1)
		byID[h.Article.ID] = h
	}
	for i, d := range dense[:min(len(dense), denseCandidates)] {
		score[d.a.ID] += 1 / float64(rrfK+i+1)
		if _, ok := byID[d.a.ID]; !ok {
			byID[d.a.ID] = kb.Hit{Article: d.a}
		}
	}
	out := make([]kb.Hit, 0, len(byID))
	for _, h := range byID {
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool {
		si, sj := score[out[i].Article.ID], score[out[j].Article.ID]
		if si != sj {
			return si > sj
		}
		return out[i].Article.ID < out[j].Article.ID
	})
	return out[:min(len(out), limit)]
}

// WarmEmbeddings embeds the articles not embedded yet, so that the first
// customers do not wait for it; without an embedding model it does
// nothing. serve runs it in the background at start.
func (s *Service) WarmEmbeddings(ctx context.Context) error {
	if s.embedder == nil {
		return nil
	}
	_, err := s.embedder.vectorsOf(ctx, s.cfg.Searcher.Articles())
	return err
}
