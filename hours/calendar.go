package hours

import (
	"slices"
	"time"

	// The embedded IANA time zone database (about 450 KB of binary) lets
	// Europe/Paris load on machines that have none: scratch and distroless
	// containers, Windows. time.LoadLocation still prefers the system's
	// database when there is one, so zone rules follow the host's updates.
	_ "time/tzdata"
)

// paris is the default location of a [Calendar]. Loading it cannot fail with
// the embedded database; if it ever did, the program stops at start-up rather
// than quote dates in UTC.
var paris = mustLoadLocation("Europe/Paris")

// mustLoadLocation returns the named location, or panics.
func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("hours: " + err.Error())
	}
	return loc
}

// Calendar tells business days in a time zone. Its zero value is a calendar
// in Europe/Paris, Monday to Friday, without holidays; [France] adds the
// French public holidays.
//
// A Calendar is safe for concurrent use as long as its fields are not
// modified while it is in use.
type Calendar struct {
	// Location is the time zone in which instants are turned into dates and
	// cutoffs are read. Nil means Europe/Paris, never UTC or time.Local.
	Location *time.Location

	// Workdays are the days of the week that are business days, in any
	// order. Empty means Monday to Friday.
	Workdays []time.Weekday

	// Holidays are extra closed dates, such as an inventory day, with the
	// name given to customers. Keys must be valid dates (see [Date]). A
	// name here takes precedence over a public holiday's.
	Holidays map[Date]string

	// FrenchPublicHolidays closes the public holidays of [FrenchHolidays].
	FrenchPublicHolidays bool
}

// France returns the calendar of a shop in metropolitan France: Europe/Paris,
// Monday to Friday, closed on the French public holidays. Each call returns a
// new Calendar, which the caller may change before use.
func France() *Calendar {
	return &Calendar{
		Location:             paris,
		Workdays:             []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		FrenchPublicHolidays: true,
	}
}

// location returns the calendar's time zone.
func (c *Calendar) location() *time.Location {
	if c.Location == nil {
		return paris
	}
	return c.Location
}

// isWorkday reports whether w is one of the calendar's workdays.
func (c *Calendar) isWorkday(w time.Weekday) bool {
	if len(c.Workdays) == 0 {
		return w >= time.Monday && w <= time.Friday
	}
	return slices.Contains(c.Workdays, w)
}

// HolidayName returns the name of the holiday on d, from [Calendar.Holidays]
// or, when FrenchPublicHolidays is set, from [FrenchHolidays], and whether d
// is a holiday at all. A holiday may fall on a day that is not a workday
// anyway, such as 15 August 2026, a Saturday.
func (c *Calendar) HolidayName(d Date) (string, bool) {
	if name, ok := c.Holidays[d]; ok {
		return name, true
	}
	if c.FrenchPublicHolidays {
		return frenchHolidayName(d)
	}
	return "", false
}

// IsBusinessDay reports whether d is one of the calendar's workdays and not
// a holiday.
func (c *Calendar) IsBusinessDay(d Date) bool {
	if !c.isWorkday(d.Weekday()) {
		return false
	}
	_, holiday := c.HolidayName(d)
	return !holiday
}

// NextBusinessDay returns the first business day strictly after d. It panics
// if Workdays holds no day from Sunday to Saturday, since there would be none.
func (c *Calendar) NextBusinessDay(d Date) Date {
	return c.step(d, 1)
}

// BusinessDayOnOrAfter returns d if it is a business day, and otherwise the
// first business day after it. It panics as [Calendar.NextBusinessDay] does.
func (c *Calendar) BusinessDayOnOrAfter(d Date) Date {
	if c.IsBusinessDay(d) {
		return d
	}
	return c.step(d, 1)
}

// AddBusinessDays returns the n-th business day after d, or before d when n
// is negative; for n = 0 it returns d, business day or not. So a parcel
// dispatched on d and delivered within two business days arrives by
// AddBusinessDays(d, 2). It panics as [Calendar.NextBusinessDay] does.
func (c *Calendar) AddBusinessDays(d Date, n int) Date {
	dir := 1
	if n < 0 {
		dir, n = -1, -n
	}
	for range n {
		d = c.step(d, dir)
	}
	return d
}

// step returns the first business day after d in direction dir (1 or -1).
// Holidays are finite, so the loop ends as long as a workday exists.
func (c *Calendar) step(d Date, dir int) Date {
	if len(c.Workdays) > 0 && !slices.ContainsFunc(c.Workdays, func(w time.Weekday) bool {
		return w >= time.Sunday && w <= time.Saturday
	}) {
		panic("hours: calendar has no workday")
	}
	for {
		d = d.AddDays(dir)
		if c.IsBusinessDay(d) {
			return d
		}
	}
}

// DispatchDate returns the day an order placed at t leaves the warehouse:
// the date of t in the calendar's time zone when that is a business day and
// the wall-clock time of t there is before cutoff, and otherwise the next
// business day. The comparison is to the minute, in wall-clock time, so on
// days when clocks change a 15:00 cutoff is still 15:00 local time; an order
// at 14:59:59 makes it and one at 15:00:00 does not. A cutoff of 00:00 sends
// every order to the next business day. It panics as
// [Calendar.NextBusinessDay] does.
func (c *Calendar) DispatchDate(t time.Time, cutoff Clock) Date {
	t = t.In(c.location())
	d := DateOf(t)
	if t.Hour()*60+t.Minute() < cutoff.minutes() && c.IsBusinessDay(d) {
		return d
	}
	return c.NextBusinessDay(d)
}
