package hours

import (
	"slices"
	"time"
)

// Easter returns the date of Easter Sunday in year, by the anonymous
// Gregorian algorithm (Meeus/Jones/Butcher). It is meant for years from 1583,
// when the Gregorian calendar began; earlier years from 0 get the date the
// Gregorian rules would have given.
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

// Holiday is a public holiday: its date and its name in French, such as
// "Lundi de Pâques".
type Holiday struct {
	Date Date
	Name string
}

// frenchHoliday is the rule of one French public holiday: a fixed day of the
// year, or a number of days after Easter Sunday when month is zero.
type frenchHoliday struct {
	name       string
	month      time.Month
	day        int
	fromEaster int
}

// frenchHolidays are the public holidays of metropolitan France (Code du
// travail, article L3133-1), in calendar order of the fixed ones.
var frenchHolidays = [...]frenchHoliday{
	{name: "Jour de l'an", month: time.January, day: 1},
	{name: "Lundi de Pâques", fromEaster: 1},
	{name: "Fête du Travail", month: time.May, day: 1},
	{name: "Victoire 1945", month: time.May, day: 8},
	{name: "Ascension", fromEaster: 39},
	{name: "Lundi de Pentecôte", fromEaster: 50},
	{name: "Fête nationale", month: time.July, day: 14},
	{name: "Assomption", month: time.August, day: 15},
	{name: "Toussaint", month: time.November, day: 1},
	{name: "Armistice", month: time.November, day: 11},
	{name: "Noël", month: time.December, day: 25},
}

// date returns the date of the holiday in the year of easter.
func (h frenchHoliday) date(easter Date) Date {
	if h.month == 0 {
		return easter.AddDays(h.fromEaster)
	}
	return Date{easter.Year, h.month, h.day}
}

// FrenchHolidays returns the eleven public holidays of metropolitan France in
// year, sorted by date: Jour de l'an (1 January), Lundi de Pâques, Fête du
// Travail (1 May), Victoire 1945 (8 May), Ascension (39 days after Easter),
// Lundi de Pentecôte (50 days after Easter), Fête nationale (14 July),
// Assomption (15 August), Toussaint (1 November), Armistice (11 November) and
// Noël (25 December). Ascension falls on 1 or 8 May in some years (2008,
// 2059); the two holidays then share a date, fixed one first.
//
// Today's list is applied to every year. The extra holidays of Alsace and
// Moselle (Vendredi saint, 26 December) and of the overseas departments are
// not included; add them to [Calendar.Holidays].
func FrenchHolidays(year int) []Holiday {
	easter := Easter(year)
	hs := make([]Holiday, len(frenchHolidays))
	for i, h := range frenchHolidays {
		hs[i] = Holiday{h.date(easter), h.name}
	}
	slices.SortStableFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs
}

// frenchHolidayName returns the name of the French public holiday on d, if
// any; when two fall on d, the fixed one. It computes Easter only for dates
// in March to June, where the movable holidays fall, and allocates nothing.
func frenchHolidayName(d Date) (string, bool) {
	movable := d.Month >= time.March && d.Month <= time.June
	var easter Date
	if movable {
		easter = Easter(d.Year)
	}
	for _, h := range frenchHolidays {
		if h.month == 0 {
			if movable && h.date(easter) == d {
				return h.name, true
			}
		} else if h.month == d.Month && h.day == d.Day {
			return h.name, true
		}
	}
	return "", false
}
