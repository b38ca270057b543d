package kb

// The second part of an article's score is BM25F: the customer's own
// words (and, at a discount, their synonyms) counted in every field of
// the article, each field weighed by bm25Boost, the counts saturating
// (bm25K1) and longer articles discounted (bm25B). Where [Index.score]
// asks how much of the question an article covers, and where, BM25F
// rewards an article that speaks much of the question's rarer words: the
// two fail on different questions, and their blend ranks better on shops
// that neither was tuned for.
var bm25Boost = [numFields]float64{2, 2, 1.5, 0.5, 1}

const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// bm25 returns the BM25F score of an article against a query's concepts,
// given its counts of the query's terms (see [queryView.match]). A concept
// counts once, by its best form.
func (ix *Index) bm25(at *articleTerms, v *queryView, m [][numFields]int32) float64 {
	norm := bm25K1 * (1 - bm25B + bm25B*at.length/max(ix.avgLength, 1))
	total := 0.0
	for ci := range v.concepts {
		best := 0.0
		for _, vf := range v.forms[ci] {
			form, credit := vf.terms, vf.credit
			if vf.synonym {
				credit *= bm25SynonymShare
			}
			s := 0.0
			for _, k := range form {
				tf := 0.0
				for f := range numFields {
					tf += bm25Boost[f] * float64(m[k][f])
				}
				if tf == 0 {
					continue
				}
				s += v.idf[k] * tf * (bm25K1 + 1) / (tf + norm)
			}
			best = max(best, credit*s/float64(len(form)))
		}
		total += best
	}
	return total
}

// bm25SynonymShare is what a synonym's match counts in BM25F, against the
// customer's own word.
const bm25SynonymShare = 0.5

// bm25Share is the part of BM25F in the order of hits. It was chosen on
// the two shops' visible evaluation sets, each scored with the share the
// other preferred: the first shop's sets preferred 0.25, the second's 0.3.
const bm25Share = 0.25

// phrasingShare is the part, in the order of hits, of the query's likeness
// to the article's title or one of its questions taken whole
// ([queryView.phrasing]): how a customer's phrasing that an editor accepted
// into the questions helps the next customer who asks alike.
const phrasingShare = 0.1

// maxBagQuestion is the length, in terms, of the longest question whose
// words count one by one in the article's questions field, as an editor's
// short questions do; a longer one, as customers phrase theirs, counts only
// by its likeness to the whole query, so that the details of one
// customer's story (« le jean », « ma sœur ») do not pull other questions
// to the article.
const maxBagQuestion = 5

// exactScore is the least score of an article asked for in the very words
// of its title or of one of its questions.
const exactScore = 0.99
