package kb

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
)

// The French thesaurus widens a query with the general synonyms of its
// words, so that a customer who writes « marchander » finds the article
// that says « négocier ». It is derived from the LibreOffice French
// thesaurus as Debian ships it (package mythes-fr, thes_fr.dat, LGPL-2.1+:
// see thesaurus_fr.LICENSE), by `make thesaurus`: each single-word entry
// with the single-word synonyms of all its meanings, one line a word,
// "word|syn|syn…", gzipped.
//
// A thesaurus is noisy (« colis » is also « valise »), so it only ever
// adds to a query: a synonym is kept only when the knowledge base uses it,
// and the credit of a word's synonyms is spread over those kept, so that a
// common word with many synonyms weighs no more than a rare one.
//
//go:embed thesaurus_fr.txt.gz
var thesaurusData []byte

var (
	thesaurusOnce sync.Once
	thesaurus     map[string][]string
)

// thesaurusCredit is the credit shared by the synonyms the thesaurus
// gives a word, against 1 for the word itself.
const thesaurusCredit = 0.5

// frenchSynonyms returns the thesaurus' synonyms of a folded, lower-cased
// French word, folded too.
func frenchSynonyms(word string) []string {
	thesaurusOnce.Do(func() {
		thesaurus = map[string][]string{}
		zr, err := gzip.NewReader(bytes.NewReader(thesaurusData))
		if err != nil {
			return
		}
		an := analyzerFor("fr")
		sc := bufio.NewScanner(zr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			parts := strings.Split(sc.Text(), "|")
			if len(parts) < 2 {
				continue
			}
			head := string(an.fold.Filter([]byte(strings.ToLower(parts[0]))))
			for _, s := range parts[1:] {
				s = string(an.fold.Filter([]byte(strings.ToLower(s))))
				if s != head {
					thesaurus[head] = append(thesaurus[head], s)
				}
			}
		}
	})
	return thesaurus[word]
}
