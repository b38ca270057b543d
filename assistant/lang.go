package assistant

import (
	"strings"
	"sync"
	"unicode"

	"github.com/pemistahl/lingua-go"
)

// The customer's language is identified by lingua-go, restricted to the
// languages supportd answers in: its n-gram models of French and English
// tell them apart on messages of a few words, where a trigram profile
// (whatlanggo) or lists of marker words do not. The models take about
// 40 MB once loaded, on the first message or by [PreloadLanguages].

// langConfidence is the confidence from which the detected language is
// taken over the interface's: below it, as for « ok » or a bare order
// number, the message does not tell.
const langConfidence = 0.65

var langDetector = sync.OnceValue(func() lingua.LanguageDetector {
	return lingua.NewLanguageDetectorBuilder().FromLanguages(lingua.French, lingua.English).Build()
})

// PreloadLanguages loads the language models now, so that the first
// customer's message does not wait for them.
func PreloadLanguages() {
	langDetector().DetectLanguageOf("bonjour")
}

// detectLang returns the language of a message, "fr" or "en", falling
// back on the interface language hint when the message does not tell,
// then on French.
func detectLang(text, hint string) string {
	text = languageText(text)
	if text == "" {
		return replyLang(hint)
	}
	if lang := detected(text); lang != "" {
		return lang
	}
	return replyLang(hint)
}

// langCache keeps what the detector said of recent texts: customers
// write the same short messages again and again (« bonjour », « merci »,
// the start screen's questions), and the detector is most of an offline
// answer's CPU (BenchmarkOfflineAnswer). It holds up to langCacheSize
// texts, and starts afresh when full.
var langCache struct {
	sync.Mutex
	langs map[string]string
}

const (
	langCacheSize = 4096
	// langCacheLen is the longest text kept: a long message is rarely
	// written twice.
	langCacheLen = 200
)

// detected returns the language the detector finds text written in, "fr"
// or "en", or "" when it is not confident.
func detected(text string) string {
	cacheable := len(text) <= langCacheLen
	if cacheable {
		langCache.Lock()
		lang, ok := langCache.langs[text]
		langCache.Unlock()
		if ok {
			return lang
		}
	}
	lang := ""
	values := langDetector().ComputeLanguageConfidenceValues(text)
	if len(values) > 0 && values[0].Value() >= langConfidence {
		lang = "fr"
		if values[0].Language() == lingua.English {
			lang = "en"
		}
	}
	if cacheable {
		langCache.Lock()
		if langCache.langs == nil || len(langCache.langs) >= langCacheSize {
			langCache.langs = make(map[string]string, langCacheSize)
		}
		langCache.langs[text] = lang
		langCache.Unlock()
	}
	return lang
}

// neutralWords are written alike in French and English chat.
var neutralWords = setOf("ok okay oki okk k lol mdr ptdr xd")

// languageText returns the words of a message that tell its language:
// without email addresses, order references, numbers, nor the words that
// both languages write alike.
func languageText(text string) string {
	text = emailRe.ReplaceAllString(text, " ")
	var kept []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '!' || r == '?' || r == '.' }) {
		if strings.ContainsFunc(w, unicode.IsDigit) || neutralWords[strings.ToLower(w)] || !strings.ContainsFunc(w, unicode.IsLetter) {
			continue
		}
		kept = append(kept, w)
	}
	return strings.Join(kept, " ")
}
