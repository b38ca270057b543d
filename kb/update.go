package kb

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// articleTerms is what indexing finds in an article: the terms of each
// field, its phrasings and its sentences. It depends on the article's file
// alone, so the indexes built while a file stays the same share it.
type articleTerms struct {
	// counts holds each term with how often it occurs in each field.
	counts map[string][numFields]int32
	// length is the article's length in terms, each field weighed by
	// its boost, for the BM25 part of the score.
	length float64
	// phrasings are the terms of the title and of each question.
	phrasings [][]string
	// sentences of the body, with their terms, to pick snippets from.
	sentences []sentence
	// norms caches the phrasings' norms in the latest index that
	// needed them.
	norms atomic.Pointer[phrasingNorms]
}

// lazyTerms is an article's analysis, made when first needed: an index
// reused from disk (see [Config.IndexDir]) analyses an article only when a
// search retrieves it.
type lazyTerms struct {
	once    sync.Once
	article *Article
	terms   *articleTerms
}

func (l *lazyTerms) get() *articleTerms {
	l.once.Do(func() {
		if l.terms == nil {
			l.terms, _ = analyse(l.article)
		}
	})
	return l.terms
}

// analyse analyses an article's fields. It also returns how often each
// word occurs as written, for the spelling corrector's vocabulary.
func analyse(a *Article) (*articleTerms, map[string]int) {
	an := analyzerFor(a.Lang)
	// A long question counts only by its likeness to the whole query
	// (see maxBagQuestion).
	var short []string
	for _, q := range a.Questions {
		if len(an.terms(q)) <= maxBagQuestion {
			short = append(short, q)
		}
	}
	fields := [numFields]string{a.Title, strings.Join(short, "\n"), strings.Join(a.Tags, "\n"), a.Category, a.text}
	at := &articleTerms{counts: map[string][numFields]int32{}}
	for _, q := range append([]string{a.Title}, a.Questions...) {
		if terms := an.terms(q); len(terms) > 0 {
			at.phrasings = append(at.phrasings, terms)
		}
	}
	for _, text := range splitSentences(a.text) {
		st := sentence{text: text, terms: map[string]struct{}{}}
		for _, t := range an.terms(text) {
			st.terms[t] = struct{}{}
		}
		at.sentences = append(at.sentences, st)
	}
	words := map[string]int{}
	for f, text := range fields {
		for _, t := range an.tokens(text) {
			if t.stop {
				continue
			}
			c := at.counts[t.term]
			c[f]++
			at.counts[t.term] = c
			at.length += bm25Boost[f]
			words[t.word]++
		}
	}
	return at, words
}

// document returns what Bleve indexes for the article: each term of each
// field as many times as it occurs there.
func (at *articleTerms) document() document {
	var b strings.Builder
	for t, c := range at.counts {
		for _, n := range c {
			for range n {
				b.WriteString(t)
				b.WriteByte(' ')
			}
		}
	}
	return document{Terms: b.String()}
}

// distinctTerms calls fn once for each term the article holds in any field.
func (at *articleTerms) distinctTerms(fn func(term string)) {
	for t := range at.counts {
		fn(t)
	}
}

// sharedBleve is a Bleve index shared by the successive indexes of one
// [Base]: each edit updates it in place with the articles that changed.
// It is closed when the last index using it is.
type sharedBleve struct {
	index bleve.Index
	refs  atomic.Int64
	// disk is set when the index is kept in a folder between runs.
	disk *diskIndex
}

// memoryBleve creates an empty Bleve index in memory.
func memoryBleve() (*sharedBleve, error) {
	im, err := indexMapping()
	if err != nil {
		return nil, err
	}
	bi, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("kb: create index: %w", err)
	}
	sb := &sharedBleve{index: bi}
	sb.refs.Store(1)
	return sb, nil
}

func (sb *sharedBleve) acquire() { sb.refs.Add(1) }

func (sb *sharedBleve) release() {
	if sb.refs.Add(-1) == 0 {
		sb.index.Close()
	}
}

// newIndex returns an index of c on sb, without entries yet, with room
// for n.
func newIndex(c *Collection, sb *sharedBleve, n int) *Index {
	return &Index{
		generation: generations.Add(1),
		bleve:      sb,
		entries:    make([]*entry, 0, n),
		byID:       make(map[string]*entry, n),
		lexicons:   map[string]*lexicon{},
		spellers:   map[string]*speller{},
		synonyms:   c.Synonyms,
		widened:    newMemo[[]string](widenedWords),
	}
}

// assemble makes the index of c's published articles on the Bleve index
// sb, which holds the articles of held (id → sum of the file) beforehand
// and is told only of the difference. The articles whose file prev, an
// index of an earlier version of the same knowledge base, indexed too
// keep prev's analysis, and prev's counts are updated rather than made
// again: an edit costs the changed articles, not the whole knowledge base.
// prev and held may be nil.
func assemble(c *Collection, prev *Index, sb *sharedBleve, held heldArticles) (*Index, error) {
	published := c.Published()
	ix := newIndex(c, sb, len(published))
	var fresh []*entry
	for _, a := range published {
		var e *entry
		if prev != nil {
			if old := prev.byID[a.ID]; old != nil && old.article == a {
				e = old
			} else if old != nil && old.article.sum == a.sum {
				e = &entry{article: a, terms: old.terms}
			}
		}
		if e == nil {
			e = &entry{article: a}
			e.terms = &lazyTerms{article: a}
			fresh = append(fresh, e)
		}
		ix.entries = append(ix.entries, e)
		ix.byID[a.ID] = e
	}
	words := analyseAll(fresh)

	// The counts: prev's, less the articles gone or changed, plus the new.
	changed := map[string]bool{}
	if prev == nil {
		ix.df = map[string]int{}
		ix.vocab = map[string]map[string]int{}
	} else {
		ix.df = maps.Clone(prev.df)
		ix.vocab = maps.Clone(prev.vocab)
		ix.totalLength = prev.totalLength
		for _, old := range prev.entries {
			if e := ix.byID[old.article.ID]; e == nil || e.terms != old.terms {
				at, w := analyse(old.article)
				ix.count(old.article.Lang, at, w, -1, changed)
			}
		}
	}
	for i, e := range fresh {
		ix.count(e.article.Lang, e.terms.terms, words[i], 1, changed)
	}
	ix.finish(prev, changed)

	if err := ix.tellBleve(held); err != nil {
		return nil, err
	}
	sb.acquire()
	return ix, nil
}

// finish derives what the index needs besides its entries and counts: its
// languages, the mean length, and each language's lexicon and spelling
// corrector. Those of prev are kept when neither the synonyms nor the
// language's vocabulary (changed) have changed.
func (ix *Index) finish(prev *Index, changed map[string]bool) {
	for _, e := range ix.entries {
		if !slices.Contains(ix.langs, e.article.Lang) {
			ix.langs = append(ix.langs, e.article.Lang)
		}
	}
	if len(ix.entries) > 0 {
		ix.avgLength = ix.totalLength / float64(len(ix.entries))
	}
	sameSynonyms := prev != nil && slices.EqualFunc(prev.synonyms, ix.synonyms, slices.Equal)
	groups := append(builtinGroups(), ix.synonyms...)
	for _, lang := range ix.langs {
		if sameSynonyms && prev.lexicons[lang] != nil && !changed[lang] {
			ix.lexicons[lang], ix.spellers[lang] = prev.lexicons[lang], prev.spellers[lang]
			continue
		}
		an := analyzerFor(lang)
		lx := prev.lexiconFor(lang, sameSynonyms)
		if lx == nil {
			lx = compileLexicon(an, groups)
		}
		ix.lexicons[lang] = lx
		vocab := ix.vocab[lang]
		spelled := make(map[string]string, len(vocab)+len(lx.words))
		for w := range vocab {
			spelled[w] = an.stem(w)
		}
		for w, t := range lx.words {
			spelled[w] = t
		}
		ix.spellers[lang] = newSpeller(spelled, vocab)
	}
}

// warm makes what the index makes when first needed: the spelling
// correctors' lookups.
func (ix *Index) warm() {
	for _, s := range ix.spellers {
		s.deletionIndex()
	}
}

// lexiconFor returns prev's lexicon of a language when the synonyms are
// the same, or nil.
func (prev *Index) lexiconFor(lang string, sameSynonyms bool) *lexicon {
	if prev == nil || !sameSynonyms {
		return nil
	}
	return prev.lexicons[lang]
}

// analyseAll analyses the entries' articles on every processor, and
// returns the words of each.
func analyseAll(entries []*entry) []map[string]int {
	words := make([]map[string]int, len(entries))
	parallel(len(entries), 64, func(i int) {
		entries[i].terms.terms, words[i] = analyse(entries[i].article)
	})
	return words
}

// parallel calls fn(0) … fn(n-1) on every processor, each goroutine
// taking the next i, with a goroutine for at least perWorker calls, and
// returns when all have returned.
func parallel(n, perWorker int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(n/perWorker, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// count adds an article's terms to the counts (sign 1) or takes them away
// (sign -1), and marks its language's vocabulary as changed.
func (ix *Index) count(lang string, at *articleTerms, words map[string]int, sign int, changed map[string]bool) {
	at.distinctTerms(func(t string) {
		if n := ix.df[t] + sign; n > 0 {
			ix.df[t] = n
		} else {
			delete(ix.df, t)
		}
	})
	ix.totalLength += float64(sign) * at.length
	if !changed[lang] {
		changed[lang] = true
		ix.vocab[lang] = maps.Clone(ix.vocab[lang])
		if ix.vocab[lang] == nil {
			ix.vocab[lang] = map[string]int{}
		}
	}
	vocab := ix.vocab[lang]
	for w, n := range words {
		if n = vocab[w] + sign*n; n > 0 {
			vocab[w] = n
		} else {
			delete(vocab, w)
		}
	}
}

// tellBleve brings the Bleve index from held to the index's articles: the
// articles gone are deleted, the new and the changed indexed, in one
// batch. An index kept on disk gets a new token in the same batch (see
// [diskIndex]).
func (ix *Index) tellBleve(held heldArticles) error {
	bi := ix.bleve.index
	batch := bi.NewBatch()
	if held != nil {
		held.eachID(func(id string) {
			if ix.byID[id] == nil {
				batch.Delete(id)
			}
		})
	}
	for _, e := range ix.entries {
		if held != nil {
			if sum, ok := held.sumOf(e.article.ID); ok && sum == e.article.sum {
				continue
			}
		}
		if err := batch.Index(e.article.ID, e.articleTerms().document()); err != nil {
			return fmt.Errorf("kb: index %s: %w", e.article.Path, err)
		}
	}
	if batch.Size() == 0 {
		return nil
	}
	if d := ix.bleve.disk; d != nil {
		d.token = newToken()
		batch.SetInternal([]byte(tokenKey), []byte(d.token))
	}
	if err := bi.Batch(batch); err != nil {
		return fmt.Errorf("kb: index: %w", err)
	}
	return nil
}

// heldArticles is what a Bleve index holds: articles by id, each with the
// sum of its file.
type heldArticles interface {
	sumOf(id string) ([32]byte, bool)
	eachID(fn func(id string))
}

// sumMap is a heldArticles read from a manifest.
type sumMap map[string][32]byte

func (m sumMap) sumOf(id string) ([32]byte, bool) {
	sum, ok := m[id]
	return sum, ok
}

func (m sumMap) eachID(fn func(id string)) {
	for id := range m {
		fn(id)
	}
}

// An index is what the Bleve index it was made on holds.
func (ix *Index) sumOf(id string) ([32]byte, bool) {
	if e := ix.byID[id]; e != nil {
		return e.article.sum, true
	}
	return [32]byte{}, false
}

func (ix *Index) eachID(fn func(id string)) {
	for _, e := range ix.entries {
		fn(e.article.ID)
	}
}
