package kb

import "strings"

// chatSpellings maps the abbreviations and phonetic spellings of French
// chat and text messages, folded and lower-cased, to the words they stand
// for. It is general French, as written by customers of any shop; a
// shop's own jargon belongs in its synonyms file.
var chatSpellings = map[string]string{
	"jai": "j'ai", "jsuis": "je suis", "chuis": "je suis", "jsui": "je suis",
	"jveux": "je veux", "jpeux": "je peux", "jpe": "je peux", "jvais": "je vais", "jsais": "je sais",
	"jsp": "je ne sais pas", "jcrois": "je crois", "jarrive": "j'arrive", "jtrouve": "je trouve",
	"c": "c'est", "cest": "c'est", "ya": "il y a", "yen": "il y en",
	"ke": "que", "ki": "qui", "koi": "quoi", "kel": "quel", "kelle": "quelle", "kan": "quand",
	"qd": "quand", "qnd": "quand", "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi",
	"cmt": "comment", "cmnt": "comment", "komen": "comment", "koman": "comment",
	"stp": "s'il te plaît", "svp": "s'il vous plaît", "slvp": "s'il vous plaît",
	"tt": "tout", "ts": "tous", "tte": "toute", "ttes": "toutes", "bcp": "beaucoup", "tjs": "toujours", "tjrs": "toujours",
	"pb": "problème", "pbm": "problème", "pblm": "problème", "prob": "problème",
	"dc": "donc", "pr": "pour", "ds": "dans", "ac": "avec", "avc": "avec", "mm": "même", "bi1": "bien",
	"pcq": "parce que", "pck": "parce que", "paske": "parce que", "psk": "parce que",
	"qqch": "quelque chose", "qqc": "quelque chose", "qqn": "quelqu'un", "qq": "quelques", "qlq": "quelques",
	"ajd": "aujourd'hui", "auj": "aujourd'hui", "dmn": "demain",
	"msg": "message", "dispo": "disponible", "rdv": "rendez-vous",
	"nn": "non", "ptet": "peut-être", "ptetre": "peut-être", "dsl": "désolé", "mrc": "merci", "bjr": "bonjour", "slt": "salut",
}

// ExpandChatWord returns what a folded, lower-cased word of French chat
// spelling stands for ("jai" gives "j'ai"), and whether it is one.
func ExpandChatWord(word string) (string, bool) {
	s, ok := chatSpellings[word]
	return s, ok
}

// expandChat rewrites the chat spellings of analysed tokens into the
// tokens of the words they stand for.
func (a *analyzer) expandChat(toks []token) []token {
	var out []token
	for i, t := range toks {
		s, ok := chatSpellings[t.word]
		if !ok {
			if out != nil {
				out = append(out, t)
			}
			continue
		}
		if out == nil {
			out = append(make([]token, 0, len(toks)+4), toks[:i]...)
		}
		out = append(out, a.tokens(strings.ReplaceAll(s, "'", "' "))...)
	}
	if out == nil {
		return toks
	}
	return out
}
