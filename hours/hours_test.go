package hours

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// date returns the date y-m-d, for short tables.
func date(y int, m time.Month, d int) Date { return Date{y, m, d} }

// inParis returns the instant of a wall-clock time in Europe/Paris.
func inParis(y int, m time.Month, d, hour, min, sec int) time.Time {
	return time.Date(y, m, d, hour, min, sec, 0, paris)
}

// utc returns the instant of a wall-clock time in UTC.
func utc(y int, m time.Month, d, hour, min, sec int) time.Time {
	return time.Date(y, m, d, hour, min, sec, 0, time.UTC)
}

func TestEaster(t *testing.T) {
	for _, test := range []struct {
		year int
		want Date
	}{
		{1818, date(1818, time.March, 22)}, // earliest possible date
		{1943, date(1943, time.April, 25)}, // latest possible date
		{1954, date(1954, time.April, 18)},
		{2000, date(2000, time.April, 23)},
		{2008, date(2008, time.March, 23)},
		{2011, date(2011, time.April, 24)},
		{2016, date(2016, time.March, 27)},
		{2017, date(2017, time.April, 16)},
		{2018, date(2018, time.April, 1)},
		{2019, date(2019, time.April, 21)},
		{2020, date(2020, time.April, 12)},
		{2021, date(2021, time.April, 4)},
		{2022, date(2022, time.April, 17)},
		{2023, date(2023, time.April, 9)},
		{2024, date(2024, time.March, 31)},
		{2025, date(2025, time.April, 20)},
		{2026, date(2026, time.April, 5)},
		{2027, date(2027, time.March, 28)},
		{2028, date(2028, time.April, 16)},
		{2029, date(2029, time.April, 1)},
		{2030, date(2030, time.April, 21)},
		{2038, date(2038, time.April, 25)},
		{2285, date(2285, time.March, 22)},
	} {
		if got := Easter(test.year); got != test.want {
			t.Errorf("Easter(%d) = %v, want %v", test.year, got, test.want)
		}
	}
}

// TestEasterMatchesOudin checks Easter against a second, independent
// algorithm (Oudin 1940, as given by Claus Tøndering's calendar FAQ) and
// against the rules every Easter obeys: a Sunday from 22 March to 25 April.
func TestEasterMatchesOudin(t *testing.T) {
	oudin := func(y int) Date {
		g := y % 19
		c := y / 100
		h := (c - c/4 - (8*c+13)/25 + 19*g + 15) % 30
		i := h - (h/28)*(1-(29/(h+1))*((21-g)/11))
		j := (y + y/4 + i + 2 - c + c/4) % 7
		l := i - j
		month := 3 + (l+40)/44
		return Date{y, time.Month(month), l + 28 - 31*(month/4)}
	}
	for y := 1583; y <= 10000; y++ {
		got := Easter(y)
		if want := oudin(y); got != want {
			t.Fatalf("Easter(%d) = %v, Oudin's algorithm gives %v", y, got, want)
		}
		if got.Weekday() != time.Sunday || got.Before(date(y, time.March, 22)) || got.After(date(y, time.April, 25)) {
			t.Fatalf("Easter(%d) = %v, a %v", y, got, got.Weekday())
		}
	}
}

func TestFrenchHolidays(t *testing.T) {
	for _, test := range []struct {
		year int
		want []Holiday
	}{
		{2026, []Holiday{
			{date(2026, time.January, 1), "Jour de l'an"},
			{date(2026, time.April, 6), "Lundi de Pâques"},
			{date(2026, time.May, 1), "Fête du Travail"},
			{date(2026, time.May, 8), "Victoire 1945"},
			{date(2026, time.May, 14), "Ascension"},
			{date(2026, time.May, 25), "Lundi de Pentecôte"},
			{date(2026, time.July, 14), "Fête nationale"},
			{date(2026, time.August, 15), "Assomption"},
			{date(2026, time.November, 1), "Toussaint"},
			{date(2026, time.November, 11), "Armistice"},
			{date(2026, time.December, 25), "Noël"},
		}},
		{2027, []Holiday{
			{date(2027, time.January, 1), "Jour de l'an"},
			{date(2027, time.March, 29), "Lundi de Pâques"},
			{date(2027, time.May, 1), "Fête du Travail"},
			{date(2027, time.May, 6), "Ascension"},
			{date(2027, time.May, 8), "Victoire 1945"},
			{date(2027, time.May, 17), "Lundi de Pentecôte"},
			{date(2027, time.July, 14), "Fête nationale"},
			{date(2027, time.August, 15), "Assomption"},
			{date(2027, time.November, 1), "Toussaint"},
			{date(2027, time.November, 11), "Armistice"},
			{date(2027, time.December, 25), "Noël"},
		}},
		// Easter on 23 March puts Ascension on 1 May: two holidays, one date.
		{2008, []Holiday{
			{date(2008, time.January, 1), "Jour de l'an"},
			{date(2008, time.March, 24), "Lundi de Pâques"},
			{date(2008, time.May, 1), "Fête du Travail"},
			{date(2008, time.May, 1), "Ascension"},
			{date(2008, time.May, 8), "Victoire 1945"},
			{date(2008, time.May, 12), "Lundi de Pentecôte"},
			{date(2008, time.July, 14), "Fête nationale"},
			{date(2008, time.August, 15), "Assomption"},
			{date(2008, time.November, 1), "Toussaint"},
			{date(2008, time.November, 11), "Armistice"},
			{date(2008, time.December, 25), "Noël"},
		}},
	} {
		got := FrenchHolidays(test.year)
		if len(got) != len(test.want) {
			t.Fatalf("FrenchHolidays(%d) has %d holidays, want %d: %v", test.year, len(got), len(test.want), got)
		}
		for i := range got {
			if got[i] != test.want[i] {
				t.Errorf("FrenchHolidays(%d)[%d] = %v, want %v", test.year, i, got[i], test.want[i])
			}
		}
	}
}

func TestFrenchHolidays2026Weekdays(t *testing.T) {
	want := []time.Weekday{
		time.Thursday,  // 1 January
		time.Monday,    // Easter Monday
		time.Friday,    // 1 May
		time.Friday,    // 8 May
		time.Thursday,  // Ascension
		time.Monday,    // Whit Monday
		time.Tuesday,   // 14 July
		time.Saturday,  // 15 August
		time.Sunday,    // 1 November
		time.Wednesday, // 11 November
		time.Friday,    // 25 December
	}
	for i, h := range FrenchHolidays(2026) {
		if got := h.Date.Weekday(); got != want[i] {
			t.Errorf("%s %v is a %v, want %v", h.Name, h.Date, got, want[i])
		}
	}
}

// TestHolidayNameMatchesFrenchHolidays checks, day by day, that the
// calendar's holiday test and FrenchHolidays agree.
func TestHolidayNameMatchesFrenchHolidays(t *testing.T) {
	c := France()
	for year := 1900; year <= 2200; year++ {
		want := map[Date]string{}
		for _, h := range FrenchHolidays(year) {
			if _, ok := want[h.Date]; !ok { // the first name of a shared date
				want[h.Date] = h.Name
			}
		}
		for d := date(year, time.January, 1); d.Year == year; d = d.AddDays(1) {
			name, ok := c.HolidayName(d)
			wantName, wantOK := want[d]
			if name != wantName || ok != wantOK {
				t.Fatalf("HolidayName(%v) = %q, %v; want %q, %v", d, name, ok, wantName, wantOK)
			}
		}
	}
}

func TestDispatchDate(t *testing.T) {
	c := France()
	cutoff := Clock{15, 0}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		name  string
		order time.Time
		want  Date
	}{
		{"Monday just before the cutoff", inParis(2026, time.May, 18, 14, 59, 59), date(2026, time.May, 18)},
		{"Monday at the cutoff", inParis(2026, time.May, 18, 15, 0, 0), date(2026, time.May, 19)},
		{"Monday at midnight", inParis(2026, time.May, 18, 0, 0, 0), date(2026, time.May, 18)},
		{"Monday last second", inParis(2026, time.May, 18, 23, 59, 59), date(2026, time.May, 19)},
		{"Friday after the cutoff", inParis(2026, time.May, 29, 16, 0, 0), date(2026, time.June, 1)},
		{"Saturday morning", inParis(2026, time.May, 30, 9, 0, 0), date(2026, time.June, 1)},
		{"Sunday morning", inParis(2026, time.May, 31, 9, 0, 0), date(2026, time.June, 1)},
		{"Thursday before 1 May, after the cutoff", inParis(2026, time.April, 30, 16, 0, 0), date(2026, time.May, 4)},
		{"Wednesday before Ascension, after the cutoff", inParis(2026, time.May, 13, 16, 0, 0), date(2026, time.May, 15)},
		{"on Ascension", inParis(2026, time.May, 14, 10, 0, 0), date(2026, time.May, 15)},
		{"Friday before Whit Monday, after the cutoff", inParis(2026, time.May, 22, 16, 0, 0), date(2026, time.May, 26)},
		{"Good Friday is worked in Paris", inParis(2026, time.April, 3, 10, 0, 0), date(2026, time.April, 3)},
		{"Good Friday after the cutoff", inParis(2026, time.April, 3, 16, 0, 0), date(2026, time.April, 7)},
		{"Easter Saturday", inParis(2026, time.April, 4, 10, 0, 0), date(2026, time.April, 7)},
		{"Easter Sunday", inParis(2026, time.April, 5, 10, 0, 0), date(2026, time.April, 7)},
		{"Easter Monday", inParis(2026, time.April, 6, 10, 0, 0), date(2026, time.April, 7)},
		{"Christmas Eve after the cutoff", inParis(2026, time.December, 24, 16, 0, 0), date(2026, time.December, 28)},
		{"New Year's Eve before the cutoff", inParis(2026, time.December, 31, 10, 0, 0), date(2026, time.December, 31)},
		{"New Year's Eve after the cutoff", inParis(2026, time.December, 31, 16, 0, 0), date(2027, time.January, 4)},

		// Instants given in other zones are read in Paris.
		{"UTC 12:59:59 is 14:59:59 in Paris (summer)", utc(2026, time.May, 18, 12, 59, 59), date(2026, time.May, 18)},
		{"UTC 13:00 is 15:00 in Paris (summer)", utc(2026, time.May, 18, 13, 0, 0), date(2026, time.May, 19)},
		{"UTC 14:30, before 15:00 in UTC, is 16:30 in Paris", utc(2026, time.May, 18, 14, 30, 0), date(2026, time.May, 19)},
		{"UTC 13:59 is 14:59 in Paris (winter)", utc(2026, time.December, 7, 13, 59, 0), date(2026, time.December, 7)},
		{"UTC 14:00 is 15:00 in Paris (winter)", utc(2026, time.December, 7, 14, 0, 0), date(2026, time.December, 8)},
		{"Sunday 22:30 UTC is Monday 00:30 in Paris", utc(2026, time.May, 17, 22, 30, 0), date(2026, time.May, 18)},
		{"Monday 23:30 UTC is Tuesday 01:30 in Paris", utc(2026, time.May, 18, 23, 30, 0), date(2026, time.May, 19)},
		{"New York 09:30 is 15:30 in Paris", time.Date(2026, time.May, 18, 9, 30, 0, 0, newYork), date(2026, time.May, 19)},
		{"New York 08:59 is 14:59 in Paris", time.Date(2026, time.May, 18, 8, 59, 0, 0, newYork), date(2026, time.May, 18)},

		// Clocks go forward on Sunday 29 March 2026 at 02:00 CET (01:00 UTC).
		{"Friday before spring DST, 14:59 CET", utc(2026, time.March, 27, 13, 59, 0), date(2026, time.March, 27)},
		{"Friday before spring DST, 15:00 CET", utc(2026, time.March, 27, 14, 0, 0), date(2026, time.March, 30)},
		{"spring DST night, 01:30 CET", utc(2026, time.March, 29, 0, 30, 0), date(2026, time.March, 30)},
		{"spring DST night, 03:30 CEST", utc(2026, time.March, 29, 1, 30, 0), date(2026, time.March, 30)},
		{"Monday after spring DST, 14:59 CEST", utc(2026, time.March, 30, 12, 59, 0), date(2026, time.March, 30)},
		{"Monday after spring DST, 15:00 CEST", utc(2026, time.March, 30, 13, 0, 0), date(2026, time.March, 31)},

		// Clocks go back on Sunday 25 October 2026 at 03:00 CEST (01:00 UTC).
		{"Friday before autumn DST, 14:59 CEST", utc(2026, time.October, 23, 12, 59, 0), date(2026, time.October, 23)},
		{"Friday before autumn DST, 15:00 CEST", utc(2026, time.October, 23, 13, 0, 0), date(2026, time.October, 26)},
		{"autumn DST night, first 02:30 (CEST)", utc(2026, time.October, 25, 0, 30, 0), date(2026, time.October, 26)},
		{"autumn DST night, second 02:30 (CET)", utc(2026, time.October, 25, 1, 30, 0), date(2026, time.October, 26)},
		{"Monday after autumn DST, 14:59 CET", utc(2026, time.October, 26, 13, 59, 0), date(2026, time.October, 26)},
		{"Monday after autumn DST, 15:00 CET", utc(2026, time.October, 26, 14, 0, 0), date(2026, time.October, 27)},
	} {
		if got := c.DispatchDate(test.order, cutoff); got != test.want {
			t.Errorf("%s: DispatchDate(%v) = %v, want %v", test.name, test.order, got, test.want)
		}
	}
}

// TestDispatchDateOnDSTDays uses a calendar that works every day, so that
// orders on the Sundays when clocks change are dispatched the same day when
// placed before the cutoff in wall-clock time.
func TestDispatchDateOnDSTDays(t *testing.T) {
	everyDay := &Calendar{Workdays: []time.Weekday{
		time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday,
	}}
	for _, test := range []struct {
		name   string
		order  time.Time
		cutoff Clock
		want   Date
	}{
		{"spring, 14:59 CEST", utc(2026, time.March, 29, 12, 59, 0), Clock{15, 0}, date(2026, time.March, 29)},
		{"spring, 15:00 CEST", utc(2026, time.March, 29, 13, 0, 0), Clock{15, 0}, date(2026, time.March, 30)},
		{"spring, 01:59 CET before a 02:30 cutoff", utc(2026, time.March, 29, 0, 59, 0), Clock{2, 30}, date(2026, time.March, 29)},
		{"spring, 03:00 CEST after a 02:30 cutoff that never comes", utc(2026, time.March, 29, 1, 0, 0), Clock{2, 30}, date(2026, time.March, 30)},
		{"autumn, 14:59 CET", utc(2026, time.October, 25, 13, 59, 0), Clock{15, 0}, date(2026, time.October, 25)},
		{"autumn, 15:00 CET", utc(2026, time.October, 25, 14, 0, 0), Clock{15, 0}, date(2026, time.October, 25).AddDays(1)},
		{"autumn, first 02:45 (CEST) after a 02:30 cutoff", utc(2026, time.October, 25, 0, 45, 0), Clock{2, 30}, date(2026, time.October, 26)},
		{"autumn, second 02:15 (CET) before a 02:30 cutoff", utc(2026, time.October, 25, 1, 15, 0), Clock{2, 30}, date(2026, time.October, 25)},
	} {
		if got := everyDay.DispatchDate(test.order, test.cutoff); got != test.want {
			t.Errorf("%s: DispatchDate(%v, %v) = %v, want %v", test.name, test.order, test.cutoff, got, test.want)
		}
	}
}

func TestDispatchDateCutoffs(t *testing.T) {
	c := France()
	monday := inParis(2026, time.May, 18, 0, 0, 0)
	for _, test := range []struct {
		order  time.Time
		cutoff Clock
		want   Date
	}{
		{monday, Clock{0, 0}, date(2026, time.May, 19)},
		{monday, Clock{0, 1}, date(2026, time.May, 18)},
		{monday.Add(23*time.Hour + 58*time.Minute), Clock{23, 59}, date(2026, time.May, 18)},
		{monday.Add(23*time.Hour + 59*time.Minute), Clock{23, 59}, date(2026, time.May, 19)},
		{monday.Add(9*time.Hour + 29*time.Minute + 59*time.Second + 999*time.Millisecond), Clock{9, 30}, date(2026, time.May, 18)},
		{monday.Add(9*time.Hour + 30*time.Minute), Clock{9, 30}, date(2026, time.May, 19)},
	} {
		if got := c.DispatchDate(test.order, test.cutoff); got != test.want {
			t.Errorf("DispatchDate(%v, %v) = %v, want %v", test.order, test.cutoff, got, test.want)
		}
	}
}

func TestCustomCalendar(t *testing.T) {
	c := &Calendar{
		Location: time.UTC,
		Workdays: []time.Weekday{time.Saturday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		Holidays: map[Date]string{
			date(2026, time.May, 16): "Inventaire",
			date(2026, time.May, 14): "Pont de l'Ascension", // a public holiday too
		},
		FrenchPublicHolidays: true,
	}
	for _, test := range []struct {
		name     string
		d        Date
		business bool
		holiday  string
	}{
		{"Saturday", date(2026, time.May, 9), true, ""},
		{"Sunday", date(2026, time.May, 10), false, ""},
		{"extra holiday on a Saturday", date(2026, time.May, 16), false, "Inventaire"},
		{"extra holiday named over a public one", date(2026, time.May, 14), false, "Pont de l'Ascension"},
		{"public holiday on a Friday", date(2026, time.May, 8), false, "Victoire 1945"},
		{"public holiday on a Saturday", date(2026, time.August, 15), false, "Assomption"},
	} {
		if got := c.IsBusinessDay(test.d); got != test.business {
			t.Errorf("%s: IsBusinessDay(%v) = %v, want %v", test.name, test.d, got, test.business)
		}
		name, ok := c.HolidayName(test.d)
		if name != test.holiday || ok != (test.holiday != "") {
			t.Errorf("%s: HolidayName(%v) = %q, %v; want %q", test.name, test.d, name, ok, test.holiday)
		}
	}
	for _, test := range []struct {
		name  string
		order time.Time
		want  Date
	}{
		{"Saturday before the cutoff", utc(2026, time.May, 9, 10, 0, 0), date(2026, time.May, 9)},
		{"Saturday after the cutoff", utc(2026, time.May, 9, 16, 0, 0), date(2026, time.May, 11)},
		{"Friday before the inventory Saturday", utc(2026, time.May, 15, 16, 0, 0), date(2026, time.May, 18)},
		{"read in UTC, not Paris", utc(2026, time.May, 18, 14, 30, 0), date(2026, time.May, 18)},
	} {
		if got := c.DispatchDate(test.order, Clock{15, 0}); got != test.want {
			t.Errorf("%s: DispatchDate(%v) = %v, want %v", test.name, test.order, got, test.want)
		}
	}
}

func TestZeroCalendar(t *testing.T) {
	var c Calendar
	for _, test := range []struct {
		d    Date
		want bool
	}{
		{date(2026, time.May, 14), true}, // Ascension: no holidays unless asked
		{date(2026, time.May, 15), true},
		{date(2026, time.May, 16), false},
		{date(2026, time.May, 17), false},
	} {
		if got := c.IsBusinessDay(test.d); got != test.want {
			t.Errorf("IsBusinessDay(%v) = %v, want %v", test.d, got, test.want)
		}
	}
	// Nil Location is Paris: 13:30 UTC in summer is 15:30 there.
	if got, want := c.DispatchDate(utc(2026, time.May, 18, 13, 30, 0), Clock{15, 0}), date(2026, time.May, 19); got != want {
		t.Errorf("DispatchDate = %v, want %v", got, want)
	}
}

func TestFranceIsInParis(t *testing.T) {
	c := France()
	if c.Location == nil || c.Location.String() != "Europe/Paris" {
		t.Fatalf("France().Location = %v, want Europe/Paris", c.Location)
	}
	// Summer and winter offsets prove real zone rules, not a fixed zone.
	for _, test := range []struct {
		t    time.Time
		want int
	}{
		{utc(2026, time.July, 1, 12, 0, 0), 2 * 3600},
		{utc(2026, time.January, 1, 12, 0, 0), 1 * 3600},
	} {
		if _, offset := test.t.In(c.Location).Zone(); offset != test.want {
			t.Errorf("offset in Paris at %v = %d s, want %d s", test.t, offset, test.want)
		}
	}
	if France() == c {
		t.Error("France returned the same Calendar twice")
	}
}

func TestBusinessDaySteps(t *testing.T) {
	c := France()
	for _, test := range []struct {
		d                      Date
		next, onOrAfter, plus2 Date
		minus1                 Date
	}{
		{date(2026, time.May, 18), date(2026, time.May, 19), date(2026, time.May, 18), date(2026, time.May, 20), date(2026, time.May, 15)},
		{date(2026, time.May, 13), date(2026, time.May, 15), date(2026, time.May, 13), date(2026, time.May, 18), date(2026, time.May, 12)},
		{date(2026, time.May, 16), date(2026, time.May, 18), date(2026, time.May, 18), date(2026, time.May, 19), date(2026, time.May, 15)},
		{date(2026, time.May, 26), date(2026, time.May, 27), date(2026, time.May, 26), date(2026, time.May, 28), date(2026, time.May, 22)},
		{date(2026, time.December, 31), date(2027, time.January, 4), date(2026, time.December, 31), date(2027, time.January, 5), date(2026, time.December, 30)},
		{date(2027, time.January, 1), date(2027, time.January, 4), date(2027, time.January, 4), date(2027, time.January, 5), date(2026, time.December, 31)},
	} {
		if got := c.NextBusinessDay(test.d); got != test.next {
			t.Errorf("NextBusinessDay(%v) = %v, want %v", test.d, got, test.next)
		}
		if got := c.BusinessDayOnOrAfter(test.d); got != test.onOrAfter {
			t.Errorf("BusinessDayOnOrAfter(%v) = %v, want %v", test.d, got, test.onOrAfter)
		}
		if got := c.AddBusinessDays(test.d, 2); got != test.plus2 {
			t.Errorf("AddBusinessDays(%v, 2) = %v, want %v", test.d, got, test.plus2)
		}
		if got := c.AddBusinessDays(test.d, -1); got != test.minus1 {
			t.Errorf("AddBusinessDays(%v, -1) = %v, want %v", test.d, got, test.minus1)
		}
		if got := c.AddBusinessDays(test.d, 0); got != test.d {
			t.Errorf("AddBusinessDays(%v, 0) = %v, want %v", test.d, got, test.d)
		}
	}
}

func TestNoWorkdayPanics(t *testing.T) {
	c := &Calendar{Workdays: []time.Weekday{7}}
	defer func() {
		if recover() == nil {
			t.Error("NextBusinessDay on a calendar without workdays did not panic")
		}
	}()
	c.NextBusinessDay(date(2026, time.May, 18))
}

func TestDateAddDays(t *testing.T) {
	for _, test := range []struct {
		d    Date
		n    int
		want Date
	}{
		{date(2026, time.May, 14), 0, date(2026, time.May, 14)},
		{date(2026, time.May, 31), 1, date(2026, time.June, 1)},
		{date(2026, time.June, 1), -1, date(2026, time.May, 31)},
		{date(2026, time.December, 31), 1, date(2027, time.January, 1)},
		{date(2027, time.January, 1), -1, date(2026, time.December, 31)},
		{date(2028, time.February, 28), 1, date(2028, time.February, 29)},
		{date(2028, time.February, 29), 1, date(2028, time.March, 1)},
		{date(2027, time.February, 28), 1, date(2027, time.March, 1)},
		{date(2100, time.February, 28), 1, date(2100, time.March, 1)}, // not a leap year
		{date(2000, time.February, 28), 1, date(2000, time.February, 29)},
		{date(2026, time.January, 1), 365, date(2027, time.January, 1)},
		{date(2028, time.January, 1), 366, date(2029, time.January, 1)},
		{date(2026, time.April, 5), 39, date(2026, time.May, 14)},
		{date(1969, time.December, 31), 1, date(1970, time.January, 1)},
		{date(1, time.January, 1), -1, date(0, time.December, 31)},
		{date(2026, time.February, 30), 0, date(2026, time.March, 2)}, // normalised
		{date(2026, time.Month(13), 1), 0, date(2027, time.January, 1)},
		{date(2026, time.Month(0), 1), 0, date(2025, time.December, 1)},
		{date(2026, time.March, 0), 0, date(2026, time.February, 28)},
	} {
		if got := test.d.AddDays(test.n); got != test.want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", test.d, test.n, got, test.want)
		}
	}
}

// TestDateArithmeticMatchesTime checks AddDays and Weekday against package
// time on every day from 1600 to 2400.
func TestDateArithmeticMatchesTime(t *testing.T) {
	start := date(1600, time.January, 1)
	tm := time.Date(1600, time.January, 1, 12, 0, 0, 0, time.UTC)
	for n := 0; tm.Year() < 2400; n++ {
		want := DateOf(tm)
		got := start.AddDays(n)
		if got != want {
			t.Fatalf("%v.AddDays(%d) = %v, want %v", start, n, got, want)
		}
		if got.Weekday() != tm.Weekday() {
			t.Fatalf("%v.Weekday() = %v, want %v", got, got.Weekday(), tm.Weekday())
		}
		if back := got.AddDays(-n); back != start {
			t.Fatalf("%v.AddDays(%d) = %v, want %v", got, -n, back, start)
		}
		tm = tm.AddDate(0, 0, 1)
	}
}

func TestDateCompare(t *testing.T) {
	for _, test := range []struct {
		a, b Date
		want int
	}{
		{date(2026, time.May, 14), date(2026, time.May, 14), 0},
		{date(2026, time.May, 14), date(2026, time.May, 15), -1},
		{date(2026, time.May, 31), date(2026, time.June, 1), -1},
		{date(2026, time.December, 31), date(2027, time.January, 1), -1},
		{date(2027, time.January, 1), date(2026, time.December, 31), 1},
	} {
		if got := test.a.Compare(test.b); got != test.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", test.a, test.b, got, test.want)
		}
		if got := test.a.Before(test.b); got != (test.want < 0) {
			t.Errorf("%v.Before(%v) = %v", test.a, test.b, got)
		}
		if got := test.a.After(test.b); got != (test.want > 0) {
			t.Errorf("%v.After(%v) = %v", test.a, test.b, got)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, test := range []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-05-14", date(2026, time.May, 14), true},
		{"2028-02-29", date(2028, time.February, 29), true},
		{"0001-01-01", date(1, time.January, 1), true},
		{"2026-02-30", Date{}, false},
		{"2027-02-29", Date{}, false},
		{"2026-13-01", Date{}, false},
		{"2026-00-10", Date{}, false},
		{"", Date{}, false},
		{"26-1-1", Date{}, false},
		{"2026-5-14", Date{}, false},
		{"2026/05/14", Date{}, false},
		{"2026-05-14T10:00:00Z", Date{}, false},
		{" 2026-05-14", Date{}, false},
	} {
		got, err := ParseDate(test.in)
		if test.ok {
			if err != nil || got != test.want {
				t.Errorf("ParseDate(%q) = %v, %v; want %v", test.in, got, err, test.want)
			}
			if s := got.String(); s != test.in {
				t.Errorf("ParseDate(%q).String() = %q", test.in, s)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidDate) {
			t.Errorf("ParseDate(%q) = %v, %v; want ErrInvalidDate", test.in, got, err)
		}
	}
}

func TestDateOfAndIn(t *testing.T) {
	instant := utc(2026, time.May, 17, 22, 30, 0) // Monday 00:30 in Paris
	if got, want := DateOf(instant), date(2026, time.May, 17); got != want {
		t.Errorf("DateOf(%v) = %v, want %v", instant, got, want)
	}
	if got, want := DateOf(instant.In(paris)), date(2026, time.May, 18); got != want {
		t.Errorf("DateOf(%v) = %v, want %v", instant.In(paris), got, want)
	}
	for _, test := range []struct {
		d         Date
		hour, min int
		want      []time.Time // any of these
	}{
		{date(2026, time.May, 18), 15, 0, []time.Time{utc(2026, time.May, 18, 13, 0, 0)}},
		{date(2026, time.December, 7), 15, 0, []time.Time{utc(2026, time.December, 7, 14, 0, 0)}},
		{date(2026, time.May, 18), 24, 30, []time.Time{utc(2026, time.May, 18, 22, 30, 0)}},
		// 02:30 does not exist in Paris on 29 March 2026, and happens twice on
		// 25 October; time.Date picks one of the two offsets.
		{date(2026, time.March, 29), 2, 30, []time.Time{utc(2026, time.March, 29, 0, 30, 0), utc(2026, time.March, 29, 1, 30, 0)}},
		{date(2026, time.October, 25), 2, 30, []time.Time{utc(2026, time.October, 25, 0, 30, 0), utc(2026, time.October, 25, 1, 30, 0)}},
	} {
		got := test.d.In(paris, test.hour, test.min)
		if !slices.ContainsFunc(test.want, got.Equal) {
			t.Errorf("%v.In(Paris, %d, %d) = %v, want one of %v", test.d, test.hour, test.min, got, test.want)
		}
	}
}

func TestParseClock(t *testing.T) {
	for _, test := range []struct {
		in   string
		want Clock
		ok   bool
	}{
		{"15:00", Clock{15, 0}, true},
		{"09:30", Clock{9, 30}, true},
		{"9:30", Clock{9, 30}, true},
		{"00:00", Clock{0, 0}, true},
		{"23:59", Clock{23, 59}, true},
		{"24:00", Clock{}, false},
		{"12:60", Clock{}, false},
		{"12:5", Clock{}, false},
		{"123:00", Clock{}, false},
		{"-1:00", Clock{}, false},
		{"+1:00", Clock{}, false},
		{"15h00", Clock{}, false},
		{"15:00:00", Clock{}, false},
		{"", Clock{}, false},
	} {
		got, err := ParseClock(test.in)
		if test.ok != (err == nil) || got != test.want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", test.in, got, err, test.want)
		}
		if err != nil && !errors.Is(err, ErrInvalidClock) {
			t.Errorf("ParseClock(%q) error %v does not wrap ErrInvalidClock", test.in, err)
		}
	}
	for _, test := range []struct {
		c    Clock
		want string
	}{
		{Clock{15, 0}, "15:00"},
		{Clock{9, 5}, "09:05"},
	} {
		if got := test.c.String(); got != test.want {
			t.Errorf("%#v.String() = %q, want %q", test.c, got, test.want)
		}
	}
}

// FuzzDispatchDate checks properties of DispatchDate for any instant and
// cutoff: the result is a business day, not before the order's date in
// Paris, the same date only if the order beat the cutoff on a business day,
// and no business day is skipped on the way.
func FuzzDispatchDate(f *testing.F) {
	for _, t := range []time.Time{
		utc(2026, time.May, 13, 14, 0, 0),
		utc(2026, time.December, 24, 15, 0, 0),
		utc(2026, time.December, 31, 15, 0, 0),
		utc(2026, time.March, 29, 1, 30, 0),
		utc(2026, time.October, 25, 1, 30, 0),
		utc(2008, time.April, 30, 20, 0, 0),
	} {
		f.Add(t.Unix(), int8(15), int8(0))
	}
	c := France()
	const span = 400 * 365 * 86400 // 1800 to 2200
	base := utc(1800, time.January, 1, 0, 0, 0).Unix()
	f.Fuzz(func(t *testing.T, sec int64, hour, min int8) {
		order := time.Unix(base+((sec%span)+span)%span, 0)
		cutoff := Clock{int(uint8(hour) % 24), int(uint8(min) % 60)}
		got := c.DispatchDate(order, cutoff)
		local := order.In(paris)
		day := DateOf(local)
		if !c.IsBusinessDay(got) {
			t.Fatalf("DispatchDate(%v, %v) = %v, not a business day", local, cutoff, got)
		}
		if got.Before(day) || got.After(day.AddDays(10)) {
			t.Fatalf("DispatchDate(%v, %v) = %v, out of range", local, cutoff, got)
		}
		beatCutoff := local.Hour()*60+local.Minute() < cutoff.minutes()
		if (got == day) != (c.IsBusinessDay(day) && beatCutoff) {
			t.Fatalf("DispatchDate(%v, %v) = %v", local, cutoff, got)
		}
		for d := day.AddDays(1); d.Before(got); d = d.AddDays(1) {
			if c.IsBusinessDay(d) {
				t.Fatalf("DispatchDate(%v, %v) = %v skips business day %v", local, cutoff, got, d)
			}
		}
	})
}

func BenchmarkDispatchDate(b *testing.B) {
	c := France()
	cutoff := Clock{15, 0}
	// Orders every 7 h 13 min through 2026, so that the benchmark meets
	// weekends, holidays and both sides of the cutoff.
	orders := make([]time.Time, 1200)
	for i := range orders {
		orders[i] = utc(2026, time.January, 1, 0, 0, 0).Add(time.Duration(i) * (7*time.Hour + 13*time.Minute))
	}
	var sink Date
	i := 0
	for b.Loop() {
		sink = c.DispatchDate(orders[i%len(orders)], cutoff)
		i++
	}
	_ = sink
}

func TestDescribeToday(t *testing.T) {
	s := DefaultSchedule()
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, test := range []struct {
		at         time.Time
		lang, want string
	}{
		{time.Date(2026, 11, 23, 8, 0, 0, 0, paris), "fr", "Aujourd'hui : 9 h – 12 h 30, 14 h – 18 h"},
		{time.Date(2026, 11, 23, 20, 0, 0, 0, paris), "en", "Today: 9 am – 12:30 pm, 2 pm – 6 pm"},
		{time.Date(2026, 11, 22, 10, 0, 0, 0, paris), "fr", "Fermé aujourd'hui : réouverture demain à 9 h"},
		{time.Date(2026, 12, 25, 10, 0, 0, 0, paris), "en", "Closed today: open again Monday 28 December at 9 am"},
	} {
		if got := s.DescribeToday(test.at, test.lang); got != test.want {
			t.Errorf("DescribeToday(%v, %s) = %q, want %q", test.at, test.lang, got, test.want)
		}
	}
}
