package hours

import (
	"cmp"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidDate is returned, wrapped, by [ParseDate] for text that is not a
// valid date in the form YYYY-MM-DD.
var ErrInvalidDate = errors.New("hours: invalid date")

// Date is a day of the civil (proleptic Gregorian) calendar, without time or
// zone. The zero value is not a valid date. Dates compare with == when they
// are normalised, that is when they come from this package ([DateOf],
// [ParseDate], [Date.AddDays], ...) or are written with a Month in 1–12 and a
// Day that exists in that month.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's own location. Convert t with
// [time.Time.In] first to take its date in another zone.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses a date written YYYY-MM-DD, such as "2026-05-14". It
// returns an error wrapping [ErrInvalidDate] for any other form and for
// days that do not exist, such as "2026-02-30".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w %q: want YYYY-MM-DD", ErrInvalidDate, s)
	}
	return DateOf(t), nil
}

// String returns the date as YYYY-MM-DD, such as "2026-05-14".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// AddDays returns the date n days after d (before d when n is negative),
// across month and year ends and leap days. Like [time.Date], it normalises
// d first: Date{2026, time.February, 30}.AddDays(0) is 2026-03-02.
func (d Date) AddDays(n int) Date {
	return fromDays(d.days() + n)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// Day 0 of days is Thursday 1 January 1970.
	w := (d.days() + int(time.Thursday)) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// Compare returns -1 if d is before o, 0 if they are the same date and +1 if
// d is after o.
func (d Date) Compare(o Date) int {
	if c := cmp.Compare(d.Year, o.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Month, o.Month); c != 0 {
		return c
	}
	return cmp.Compare(d.Day, o.Day)
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// In returns the instant at the wall-clock time hour:min on d in loc, with
// the semantics of [time.Date]: hour and min may be out of range and are
// normalised, and a time that a clock change skips or repeats (from 02:00 to
// 03:00 in Paris on the last Sundays of March and October) is read in one of
// the two offsets, time.Date does not say which. It panics if loc is nil.
func (d Date) In(loc *time.Location, hour, min int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, min, 0, 0, loc)
}

// days returns the number of days from 1970-01-01 to d, normalising months
// outside 1–12 and days outside the month as time.Date does. It is Howard
// Hinnant's days_from_civil, which needs no time.Time and no zone.
func (d Date) days() int {
	y, m := d.Year, int(d.Month)-1 // m in 0–11 once normalised
	y += floorDiv(m, 12)
	m -= floorDiv(m, 12) * 12
	if m < 2 { // January and February count as months 10 and 11 of the year before
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400                       // year of era, 0–399
	doy := (153*((m+10)%12)+2)/5 + d.Day - 1 // day of the year starting 1 March
	doe := yoe*365 + yoe/4 - yoe/100 + doy   // day of era
	return era*146097 + doe - 719468
}

// fromDays is the inverse of [Date.days]: Hinnant's civil_from_days.
func fromDays(z int) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // 0–146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // 0–399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // 0–365, from 1 March
	mp := (5*doy + 2) / 153                                // 0–11, March = 0
	day := doy - (153*mp+2)/5 + 1
	month := (mp+2)%12 + 1
	year := yoe + era*400
	if month <= 2 {
		year++
	}
	return Date{year, time.Month(month), day}
}

// floorDiv returns a/b rounded towards minus infinity, for b > 0.
func floorDiv(a, b int) int {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
