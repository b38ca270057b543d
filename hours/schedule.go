package hours

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrInvalidSchedule is returned, wrapped, by [ParseSchedule] and
// [LoadSchedule] for a configuration that is not valid YAML or does not
// describe opening hours. The message names the field at fault, such as
// weekly.monday[1] or overrides[0].closed, and what is wrong with it.
var ErrInvalidSchedule = errors.New("hours: invalid schedule")

// daySeconds is the length of a civil day in wall-clock seconds.
const daySeconds = 24 * 60 * 60

// span is an opening interval of one civil day: from start to end seconds
// after its midnight, in wall-clock time. end is after start and at most
// start + 24 h, so a span that runs past midnight has end > daySeconds and
// belongs to the day on which it starts.
type span struct {
	start, end int
}

// Schedule holds opening hours: a weekly schedule of intervals in a time
// zone, holidays and one-off overrides by date. Build it with
// [ParseSchedule], [LoadSchedule] or [DefaultSchedule]; the zero value is not
// usable. A Schedule never changes once built and is safe for concurrent use.
//
// The hours of a date are, in order of precedence: the date's override if it
// has one (open hours replace everything else, even on a holiday; closed
// hours are removed from the weekly hours); none if the date is a holiday;
// otherwise the weekly hours of its day of the week. An interval that runs
// past midnight belongs to the date on which it starts, so a holiday or an
// override on that date governs all of it, including the part after
// midnight, and one on the next date governs none of it.
//
// Intervals are wall-clock times in the schedule's zone: an instant is open
// when its wall-clock time, read in that zone, falls in an interval. On the
// night clocks go forward the skipped hour does not exist, and an interval
// starting inside it opens at the first instant after the change; on the
// night clocks go back the repeated hour is open or closed both times.
// docs/hours.md works through both nights.
type Schedule struct {
	// cal holds the time zone and the holidays; the holiday rules are the
	// ones of Calendar.HolidayName.
	cal       Calendar
	weekly    [7][]span
	overrides map[Date]override
}

// override is a one-off change of a date's hours: spans are the date's hours,
// already worked out from the weekly hours for a closing of part of the day.
// The name of an override in the file is a note for its readers only.
type override struct {
	spans []span
}

// DefaultSchedule returns the hours of the reference help centres: Monday to
// Friday from 09:00 to 12:30 and from 14:00 to 18:00, Europe/Paris, closed on
// the French public holidays. It is also what an empty configuration gives.
func DefaultSchedule() *Schedule {
	s := &Schedule{cal: Calendar{Location: paris, FrenchPublicHolidays: true}}
	s.weekly = defaultWeekly()
	return s
}

// defaultWeekly returns the weekly hours of [DefaultSchedule].
func defaultWeekly() [7][]span {
	var w [7][]span
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = []span{{9 * 3600, 12*3600 + 1800}, {14 * 3600, 18 * 3600}}
	}
	return w
}

// Location returns the time zone in which the schedule's hours are read.
func (s *Schedule) Location() *time.Location { return s.cal.location() }

// HolidayName returns the name of the holiday on d, from the configuration's
// holidays or, unless french_holidays is false, from [FrenchHolidays], and
// whether d is a holiday at all. An override may still open a holiday.
func (s *Schedule) HolidayName(d Date) (string, bool) { return s.cal.HolidayName(d) }

// spans returns the opening intervals of d, sorted and disjoint.
func (s *Schedule) spans(d Date) []span {
	if o, ok := s.overrides[d]; ok {
		return o.spans
	}
	if _, holiday := s.cal.HolidayName(d); holiday {
		return nil
	}
	return s.weekly[d.Weekday()]
}

// scheduleFile is the YAML form of a schedule; docs/hours.md documents it.
type scheduleFile struct {
	Timezone       string              `yaml:"timezone"`
	Weekly         map[string][]string `yaml:"weekly"`
	FrenchHolidays *bool               `yaml:"french_holidays"`
	Holidays       []holidayEntry      `yaml:"holidays"`
	Overrides      []overrideEntry     `yaml:"overrides"`
}

type holidayEntry struct {
	Date string `yaml:"date"`
	Name string `yaml:"name"`
}

type overrideEntry struct {
	Date   string    `yaml:"date"`
	Name   string    `yaml:"name"`
	Open   []string  `yaml:"open"`
	Closed yaml.Node `yaml:"closed"`
}

// weekdays maps the day names of the configuration to days of the week.
var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday,
	"saturday": time.Saturday,
}

// LoadSchedule reads the schedule in the YAML file at path, as
// [ParseSchedule] does. Errors name the file; an invalid file gives an
// error wrapping [ErrInvalidSchedule].
func LoadSchedule(path string) (*Schedule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("hours: load schedule: %w", err)
	}
	s, err := ParseSchedule(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseSchedule builds a schedule from its YAML configuration, documented in
// docs/hours.md. Omitted fields take their defaults: timezone Europe/Paris,
// weekly the hours of [DefaultSchedule], french_holidays true. Unknown fields,
// day names other than sunday to saturday in English, invalid zones, times,
// intervals and dates, overlapping intervals, dates given twice and
// overrides that are neither open nor closed give an error wrapping
// [ErrInvalidSchedule] that names the field.
func ParseSchedule(data []byte) (*Schedule, error) {
	var f scheduleFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSchedule, err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: the file holds more than one YAML document", ErrInvalidSchedule)
	}

	s := &Schedule{cal: Calendar{Location: paris, FrenchPublicHolidays: true}}
	switch f.Timezone {
	case "", "Europe/Paris":
	case "Local":
		return nil, fieldError("timezone", `"Local" depends on the server; name the zone, such as "Europe/Paris"`)
	default:
		loc, err := time.LoadLocation(f.Timezone)
		if err != nil {
			return nil, fieldError("timezone", "%q is not a time zone of the IANA database, such as \"Europe/Paris\"", f.Timezone)
		}
		s.cal.Location = loc
	}
	if f.FrenchHolidays != nil {
		s.cal.FrenchPublicHolidays = *f.FrenchHolidays
	}

	if f.Weekly == nil {
		s.weekly = defaultWeekly()
	}
	for _, name := range slices.Sorted(maps.Keys(f.Weekly)) {
		texts := f.Weekly[name]
		day, ok := weekdays[name]
		if !ok {
			return nil, fieldError("weekly."+name, "not a day of the week; want monday, tuesday, ... sunday in lower case")
		}
		spans, err := parseSpans("weekly."+name, texts)
		if err != nil {
			return nil, err
		}
		s.weekly[day] = spans
	}

	for i, h := range f.Holidays {
		field := fmt.Sprintf("holidays[%d]", i)
		d, err := parseEntryDate(field, h.Date)
		if err != nil {
			return nil, err
		}
		if _, dup := s.cal.Holidays[d]; dup {
			return nil, fieldError(field, "date %v is given twice", d)
		}
		if s.cal.Holidays == nil {
			s.cal.Holidays = make(map[Date]string)
		}
		s.cal.Holidays[d] = h.Name
	}

	for i, o := range f.Overrides {
		field := fmt.Sprintf("overrides[%d]", i)
		d, err := parseEntryDate(field, o.Date)
		if err != nil {
			return nil, err
		}
		if _, dup := s.overrides[d]; dup {
			return nil, fieldError(field, "date %v is given twice", d)
		}
		ov, err := s.parseOverride(field, d, o)
		if err != nil {
			return nil, err
		}
		if s.overrides == nil {
			s.overrides = make(map[Date]override)
		}
		s.overrides[d] = ov
	}
	return s, nil
}

// parseOverride works out the hours of d under the override o.
func (s *Schedule) parseOverride(field string, d Date, o overrideEntry) (override, error) {
	hasOpen, hasClosed := o.Open != nil, o.Closed.Kind != 0
	switch {
	case hasOpen && hasClosed:
		return override{}, fieldError(field, "give open or closed, not both")
	case hasOpen:
		if len(o.Open) == 0 {
			return override{}, fieldError(field+".open", "no interval; to close the whole day write closed: all")
		}
		spans, err := parseSpans(field+".open", o.Open)
		return override{spans}, err
	case !hasClosed:
		return override{}, fieldError(field, "give open (intervals) or closed (all, or intervals)")
	}
	c := o.Closed
	if c.Kind == yaml.ScalarNode {
		if c.Value == "all" || c.Tag == "!!bool" && strings.EqualFold(c.Value, "true") {
			return override{}, nil
		}
		return override{}, fieldError(field+".closed", "%q: want all, true or a list of intervals", c.Value)
	}
	var texts []string
	if err := c.Decode(&texts); err != nil || len(texts) == 0 {
		return override{}, fieldError(field+".closed", "want all, true or a non-empty list of intervals such as [\"12:00-24:00\"]")
	}
	cuts, err := parseSpans(field+".closed", texts)
	if err != nil {
		return override{}, err
	}
	var open []span
	if _, holiday := s.cal.HolidayName(d); !holiday {
		open = s.weekly[d.Weekday()]
	}
	return override{subtract(open, cuts)}, nil
}

// parseEntryDate parses the date of a holiday or override.
func parseEntryDate(field, text string) (Date, error) {
	if text == "" {
		return Date{}, fieldError(field+".date", "missing; want YYYY-MM-DD")
	}
	d, err := ParseDate(text)
	if err != nil {
		return Date{}, fieldError(field+".date", "%q is not a date YYYY-MM-DD", text)
	}
	return d, nil
}

// parseSpans parses a list of intervals and returns them sorted, with
// touching ones joined. Overlapping intervals are an error: they are most
// likely a typing mistake.
func parseSpans(field string, texts []string) ([]span, error) {
	spans := make([]span, 0, len(texts))
	for i, text := range texts {
		sp, err := parseSpan(text)
		if err != nil {
			return nil, fieldError(fmt.Sprintf("%s[%d]", field, i), "%q: %v", text, err)
		}
		spans = append(spans, sp)
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	out := spans[:0]
	for _, sp := range spans {
		if n := len(out); n > 0 && sp.start <= out[n-1].end {
			if sp.start < out[n-1].end {
				return nil, fieldError(field, "intervals %v and %v overlap", out[n-1], sp)
			}
			out[n-1].end = sp.end
			continue
		}
		out = append(out, sp)
	}
	return out, nil
}

// parseSpan parses an interval "HH:MM-HH:MM". An end of 24:00 is midnight at
// the end of the day; an end at or before the start is on the next day.
func parseSpan(text string) (span, error) {
	a, b, ok := strings.Cut(text, "-")
	if !ok {
		return span{}, errors.New("want an interval HH:MM-HH:MM such as 09:00-12:30")
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	start, err := ParseClock(a)
	if err != nil {
		return span{}, fmt.Errorf("start %q is not a time of day from 00:00 to 23:59", a)
	}
	sp := span{start: start.minutes() * 60}
	if b == "24:00" {
		sp.end = daySeconds
	} else {
		end, err := ParseClock(b)
		if err != nil {
			return span{}, fmt.Errorf("end %q is not a time of day from 00:00 to 24:00", b)
		}
		sp.end = end.minutes() * 60
	}
	if sp.end == sp.start {
		return span{}, errors.New("start and end are the same time; for the whole day write 00:00-24:00")
	}
	if sp.end < sp.start {
		sp.end += daySeconds // past midnight
	}
	return sp, nil
}

// subtract returns spans without the parts in cuts; both are sorted.
func subtract(spans, cuts []span) []span {
	out := slices.Clone(spans)
	for _, c := range cuts {
		var next []span
		for _, sp := range out {
			if c.end <= sp.start || c.start >= sp.end {
				next = append(next, sp)
				continue
			}
			if sp.start < c.start {
				next = append(next, span{sp.start, c.start})
			}
			if c.end < sp.end {
				next = append(next, span{c.end, sp.end})
			}
		}
		out = next
	}
	return out
}

// String returns the span as in the configuration, such as "22:00-02:00".
func (sp span) String() string {
	clock := func(sec int) string {
		if sec == daySeconds {
			return "24:00"
		}
		sec %= daySeconds
		return Clock{sec / 3600, sec / 60 % 60}.String()
	}
	return clock(sp.start) + "-" + clock(sp.end)
}

// fieldError returns an error wrapping [ErrInvalidSchedule] for field.
func fieldError(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidSchedule, field, fmt.Sprintf(format, args...))
}
