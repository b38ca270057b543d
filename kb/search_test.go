package kb

import (
	"testing"
	"testing/fstest"
)

// shopFS is a small bilingual knowledge base for search tests.
var shopFS = fstest.MapFS{
	"compte/mdp.md": {Data: []byte(`---
id: mdp
title: J'ai oublié mon mot de passe
category: Mon compte
tags: [connexion]
---
Cliquez sur « Mot de passe oublié » sur la page de connexion.
`)},
	"paiement/remboursement.md": {Data: []byte(`---
id: remboursement
title: Quand serai-je remboursé ?
category: Paiement
tags: [remboursement]
---
Le remboursement est fait sous 14 jours sur votre carte bancaire.
`)},
	"livraison/colis.md": {Data: []byte(`---
id: colis-perdu
title: Mon colis n'est pas arrivé
category: Livraison
questions: [Le livreur n'est jamais passé]
---
Vérifiez le suivi sur le site du transporteur, puis écrivez-nous.
`)},
	"livraison/adresse.md": {Data: []byte(`---
id: adresse
title: Changer l'adresse de livraison
category: Livraison
---
Avant l'expédition, l'adresse peut être modifiée depuis votre espace client. Un colis déjà parti ne peut plus être redirigé.
`)},
	"en/returns.md": {Data: []byte(`---
id: returns
title: How do I return an item?
lang: en
tags: [returns]
---
You have 30 days to send items back for a refund.
`)},
	"brouillon.md": {Data: []byte(`---
id: brouillon
title: Soldes d'hiver
status: draft
---
Les soldes commencent bientôt.
`)},
	SynonymsFile: {Data: []byte("synonyms:\n  - [transporteur, coursier]\n")},
}

func buildShop(t testing.TB) *Index {
	t.Helper()
	c, problems, err := Load(shopFS)
	if err != nil || len(problems) > 0 {
		t.Fatalf("load: %v %v", err, problems)
	}
	ix, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestSearch(t *testing.T) {
	ix := buildShop(t)
	for _, test := range []struct {
		name, q, want string
	}{
		{"exact words", "mot de passe oublié", "mdp"},
		{"abbreviation from the lexicon", "j'ai perdu mon mdp", "mdp"},
		{"no accents, capitals", "QUAND SERAI JE REMBOURSE", "remboursement"},
		{"stemming: verb for noun", "rembourser ma commande", "remboursement"},
		{"typo", "rembourssement", "remboursement"},
		{"elision", "l'arrivée du colis", "colis-perdu"},
		{"synonym: paquet for colis", "paquet jamais arrivé", "colis-perdu"},
		{"English words on a French article", "refund", "remboursement"},
		{"English article", "how can I return this item", "returns"},
		{"questions field", "le livreur n'est pas passé", "colis-perdu"},
		{"the folder's own synonyms", "coursier", "colis-perdu"},
		{"title beats body", "adresse de livraison", "adresse"},
	} {
		t.Run(test.name, func(t *testing.T) {
			hits, err := ix.Search(t.Context(), test.q, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].Article.ID != test.want {
				t.Fatalf("Search(%q) = %v, want %s first", test.q, ids(hits), test.want)
			}
			if hits[0].Snippet == "" {
				t.Error("no snippet")
			}
		})
	}
}

func TestSearchConfidence(t *testing.T) {
	ix := buildShop(t)
	conf := func(q string) float64 {
		hits, err := ix.Search(t.Context(), q, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			return 0
		}
		return hits[0].Confidence
	}
	clear := conf("j'ai oublié mon mot de passe")
	if clear < 0.9 {
		t.Errorf("a question the title answers: confidence %.2f", clear)
	}
	// Words only in a body are mentions: less confidence than a title.
	if body := conf("carte bancaire"); body >= clear/2 {
		t.Errorf("body-only match: confidence %.2f, title match %.2f", body, clear)
	}
	if none := conf("quelle est la capitale de l'Australie"); none != 0 {
		t.Errorf("out of scope: confidence %.2f", none)
	}
	// Half the question unknown: less confidence than all of it known.
	if half := conf("mot de passe du wifi du voisin"); half >= clear {
		t.Errorf("half known: %.2f >= %.2f", half, clear)
	}
}

func TestSearchSkipsDrafts(t *testing.T) {
	ix := buildShop(t)
	hits, _ := ix.Search(t.Context(), "soldes d'hiver", 3)
	for _, h := range hits {
		if h.Article.ID == "brouillon" {
			t.Fatal("a draft was found")
		}
	}
	if ix.Article("brouillon") != nil || ix.Article("mdp") == nil {
		t.Error("Article: drafts must be hidden, published articles found")
	}
}

func TestSpeller(t *testing.T) {
	s := newSpeller(map[string]string{"remboursement": "rembours", "livraison": "livraison", "colis": "coli"},
		map[string]int{"remboursement": 3, "livraison": 5, "colis": 9})
	for _, test := range []struct {
		in, want string
		ok       bool
	}{
		{"remboursment", "remboursement", true}, // deletion
		{"livraisson", "livraison", true},       // insertion
		{"livrazson", "livraison", true},        // substitution
		{"lviraison", "livraison", true},        // transposition
		{"coils", "colis", true},
		{"livrxxson", "", false}, // two edits
		{"col", "", false},       // too short to guess
	} {
		got, ok := s.correct(test.in)
		if got != test.want || ok != test.ok {
			t.Errorf("correct(%q) = %q, %v; want %q, %v", test.in, got, ok, test.want, test.ok)
		}
	}
}

func ids(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Article.ID
	}
	return out
}
