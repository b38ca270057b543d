package hours

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidClock is returned, wrapped, by [ParseClock] for text that is not
// a time of day in the form HH:MM.
var ErrInvalidClock = errors.New("hours: invalid time of day")

// Clock is a wall-clock time of day to the minute, such as a 15:00 cutoff.
// Valid clocks have Hour in 0–23 and Minute in 0–59.
type Clock struct {
	Hour, Minute int
}

// ParseClock parses a time of day written HH:MM or H:MM on the 24-hour
// clock, such as "15:00" or "9:30". It returns an error wrapping
// [ErrInvalidClock] for any other form and for hours or minutes out of range.
func ParseClock(s string) (Clock, error) {
	h, m, ok := strings.Cut(s, ":")
	if ok && len(h) >= 1 && len(h) <= 2 && len(m) == 2 && digits(h) && digits(m) {
		hour, _ := strconv.Atoi(h)
		min, _ := strconv.Atoi(m)
		if hour <= 23 && min <= 59 {
			return Clock{hour, min}, nil
		}
	}
	return Clock{}, fmt.Errorf("%w %q: want HH:MM from 00:00 to 23:59", ErrInvalidClock, s)
}

// String returns the clock as HH:MM, such as "09:30".
func (c Clock) String() string {
	return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute)
}

// minutes returns the number of minutes from midnight to c.
func (c Clock) minutes() int {
	return c.Hour*60 + c.Minute
}

// digits reports whether s holds only ASCII digits.
func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
