package orders

import (
	"errors"
	"strconv"
	"strings"
)

// Money is an amount in euro cents: 1234 is 12,34 €. The shop sells in
// euros only, so no currency is stored.
type Money int64

// MaxMoney is the largest amount a fixture or the database accepts, ten
// billion euros; sums of amounts up to it cannot overflow.
const MaxMoney Money = 1_000_000_000_000

// Separators of French amounts, as in CLDR's "fr" locale: a narrow
// no-break space (U+202F) between groups of thousands, a no-break space
// (U+00A0) before the euro sign.
const (
	frThousands = "\u202f"
	frBeforeEUR = "\u00a0"
)

// Format returns m as a customer reads it in lang: for French (lang "fr"
// or "fr-*"), "1 234,50 €" with a narrow no-break space (U+202F) between
// thousands and a no-break space (U+00A0) before "€"; otherwise in English,
// "€1,234.50". A negative amount starts with "-".
func (m Money) Format(lang string) string {
	fr := lang == "fr" || strings.HasPrefix(lang, "fr-") || strings.HasPrefix(lang, "fr_")
	var b strings.Builder
	if m < 0 {
		b.WriteByte('-')
	}
	if !fr {
		b.WriteString("€")
	}
	// In uint64, the magnitude of the smallest int64 does not overflow.
	cents := uint64(m)
	if m < 0 {
		cents = -cents
	}
	units := strconv.FormatUint(cents/100, 10)
	sep, point := ",", "."
	if fr {
		sep, point = frThousands, ","
	}
	for i, digit := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(digit)
	}
	b.WriteString(point)
	frac := cents % 100
	b.WriteByte(byte('0' + frac/10))
	b.WriteByte(byte('0' + frac%10))
	if fr {
		b.WriteString(frBeforeEUR + "€")
	}
	return b.String()
}

// String returns m in euros with two decimals and a point, such as
// "1234.50", as written in fixtures.
func (m Money) String() string {
	return strings.NewReplacer("€", "", ",", "").Replace(m.Format("en"))
}

// parseMoney parses an amount in euros written with a point or a comma
// before at most two decimals, such as "12", "12.5", "12.50" or "12,50",
// optionally preceded by "-"; it refuses amounts beyond [MaxMoney] either
// way.
func parseMoney(s string) (Money, error) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	units, frac, hasFrac := strings.Cut(digits, ".")
	if !hasFrac {
		units, frac, hasFrac = strings.Cut(digits, ",")
	}
	if units == "" || !allDigits(units) || !allDigits(frac) || (hasFrac && frac == "") {
		return 0, errors.New("not an amount in euros such as 12.50")
	}
	if len(frac) > 2 {
		return 0, errors.New("more than two decimals: amounts are in cents")
	}
	units = strings.TrimLeft(units, "0")
	if len(units) > len(strconv.FormatInt(int64(MaxMoney/100), 10)) {
		return 0, errors.New("amount too large")
	}
	var m Money
	for _, d := range units + (frac + "00")[:2] {
		m = m*10 + Money(d-'0')
	}
	if m > MaxMoney {
		return 0, errors.New("amount too large")
	}
	if neg {
		m = -m
	}
	return m, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
