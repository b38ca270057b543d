package report

import "regexp"

// Masks of customers' personal data in what a report quotes: email
// addresses, phone numbers, anything with several digits (order numbers,
// postcodes, card numbers, dates), and a name after « je m'appelle » or
// « my name is ». What they are replaced with says what was there.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}`), "[email]"},
	{regexp.MustCompile(`(?:\+|\b0)\d(?:[ .-]?\d){8,12}\b`), "[téléphone]"},
	{regexp.MustCompile(`\b[\p{L}\p{N}]*\d[\p{L}\p{N}-]*\d[\p{L}\p{N}]*\b`), "[numéro]"},
	{regexp.MustCompile(`\b((?i:je m'appelle|je m’appelle|mon nom est|my name is))\s+\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]+)?`), "$1 [nom]"},
}

// Mask replaces the personal data of a customer's message.
func Mask(text string) string {
	for _, m := range masks {
		text = m.re.ReplaceAllString(text, m.with)
	}
	return text
}
