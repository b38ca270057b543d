package kb

import (
	"context"
	"math"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestRetrieveAsBleveSearches holds the candidates read from the
// postings to what Bleve's own search of the same terms returns: the same
// scores, and the same articles but where equal scores straddle the last
// place, which retrieve gives to the smaller article ids.
func TestRetrieveAsBleveSearches(t *testing.T) {
	c, _, err := Load(generatedFS(600))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	texts := append([]string{"cartouche", "facture", "livraison express colis"}, genQueries...)
	for _, text := range texts {
		perLang := map[string][]concept{}
		for _, lang := range ix.langs {
			perLang[lang] = ix.concepts(lang, text)
		}
		terms := ix.retrievalTerms(perLang)
		if len(terms) == 0 {
			t.Fatalf("%q: no terms to retrieve by", text)
		}
		for _, n := range []int{1, 10, candidates} {
			got, err := ix.bleve.retrieve(ctx, terms, n)
			if err != nil {
				t.Fatal(err)
			}
			want := bleveSearch(t, ix, terms, n)
			if len(got) != len(want) {
				t.Fatalf("%q, %d: %d candidates, Bleve %d", text, n, len(got), len(want))
			}
			wantIDs := map[string]bool{}
			for _, w := range want {
				wantIDs[w.id] = true
			}
			last := want[len(want)-1].score
			for i := range got {
				if !closeScores(got[i].score, want[i].score) {
					t.Errorf("%q, %d: candidate %d scores %v, Bleve's %v", text, n, i, got[i].score, want[i].score)
				}
				if !closeScores(got[i].score, last) && !wantIDs[got[i].id] {
					t.Errorf("%q, %d: %s is not among Bleve's candidates", text, n, got[i].id)
				}
				if i > 0 && got[i-1].score == got[i].score && got[i-1].id > got[i].id {
					t.Errorf("%q, %d: equal scores not in the order of their ids: %s, %s", text, n, got[i-1].id, got[i].id)
				}
			}
		}
	}
}

// bleveSearch searches the disjunction of terms with Bleve's search
// request, as the index did before it read the postings itself.
func bleveSearch(t *testing.T, ix *Index, terms []string, n int) []candidate {
	t.Helper()
	var clauses []query.Query
	for _, term := range terms {
		tq := query.NewTermQuery(term)
		tq.SetField(termsField)
		clauses = append(clauses, tq)
	}
	var q query.Query = query.NewDisjunctionQuery(clauses)
	if len(clauses) == 1 {
		q = clauses[0]
	}
	res, err := ix.bleve.index.SearchInContext(context.Background(), bleve.NewSearchRequestOptions(q, n, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]candidate, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = candidate{id: h.ID, score: h.Score}
	}
	return out
}

// closeScores tells whether two scores are equal but for the rounding of
// a sum taken in another order.
func closeScores(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}
