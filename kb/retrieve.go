package kb

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
)

// candidate is an article Bleve's postings retrieved for a query, with
// the score Bleve's own search would give it.
type candidate struct {
	id    string
	score float64
}

// retrieve returns the n articles whose terms field best matches a
// disjunction of terms, best first, with the TF-IDF score Bleve's search
// of that disjunction gives (its query norm, its coordination factor).
// Between equal scores the smaller article id goes first, where Bleve
// takes the document it numbered first, an order that changes from one
// build of the index to the next.
//
// It reads the postings through Bleve's index reader rather than its
// search request, whose collector, document pool and field loading were
// half the cost of a search and most of its garbage.
func (sb *sharedBleve) retrieve(ctx context.Context, terms []string, n int) ([]candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	adv, err := sb.index.Advanced()
	if err != nil {
		return nil, fmt.Errorf("kb: search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("kb: search: %w", err)
	}
	defer r.Close()
	total, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("kb: search: %w", err)
	}
	readers := make([]index.TermFieldReader, 0, len(terms))
	defer func() {
		for _, tr := range readers {
			tr.Close()
		}
	}()
	idf := make([]float64, len(terms))
	squares := 0.0
	for i, t := range terms {
		tr, err := r.TermFieldReader(ctx, []byte(t), termsField, true, true, false)
		if err != nil {
			return nil, fmt.Errorf("kb: search: %w", err)
		}
		readers = append(readers, tr)
		idf[i] = 1 + math.Log(float64(total)/float64(tr.Count()+1))
		squares += idf[i] * idf[i]
	}
	// A disjunction normalises its clauses' weights; a lone term keeps
	// a weight of 1.
	queryNorm := 1 / math.Sqrt(squares)

	acc := accumulators.Get().(*accumulator)
	defer acc.reset()
	var posting index.TermFieldDoc
	for i, tr := range readers {
		weight := 1.0
		if len(terms) > 1 {
			weight = idf[i] * queryNorm
		}
		for {
			p, err := tr.Next(&posting)
			if err != nil {
				return nil, fmt.Errorf("kb: search: %w", err)
			}
			if p == nil {
				break
			}
			score := math.Sqrt(float64(p.Freq)) * p.Norm * idf[i]
			if weight != 1 {
				score *= weight
			}
			acc.add(binary.BigEndian.Uint64(p.ID), score)
		}
	}
	top := acc.best(n, len(terms))
	out := make([]candidate, len(top))
	var id index.IndexInternalID
	for i, d := range top {
		id = index.NewIndexInternalID(id, d.doc)
		ext, err := r.ExternalID(id)
		if err != nil {
			return nil, fmt.Errorf("kb: search: %w", err)
		}
		out[i] = candidate{id: ext, score: d.score}
	}
	// Documents of equal scores are ordered by their article's id, not
	// by the order Bleve happened to number them in.
	slices.SortFunc(out, func(a, b candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out[:min(n, len(out))], nil
}

// accumulator sums the scores of a query's clauses per document, in
// arrays indexed by the document's number in the index snapshot.
type accumulator struct {
	sums    []float64
	matched []int32
	touched []uint64
	scored  []scoredDoc
}

type scoredDoc struct {
	doc   uint64
	score float64
}

var accumulators = sync.Pool{New: func() any { return new(accumulator) }}

// add counts a clause's match of document doc.
func (a *accumulator) add(doc uint64, score float64) {
	if doc >= uint64(len(a.sums)) {
		size := max(2*len(a.sums), int(doc)+1, 1024)
		a.sums = append(a.sums, make([]float64, size-len(a.sums))...)
		a.matched = append(a.matched, make([]int32, size-len(a.matched))...)
	}
	if a.matched[doc] == 0 {
		a.touched = append(a.touched, doc)
	}
	a.sums[doc] += score
	a.matched[doc]++
}

// score is the score of document doc: the sum of its clauses' scores
// times the share of the clauses it matches.
func (a *accumulator) score(doc uint64, clauses int) float64 {
	score := a.sums[doc]
	if clauses > 1 {
		score *= float64(a.matched[doc]) / float64(clauses)
	}
	return score
}

// best returns the n best documents, by their scores then by their
// numbers, and after them every other document that scores as the last
// of them does, so that the caller can break those ties. It keeps the n
// best seen in a heap whose root is the worst of them: most documents
// are compared with the root only.
func (a *accumulator) best(n, clauses int) []scoredDoc {
	top := a.scored[:0]
	for _, d := range a.touched {
		sd := scoredDoc{doc: d, score: a.score(d, clauses)}
		switch {
		case len(top) < n:
			top = append(top, sd)
			for i := len(top) - 1; i > 0; {
				parent := (i - 1) / 2
				if !top[parent].before(top[i]) {
					break
				}
				top[parent], top[i] = top[i], top[parent]
				i = parent
			}
		case sd.before(top[0]):
			top[0] = sd
			siftDown(top, 0)
		}
	}
	if len(top) == n && n > 0 {
		// The root is the worst kept; the tied documents left out are
		// numbered after it.
		last := top[0]
		for _, d := range a.touched {
			if d > last.doc && a.score(d, clauses) == last.score {
				top = append(top, scoredDoc{doc: d, score: last.score})
			}
		}
	}
	a.scored = top
	return top
}

// before tells whether x ranks before y.
func (x scoredDoc) before(y scoredDoc) bool {
	if x.score != y.score {
		return x.score > y.score
	}
	return x.doc < y.doc
}

// siftDown restores the heap of h, worst at its root, below i.
func siftDown(h []scoredDoc, i int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[worst].before(h[l]) {
			worst = l
		}
		if r < len(h) && h[worst].before(h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// reset clears the documents touched and returns the accumulator to its
// pool.
func (a *accumulator) reset() {
	for _, d := range a.touched {
		a.sums[d], a.matched[d] = 0, 0
	}
	a.touched = a.touched[:0]
	a.scored = a.scored[:0]
	accumulators.Put(a)
}
