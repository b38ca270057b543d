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
