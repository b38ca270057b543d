package kb

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// Words the generated knowledge base is written with: real support
// vocabulary for titles, and made-up words so that the vocabulary is as
// large as a real shop's.
var (
	genTopics  = strings.Fields("commande livraison colis paiement remboursement facture compte retour garantie abonnement carte avoir promo stock taille cadeau adresse transporteur relais virement")
	genActions = strings.Fields("annuler modifier suivre payer recevoir retourner échanger activer supprimer consulter télécharger utiliser contacter changer vérifier")
	genObjects = strings.Fields("cartouche toner imprimante cahier stylo agenda classeur enveloppe papier encre étiquette trousse sac calculatrice")
)

func genWord(r *rand.Rand) string {
	syll := []string{"ra", "lo", "mi", "pé", "tu", "sa", "ne", "co", "vi", "da", "gu", "fo", "bé", "ri", "zo", "que", "tion", "ment", "ar", "on"}
	n := 2 + r.IntN(3)
	var b strings.Builder
	for range n {
		b.WriteString(syll[r.IntN(len(syll))])
	}
	return b.String()
}

// generateKB writes n articles, deterministic for a seed, as a map of
// file names to contents.
func generateKB(n int, seed uint64) map[string]string {
	r := rand.New(rand.NewPCG(seed, seed))
	vocab := make([]string, 6000)
	for i := range vocab {
		vocab[i] = genWord(r)
	}
	files := map[string]string{}
	for i := range n {
		topic := genTopics[r.IntN(len(genTopics))]
		title := fmt.Sprintf("Comment %s %s %s %s ?", genActions[r.IntN(len(genActions))], genObjects[r.IntN(len(genObjects))],
			topic, vocab[r.IntN(len(vocab))])
		var body strings.Builder
		for s := range 3 + r.IntN(4) {
			if s > 0 {
				body.WriteString(" ")
			}
			for w := range 8 + r.IntN(12) {
				if w > 0 {
					body.WriteString(" ")
				}
				if r.IntN(3) == 0 {
					body.WriteString(genTopics[r.IntN(len(genTopics))])
				} else {
					body.WriteString(vocab[r.IntN(len(vocab))])
				}
			}
			body.WriteString(".")
		}
		files[fmt.Sprintf("%s/article-%04d.md", topic, i)] = fmt.Sprintf(
			"---\nid: gen-%04d\ntitle: %s\ncategory: %s\ntags: [%s, %s]\nquestions:\n  - %s %s %s\nlang: fr\n---\n%s\n",
			i, title, topic, topic, vocab[r.IntN(len(vocab))], genActions[r.IntN(len(genActions))], topic, vocab[r.IntN(len(vocab))], body.String())
	}
	return files
}

func generatedFS(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range generateKB(n, 1) {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// writeKB writes files into a new temporary folder.
func writeKB(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
		// Written an hour ago, as a knowledge base is before the server
		// starts: see racyWindow.
		old := time.Now().Add(-time.Hour)
		if err := os.Chtimes(p, old, old); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// genQueries are searches of the kind customers type, against the
// generated knowledge base.
var genQueries = []string{
	"comment annuler ma commande de cartouche",
	"remboursement pas reçu",
	"je veux changer mon adresse de livraison",
	"facture stylo",
	"mon colis est perdu",
	"code promo ne marche pas",
	"retourner un cahier",
	"payer par virement",
}
