package kb

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/elision"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// token is one word of analysed text.
type token struct {
	// word is the folded, lower-cased surface form, elisions removed.
	word string
	// term is the stemmed form that is indexed and searched.
	term string
	// stop marks a function word: kept for phrase matching, never indexed.
	stop bool
	// corrected marks a word the speller changed.
	corrected bool
}

// analyzer is the analysis chain of one language: accent and case folding,
// elision (l', d', qu', j'...), stop words and a light stemmer, built from
// Bleve's analysis components. The same chain analyses articles and
// queries, so both meet on the same terms; Bleve indexes the resulting
// terms as they are.
type analyzer struct {
	lang      string
	fold      *asciifolding.AsciiFoldingFilter
	tokenizer analysis.Tokenizer
	filters   []analysis.TokenFilter
	stemmer   analysis.TokenFilter
	stop      map[string]bool
	// stems caches stem results; it stops growing at maxCachedStems so
	// that odd input cannot grow it without bound.
	stems      sync.Map
	stemsCount atomic.Int64
}

const maxCachedStems = 200_000

var (
	analyzersOnce sync.Once
	analyzers     map[string]*analyzer
)

// analyzerFor returns the analyzer of a language of [Languages].
func analyzerFor(lang string) *analyzer {
	analyzersOnce.Do(func() {
		articles := analysis.NewTokenMap()
		for _, a := range strings.Fields("l m t qu n s j d c jusqu quoiqu lorsqu puisqu presqu") {
			articles.AddToken(a)
		}
		stop := map[string]bool{}
		for _, w := range strings.Fields(stopWords) {
			stop[w] = true
		}
		analyzers = map[string]*analyzer{
			"fr": &analyzer{
				lang: "fr", fold: asciifolding.New(), tokenizer: unicodetok.NewUnicodeTokenizer(),
				filters: []analysis.TokenFilter{lowercase.NewLowerCaseFilter(), elision.NewElisionFilter(articles)},
				stemmer: fr.NewFrenchLightStemmerFilter(), stop: stop,
			},
			"en": &analyzer{
				lang: "en", fold: asciifolding.New(), tokenizer: unicodetok.NewUnicodeTokenizer(),
				filters: []analysis.TokenFilter{lowercase.NewLowerCaseFilter(), en.NewPossessiveFilter()},
				stemmer: en.NewEnglishStemmerFilter(), stop: stop,
			},
		}
	})
	if a, ok := analyzers[lang]; ok {
		return a
	}
	return analyzers[Languages[0]]
}

// tokens analyses text into its words, stop words included.
func (a *analyzer) tokens(text string) []token {
	folded := a.fold.Filter([]byte(text))
	stream := a.tokenizer.Tokenize(folded)
	for _, f := range a.filters {
		stream = f.Filter(stream)
	}
	out := make([]token, 0, len(stream))
	for _, t := range stream {
		word := strings.Trim(string(t.Term), "'")
		if word == "" {
			continue
		}
		out = append(out, token{word: word, term: a.stem(word), stop: a.stop[word]})
	}
	return out
}

// stem returns the indexed form of one folded word. Numbers and words with
// digits are kept as they are.
func (a *analyzer) stem(word string) string {
	for _, r := range word {
		if !unicode.IsLetter(r) {
			return word
		}
	}
	if len(word) <= 3 {
		return word
	}
	if s, ok := a.stems.Load(word); ok {
		return s.(string)
	}
	stream := a.stemmer.Filter(analysis.TokenStream{&analysis.Token{Term: []byte(word)}})
	stem := string(stream[0].Term)
	if a.stemsCount.Load() < maxCachedStems {
		a.stemsCount.Add(1)
		a.stems.Store(word, stem)
	}
	return stem
}

// terms returns the indexed terms of text: tokens without stop words.
func (a *analyzer) terms(text string) []string {
	toks := a.tokens(text)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if !t.stop {
			out = append(out, t.term)
		}
	}
	return out
}

// stopWords are the function words of French and English, folded: they carry
// no topic, so they are neither indexed nor searched. Both languages are
// listed for every analyzer because customers mix them ("do you livrez").
// Question words (quand, combien) are stop words here but still take part
// in the lexicon's phrases ("combien de temps"); "avoir", a store credit in
// shops, is deliberately absent.
const stopWords = `
a au aux avec ce ces cet cette ceci cela ca dans de des du elle elles en et eux il ils je j la le les leur leurs lui
ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui quoi sa se ses son sur ta te tes toi ton
tu un une vos votre vous y c d l m n s t ici sans soi la voici voila
ete etant suis es est sommes etes sont serai seras sera serons serez seront serais serait etais etait etaient
ai as avons avez ont aurai aura aurait avais avait eu eue
quel quels quelle quelles comment est-ce estce quand pourquoi combien chez vais va vont aller etre
veux veut voudrais voudrait voulez souhaite souhaiterais souhaitons aimerais aimerait
peux peut pouvez pourrais pourriez puis puisse dois doit faut fait faire
svp stp please merci bonjour bonsoir salut hello hi possible possibilite
plus tres bien tout tous toute toutes encore toujours deja aussi alors donc si non jamais rien
the an and or of to in on at for with by from as is are was were be been am
i me my mine you your yours we our us he she it its they them their this that these those
do does did can could would should will shall may might must have has had
how what which who whom
want wanted like need possible able
`

// Terms returns the words of text that carry its topic, as the index
// keeps them: folded, lower-cased, elisions and stop words removed,
// stemmed (lang "fr" or "en"; another language reads as French). The
// editors' reports group customers' questions by them.
func Terms(lang, text string) []string { return analyzerFor(lang).terms(text) }
