package kb

import "sync"

// speller corrects a misspelt word to a word of the knowledge base, by
// symmetric deletion: two words within one edit share a form with one
// letter deleted, so candidates are found by lookups instead of by
// comparing against every word.
type speller struct {
	words map[string]string // word -> indexed term
	freq  map[string]int
	// deletes maps each word, and each form of it with one letter
	// deleted, to the words; it is made when first needed, so that an
	// edit that adds a word to the knowledge base does not wait for it.
	deletesOnce sync.Once
	deletes     map[string][]string
}

// minSpellLength is the length below which words are not corrected: short
// words have too many neighbours for a guess to be right.
const minSpellLength = 4

func newSpeller(words map[string]string, freq map[string]int) *speller {
	return &speller{words: words, freq: freq}
}

// deletionIndex returns s.deletes, making it first.
func (s *speller) deletionIndex() map[string][]string {
	s.deletesOnce.Do(func() {
		s.deletes = map[string][]string{}
		for w := range s.words {
			if len(w) < minSpellLength {
				continue
			}
			s.deletes[w] = append(s.deletes[w], w)
			for _, d := range deletions(w) {
				s.deletes[d] = append(s.deletes[d], w)
			}
		}
	})
	return s.deletes
}

// deletions returns w with each one of its letters deleted.
func deletions(w string) []string {
	r := []rune(w)
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// correct returns the known word closest to w (one insertion, deletion,
// substitution or transposition away), preferring the most frequent.
func (s *speller) correct(w string) (string, bool) {
	if len([]rune(w)) < minSpellLength {
		return "", false
	}
	if _, ok := s.words[w]; ok {
		return w, true
	}
	deletes := s.deletionIndex()
	best, bestFreq := "", -1
	consider := func(cands []string) {
		for _, c := range cands {
			if c == best || !withinOneEdit(w, c) {
				continue
			}
			if f := s.freq[c]; f > bestFreq || (f == bestFreq && c < best) {
				best, bestFreq = c, f
			}
		}
	}
	consider(deletes[w])
	for _, d := range deletions(w) {
		consider(deletes[d])
		if _, ok := s.words[d]; ok {
			consider([]string{d})
		}
	}
	return best, best != ""
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or transposition of adjacent letters.
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	switch len(ra) - len(rb) {
	case 0:
		diff := -1
		for i := range ra {
			if ra[i] != rb[i] {
				if diff >= 0 {
					// A second difference: only a transposition of the
					// first one is allowed.
					return i == diff+1 && ra[diff] == rb[i] && ra[i] == rb[diff] && string(ra[i+1:]) == string(rb[i+1:])
				}
				diff = i
			}
		}
		return true
	case 1:
		i := 0
		for i < len(rb) && ra[i] == rb[i] {
			i++
		}
		return string(ra[i+1:]) == string(rb[i:])
	}
	return false
}
