package hours_test

import (
	"fmt"
	"time"

	"github.com/supportd/supportd/hours"
)

func ExampleCalendar_DispatchDate() {
	c := hours.France()
	cutoff, err := hours.ParseClock("15:00")
	if err != nil {
		panic(err)
	}
	// Wednesday 13 May 2026 at 14:30 UTC is 16:30 in Paris, after the
	// cutoff; Thursday 14 May is Ascension.
	order := time.Date(2026, time.May, 13, 14, 30, 0, 0, time.UTC)
	dispatch := c.DispatchDate(order, cutoff)
	fmt.Println(dispatch, dispatch.Weekday())
	fmt.Println("delivered by", c.AddBusinessDays(dispatch, 2))
	// Output:
	// 2026-05-15 Friday
	// delivered by 2026-05-19
}

func ExampleCalendar_HolidayName() {
	c := hours.France()
	name, ok := c.HolidayName(hours.Date{Year: 2026, Month: time.May, Day: 25})
	fmt.Println(name, ok)
	// Output:
	// Lundi de Pentecôte true
}

func ExampleSchedule_NextOpen() {
	s, err := hours.ParseSchedule([]byte(`
weekly:
  monday:    ["09:00-12:30", "14:00-18:00"]
  tuesday:   ["09:00-12:30", "14:00-18:00"]
  wednesday: ["09:00-12:30", "14:00-18:00"]
  thursday:  ["09:00-12:30", "14:00-18:00"]
  friday:    ["09:00-12:30", "14:00-18:00"]
overrides:
  - {date: 2026-12-24, closed: ["12:00-24:00"], name: "Réveillon"}
`))
	if err != nil {
		panic(err)
	}
	// Thursday 24 December 2026 at 12:15 in Paris: closed for Christmas Eve,
	// then Christmas Day and the weekend.
	now := time.Date(2026, time.December, 24, 11, 15, 0, 0, time.UTC)
	fmt.Println(s.Open(now), s.NextOpen(now))
	fmt.Println("Nous vous répondrons", s.DescribeNextOpen(now, "fr")+".")
	fmt.Println("We will answer you on", s.DescribeNextOpen(now, "en")+".")
	// Output:
	// false 2026-12-28 09:00:00 +0100 CET
	// Nous vous répondrons lundi 28 décembre à 9 h.
	// We will answer you on Monday 28 December at 9 am.
}
