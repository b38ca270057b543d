package kb

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Fields of an article, in the order of fieldNames and fieldBoost.
const (
	fieldTitle = iota
	fieldQuestions
	fieldTags
	fieldCategory
	fieldBody
	numFields
)

// fieldBoost weighs a match by where it occurs: the title and the other
// phrasings of the question say what an article answers; the body only
// mentions things.
var fieldBoost = [numFields]float64{3, 3, 2.5, 1, 1}

// strongField reports whether a match in field f shows what the article is
// about.
func strongField(f int) bool { return f <= fieldTags }

// Index is an immutable, searchable knowledge base. Build makes one; it is
// safe for concurrent use.
type Index struct {
	bleve *sharedBleve
	// generation tells this index from the others made (see
	// [Index.phrasingNorms]).
	generation uint64
	entries    []*entry
	byID       map[string]*entry
	langs      []string
	lexicons   map[string]*lexicon
	spellers   map[string]*speller
	// synonyms are the collection's own synonym groups, which the
	// lexicons were compiled with.
	synonyms [][]string
	// df counts the articles holding each term.
	df map[string]int
	// vocab counts, per language, the words as written in the articles,
	// for the spelling corrector.
	vocab map[string]map[string]int
	// totalLength sums the entries' lengths, and avgLength is their mean.
	totalLength float64
	avgLength   float64
	// widened remembers the thesaurus terms of the words asked
	// ([Index.thesaurusTerms]).
	widened *memo[[]string]
}

// entry is an indexed article with its analysed fields.
type entry struct {
	article *Article
	terms   *lazyTerms
}

// articleTerms returns the entry's analysed fields, analysing the article
// if it has not been yet.
func (e *entry) articleTerms() *articleTerms { return e.terms.get() }

type sentence struct {
	text  string
	terms map[string]struct{}
}

// document is what Bleve indexes for an article: the terms of all its
// fields, analysed already by this package (see analyzer), in one field.
// Bleve retrieves the candidates of a query; the fields are weighed
// afterwards, from entry's analysed fields.
type document struct {
	Terms string `json:"terms"`
}

// termsField is the name of the one field Bleve indexes, and
// termsAnalyzer the analyzer that splits it back into the terms.
const (
	termsField    = "terms"
	termsAnalyzer = "supportd_terms"
)

// indexMapping is the mapping of the Bleve index: one field, split on
// spaces, nothing stored.
func indexMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	err := im.AddCustomAnalyzer(termsAnalyzer, map[string]any{"type": custom.Name, "tokenizer": whitespace.Name})
	if err != nil {
		return nil, fmt.Errorf("kb: index mapping: %w", err)
	}
	dm := bleve.NewDocumentStaticMapping()
	fm := bleve.NewTextFieldMapping()
	fm.Analyzer = termsAnalyzer
	fm.Store = false
	fm.IncludeTermVectors = false
	fm.IncludeInAll = false
	dm.AddFieldMappingsAt(termsField, fm)
	im.DefaultMapping = dm
	im.DefaultAnalyzer = termsAnalyzer
	return im, nil
}

// Build indexes the published articles of a collection, with the built-in
// lexicon extended by the collection's synonyms, in memory. It fails only
// if Bleve does.
func Build(c *Collection) (*Index, error) {
	sb, err := memoryBleve()
	if err != nil {
		return nil, err
	}
	ix, err := assemble(c, nil, sb, nil)
	sb.release()
	return ix, err
}

// Close releases the index.
func (ix *Index) Close() error {
	ix.bleve.release()
	return nil
}

// Articles returns the indexed articles, by category, then title.
func (ix *Index) Articles() []*Article {
	out := make([]*Article, 0, len(ix.entries))
	for _, e := range ix.entries {
		out = append(out, e.article)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return out[i].Category < out[j].Category
		}
		return out[i].Title < out[j].Title
	})
	return out
}

// Len returns the number of indexed articles.
func (ix *Index) Len() int { return len(ix.entries) }

// Article returns the published article with the given id, or nil.
func (ix *Index) Article(id string) *Article {
	if e, ok := ix.byID[id]; ok {
		return e.article
	}
	return nil
}

// Hit is one search result.
type Hit struct {
	Article *Article
	// Score, between 0 and 1, orders hits: the article's match against
	// the best match the query could have (every word in a title, tags,
	// questions and body).
	Score float64
	// Confidence, between 0 and 1, estimates how well the article answers
	// the query: the share of what the query asks, weighed by how rare
	// each word is, that the article covers, counting matches in its
	// title, questions and tags more than in its body.
	Confidence float64
	// Coverage, between 0 and 1, is the article's share of the best
	// match the query could have, counting each concept once by the field
	// where it matches best: the coverage part of Score, before BM25F.
	Coverage float64
	// Strong, between 0 and 1, is the share of the query the article
	// matches in its title, questions and tags.
	Strong float64
	// Known, between 0 and 1, is the share of the query that the
	// knowledge base knows at all (the same for every hit of a query in
	// one language); Words is how many words or phrases the query asks
	// about.
	Known float64
	Words int
	// BM25 is the article's BM25F relative to the best among the
	// candidates, between 0 and 1.
	BM25 float64
	// Agree is set on the article that both coverage and BM25F rank
	// first, when no other article shares either first place.
	Agree bool
	// Phrasing, between 0 and 1, is the largest share of the article's
	// title, or of one of its questions, that the query holds.
	Phrasing float64
	// Snippet is the passage of the body that best matches the query.
	Snippet string
}

// concept is one thing a query asks about: a word, or a phrase of the
// lexicon, with the other ways of saying it.
type concept struct {
	forms  [][]string // forms[0] is the query's own; the rest are synonyms
	weight float64
	// credit scales every match of the concept: less than 1 when it
	// comes from a spelling correction, which may be a wrong guess ("Pérou"
	// is not "perdu").
	credit float64
	// loose is the index of the first form that comes from the
	// thesaurus, or 0 when none does; those forms share [thesaurusCredit].
	loose int
}

// formCredit is the credit of a match of the concept's form i.
func (c concept) formCredit(i int) float64 {
	switch {
	case i == 0:
		return c.credit
	case c.loose > 0 && i >= c.loose:
		return c.credit * thesaurusCredit / float64(len(c.forms)-c.loose)
	}
	return c.credit * formWeight
}

// spellCredit is the credit of a concept whose words were corrected.
const spellCredit = 0.6

// formWeight is the credit a match of a synonym gets, against 1 for the
// customer's own words.
const formWeight = 0.9

// candidates is how many articles Bleve retrieves for scoring.
const candidates = 40

// Search returns up to limit articles that answer text, best first. Only
// articles matching at least one word of the query are returned.
func (ix *Index) Search(ctx context.Context, text string, limit int) ([]Hit, error) {
	if limit <= 0 || len(ix.entries) == 0 {
		return nil, nil
	}
	perLang := map[string][]concept{}
	for _, lang := range ix.langs {
		perLang[lang] = ix.concepts(lang, text)
	}
	disjuncts := ix.retrievalTerms(perLang)
	if len(disjuncts) == 0 {
		return nil, nil
	}
	retrieved, err := ix.bleve.retrieve(ctx, disjuncts, candidates)
	if err != nil {
		return nil, err
	}
	// What the scoring needs of the query's concepts, once per language of the
	// articles retrieved.
	views := map[string]*queryView{}
	viewOf := func(lang string) *queryView {
		v := views[lang]
		if v == nil {
			v = ix.view(perLang[lang])
			views[lang] = v
		}
		return v
	}
	hits := make([]Hit, 0, len(retrieved))
	entries := make(map[*Article]*entry, len(retrieved))
	bm := make([]float64, 0, len(retrieved))
	bmMax := 0.0
	var buf [][numFields]int32
	for _, h := range retrieved {
		e := ix.byID[h.id]
		if e == nil {
			continue
		}
		v, at := viewOf(e.article.Lang), e.articleTerms()
		buf = v.match(at, buf)
		score, coverage, strong := v.score(buf)
		if score <= 0 {
			continue
		}
		entries[e.article] = e
		score /= maxScore(perLang[e.article.Lang])
		b := ix.bm25(at, v, buf)
		bm = append(bm, b)
		bmMax = max(bmMax, b)
		// Bleve's own score only breaks ties.
		hits = append(hits, Hit{Article: e.article, Score: score + 1e-6*h.score, Confidence: coverage, Strong: strong,
			Known: viewOf(e.article.Lang).known, Words: len(perLang[e.article.Lang])})
	}
	// The order blends the coverage score with BM25F, relative to the
	// best BM25F among the candidates. The hit both rank first is marked
	// as their agreement, unless another shares either first place: the
	// agreement would then depend on the order the candidates came in.
	bestCoverage, bestBM := -1, -1
	coverageTied, bmTied := false, false
	for i := range hits {
		hits[i].Coverage = hits[i].Score
		switch {
		case bestCoverage < 0 || hits[i].Coverage > hits[bestCoverage].Coverage:
			bestCoverage, coverageTied = i, false
		case hits[i].Coverage == hits[bestCoverage].Coverage:
			coverageTied = true
		}
		switch {
		case bestBM < 0 || bm[i] > bm[bestBM]:
			bestBM, bmTied = i, false
		case bm[i] == bm[bestBM]:
			bmTied = true
		}
		if bmMax > 0 {
			hits[i].BM25 = bm[i] / bmMax
		}
		hits[i].Score = (1-bm25Share)*hits[i].Score + bm25Share*hits[i].BM25
		view, e := viewOf(hits[i].Article.Lang), entries[hits[i].Article]
		cover, sim, simOwn := view.phrasing(ix, e.articleTerms())
		hits[i].Phrasing = cover
		hits[i].Score = (1-phrasingShare)*hits[i].Score + phrasingShare*sim
		// A question asked in the very words of an article's title or of
		// one of its questions is that article's.
		if simOwn > 0.999 {
			hits[i].Score = max(hits[i].Score, exactScore)
		}
	}
	if bestCoverage >= 0 && bestCoverage == bestBM && !coverageTied && !bmTied {
		hits[bestCoverage].Agree = true
	}
	hits = best(hits, limit)
	for i := range hits {
		hits[i].Snippet = entries[hits[i].Article].snippet(perLang[hits[i].Article.Lang])
	}
	return hits, nil
}

// retrievalTerms returns the terms that the candidates of a query, its
// concepts per language, are retrieved by.
func (ix *Index) retrievalTerms(perLang map[string][]concept) []string {
	var rare, common []string
	termSeen := map[string]bool{}
	commonDF := len(ix.entries) / 5
	for _, lang := range ix.langs {
		for _, c := range perLang[lang] {
			for _, form := range c.forms {
				for _, t := range form {
					df := ix.df[t]
					if termSeen[t] || df == 0 {
						continue
					}
					termSeen[t] = true
					if df > commonDF {
						common = append(common, t)
					} else {
						rare = append(rare, t)
					}
				}
			}
		}
	}
	// Articles are retrieved by the query's rarer terms, which is much
	// faster on a large knowledge base; words that a fifth of the
	// articles hold still count in the score of those retrieved, and
	// retrieve by themselves only when the query has nothing rarer.
	disjuncts := rare
	if len(disjuncts) == 0 {
		disjuncts = common
	}
	return disjuncts
}

// best returns the limit best of hits, best first: by score, then by
// article id, an order in which no two hits tie. It picks them one by
// one rather than sorting all: a search keeps 3 of 40.
func best(hits []Hit, limit int) []Hit {
	before := func(a, b *Hit) bool {
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Article.ID < b.Article.ID
	}
	limit = min(limit, len(hits))
	for i := range limit {
		top := i
		for j := i + 1; j < len(hits); j++ {
			if before(&hits[j], &hits[top]) {
				top = j
			}
		}
		hits[i], hits[top] = hits[top], hits[i]
	}
	return hits[:limit]
}

// concepts analyses a query in one language: spelling is corrected against
// the knowledge base's words, then the lexicon's phrases are recognised,
// longest first, and each word or phrase gets its synonyms.
func (ix *Index) concepts(lang, text string) []concept {
	an := analyzerFor(lang)
	lx := ix.lexicons[lang]
	toks := an.tokens(text)
	if lang == "fr" {
		toks = an.expandChat(toks)
	}
	for i, t := range toks {
		if t.stop || ix.df[t.term] > 0 || lx.byFirst[t.term] != nil {
			continue
		}
		if w, ok := ix.spellers[lang].correct(t.word); ok {
			toks[i].word, toks[i].term, toks[i].corrected = w, an.stem(w), true
		}
	}
	var out []concept
	for i := 0; i < len(toks); {
		ph := lx.longestMatch(toks, i)
		if ph == nil {
			if !toks[i].stop {
				c := concept{forms: [][]string{{toks[i].term}}, credit: creditOf(toks[i : i+1])}
				if lang == "fr" {
					ix.widen(&c, an, toks[i])
				}
				out = append(out, c)
			}
			i++
			continue
		}
		var own []string
		groups := ph.groups
		for _, t := range toks[i : i+len(ph.words)] {
			if !t.stop {
				own = append(own, t.term)
				// "pas reçu" also takes the synonyms of "reçu".
				if len(ph.words) > 1 && contentWords(toks[i:i+len(ph.words)]) == 1 {
					groups = append(groups, lx.single(t.term)...)
				}
			}
		}
		c := concept{forms: [][]string{own}, credit: creditOf(toks[i : i+len(ph.words)])}
		seen := map[string]bool{strings.Join(own, " "): true}
		for _, g := range groups {
			for _, alt := range lx.alts[g] {
				key := strings.Join(alt, " ")
				if !seen[key] {
					seen[key] = true
					c.forms = append(c.forms, alt)
				}
			}
		}
		out = append(out, c)
		i += len(ph.words)
	}
	for i := range out {
		out[i].weight = ix.idf(out[i])
	}
	return out
}

// widen adds to a one-word concept the thesaurus' synonyms of its word
// that the knowledge base uses.
func (ix *Index) widen(c *concept, an *analyzer, t token) {
	var forms [][]string
	for _, term := range ix.thesaurusTerms(an, t.word) {
		if term != t.term {
			forms = append(forms, []string{term})
		}
	}
	if len(forms) > 0 {
		c.loose = len(c.forms)
		c.forms = append(c.forms, forms...)
	}
}

// thesaurusTerms returns the distinct stems of the thesaurus's synonyms
// of word that some article holds, in the thesaurus's order. They are
// remembered per index: a word's synonyms are stemmed once, not at each
// question that holds it.
func (ix *Index) thesaurusTerms(an *analyzer, word string) []string {
	if terms, ok := ix.widened.get(word); ok {
		return terms
	}
	var terms []string
	for _, syn := range frenchSynonyms(word) {
		term := an.stem(syn)
		if an.stop[syn] || ix.df[term] == 0 || slices.Contains(terms, term) {
			continue
		}
		terms = append(terms, term)
	}
	ix.widened.put(word, terms)
	return terms
}

// widenedWords is how many words' thesaurus terms an index remembers.
const widenedWords = 4096

// creditOf returns the credit of a concept made of toks.
func creditOf(toks []token) float64 {
	for _, t := range toks {
		if t.corrected {
			return spellCredit
		}
	}
	return 1
}

// contentWords counts the tokens that are not stop words.
func contentWords(toks []token) int {
	n := 0
	for _, t := range toks {
		if !t.stop {
			n++
		}
	}
	return n
}

// idf weighs a concept by how rare the customer's own words are, or, when
// the customer's words are all function words ("combien"), by the most
// common of its synonyms: a concept many articles mention tells little
// about which one is meant. A word that no article and no synonym knows
// weighs [unknownWeight] of the rarest word's weight: it may be a detail
// ("chez ma mère") or a sign the question is out of scope.
func (ix *Index) idf(c concept) float64 {
	n := float64(len(ix.entries))
	idf := func(df int) float64 { return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5)) }
	if own := formDF(ix.df, c.forms[0]); own > 0 {
		return idf(own)
	}
	df := 0
	for _, form := range c.forms[1:] {
		df = max(df, formDF(ix.df, form))
	}
	if df == 0 {
		return unknownWeight * idf(0)
	}
	return idf(df)
}

// unknownWeight scales the weight of a word no article uses.
const unknownWeight = 0.8

// formDF estimates how many articles hold all the terms of a form: as many
// as hold its rarest term. An empty form is held by none.
func formDF(df map[string]int, form []string) int {
	if len(form) == 0 {
		return 0
	}
	n := math.MaxInt
	for _, t := range form {
		n = min(n, df[t])
	}
	return n
}

// score rates an article against a query's concepts, given its counts of
// the query's terms (see [queryView.match]). A concept scores by its best
// match, in the customer's own words or a synonym, in the field that
// weighs most, plus a share of its matches in the other fields: an article
// whose title, tags and body all speak of it is more about it. score also
// returns the coverage used as confidence, and the share of the query
// matched in the fields that say what the article is about.
func (v *queryView) score(m [][numFields]int32) (score, coverage, strongShare float64) {
	var total float64
	strong := false
	for ci, c := range v.concepts {
		// A concept made of function words only ("c'est quoi") can add to
		// an article's coverage, never take from it.
		optional := len(c.forms[0]) == 0
		if !optional {
			total += c.weight
		}
		var perField [numFields]float64
		covered, coveredStrong := 0.0, 0.0
		for _, vf := range v.forms[ci] {
			form, credit := vf.terms, vf.credit
			for f := 0; f < numFields; f++ {
				n := 0
				for _, k := range form {
					if m[k][f] > 0 {
						n++
					}
				}
				if n == 0 {
					continue
				}
				share := float64(n) / float64(len(form))
				if n < len(form) {
					share *= 0.5
				}
				perField[f] = max(perField[f], credit*share*fieldBoost[f])
				cov := credit * share
				if !strongField(f) {
					cov *= 0.6
				} else {
					coveredStrong = max(coveredStrong, cov)
					if len(c.forms[0]) > 0 {
						strong = true
					}
				}
				covered = max(covered, cov)
			}
		}
		best, sum := 0.0, 0.0
		for _, s := range perField {
			best = max(best, s)
			sum += s
		}
		score += c.weight * (best + otherFieldsShare*(sum-best))
		coverage += c.weight * covered
		strongShare += c.weight * coveredStrong
		if optional && covered > 0 {
			total += c.weight
		}
	}
	if total == 0 {
		return 0, 0, 0
	}
	coverage /= total
	strongShare /= total
	if !strong {
		// Words found only in the body are mentions, not the subject.
		coverage *= 0.5
	}
	return score, coverage, strongShare
}

// queryTerms returns the terms of a query's concepts in the customer's
// words and the lexicon's synonyms.
func queryTerms(concepts []concept) map[string]bool {
	terms := map[string]bool{}
	for _, c := range concepts {
		for i, form := range c.forms {
			if c.loose > 0 && i >= c.loose {
				break
			}
			for _, t := range form {
				terms[t] = true
			}
		}
	}
	return terms
}

// queryView is what Search derives from a query's concepts in one
// language: how much of it the index knows, its terms with their
// expansions, and the customer's own words alone.
type queryView struct {
	concepts []concept
	known    float64
	// termList numbers the distinct terms of the concepts' forms:
	// forms[c] holds concept c's forms that some article holds a word of,
	// by the numbers of their terms, so that an article is looked up once
	// per term; idf is each one's weight.
	termList []string
	forms    [][]viewForm
	idf      []float64
	// held numbers the terms that some article holds: the others,
	// synonyms the knowledge base does not use, match no article.
	held []int
	// norm and ownNorm are the squared norms of the query's terms (the
	// customer's words and the lexicon's synonyms: [queryTerms]) and of
	// the customer's own ([ownTerms]), in the space of terms weighed by
	// their idf (see [queryView.phrasing]); phraseTerms holds the terms
	// of both.
	norm, ownNorm float64
	phraseTerms   map[string]phraseTerm
}

// viewForm is a form of a concept in a [queryView].
type viewForm struct {
	// terms are the numbers of the form's terms in the view's termList;
	// there is at least one.
	terms []int
	// credit is the concept's credit of the form ([concept.formCredit]).
	credit float64
	// synonym is set on the forms other than the customer's own words.
	synonym bool
}

// view derives the queryView of a query's concepts in one language.
func (ix *Index) view(concepts []concept) *queryView {
	v := &queryView{concepts: concepts, known: ix.known(concepts), forms: make([][]viewForm, len(concepts))}
	terms, own := queryTerms(concepts), ownTerms(concepts)
	number := map[string]int{}
	for ci, c := range concepts {
		for i, form := range c.forms {
			// A form that no article holds a word of matches none: it
			// is left out of the view.
			if !slices.ContainsFunc(form, func(t string) bool { return ix.df[t] > 0 }) {
				continue
			}
			ks := make([]int, len(form))
			for j, t := range form {
				k, ok := number[t]
				if !ok {
					k = len(v.termList)
					number[t] = k
					v.termList = append(v.termList, t)
					v.idf = append(v.idf, ix.termWeight(t))
					if ix.df[t] > 0 {
						v.held = append(v.held, k)
					}
				}
				ks[j] = k
			}
			v.forms[ci] = append(v.forms[ci], viewForm{terms: ks, credit: c.formCredit(i), synonym: i > 0})
		}
	}
	v.phraseTerms = make(map[string]phraseTerm, len(terms)+len(own))
	for t := range terms {
		w := ix.termWeight(t)
		v.phraseTerms[t] = phraseTerm{inTerms: true, own: own[t], weight2: w * w}
		if ix.df[t] > 0 {
			v.norm += w * w
		}
	}
	for t := range own {
		w := ix.termWeight(t)
		if !terms[t] {
			v.phraseTerms[t] = phraseTerm{own: true, weight2: w * w}
		}
		if ix.df[t] > 0 {
			v.ownNorm += w * w
		}
	}
	return v
}

// termWeight is a term's idf, as BM25 weighs it.
func (ix *Index) termWeight(t string) float64 {
	n, df := float64(len(ix.entries)), float64(ix.df[t])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// match returns an article's counts of each of the view's terms, per
// field, in buf.
func (v *queryView) match(at *articleTerms, buf [][numFields]int32) [][numFields]int32 {
	buf = slices.Grow(buf[:0], len(v.termList))[:len(v.termList)]
	clear(buf)
	for _, k := range v.held {
		buf[k] = at.counts[v.termList[k]]
	}
	return buf
}

// ownTerms returns the customer's own terms of the concepts, without
// synonyms or other expansions.
func ownTerms(concepts []concept) map[string]bool {
	own := map[string]bool{}
	for _, c := range concepts {
		for _, term := range c.forms[0] {
			own[term] = true
		}
	}
	return own
}

// phrasing returns how the query reads beside the article's title and
// each of its questions taken whole: the largest share of the terms of
// one of them that the query holds (cover, counting repeated terms); the
// largest cosine similarity, in the space of terms weighed by their idf,
// between one of them and the query's terms, the customer's words and
// the lexicon's synonyms (sim); and the same with the customer's own
// words only (simOwn).
func (v *queryView) phrasing(ix *Index, at *articleTerms) (cover, sim, simOwn float64) {
	norms := ix.phrasingNorms(at)
	for i, p := range at.phrasings {
		n := 0
		dot, dotOwn := 0.0, 0.0
		for j, t := range p {
			qt, ok := v.phraseTerms[t]
			if !ok {
				continue
			}
			if qt.inTerms {
				n++
			}
			if slices.Contains(p[:j], t) {
				continue
			}
			if qt.inTerms {
				dot += qt.weight2
			}
			if qt.own {
				dotOwn += qt.weight2
			}
		}
		cover = max(cover, float64(n)/float64(len(p)))
		if norms[i] == 0 {
			continue
		}
		if v.norm > 0 {
			sim = max(sim, dot/math.Sqrt(v.norm*norms[i]))
		}
		if v.ownNorm > 0 {
			simOwn = max(simOwn, dotOwn/math.Sqrt(v.ownNorm*norms[i]))
		}
	}
	return cover, sim, simOwn
}

// phraseTerm is what [queryView.phrasing] needs of a term of the query:
// whether it is among the query's terms with their synonyms and among the
// customer's own, and its squared weight.
type phraseTerm struct {
	inTerms, own bool
	weight2      float64
}

// phrasingNorms returns the squared norms, in the space of terms weighed
// by their idf in ix, of the article's title and questions, made once per
// index: the weights change with the knowledge base, the articles' terms
// are shared by the successive indexes.
func (ix *Index) phrasingNorms(at *articleTerms) []float64 {
	if pn := at.norms.Load(); pn != nil && pn.generation == ix.generation {
		return pn.norms
	}
	norms := make([]float64, len(at.phrasings))
	for i, p := range at.phrasings {
		for j, t := range p {
			if !slices.Contains(p[:j], t) {
				w := ix.termWeight(t)
				norms[i] += w * w
			}
		}
	}
	at.norms.Store(&phrasingNorms{generation: ix.generation, norms: norms})
	return norms
}

// phrasingNorms are an article's phrasings' norms in the index of one
// generation.
type phrasingNorms struct {
	generation uint64
	norms      []float64
}

// generations numbers the indexes made, so that what is cached for one
// index is not taken for another's.
var generations atomic.Uint64

// known returns the share of a query's weight that the knowledge base
// knows: concepts some article holds, in the customer's words or another.
func (ix *Index) known(concepts []concept) float64 {
	total, known := 0.0, 0.0
	for _, c := range concepts {
		if len(c.forms[0]) == 0 {
			continue
		}
		total += c.weight
		for _, form := range c.forms {
			if formDF(ix.df, form) > 0 {
				known += c.weight
				break
			}
		}
	}
	if total == 0 {
		return 0
	}
	return known / total
}

// maxScore is the score of an article matching every concept in every
// field.
func maxScore(concepts []concept) float64 {
	best, sum := 0.0, 0.0
	for _, b := range fieldBoost {
		best = max(best, b)
		sum += b
	}
	total := 0.0
	for _, c := range concepts {
		total += c.weight * (best + otherFieldsShare*(sum-best))
	}
	return total
}

// otherFieldsShare is the part of a concept's matches outside its best
// field that counts in the score.
const otherFieldsShare = 0.25

// snippet returns the sentence of the article's body that holds the most of
// the query's concepts, or its first sentence.
func (e *entry) snippet(concepts []concept) string {
	best, bestScore := "", -1.0
	for _, s := range e.articleTerms().sentences {
		score := 0.0
		for _, c := range concepts {
			for _, form := range c.forms {
				if len(form) == 0 {
					continue
				}
				if _, ok := s.terms[form[0]]; ok {
					score += c.weight
					break
				}
			}
		}
		if score > bestScore {
			best, bestScore = s.text, score
		}
	}
	return truncate(best, 220)
}

func splitSentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if r == '\n' || ((r == '.' || r == '!' || r == '?') && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n')) {
			if s := strings.TrimSpace(text[start : i+1]); len(s) > 1 {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// truncate cuts s to at most n bytes at a word boundary, adding "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut <= 0 {
		cut = n
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
