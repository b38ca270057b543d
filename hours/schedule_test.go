package hours

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mustParseSchedule parses a schedule or fails the test.
func mustParseSchedule(tb testing.TB, text string) *Schedule {
	tb.Helper()
	s, err := ParseSchedule([]byte(text))
	if err != nil {
		tb.Fatalf("ParseSchedule: %v\n%s", err, text)
	}
	return s
}

// scheduleCase is one instant of a schedule table: whether it is open, and
// the next opening and closing from it. A zero nextOpen or nextClose means
// the instant itself; never is used for the zero time.
type scheduleCase struct {
	name      string
	t         time.Time
	open      bool
	nextOpen  time.Time
	nextClose time.Time
}

// never stands for the zero time in the nextOpen and nextClose of a
// scheduleCase.
var never = time.Unix(-1<<40, 0)

// checkSchedule runs a table of scheduleCase on s, checking the UTC offset
// of every result as well as the instant.
func checkSchedule(t *testing.T, s *Schedule, cases []scheduleCase) {
	t.Helper()
	for _, test := range cases {
		t.Run(test.name, func(t *testing.T) {
			if got := s.Open(test.t); got != test.open {
				t.Errorf("Open(%v) = %v, want %v", test.t, got, test.open)
			}
			check := func(what string, got, want time.Time) {
				t.Helper()
				switch {
				case want == never:
					want = time.Time{}
				case want.IsZero():
					want = test.t
				}
				if !got.Equal(want) {
					t.Errorf("%s(%v) = %v, want %v", what, test.t, got, want)
				}
				if !want.IsZero() {
					_, gotOff := got.Zone()
					_, wantOff := want.In(s.Location()).Zone()
					if gotOff != wantOff {
						t.Errorf("%s(%v) = %v, offset %d s, want %d s", what, test.t, got, gotOff, wantOff)
					}
				}
			}
			check("NextOpen", s.NextOpen(test.t), test.nextOpen)
			check("NextClose", s.NextClose(test.t), test.nextClose)
		})
	}
}

func TestDefaultSchedule(t *testing.T) {
	// 12 to 15 May 2026 are Tuesday to Friday; Thursday 14 is Ascension.
	checkSchedule(t, DefaultSchedule(), []scheduleCase{
		{"before opening", inParis(2026, 5, 12, 8, 59, 59), false, inParis(2026, 5, 12, 9, 0, 0), time.Time{}},
		{"opening", inParis(2026, 5, 12, 9, 0, 0), true, time.Time{}, inParis(2026, 5, 12, 12, 30, 0)},
		{"12:29:59", inParis(2026, 5, 12, 12, 29, 59), true, time.Time{}, inParis(2026, 5, 12, 12, 30, 0)},
		{"12:29:59.999", inParis(2026, 5, 12, 12, 29, 59).Add(999 * time.Millisecond), true, time.Time{}, inParis(2026, 5, 12, 12, 30, 0)},
		{"12:30 exactly", inParis(2026, 5, 12, 12, 30, 0), false, inParis(2026, 5, 12, 14, 0, 0), time.Time{}},
		{"13:59:59", inParis(2026, 5, 12, 13, 59, 59), false, inParis(2026, 5, 12, 14, 0, 0), time.Time{}},
		{"13:59:59.5", inParis(2026, 5, 12, 13, 59, 59).Add(time.Second / 2), false, inParis(2026, 5, 12, 14, 0, 0), time.Time{}},
		{"14:00", inParis(2026, 5, 12, 14, 0, 0), true, time.Time{}, inParis(2026, 5, 12, 18, 0, 0)},
		{"17:59:59", inParis(2026, 5, 12, 17, 59, 59), true, time.Time{}, inParis(2026, 5, 12, 18, 0, 0)},
		{"18:00", inParis(2026, 5, 12, 18, 0, 0), false, inParis(2026, 5, 13, 9, 0, 0), time.Time{}},
		{"UTC instant", utc(2026, 5, 12, 10, 29, 59), true, time.Time{}, inParis(2026, 5, 12, 12, 30, 0)},
		{"UTC instant at lunch", utc(2026, 5, 12, 10, 30, 0), false, inParis(2026, 5, 12, 14, 0, 0), time.Time{}},
		{"Ascension eve after closing", inParis(2026, 5, 13, 18, 0, 0), false, inParis(2026, 5, 15, 9, 0, 0), time.Time{}},
		{"Ascension Thursday 10:00", inParis(2026, 5, 14, 10, 0, 0), false, inParis(2026, 5, 15, 9, 0, 0), time.Time{}},
		{"Ascension Thursday 15:00", inParis(2026, 5, 14, 15, 0, 0), false, inParis(2026, 5, 15, 9, 0, 0), time.Time{}},
		{"Friday 18:00", inParis(2026, 5, 15, 18, 0, 0), false, inParis(2026, 5, 18, 9, 0, 0), time.Time{}},
		{"Saturday", inParis(2026, 5, 16, 11, 0, 0), false, inParis(2026, 5, 18, 9, 0, 0), time.Time{}},
		{"Sunday night", inParis(2026, 5, 17, 23, 59, 59), false, inParis(2026, 5, 18, 9, 0, 0), time.Time{}},
		{"Easter Monday", inParis(2026, 4, 6, 10, 0, 0), false, inParis(2026, 4, 7, 9, 0, 0), time.Time{}},
		{"Whit Monday", inParis(2026, 5, 25, 10, 0, 0), false, inParis(2026, 5, 26, 9, 0, 0), time.Time{}},
		{"Friday 1 May", inParis(2026, 5, 1, 10, 0, 0), false, inParis(2026, 5, 4, 9, 0, 0), time.Time{}},
		{"31 December after closing", inParis(2026, 12, 31, 18, 0, 0), false, inParis(2027, 1, 4, 9, 0, 0), time.Time{}},
		{"1 January", inParis(2027, 1, 1, 10, 0, 0), false, inParis(2027, 1, 4, 9, 0, 0), time.Time{}},
		{"2 January, a Saturday", inParis(2027, 1, 2, 10, 0, 0), false, inParis(2027, 1, 4, 9, 0, 0), time.Time{}},
		{"Friday before the spring change", inParis(2026, 3, 27, 18, 0, 0), false, inParis(2026, 3, 30, 9, 0, 0), time.Time{}},
		{"Friday before the autumn change", inParis(2026, 10, 23, 18, 0, 0), false, inParis(2026, 10, 26, 9, 0, 0), time.Time{}},
	})
}

func TestScheduleOpenSaturdays(t *testing.T) {
	s := mustParseSchedule(t, `
weekly:
  monday:    ["09:00-19:00"]
  tuesday:   ["09:00-19:00"]
  wednesday: ["09:00-19:00"]
  thursday:  ["09:00-19:00"]
  friday:    ["09:00-19:00"]
  saturday:  ["09:00-19:00"]
`)
	checkSchedule(t, s, []scheduleCase{
		{"31 December after closing", inParis(2026, 12, 31, 19, 0, 0), false, inParis(2027, 1, 2, 9, 0, 0), time.Time{}},
		{"2 January", inParis(2027, 1, 2, 18, 59, 59), true, time.Time{}, inParis(2027, 1, 2, 19, 0, 0)},
		{"Saturday 16 May", inParis(2026, 5, 16, 12, 30, 0), true, time.Time{}, inParis(2026, 5, 16, 19, 0, 0)},
		{"Saturday 15 August, Assomption", inParis(2026, 8, 15, 10, 0, 0), false, inParis(2026, 8, 17, 9, 0, 0), time.Time{}},
	})
}

func TestScheduleFrenchHolidaysOff(t *testing.T) {
	s := mustParseSchedule(t, "french_holidays: false\n")
	checkSchedule(t, s, []scheduleCase{
		{"Ascension Thursday", inParis(2026, 5, 14, 10, 0, 0), true, time.Time{}, inParis(2026, 5, 14, 12, 30, 0)},
		{"Easter Monday", inParis(2026, 4, 6, 9, 0, 0), true, time.Time{}, inParis(2026, 4, 6, 12, 30, 0)},
		{"Whit Monday", inParis(2026, 5, 25, 14, 0, 0), true, time.Time{}, inParis(2026, 5, 25, 18, 0, 0)},
		{"31 December after closing", inParis(2026, 12, 31, 18, 0, 0), false, inParis(2027, 1, 1, 9, 0, 0), time.Time{}},
	})
	if _, ok := s.HolidayName(date(2026, 5, 14)); ok {
		t.Error("HolidayName(2026-05-14) is a holiday with french_holidays: false")
	}
	if name, ok := DefaultSchedule().HolidayName(date(2026, 5, 14)); name != "Ascension" || !ok {
		t.Errorf("HolidayName(2026-05-14) = %q, %v, want Ascension, true", name, ok)
	}
}

// TestScheduleDST runs intervals across both changes of 2026 in Paris:
// on 29 March clocks go from 02:00 (UTC+1) to 03:00 (UTC+2), on 25 October
// from 03:00 (UTC+2) back to 02:00 (UTC+1).
func TestScheduleDST(t *testing.T) {
	t.Run("01:00-03:00", func(t *testing.T) {
		s := mustParseSchedule(t, "weekly: {sunday: [\"01:00-03:00\"]}\nfrench_holidays: false\n")
		checkSchedule(t, s, []scheduleCase{
			// Spring: open 00:00 to 01:00 UTC, one hour.
			{"spring before", utc(2026, 3, 28, 23, 59, 59), false, utc(2026, 3, 29, 0, 0, 0), time.Time{}},
			{"spring 01:00 CET", utc(2026, 3, 29, 0, 0, 0), true, time.Time{}, utc(2026, 3, 29, 1, 0, 0)},
			{"spring 01:59:59 CET", utc(2026, 3, 29, 0, 59, 59), true, time.Time{}, utc(2026, 3, 29, 1, 0, 0)},
			{"spring 03:00 CEST", utc(2026, 3, 29, 1, 0, 0), false, utc(2026, 4, 4, 23, 0, 0), time.Time{}},
			// Autumn: open 23:00 UTC to 02:00 UTC, three hours.
			{"autumn 00:59:59 CEST", utc(2026, 10, 24, 22, 59, 59), false, utc(2026, 10, 24, 23, 0, 0), time.Time{}},
			{"autumn 01:00 CEST", utc(2026, 10, 24, 23, 0, 0), true, time.Time{}, utc(2026, 10, 25, 2, 0, 0)},
			{"autumn 02:30 CEST", utc(2026, 10, 25, 0, 30, 0), true, time.Time{}, utc(2026, 10, 25, 2, 0, 0)},
			{"autumn 02:30 CET", utc(2026, 10, 25, 1, 30, 0), true, time.Time{}, utc(2026, 10, 25, 2, 0, 0)},
			{"autumn 03:00 CET", utc(2026, 10, 25, 2, 0, 0), false, utc(2026, 11, 1, 0, 0, 0), time.Time{}},
		})
	})
	t.Run("02:30-04:00", func(t *testing.T) {
		s := mustParseSchedule(t, "weekly: {sunday: [\"02:30-04:00\"]}\nfrench_holidays: false\n")
		checkSchedule(t, s, []scheduleCase{
			// Spring: 02:30 does not exist; it opens at the change, 03:00 CEST.
			{"spring 01:30 CET", utc(2026, 3, 29, 0, 30, 0), false, utc(2026, 3, 29, 1, 0, 0), time.Time{}},
			{"spring 03:00 CEST", utc(2026, 3, 29, 1, 0, 0), true, time.Time{}, utc(2026, 3, 29, 2, 0, 0)},
			// Autumn: 02:30-03:00 CEST open, 02:00-02:30 CET closed again,
			// then open from 02:30 CET to 04:00 CET.
			{"autumn 02:00 CEST", utc(2026, 10, 25, 0, 0, 0), false, utc(2026, 10, 25, 0, 30, 0), time.Time{}},
			{"autumn 02:30 CEST", utc(2026, 10, 25, 0, 30, 0), true, time.Time{}, utc(2026, 10, 25, 1, 0, 0)},
			{"autumn 02:10 CET", utc(2026, 10, 25, 1, 10, 0), false, utc(2026, 10, 25, 1, 30, 0), time.Time{}},
			{"autumn 02:30 CET", utc(2026, 10, 25, 1, 30, 0), true, time.Time{}, utc(2026, 10, 25, 3, 0, 0)},
		})
	})
	t.Run("Saturday 22:00-02:00", func(t *testing.T) {
		s := mustParseSchedule(t, "weekly: {saturday: [\"22:00-02:00\"]}\nfrench_holidays: false\n")
		checkSchedule(t, s, []scheduleCase{
			{"spring Saturday 21:00 CET", utc(2026, 3, 28, 20, 0, 0), false, utc(2026, 3, 28, 21, 0, 0), time.Time{}},
			{"spring 01:59:59 CET", utc(2026, 3, 29, 0, 59, 59), true, time.Time{}, utc(2026, 3, 29, 1, 0, 0)},
			{"spring 03:00 CEST", utc(2026, 3, 29, 1, 0, 0), false, utc(2026, 4, 4, 20, 0, 0), time.Time{}},
			{"autumn Saturday 23:00 CEST", utc(2026, 10, 24, 21, 0, 0), true, time.Time{}, utc(2026, 10, 25, 0, 0, 0)},
			{"autumn 02:00 CEST", utc(2026, 10, 25, 0, 0, 0), false, utc(2026, 10, 31, 21, 0, 0), time.Time{}},
			{"autumn 01:30 CET, after the change", utc(2026, 10, 25, 0, 30, 0), false, utc(2026, 10, 31, 21, 0, 0), time.Time{}},
		})
	})
	t.Run("office hours", func(t *testing.T) {
		s := mustParseSchedule(t, "weekly: {sunday: [\"09:00-12:00\"], monday: [\"09:00-12:00\"]}\n")
		checkSchedule(t, s, []scheduleCase{
			{"spring Saturday evening", inParis(2026, 3, 28, 20, 0, 0), false, utc(2026, 3, 29, 7, 0, 0), time.Time{}},
			{"spring Sunday 09:00 CEST", utc(2026, 3, 29, 7, 0, 0), true, time.Time{}, utc(2026, 3, 29, 10, 0, 0)},
			{"autumn Saturday evening", inParis(2026, 10, 24, 20, 0, 0), false, utc(2026, 10, 25, 8, 0, 0), time.Time{}},
			{"autumn Sunday 12:00 CET", utc(2026, 10, 25, 11, 0, 0), false, utc(2026, 10, 26, 8, 0, 0), time.Time{}},
		})
	})
}

func TestScheduleOverridesAndHolidays(t *testing.T) {
	s := mustParseSchedule(t, `
timezone: Europe/Paris
weekly:
  monday:    ["09:00-12:30", "14:00-18:00"]
  tuesday:   ["09:00-12:30", "14:00-18:00"]
  wednesday: ["09:00-12:30", "14:00-18:00"]
  thursday:  ["09:00-12:30", "14:00-18:00"]
  friday:    ["09:00-12:30", "14:00-18:00"]
  saturday:  ["22:00-02:00"]
holidays:
  - {date: 2026-08-14, name: "Pont de l'Assomption"}
  - {date: 2026-10-03, name: "Inventaire"}
overrides:
  - {date: 2026-12-24, closed: ["12:00-24:00"], name: "Réveillon"}
  - {date: 2026-12-30, closed: all}
  - {date: 2026-12-29, closed: true}
  - {date: 2026-12-05, open: ["10:00-16:00"]}
  - {date: 2026-11-11, open: ["10:00-12:00"], name: "Armistice, permanence"}
  - {date: 2026-10-10, closed: ["23:00-01:00"]}
`)
	checkSchedule(t, s, []scheduleCase{
		{"24 Dec morning", inParis(2026, 12, 24, 11, 59, 59), true, time.Time{}, inParis(2026, 12, 24, 12, 0, 0)},
		{"24 Dec noon", inParis(2026, 12, 24, 12, 0, 0), false, inParis(2026, 12, 26, 22, 0, 0), time.Time{}},
		{"24 Dec afternoon", inParis(2026, 12, 24, 15, 0, 0), false, inParis(2026, 12, 26, 22, 0, 0), time.Time{}},
		{"28 Dec evening", inParis(2026, 12, 28, 18, 0, 0), false, inParis(2026, 12, 31, 9, 0, 0), time.Time{}},
		{"29 Dec closed: true", inParis(2026, 12, 29, 10, 0, 0), false, inParis(2026, 12, 31, 9, 0, 0), time.Time{}},
		{"30 Dec closed: all", inParis(2026, 12, 30, 10, 0, 0), false, inParis(2026, 12, 31, 9, 0, 0), time.Time{}},
		{"Saturday 5 Dec opened", inParis(2026, 12, 5, 9, 0, 0), false, inParis(2026, 12, 5, 10, 0, 0), time.Time{}},
		{"Saturday 5 Dec open", inParis(2026, 12, 5, 15, 59, 59), true, time.Time{}, inParis(2026, 12, 5, 16, 0, 0)},
		{"Saturday 5 Dec night replaced", inParis(2026, 12, 5, 23, 0, 0), false, inParis(2026, 12, 7, 9, 0, 0), time.Time{}},
		{"holiday opened", inParis(2026, 11, 11, 10, 0, 0), true, time.Time{}, inParis(2026, 11, 11, 12, 0, 0)},
		{"holiday opened, afternoon", inParis(2026, 11, 11, 14, 0, 0), false, inParis(2026, 11, 12, 9, 0, 0), time.Time{}},
		{"extra holiday, then a holiday Saturday", inParis(2026, 8, 14, 10, 0, 0), false, inParis(2026, 8, 17, 9, 0, 0), time.Time{}},
		{"Saturday night on 15 August", inParis(2026, 8, 15, 23, 0, 0), false, inParis(2026, 8, 17, 9, 0, 0), time.Time{}},
		{"Saturday night on a holiday", inParis(2026, 10, 3, 23, 0, 0), false, inParis(2026, 10, 5, 9, 0, 0), time.Time{}},
		{"after midnight of a holiday", inParis(2026, 10, 4, 1, 0, 0), false, inParis(2026, 10, 5, 9, 0, 0), time.Time{}},
		{"Saturday night", inParis(2026, 10, 17, 23, 0, 0), true, time.Time{}, inParis(2026, 10, 18, 2, 0, 0)},
		{"Saturday night after midnight", inParis(2026, 10, 18, 1, 59, 59), true, time.Time{}, inParis(2026, 10, 18, 2, 0, 0)},
		{"night partly closed", inParis(2026, 10, 10, 22, 30, 0), true, time.Time{}, inParis(2026, 10, 10, 23, 0, 0)},
		{"night partly closed, gap", inParis(2026, 10, 10, 23, 30, 0), false, inParis(2026, 10, 11, 1, 0, 0), time.Time{}},
		{"night partly closed, end", inParis(2026, 10, 11, 1, 0, 0), true, time.Time{}, inParis(2026, 10, 11, 2, 0, 0)},
	})
	for _, test := range []struct {
		d    Date
		name string
		ok   bool
	}{
		{date(2026, 8, 14), "Pont de l'Assomption", true},
		{date(2026, 8, 15), "Assomption", true},
		{date(2026, 11, 11), "Armistice", true},
		{date(2026, 8, 13), "", false},
	} {
		if name, ok := s.HolidayName(test.d); name != test.name || ok != test.ok {
			t.Errorf("HolidayName(%v) = %q, %v, want %q, %v", test.d, name, ok, test.name, test.ok)
		}
	}
}

func TestScheduleEdgeIntervals(t *testing.T) {
	s := mustParseSchedule(t, `
french_holidays: false
weekly:
  monday:  ["00:00-24:00"]
  tuesday: ["00:00-24:00"]
  friday:  ["18:00-24:00"]
  saturday: ["00:00-02:00", "12:00-14:00", "14:00-15:00"]
`)
	checkSchedule(t, s, []scheduleCase{
		{"Monday to Tuesday joined", inParis(2026, 5, 18, 0, 0, 0), true, time.Time{}, inParis(2026, 5, 20, 0, 0, 0)},
		{"Sunday last second", inParis(2026, 5, 17, 23, 59, 59), false, inParis(2026, 5, 18, 0, 0, 0), time.Time{}},
		{"Friday 24:00 to Saturday 02:00 joined", inParis(2026, 5, 15, 23, 0, 0), true, time.Time{}, inParis(2026, 5, 16, 2, 0, 0)},
		{"touching intervals joined", inParis(2026, 5, 16, 13, 0, 0), true, time.Time{}, inParis(2026, 5, 16, 15, 0, 0)},
	})

	always := mustParseSchedule(t, `
french_holidays: false
weekly: {monday: ["00:00-24:00"], tuesday: ["00:00-24:00"], wednesday: ["00:00-24:00"], thursday: ["00:00-24:00"],
         friday: ["00:00-24:00"], saturday: ["00:00-24:00"], sunday: ["00:00-24:00"]}
`)
	shut := mustParseSchedule(t, "weekly: {}\noverrides: [{date: 2030-01-01, open: [\"10:00-11:00\"]}]\n")
	checkSchedule(t, always, []scheduleCase{
		{"always open", inParis(2026, 3, 29, 2, 30, 0), true, time.Time{}, never},
	})
	checkSchedule(t, shut, []scheduleCase{
		{"never open within 400 days", inParis(2026, 5, 12, 10, 0, 0), false, never, time.Time{}},
		{"open in 400 days", inParis(2029, 1, 1, 10, 0, 0), false, inParis(2030, 1, 1, 10, 0, 0), time.Time{}},
	})
}

// TestScheduleOtherZone checks that hours are read in the configured zone.
func TestScheduleOtherZone(t *testing.T) {
	s := mustParseSchedule(t, "timezone: America/New_York\nfrench_holidays: false\n")
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	if s.Location().String() != "America/New_York" {
		t.Errorf("Location() = %v", s.Location())
	}
	// 8 March 2026, a Sunday, is the spring change in New York.
	checkSchedule(t, s, []scheduleCase{
		{"Monday 9:00 EDT", time.Date(2026, 3, 9, 9, 0, 0, 0, ny), true, time.Time{}, time.Date(2026, 3, 9, 12, 30, 0, 0, ny)},
		{"Friday 18:00 EST", time.Date(2026, 3, 6, 18, 0, 0, 0, ny), false, utc(2026, 3, 9, 13, 0, 0), time.Time{}},
	})
	if got := DefaultSchedule().Location(); got != paris {
		t.Errorf("DefaultSchedule().Location() = %v, want Europe/Paris", got)
	}
}

// TestEmptyScheduleIsDefault checks that an empty configuration, and one
// with null fields, gives the hours of DefaultSchedule.
func TestEmptyScheduleIsDefault(t *testing.T) {
	def := DefaultSchedule()
	for _, text := range []string{"", "# nothing\n", "weekly:\ntimezone: Europe/Paris\n", "french_holidays: true\n"} {
		s := mustParseSchedule(t, text)
		for i := range 2000 {
			at := inParis(2026, 1, 1, 0, 0, 0).Add(time.Duration(i) * 4 * time.Hour)
			if s.Open(at) != def.Open(at) {
				t.Errorf("config %q: Open(%v) = %v, DefaultSchedule says %v", text, at, s.Open(at), def.Open(at))
				break
			}
		}
	}
}

func TestParseScheduleErrors(t *testing.T) {
	for _, test := range []struct {
		name, text string
		want       []string // parts of the message
	}{
		{"not YAML", "weekly: [", []string{"yaml"}},
		{"unknown field", "timezone: Europe/Paris\nhollidays: []\n", []string{"hollidays", "not found"}},
		{"unknown override field", "overrides: [{date: 2026-12-24, clossed: all}]\n", []string{"clossed"}},
		{"two documents", "timezone: UTC\n---\ntimezone: UTC\n", []string{"more than one"}},
		{"bad timezone", "timezone: Europe/Pariss\n", []string{"timezone", "Europe/Pariss"}},
		{"Local timezone", "timezone: Local\n", []string{"timezone", "Local"}},
		{"bad day", "weekly: {mondy: [\"09:00-12:00\"]}\n", []string{"weekly.mondy", "not a day"}},
		{"French day", "weekly: {lundi: [\"09:00-12:00\"]}\n", []string{"weekly.lundi", "not a day"}},
		{"bad start", "weekly: {monday: [\"25:00-26:00\"]}\n", []string{"weekly.monday[0]", `"25:00"`, "start"}},
		{"bad end", "weekly: {monday: [\"09:00-18:60\"]}\n", []string{"weekly.monday[0]", `"18:60"`, "end"}},
		{"start 24:00", "weekly: {monday: [\"24:00-02:00\"]}\n", []string{"weekly.monday[0]", "start"}},
		{"no dash", "weekly: {monday: [\"09:00\"]}\n", []string{"weekly.monday[0]", "HH:MM-HH:MM"}},
		{"empty interval", "weekly: {monday: [\"09:00-09:00\"]}\n", []string{"weekly.monday[0]", "same time"}},
		{"overlap", "weekly: {tuesday: [\"09:00-12:30\", \"12:00-18:00\"]}\n", []string{"weekly.tuesday", "09:00-12:30", "12:00-18:00", "overlap"}},
		{"overlap past midnight", "weekly: {friday: [\"20:00-02:00\", \"23:00-23:30\"]}\n", []string{"weekly.friday", "overlap"}},
		{"not a list", "weekly: {monday: \"09:00-12:00\"}\n", []string{"yaml"}},
		{"bad holiday date", "holidays: [{date: 2026-02-30}]\n", []string{"holidays[0].date", "2026-02-30"}},
		{"missing holiday date", "holidays: [{name: Inventaire}]\n", []string{"holidays[0].date", "missing"}},
		{"holiday twice", "holidays: [{date: 2026-08-14}, {date: 2026-08-14}]\n", []string{"holidays[1]", "twice"}},
		{"bad override date", "overrides: [{date: 24/12/2026, closed: all}]\n", []string{"overrides[0].date", "24/12/2026"}},
		{"override twice", "overrides: [{date: 2026-12-24, closed: all}, {date: 2026-12-24, open: [\"10:00-11:00\"]}]\n", []string{"overrides[1]", "twice"}},
		{"override empty", "overrides: [{date: 2026-12-24}]\n", []string{"overrides[0]", "open", "closed"}},
		{"override both", "overrides: [{date: 2026-12-24, closed: all, open: [\"10:00-11:00\"]}]\n", []string{"overrides[0]", "not both"}},
		{"override closed false", "overrides: [{date: 2026-12-24, closed: false}]\n", []string{"overrides[0].closed", "false"}},
		{"override closed word", "overrides: [{date: 2026-12-24, closed: afternoon}]\n", []string{"overrides[0].closed", "afternoon"}},
		{"override closed empty", "overrides: [{date: 2026-12-24, closed: []}]\n", []string{"overrides[0].closed", "non-empty"}},
		{"override closed map", "overrides: [{date: 2026-12-24, closed: {from: 12}}]\n", []string{"overrides[0].closed"}},
		{"override bad interval", "overrides: [{date: 2026-12-24, closed: [\"12:00-25:00\"]}]\n", []string{"overrides[0].closed[0]", "25:00"}},
		{"override open empty", "overrides: [{date: 2026-12-24, open: []}]\n", []string{"overrides[0].open", "closed: all"}},
	} {
		t.Run(test.name, func(t *testing.T) {
			s, err := ParseSchedule([]byte(test.text))
			if err == nil {
				t.Fatalf("ParseSchedule(%q) = %v, nil; want an error", test.text, s)
			}
			if !errors.Is(err, ErrInvalidSchedule) {
				t.Errorf("ParseSchedule(%q) = %v, not wrapping ErrInvalidSchedule", test.text, err)
			}
			for _, part := range test.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("ParseSchedule(%q) = %q, want a message with %q", test.text, err, part)
				}
			}
		})
	}
}

func TestLoadSchedule(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "hours.yaml")
	if err := os.WriteFile(good, []byte("weekly: {saturday: [\"09:00-19:00\"]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSchedule(good)
	if err != nil {
		t.Fatalf("LoadSchedule: %v", err)
	}
	if !s.Open(inParis(2026, 5, 16, 10, 0, 0)) || s.Open(inParis(2026, 5, 18, 10, 0, 0)) {
		t.Error("LoadSchedule: wrong hours")
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("weekly: {sundy: []}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSchedule(bad); !errors.Is(err, ErrInvalidSchedule) || !strings.Contains(err.Error(), bad) {
		t.Errorf("LoadSchedule(bad) = %v, want ErrInvalidSchedule naming the file", err)
	}
	if _, err := LoadSchedule(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadSchedule(missing) = %v, want os.ErrNotExist", err)
	}
}

// propertySchedules are schedules for the property test, night and DST
// intervals included.
var propertySchedules = map[string]string{
	"default":   "",
	"saturdays": "weekly: {monday: [\"09:00-19:00\"], saturday: [\"09:00-19:00\"]}\n",
	"nights": `weekly:
  saturday: ["22:00-02:00"]
  sunday:   ["01:30-02:15", "02:30-04:00", "23:30-00:30"]
  monday:   ["00:00-00:10", "12:00-24:00"]
  wednesday: ["02:00-03:00"]
overrides:
  - {date: 2026-03-29, open: ["02:10-02:20", "02:40-05:00"]}
  - {date: 2026-10-25, closed: ["02:10-02:40"]}
`,
	"new york": "timezone: America/New_York\nweekly: {sunday: [\"01:00-03:00\"], friday: [\"09:00-17:00\"]}\n",
}

// TestNextOpenProperties checks, for random instants t (a third of them on
// the nights of clock changes) that NextOpen(t) is open, not before t, t
// itself when t is open, and the first open instant: a scan minute by minute
// finds no earlier one. It checks NextClose the same way.
func TestNextOpenProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	from := utc(2026, 1, 1, 0, 0, 0).Unix()
	nights := []time.Time{utc(2026, 3, 28, 20, 0, 0), utc(2026, 10, 24, 20, 0, 0), utc(2026, 3, 7, 23, 0, 0), utc(2026, 10, 31, 23, 0, 0)}
	for name, text := range propertySchedules {
		s := mustParseSchedule(t, text)
		t.Run(name, func(t *testing.T) {
			for i := range 300 {
				var at time.Time
				if i%3 == 0 {
					at = nights[rng.IntN(len(nights))].Add(time.Duration(rng.IntN(10*3600)) * time.Second)
				} else {
					at = time.Unix(from+rng.Int64N(3*365*daySeconds), 0)
				}
				checkNextProperties(t, s, at)
			}
		})
	}
}

// checkNextProperties checks NextOpen and NextClose at one instant against
// a scan that steps to each following whole minute, where intervals begin
// and end, and to each clock change.
func checkNextProperties(t *testing.T, s *Schedule, at time.Time) {
	t.Helper()
	open := s.Open(at)
	first := func(wantOpen bool) time.Time {
		if open == wantOpen {
			return at
		}
		u := at.Truncate(time.Minute).Add(time.Minute)
		for range 8 * 24 * 60 {
			if _, end := u.In(s.Location()).ZoneBounds(); !end.IsZero() && end.Before(u.Add(time.Minute)) && end.After(u) && s.Open(end) == wantOpen {
				return end
			}
			if s.Open(u) == wantOpen {
				return u
			}
			u = u.Add(time.Minute)
		}
		return time.Time{}
	}
	for _, test := range []struct {
		what     string
		got      time.Time
		wantOpen bool
	}{
		{"NextOpen", s.NextOpen(at), true},
		{"NextClose", s.NextClose(at), false},
	} {
		if test.got.IsZero() {
			continue // beyond the scan
		}
		if s.Open(test.got) != test.wantOpen {
			t.Errorf("%s(%v) = %v, where Open is %v", test.what, at, test.got, !test.wantOpen)
		}
		if test.got.Before(at) {
			t.Errorf("%s(%v) = %v, before it", test.what, at, test.got)
		}
		if want := first(test.wantOpen); !want.IsZero() && !want.Equal(test.got) {
			t.Errorf("%s(%v) = %v, scan finds %v", test.what, at, test.got, want)
		}
	}
	if open && !s.NextOpen(at).Equal(at) {
		t.Errorf("Open(%v) but NextOpen = %v", at, s.NextOpen(at))
	}
}

func TestDescribeNextOpen(t *testing.T) {
	def := DefaultSchedule()
	nights := mustParseSchedule(t, "weekly: {saturday: [\"22:00-02:00\"], monday: [\"00:00-01:00\", \"14:30-18:00\"], tuesday: [\"12:00-13:00\"]}\n")
	for _, test := range []struct {
		name     string
		s        *Schedule
		now      time.Time
		fr, en   string
		langs    []string // more tags, answered in English when en is set
		frenchIn []string // more tags answered in French
	}{
		{"open", def, inParis(2026, 5, 12, 10, 0, 0), "maintenant", "now", nil, nil},
		{"lunch", def, inParis(2026, 5, 12, 12, 30, 0), "aujourd'hui à 14 h", "today at 2 pm", []string{"EN-GB", "en-US"}, []string{"fr-FR", "de", ""}},
		{"early morning", def, inParis(2026, 5, 12, 7, 0, 0), "aujourd'hui à 9 h", "today at 9 am", nil, nil},
		{"evening", def, inParis(2026, 5, 12, 18, 0, 0), "demain à 9 h", "tomorrow at 9 am", nil, nil},
		{"Ascension eve", def, inParis(2026, 5, 13, 19, 0, 0), "vendredi 15 mai à 9 h", "Friday 15 May at 9 am", nil, nil},
		{"Friday evening", def, inParis(2026, 5, 15, 18, 0, 0), "lundi 18 mai à 9 h", "Monday 18 May at 9 am", nil, nil},
		{"year end", def, inParis(2026, 12, 31, 18, 0, 0), "lundi 4 janvier à 9 h", "Monday 4 January at 9 am", nil, nil},
		{"first of the month", def, inParis(2026, 5, 29, 18, 0, 0), "lundi 1er juin à 9 h", "Monday 1 June at 9 am", nil, nil},
		{"UTC now late evening", def, utc(2026, 5, 12, 22, 30, 0), "aujourd'hui à 9 h", "today at 9 am", nil, nil},
		{"half past", nights, inParis(2026, 5, 18, 12, 0, 0), "aujourd'hui à 14 h 30", "today at 2:30 pm", nil, nil},
		{"midnight", nights, inParis(2026, 5, 17, 12, 0, 0), "demain à 0 h", "tomorrow at 12 am", nil, nil},
		{"noon", nights, inParis(2026, 5, 18, 18, 0, 0), "demain à 12 h", "tomorrow at 12 pm", nil, nil},
		{"night", nights, inParis(2026, 5, 14, 12, 0, 0), "samedi 16 mai à 22 h", "Saturday 16 May at 10 pm", nil, nil},
		{"far", mustParseSchedule(t, "weekly: {}\noverrides: [{date: 2027-03-01, open: [\"10:00-11:00\"]}]\n"), inParis(2026, 5, 12, 10, 0, 0),
			"lundi 1er mars 2027 à 10 h", "Monday 1 March 2027 at 10 am", nil, nil},
		{"never", mustParseSchedule(t, "weekly: {}\n"), inParis(2026, 5, 12, 10, 0, 0), "", "", nil, nil},
	} {
		t.Run(test.name, func(t *testing.T) {
			for _, lang := range append([]string{"fr"}, test.frenchIn...) {
				if got := test.s.DescribeNextOpen(test.now, lang); got != test.fr {
					t.Errorf("DescribeNextOpen(%v, %q) = %q, want %q", test.now, lang, got, test.fr)
				}
			}
			for _, lang := range append([]string{"en"}, test.langs...) {
				if got := test.s.DescribeNextOpen(test.now, lang); got != test.en {
					t.Errorf("DescribeNextOpen(%v, %q) = %q, want %q", test.now, lang, got, test.en)
				}
			}
		})
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, text := range propertySchedules {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSchedule(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidSchedule) {
				t.Fatalf("ParseSchedule: %v, not wrapping ErrInvalidSchedule", err)
			}
			return
		}
		at := utc(2026, 3, 29, 0, 30, 0)
		if next := s.NextOpen(at); !next.IsZero() && (!s.Open(next) || next.Before(at)) {
			t.Fatalf("NextOpen(%v) = %v, closed or before", at, next)
		}
		if next := s.NextClose(at); !next.IsZero() && (s.Open(next) || next.Before(at)) {
			t.Fatalf("NextClose(%v) = %v, open or before", at, next)
		}
	})
}

func BenchmarkScheduleOpen(b *testing.B) {
	s := DefaultSchedule()
	at := inParis(2026, 5, 12, 12, 30, 0)
	for b.Loop() {
		s.Open(at)
	}
}

func BenchmarkScheduleNextOpen(b *testing.B) {
	s := DefaultSchedule()
	for _, bench := range []struct {
		name string
		at   time.Time
	}{
		{"open", inParis(2026, 5, 12, 10, 0, 0)},
		{"lunch", inParis(2026, 5, 12, 12, 30, 0)},
		{"Friday evening", inParis(2026, 5, 15, 18, 0, 0)},
		{"year end", inParis(2026, 12, 31, 18, 0, 0)},
	} {
		b.Run(bench.name, func(b *testing.B) {
			for b.Loop() {
				s.NextOpen(bench.at)
			}
		})
	}
}
