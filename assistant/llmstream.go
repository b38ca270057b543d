package assistant

import (
	"encoding/json"
	"strings"
)

// The model replies with one JSON object, {"covered": …, "answer": …,
// "sources": […]}, streamed a few characters at a time. answerStream picks
// the answer out of it as it comes, so that the customer reads it while it
// is written: it shows the answer's text only once "covered" came true
// before it, a word at a time (never half a word, a link or a number being
// written), and stops showing for good at the first word that holds a
// link, email address or phone number found in none of the sources the
// model was given. What the customer finally gets is decided on the
// complete reply (groundedReply); what was shown is then replaced.

// answerStream follows the model's reply as it is streamed.
type answerStream struct {
	// show is given each new piece of the answer to show; nil shows
	// nothing.
	show func(piece string)
	// known is the text of every source the model was given: what shown
	// links and numbers must come from.
	known sourceText
	raw   strings.Builder
	// answerAt is where the answer's string begins in raw, once found.
	answerAt int
	// shown is how much of the answer was shown; stopped, that a piece
	// did not hold and nothing more is shown.
	shown   int
	stopped bool
}

// newTurn starts the reading of another reply of the model, as after
// its tool calls. Were a reply that called tools to have shown text, the
// showing stops: it could not be told apart from the answer.
func (a *answerStream) newTurn() {
	if a.shown > 0 {
		a.stopped = true
	}
	a.raw.Reset()
	a.answerAt = 0
}

// add takes the next piece of the model's reply.
func (a *answerStream) add(delta string) {
	if a.show == nil || a.stopped || delta == "" {
		return
	}
	a.raw.WriteString(delta)
	var answer string
	var complete bool
	if a.answerAt == 0 {
		answer, complete, a.answerAt = partialAnswer(a.raw.String())
	} else {
		answer, complete = partialString(a.raw.String()[a.answerAt:])
	}
	if !complete {
		// Up to the last space: the word being written may still grow.
		answer = answer[:strings.LastIndexAny(answer, " \n\t")+1]
	}
	if len(answer) <= a.shown {
		return
	}
	piece := answer[a.shown:]
	// Only a piece with a digit, an @ or a link may bring what no source
	// has; then the whole text so far is checked, as a number may be
	// written over several words.
	if strings.ContainsAny(piece, "0123456789@") || strings.Contains(piece, "http") || strings.Contains(piece, "www.") {
		if why := a.known.unsupported(answer); why != "" {
			a.stopped = true
			return
		}
	}
	a.shown = len(answer)
	a.show(piece)
}

// partialAnswer returns what the reply so far holds of the answer's text,
// decoded, whether that text is complete, and where it begins in raw
// (0 until then); "" when "covered" did not come true before the answer
// began.
func partialAnswer(raw string) (string, bool, int) {
	dec := json.NewDecoder(strings.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false, 0
	}
	covered := false
	for {
		key, err := dec.Token()
		if err != nil {
			return "", false, 0
		}
		name, ok := key.(string)
		if !ok {
			return "", false, 0
		}
		if name == "answer" {
			if !covered {
				return "", false, 0
			}
			at := int(dec.InputOffset())
			text, complete := partialString(raw[at:])
			if !strings.HasPrefix(strings.TrimLeft(raw[at:], " \t\r\n:"), `"`) {
				at = 0 // the value has not begun
			}
			return text, complete, at
		}
		var value any
		if err := dec.Decode(&value); err != nil {
			return "", false, 0
		}
		if name == "covered" {
			covered = value == true
		}
	}
}

// partialString decodes the JSON string that rest begins with (after the
// colon and spaces), as far as it is written: up to its closing quote, or
// up to the last escape complete so far.
func partialString(rest string) (string, bool) {
	rest = strings.TrimLeft(rest, " \t\r\n:")
	if !strings.HasPrefix(rest, `"`) {
		return "", false
	}
	end, complete := len(rest), false
scan:
	for i := 1; i < len(rest); i++ {
		switch rest[i] {
		case '"':
			end, complete = i+1, true
			break scan
		case '\\':
			size := 2
			if i+1 < len(rest) && rest[i+1] == 'u' {
				size = 6
				// A high surrogate waits for the low one that follows.
				if i+3 < len(rest) && (rest[i+2] == 'd' || rest[i+2] == 'D') && strings.ContainsRune("89abAB", rune(rest[i+3])) {
					size = 12
				}
			}
			if i+size > len(rest) {
				end = i
				break scan
			}
			i += size - 1
		}
	}
	text := rest[:end]
	if !complete {
		text += `"`
	}
	var s string
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return "", false
	}
	return s, complete
}

// sourceText is the text of the sources an answer may draw from, with
// the forms its links, numbers and addresses are looked up in.
type sourceText struct {
	text, digits, lower string
}

func newSourceText(text string) sourceText {
	return sourceText{text: text, digits: digitsOf(text), lower: strings.ToLower(text)}
}

// unsupported says why text holds a link, an email address or a phone
// number (8 digits or more) not found in the sources, or "" when it holds
// none.
func (k sourceText) unsupported(text string) string {
	for _, link := range linkRe.FindAllString(text, -1) {
		if !strings.Contains(k.text, strings.TrimRight(link, ".,;:!?")) {
			return "a link not in the sources: " + link
		}
	}
	for _, phone := range phoneRe.FindAllString(text, -1) {
		if d := digitsOf(phone); len(d) >= 8 && !strings.Contains(k.digits, d) {
			return "a phone number not in the sources: " + phone
		}
	}
	for _, email := range emailRe.FindAllString(text, -1) {
		if !strings.Contains(k.lower, strings.ToLower(email)) {
			return "an email address not in the sources: " + email
		}
	}
	return ""
}

// digitsOf keeps the digits of s.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
