package kb

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// ParseSynonyms parses a knowledge base's synonyms file:
//
//	synonyms:
//	  - [remboursement, rembourser, refund]
//	  - [colis, paquet]
//
// Each group lists words or phrases that customers use for the same thing.
// It returns the groups and the problems found, with their lines.
func ParseSynonyms(name string, data []byte) ([][]string, []Problem) {
	var problems []Problem
	report := func(line int, format string, args ...any) {
		problems = append(problems, Problem{Path: name, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		report(yamlErrorLine(err), "bad synonyms file: %s", yamlErrorText(err))
		return nil, problems
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	doc := root.Content[0]
	var list *yaml.Node
	if doc.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == "synonyms" {
				list = doc.Content[i+1]
			} else {
				report(doc.Content[i].Line, "unknown field %q (expected synonyms)", doc.Content[i].Value)
			}
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		report(doc.Line, "expected a list of groups under synonyms:")
		return nil, problems
	}
	var groups [][]string
	for _, item := range list.Content {
		var group stringSet
		if err := item.Decode(&group); err != nil {
			report(item.Line, "bad synonym group: %s", yamlErrorText(err))
			continue
		}
		if len(group) < 2 {
			report(item.Line, "a synonym group needs at least two words")
			continue
		}
		groups = append(groups, group)
	}
	return groups, problems
}

// builtinGroups returns the groups of [builtinLexicon].
func builtinGroups() [][]string {
	var groups [][]string
	for _, line := range strings.Split(builtinLexicon, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var group []string
		for _, p := range strings.Split(line, "|") {
			if p = strings.TrimSpace(p); p != "" {
				group = append(group, p)
			}
		}
		groups = append(groups, group)
	}
	return groups
}

// single returns the groups of the one-word phrase term, if any.
func (lx *lexicon) single(term string) []int {
	for _, ph := range lx.byFirst[term] {
		if len(ph.words) == 1 {
			return ph.groups
		}
	}
	return nil
}

// phrase is one entry of a compiled lexicon: its analysed words, stop words
// included, so that "mot de passe" and "mot passe" stay apart.
type phrase struct {
	words  []string // analysed terms, stop words included
	groups []int
}

// lexicon is the vocabulary of synonyms analysed for one language.
type lexicon struct {
	// alts[g] are the indexed terms of each phrase of group g.
	alts [][][]string
	// byFirst indexes phrases by their first analysed word.
	byFirst map[string][]*phrase
	// words lists the surface words of all phrases, for spelling
	// correction.
	words map[string]string
}

// compileLexicon analyses the groups with a language's analyzer.
func compileLexicon(a *analyzer, groups [][]string) *lexicon {
	lx := &lexicon{byFirst: map[string][]*phrase{}, words: map[string]string{}}
	seen := map[string]*phrase{}
	for _, group := range groups {
		g := len(lx.alts)
		var alts [][]string
		for _, p := range group {
			toks := a.tokens(p)
			if len(toks) == 0 {
				continue
			}
			words := make([]string, len(toks))
			var terms []string
			for i, t := range toks {
				words[i] = t.term
				if !t.stop {
					terms = append(terms, t.term)
					lx.words[t.word] = t.term
				}
			}
			if len(terms) > 0 {
				alts = append(alts, terms)
			}
			key := strings.Join(words, " ")
			ph, ok := seen[key]
			if !ok {
				ph = &phrase{words: words}
				seen[key] = ph
				lx.byFirst[words[0]] = append(lx.byFirst[words[0]], ph)
			}
			if len(ph.groups) == 0 || ph.groups[len(ph.groups)-1] != g {
				ph.groups = append(ph.groups, g)
			}
		}
		lx.alts = append(lx.alts, alts)
	}
	return lx
}

// longestMatch returns the longest phrase that starts at toks[i], or nil.
// A phrase of function words only ("où en est") must have two words at
// least: one alone ("ce", "sur") is far more often just a function word.
func (lx *lexicon) longestMatch(toks []token, i int) *phrase {
	var best *phrase
	for _, ph := range lx.byFirst[toks[i].term] {
		n := len(ph.words)
		if i+n > len(toks) || (best != nil && n <= len(best.words)) {
			continue
		}
		ok, content := true, false
		for j, w := range ph.words {
			if toks[i+j].term != w {
				ok = false
				break
			}
			content = content || !toks[i+j].stop
		}
		if ok && (content || n >= 2) {
			best = ph
		}
	}
	return best
}

var (
	builtinOnce     sync.Once
	builtinLexicons map[string]*lexicon
)

// Concepts returns what text is about, word by word, for grouping
// customers' questions (the editors' reports): the phrases of supportd's
// customer-service vocabulary (builtinLexicon) as the name of their
// group, so that « modifier » and « changer », « annuler » and « cancel »
// meet, and the other words as Terms gives them. Stop words are left
// out; « ne … pas » is kept as a word of its own, « pas », when it is no
// part of a phrase, since « pas arrivé » and « arrivé » are two
// questions.
func Concepts(lang, text string) []string {
	builtinOnce.Do(func() {
		builtinLexicons = map[string]*lexicon{}
		for _, l := range Languages {
			builtinLexicons[l] = compileLexicon(analyzerFor(l), builtinGroups())
		}
	})
	a := analyzerFor(lang)
	lx := builtinLexicons[a.lang]
	toks := a.tokens(text)
	var out []string
	for i := 0; i < len(toks); i++ {
		if ph := lx.longestMatch(toks, i); ph != nil {
			out = append(out, "#"+strconv.Itoa(ph.groups[0]))
			// The words of a longer phrase count too, by their own
			// group: « shipping cost » is also about shipping.
			if len(ph.words) > 1 {
				for _, t := range toks[i : i+len(ph.words)] {
					if g := lx.single(t.term); len(g) > 0 && !t.stop {
						out = append(out, "#"+strconv.Itoa(g[0]))
					}
				}
			}
			i += len(ph.words) - 1
			continue
		}
		switch t := toks[i]; {
		case t.word == "pas" || t.word == "not" || t.word == "n't":
			out = append(out, "pas")
		case !t.stop:
			out = append(out, t.term)
		}
	}
	return out
}
