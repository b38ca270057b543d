package assistant

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/supportd/supportd/kb"
)

// fakeSearcher answers searches with a function.
type fakeSearcher struct {
	SearchFn   func(ctx context.Context, text string, limit int) ([]kb.Hit, error)
	ArticleFn  func(id string) *kb.Article
	ArticlesFn func() []*kb.Article
}

func (f fakeSearcher) Search(ctx context.Context, text string, limit int) ([]kb.Hit, error) {
	return f.SearchFn(ctx, text, limit)
}

func (f fakeSearcher) Articles() []*kb.Article {
	if f.ArticlesFn == nil {
		return nil
	}
	return f.ArticlesFn()
}

func (f fakeSearcher) Article(id string) *kb.Article {
	if f.ArticleFn == nil {
		return nil
	}
	return f.ArticleFn(id)
}

// hits returns a searcher that finds articles of the given coverages,
// best first, each one's other signals in proportion: a message whose
// words the knowledge base all knows, the first hit ranked first by both
// coverage and BM25F.
func hits(conf ...float64) fakeSearcher {
	return fakeSearcher{SearchFn: func(context.Context, string, int) ([]kb.Hit, error) {
		var out []kb.Hit
		for i, c := range conf {
			id := string(rune('a' + i))
			out = append(out, kb.Hit{Article: &kb.Article{ID: id, Title: "Titre " + id, Body: "Réponse " + id},
				Score: c, Confidence: c, Coverage: c, BM25: c / conf[0], Phrasing: c, Known: 1, Words: 4, Agree: i == 0})
		}
		return out, nil
	}}
}

func newService(t *testing.T, s Searcher) *Service {
	t.Helper()
	svc, err := New(Config{Searcher: s})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestRoutes(t *testing.T) {
	svc := newService(t, hits(0.9, 0.3))
	for _, test := range []struct {
		q    string
		want Route
	}{
		{"bonjour", RouteSmalltalk},
		{"Bonjour !", RouteSmalltalk},
		{"merci beaucoup pour votre aide", RouteSmalltalk},
		{"au revoir, bonne journée", RouteSmalltalk},
		{"hello", RouteSmalltalk},
		{"thanks a lot!", RouteSmalltalk},
		{"bonjour, où est ma facture ?", RouteFAQ},
		{"je veux parler à un conseiller", RouteHandoff},
		{"un humain svp", RouteHandoff},
		{"passez-moi quelqu'un de l'équipe", RouteHandoff},
		{"je voudrais parler à une vraie personne", RouteHandoff},
		{"can I talk to a human", RouteHandoff},
		{"agent please", RouteHandoff},
		{"livrer à une autre personne", RouteFAQ},
		{"personne ne répond au téléphone depuis une semaine et j'attends mon remboursement", RouteFAQ},
		{"où en est ma commande 10234 ?", RouteOrder},
		{"ma commande n°A-5521 est-elle partie ?", RouteOrder},
		{"commande CMD-88213 pas reçue", RouteOrder},
		{"where is my order #55120", RouteOrder},
		{"où en est ma commande ?", RouteOrder},
		{"combien me reste-t-il sur mon avoir ?", RouteOrder},
		{"est-ce que je peux annuler ma commande ?", RouteFAQ},
		{"livraison gratuite dès 49 € ?", RouteFAQ},
		{"délai de 14 jours pour un retour ?", RouteFAQ},
		{"rappelez-moi au 06 12 34 56 78", RouteHandoff},
	} {
		t.Run(test.q, func(t *testing.T) {
			reply, err := svc.Answer(context.Background(), Message{Text: test.q})
			if err != nil {
				t.Fatal(err)
			}
			if reply.Route != test.want {
				t.Errorf("route %s, want %s", reply.Route, test.want)
			}
			if reply.Text == "" {
				t.Error("empty reply")
			}
		})
	}
}

func TestOrderRefs(t *testing.T) {
	for _, test := range []struct{ in, want string }{
		{"où en est ma commande 10234 ?", "10234"},
		{"commande n° A-5521", "A-5521"},
		{"order #88213 and #88214", "88213,88214"},
		{"ma commande CMD20931 est bloquée", "CMD20931"},
		{"livraison gratuite dès 49 € et 14 jours pour changer d'avis", ""},
		{"payé 12000 euros", ""},
		{"je l'ai reçue en 2 jours", ""},
	} {
		if got := strings.Join(orderRefs(test.in), ","); got != test.want {
			t.Errorf("orderRefs(%q) = %q, want %q", test.in, got, test.want)
		}
	}
}

func TestFAQReply(t *testing.T) {
	svc := newService(t, hits(0.9, 0.5, 0.1))
	reply, err := svc.Answer(context.Background(), Message{Text: "où trouver ma facture"})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Route != RouteFAQ || reply.Articles[0].ID != "a" || !strings.Contains(reply.Text, "Réponse a") {
		t.Fatalf("reply %+v", reply)
	}
	var actions []string
	for _, a := range reply.Actions {
		actions = append(actions, a.ID)
	}
	if strings.Join(actions, " ") != "helpful:yes helpful:no handoff" {
		t.Errorf("actions %v", actions)
	}
}

func TestFallback(t *testing.T) {
	svc, err := New(Config{Searcher: hits(0.4, 0.25, 0.1), SuggestThreshold: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := svc.Answer(context.Background(), Message{Text: "un truc vague"})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Route != RouteFallback {
		t.Fatalf("route %s", reply.Route)
	}
	if len(reply.Articles) != 2 {
		t.Errorf("suggestions below the threshold are listed: %+v", reply.Articles)
	}
	if last := reply.Actions[len(reply.Actions)-1]; last.ID != "handoff" {
		t.Errorf("a fallback must offer a person: %+v", reply.Actions)
	}

	reply, _ = newService(t, hits()).Answer(context.Background(), Message{Text: "rien"})
	if reply.Route != RouteFallback || len(reply.Articles) != 0 || len(reply.Actions) != 1 {
		t.Errorf("nothing found: %+v", reply)
	}
}

func TestLanguage(t *testing.T) {
	svc := newService(t, hits(0.9))
	for _, test := range []struct{ q, hint, want string }{
		{"where is my parcel", "", "en"},
		{"où est mon colis", "en", "fr"},
		{"hello", "", "en"},
		{"ok", "en", "en"},
		{"ok", "", "fr"},
	} {
		reply, _ := svc.Answer(context.Background(), Message{Text: test.q, Lang: test.hint})
		if reply.Lang != test.want {
			t.Errorf("%q (hint %q): lang %s, want %s", test.q, test.hint, reply.Lang, test.want)
		}
	}
}

func TestSearchError(t *testing.T) {
	broken := fakeSearcher{SearchFn: func(context.Context, string, int) ([]kb.Hit, error) {
		return nil, errors.New("index gone")
	}}
	if _, err := newService(t, broken).Answer(context.Background(), Message{Text: "facture"}); err == nil {
		t.Error("a search error must be returned")
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without a Searcher must fail")
	}
}

func TestArticleReply(t *testing.T) {
	svc := newService(t, fakeSearcher{ArticleFn: func(id string) *kb.Article {
		if id == "delais" {
			return &kb.Article{ID: id, Title: "Délais", Body: "Sous 48 h."}
		}
		return nil
	}})
	if r, ok := svc.ArticleReply("delais", "en"); !ok || r.Route != RouteFAQ || r.Lang != "en" || !strings.Contains(r.Text, "48 h") {
		t.Errorf("reply %+v %v", r, ok)
	}
	if _, ok := svc.ArticleReply("absent", "fr"); ok {
		t.Error("an unknown article was answered")
	}
}

// TestReplyInTheCustomersLanguage: an English question is answered with
// the English article when the knowledge base has one close to the French
// one, and otherwise with the French article, saying so in English; the
// buttons are in English either way.
func TestReplyInTheCustomersLanguage(t *testing.T) {
	article := func(id, lang string) *kb.Article {
		return &kb.Article{ID: id, Title: "Titre " + id, Body: "Réponse " + id, Lang: lang}
	}
	searcher := func(articles ...*kb.Article) fakeSearcher {
		return fakeSearcher{SearchFn: func(context.Context, string, int) ([]kb.Hit, error) {
			var out []kb.Hit
			for i, a := range articles {
				c := 0.9 - 0.05*float64(i)
				out = append(out, kb.Hit{Article: a, Score: c, Confidence: c, BM25: 1, Phrasing: 1 - 0.5*float64(i), Known: 1, Words: 4, Agree: i == 0})
			}
			return out, nil
		}}
	}
	both := newService(t, searcher(article("refund", "fr"), article("refund-en", "en")))
	r, _ := both.Answer(context.Background(), Message{Text: "when will I get my refund?"})
	if r.Lang != "en" || len(r.Articles) == 0 || r.Articles[0].ID != "refund-en" {
		t.Errorf("with an English article: lang %s, articles %+v", r.Lang, r.Articles)
	}
	frenchOnly := newService(t, searcher(article("refund", "fr")))
	r, _ = frenchOnly.Answer(context.Background(), Message{Text: "when will I get my refund?"})
	if r.Route != RouteFAQ || !strings.Contains(r.Text, "not available in English yet; here it is in French") {
		t.Errorf("with a French article only: %+v", r)
	}
	for _, a := range r.Actions {
		if a.ID == "handoff" && a.Label != "Talk to a person" {
			t.Errorf("button %q in French under an English reply", a.Label)
		}
	}
}

// TestArticleTextOfEachArticle: the text kept of an article answered with
// is that article's: a reload's new article of the same id, as after an
// edit, is answered with its own text.
func TestArticleTextOfEachArticle(t *testing.T) {
	article := &kb.Article{ID: "suivi", Title: "Suivre mon colis", Body: "Avant la modification."}
	svc := newService(t, fakeSearcher{SearchFn: func(context.Context, string, int) ([]kb.Hit, error) {
		return []kb.Hit{{Article: article, Score: 0.9, Confidence: 0.9, Coverage: 0.9, BM25: 1, Phrasing: 0.9, Known: 1, Words: 4, Agree: true}}, nil
	}})
	ask := func() string {
		t.Helper()
		r, err := svc.Answer(t.Context(), Message{Text: "comment suivre mon colis ?"})
		if err != nil || r.Route != RouteFAQ {
			t.Fatalf("Answer = %+v, %v", r, err)
		}
		return r.Text
	}
	if first, again := ask(), ask(); !strings.Contains(first, "Avant la modification.") || again != first {
		t.Fatalf("texts %q then %q", first, again)
	}
	article = &kb.Article{ID: "suivi", Title: "Suivre mon colis", Body: "Après la modification."}
	if text := ask(); !strings.Contains(text, "Après la modification.") {
		t.Errorf("after the edit: %q", text)
	}
}
