package hours

import (
	"fmt"
	"strings"
	"time"
)

var (
	frenchDays   = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"}
)

// DescribeNextOpen phrases for a customer when the schedule next opens after
// now, as [Schedule.NextOpen] finds it, in the schedule's zone. lang is a
// language tag: English for "en" and tags starting "en-" in any case, French
// otherwise.
//
// In French: "maintenant" when open at now, "aujourd'hui à 14 h",
// "demain à 9 h", then "lundi 4 janvier à 9 h 30" (with "1er" for the first
// of a month and the year when it is more than 180 days away). In English:
// "now", "today at 2 pm", "tomorrow at 9 am", "Monday 4 January at 9:30 am".
// "Today" and "tomorrow" are dates in the schedule's zone. It returns "" when
// the schedule does not open within 400 days.
func (s *Schedule) DescribeNextOpen(now time.Time, lang string) string {
	lang = strings.ToLower(lang)
	english := lang == "en" || strings.HasPrefix(lang, "en-")
	next := s.NextOpen(now)
	switch {
	case next.IsZero():
		return ""
	case next.Equal(now):
		if english {
			return "now"
		}
		return "maintenant"
	}
	today, day := DateOf(now.In(s.Location())), DateOf(next)
	clock := Clock{next.Hour(), next.Minute()}
	away := day.days() - today.days()
	if english {
		at := "at " + englishClock(clock)
		switch away {
		case 0:
			return "today " + at
		case 1:
			return "tomorrow " + at
		}
		text := fmt.Sprintf("%v %d %v", day.Weekday(), day.Day, day.Month)
		if away > 180 {
			text += fmt.Sprintf(" %d", day.Year)
		}
		return text + " " + at
	}
	at := "à " + frenchClock(clock)
	switch away {
	case 0:
		return "aujourd'hui " + at
	case 1:
		return "demain " + at
	}
	n := fmt.Sprint(day.Day)
	if day.Day == 1 {
		n = "1er"
	}
	text := fmt.Sprintf("%s %s %s", frenchDays[day.Weekday()], n, frenchMonths[day.Month-1])
	if away > 180 {
		text += fmt.Sprintf(" %d", day.Year)
	}
	return text + " " + at
}

// frenchClock writes c the French way: "9 h", "14 h 30", "0 h".
func frenchClock(c Clock) string {
	if c.Minute == 0 {
		return fmt.Sprintf("%d h", c.Hour)
	}
	return fmt.Sprintf("%d h %02d", c.Hour, c.Minute)
}

// englishClock writes c on the 12-hour clock: "9 am", "2:30 pm", "12 pm"
// for noon and "12 am" for midnight.
func englishClock(c Clock) string {
	suffix := "am"
	if c.Hour >= 12 {
		suffix = "pm"
	}
	h := c.Hour % 12
	if h == 0 {
		h = 12
	}
	if c.Minute == 0 {
		return fmt.Sprintf("%d %s", h, suffix)
	}
	return fmt.Sprintf("%d:%02d %s", h, c.Minute, suffix)
}

// DescribeToday phrases for a customer the opening hours of now's day, in
// the schedule's zone: « Aujourd'hui : 9 h – 12 h 30, 14 h – 18 h » or,
// on a closed day, « Fermé aujourd'hui : réouverture lundi 23 novembre à
// 9 h ». lang is as for [Schedule.DescribeNextOpen].
func (s *Schedule) DescribeToday(now time.Time, lang string) string {
	lang = strings.ToLower(lang)
	english := lang == "en" || strings.HasPrefix(lang, "en-")
	today := DateOf(now.In(s.Location()))
	spans := s.spans(today)
	if len(spans) == 0 {
		next := s.DescribeNextOpen(now, lang)
		switch {
		case english && next != "":
			return "Closed today: open again " + next
		case english:
			return "Closed today"
		case next != "":
			return "Fermé aujourd'hui : réouverture " + next
		}
		return "Fermé aujourd'hui"
	}
	var parts []string
	for _, sp := range spans {
		from := Clock{sp.start / 3600, sp.start % 3600 / 60}
		to := Clock{sp.end / 3600 % 24, sp.end % 3600 / 60}
		if english {
			parts = append(parts, englishClock(from)+" – "+englishClock(to))
		} else {
			parts = append(parts, frenchClock(from)+" – "+frenchClock(to))
		}
	}
	if english {
		return "Today: " + strings.Join(parts, ", ")
	}
	return "Aujourd'hui : " + strings.Join(parts, ", ")
}
