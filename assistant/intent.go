package assistant

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalize lower-cases text, removes accents and splits it into words;
// apostrophes split words too ("l'adresse" gives "l", "adresse").
func normalize(text string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(text)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// combining accent: dropped
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// contains reports whether the words hold the phrase, word for word.
func contains(words []string, phrase string) bool {
	for i := 0; i <= len(words); i++ {
		if startsWith(words[i:], phrase) {
			return true
		}
	}
	return false
}

// startsWith reports whether words begin with the words of phrase.
func startsWith(words []string, phrase string) bool {
	j := 0
	for w := range strings.FieldsSeq(phrase) {
		if j >= len(words) || words[j] != w {
			return false
		}
		j++
	}
	return true
}

var (
	greetingWords = setOf("bonjour bonsoir salut coucou hello hi hey bjr slt yo hola cc wesh")
	thanksWords   = setOf("merci thanks thank thx ty mrc cimer remercie remerciements")
	goodbyeWords  = setOf("revoir bye ciao bientot adieu goodbye tchao")
	// politeWords may surround a greeting, thanks or goodbye without
	// making it a question.
	politeWords = setOf(`beaucoup mille fois bien tres trop vous toi a tous tout le la les monde madame monsieur
		et encore pour votre ton aide ca va comment allez vas bonne bonnes journee soiree nuit matinee
		au plus tard super parfait top genial nickel ok okay d accord cool c est cest excellent impeccable vraiment
		you so much very lot a the team for your help good morning evening night day have nice great
		how are doing all thank see later soon`)
)

// smalltalkKind reports whether the message is only a greeting, thanks or
// goodbye, and which.
func smalltalkKind(words []string) (int, bool) {
	if len(words) == 0 || len(words) > 8 {
		return 0, false
	}
	kind, found := -1, false
	for _, w := range words {
		switch {
		case greetingWords[w]:
			if kind < 0 {
				kind = greeting
			}
			found = true
		case thanksWords[w]:
			kind, found = thanks, true
		case goodbyeWords[w]:
			kind, found = goodbye, true
		case politeWords[w]:
		default:
			return 0, false
		}
	}
	if !found {
		// "bonne journée", "have a nice day": a goodbye without the word.
		if contains(words, "bonne journee") || contains(words, "bonne soiree") || contains(words, "nice day") {
			return goodbye, true
		}
		return 0, false
	}
	return kind, true
}

var (
	// personNouns name a member of staff, as opposed to the bot.
	personNouns = setOf(`humain humaine humains conseiller conseillere conseillers agent agents operateur operatrice
		interlocuteur interlocutrice quelqu qqn qq1 human humans agent advisor adviser operator representative rep someone somebody
		responsable manager superviseur supervisor`)
	// wantVerbs say the customer wants something: with a person noun,
	// they ask for a person ("je voudrais qu'un humain me réponde").
	wantVerbs = setOf("veux veut voudrais voudrait souhaite souhaiterais aimerais besoin exige jveux want need would like")
	// takeOver are what a person would do instead of the bot.
	takeOver = []string{"prendre le relais", "prenne le relais", "me reponde", "me repondre", "repondre a ma", "take over", "get back to me"}
	// talkVerbs ask to be put in touch.
	talkVerbs = setOf(`parler parle discuter joindre contacter echanger avoir passer passez passe mettre mettez relation
		transferer transferez appeler rappeler rappelez talk speak chat connect transfer reach call get`)
)

// wantsPerson reports whether the customer asks for a person rather than
// the bot: a word for a member of staff with a verb of talking ("parler à
// un conseiller"), "une vraie personne", or such a word nearly alone ("un
// humain svp").
func wantsPerson(words []string) bool {
	for i, w := range words {
		isPerson := personNouns[w]
		if w == "personne" || w == "person" || w == "gens" || w == "people" {
			// Also "nobody" and "for another person": only a person to
			// talk to counts.
			isPerson = i > 0 && (words[i-1] == "vraie" || words[i-1] == "real" || words[i-1] == "actual") ||
				verbBefore(words, i, 3)
		}
		if !isPerson {
			continue
		}
		if verbBefore(words, i, 4) || len(words) <= 5 || i > 0 && (words[i-1] == "vrai" || words[i-1] == "real") {
			return true
		}
		for _, w := range words {
			if pleaseWords[w] {
				return true
			}
		}
		for _, w := range words {
			if wantVerbs[w] {
				return true
			}
		}
		for _, p := range takeOver {
			if contains(words, p) {
				return true
			}
		}
	}
	for _, p := range callMe {
		if contains(words, p) {
			return true
		}
	}
	return contains(words, "service client") && verbBefore(words, len(words)-1, len(words)) && len(words) <= 6 && !isQuestion(words)
}

// pleaseWords make a request of a person noun: « un responsable svp ».
var pleaseWords = setOf("svp stp plait please pls plz")

// callMe are requests to be called back.
var callMe = []string{"rappelez moi", "appelez moi", "call me back", "call me"}

// verbBefore reports whether one of the n words before words[i] asks to
// talk.
func verbBefore(words []string, i, n int) bool {
	for j := i - 1; j >= 0 && j >= i-n; j-- {
		if talkVerbs[words[j]] {
			return true
		}
	}
	return false
}

var questionWords = setOf("comment quand quel quelle quels quelles pourquoi how when what which why")

func isQuestion(words []string) bool {
	return len(words) > 0 && questionWords[words[0]]
}

var (
	// orderNumberRe finds an order reference announced as such: "n° A-5521",
	// "commande 10234", "order #12345".
	orderNumberRe = regexp.MustCompile(`(?i)(?:n°|nº|no\.|num(?:[ée]ro)?|#|r[ée]f(?:[ée]rence)?|commande|order|cde|cmd)\s*:?\s*(?:n°|nº|#)?\s*([a-z]{0,4}-?\d[\w-]{2,})`)
	// bareNumberRe finds a long number or a letters-and-digits reference
	// standing alone.
	bareNumberRe = regexp.MustCompile(`(?i)\b([a-z]{1,4}-\d{3,}|[a-z]{1,3}\d{4,}|\d{5,})\b`)
	// quantityRe recognises numbers that are amounts or durations, not
	// references.
	quantityRe = regexp.MustCompile(`(?i)^\s*(?:€|%|(?:eur|euros?|h|heures?|jours?|mois|ans?|semaines?|min|minutes?|km|kg|g|cm|mm|ml|pages?|x)\b)`)
)

// orderRefs returns the order references in a message.
func orderRefs(text string) []string {
	// A reference holds digits: most messages hold none, and need no
	// regular expression.
	if !strings.ContainsAny(text, "0123456789") {
		return nil
	}
	var refs []string
	seen := map[string]bool{}
	add := func(ref string, end int) {
		ref = strings.ToUpper(strings.Trim(ref, "-_"))
		if seen[ref] || quantityRe.MatchString(text[end:]) || !strings.ContainsAny(ref, "0123456789") {
			return
		}
		digits := 0
		for _, r := range ref {
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits < 3 {
			return
		}
		seen[ref] = true
		refs = append(refs, ref)
	}
	for _, m := range orderNumberRe.FindAllStringSubmatchIndex(text, -1) {
		add(text[m[2]:m[3]], m[3])
	}
	for _, m := range bareNumberRe.FindAllStringSubmatchIndex(text, -1) {
		add(text[m[2]:m[3]], m[3])
	}
	return refs
}

var (
	ownOrderNouns = setOf("commande commandes colis paquet livraison order orders parcel package delivery achat achats purchase")
	possessives   = setOf("ma mon mes my notre nos")
	// liveStatus are phrases that ask for the present state of something
	// of the customer's, which only live data can answer.
	liveStatus = []string{"ou en est", "ou en sont", "ou est", "ou sont", "est elle partie", "est il parti",
		"est elle arrivee", "est il arrive", "est elle expediee", "est il expedie", "est arrive", "est arrivee",
		"a ete expedie", "a ete expediee", "a ete envoye", "a ete envoyee", "a ete livre", "a ete livree",
		"where is", "where are", "status of", "has my", "is my", "has it", "did it arrive"}
	// ownData are what a question may ask to see of the customer's own
	// order: its tracking number, its invoice.
	ownData = []string{"numero de suivi", "lien de suivi", "code de suivi", "tracking number", "tracking link", "facture", "invoice"}
	// accountNouns are the customer's money held by the shop.
	accountNouns = setOf("avoir avoirs credit solde cagnotte portefeuille porte monnaie points bons balance wallet")
	howMuchLeft  = setOf("combien reste restant solde montant much left balance remaining")
	// boughtVerbs, after "j'ai" or "I", say that the customer bought or
	// sent the thing spoken of: « la robe que j'ai achetée ».
	boughtVerbs = setOf(`achete achetee achetes achetees commande commandee commandes commandees envoye envoyee envoyes envoyees
		expedie expediee paye payee recu recue bought ordered sent paid received`)
)

// mentionsOwnOrder reports whether the words say "my order", "mon colis"
// and the like.
func mentionsOwnOrder(words []string) bool {
	for i := 1; i < len(words); i++ {
		// One word may stand between: « ma dernière commande ».
		if ownOrderNouns[words[i]] && (possessives[words[i-1]] || i >= 2 && possessives[words[i-2]]) {
			return true
		}
	}
	return false
}

// boughtByMe reports whether the words speak of something the customer
// bought or sent: « que j'ai achetée », "I ordered".
func boughtByMe(words []string) bool {
	for i := 1; i < len(words); i++ {
		if !boughtVerbs[words[i]] {
			continue
		}
		if words[i-1] == "i" || words[i-1] == "ai" && i >= 2 && (words[i-2] == "j" || words[i-2] == "je") {
			return true
		}
	}
	return false
}

// howToStarts begin a question on how to do something, which the FAQ
// answers even when it speaks of the customer's order: « comment annuler
// ma commande ? ».
var howToStarts = []string{"comment", "how", "que faire", "que dois je faire", "what should", "what do i do", "what can i do",
	"ou trouver", "ou puis je trouver", "where can i find", "est il possible", "is it possible", "quelle est la procedure",
	"quelles sont les etapes", "c est quoi la procedure", "peut on", "can i", "can you"}

// isHowTo reports whether the words ask how to do something.
func isHowTo(words []string) bool {
	// A greeting may come first: « bonjour, comment… ».
	for len(words) > 0 && greetingWords[words[0]] {
		words = words[1:]
	}
	for _, p := range howToStarts {
		if startsWith(words, p) {
			return true
		}
	}
	return false
}

// refersBack reports whether the words refer to something said before
// with a pronoun: « elle », "it", or « l' », « la », « le » before a
// verb (« l'annuler », « la recevoir »).
func refersBack(words []string) bool {
	for i, w := range words {
		switch w {
		case "elle", "il", "it", "celle", "celui", "celle-ci":
			return true
		case "l", "la", "le":
			if i+1 < len(words) && looksInfinitive(words[i+1]) {
				return true
			}
		}
	}
	return false
}

// looksInfinitive reports whether a French word looks like a verb in the
// infinitive, as after an object pronoun.
func looksInfinitive(w string) bool {
	if len(w) < 5 {
		return false
	}
	for _, end := range []string{"er", "ir", "re", "oir"} {
		if strings.HasSuffix(w, end) {
			return true
		}
	}
	return false
}

// aboutOwnOrder reports whether the message is about the customer's own
// order or account, which needs live data, and returns the order
// references it holds: a reference; the state of something the customer
// ordered or sent; its tracking number or invoice, asked for rather than
// how to get it; what is left of the customer's credit.
func aboutOwnOrder(text string, words []string) ([]string, bool) {
	if refs := orderRefs(text); len(refs) > 0 {
		return refs, true
	}
	own := mentionsOwnOrder(words) || boughtByMe(words)
	if own {
		for _, p := range liveStatus {
			if contains(words, p) {
				return nil, true
			}
		}
		if !isHowTo(words) {
			for _, p := range ownData {
				if contains(words, p) {
					return nil, true
				}
			}
		}
	}
	if ownsAccountMoney(words) {
		for _, w := range words {
			if howMuchLeft[w] {
				return nil, true
			}
		}
	}
	return nil, false
}

// ownsAccountMoney reports whether the words say "my credit", « mon
// porte-monnaie » and the like.
func ownsAccountMoney(words []string) bool {
	for i := 1; i < len(words); i++ {
		if possessives[words[i-1]] && accountNouns[words[i]] {
			return true
		}
	}
	return false
}
