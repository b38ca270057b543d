package hours

import "time"

// horizonDays is how far ahead [Schedule.NextOpen] and [Schedule.NextClose]
// look before giving up.
const horizonDays = 400

// wallSeconds returns the wall-clock time of t in its own location, as
// seconds from 1970-01-01 00:00 of that wall clock, rounded down.
func wallSeconds(t time.Time) int {
	_, offset := t.Zone()
	return int(t.Unix()) + offset
}

// Open reports whether the schedule is open at t: whether the wall-clock time
// of t in the schedule's zone falls in one of the intervals of its date, or in
// the part after midnight of an interval of the day before. Intervals include
// their start and exclude their end: with hours 09:00-12:30, 12:29:59 is open
// and 12:30:00 is closed.
func (s *Schedule) Open(t time.Time) bool {
	return s.openAt(wallSeconds(t.In(s.Location())))
}

// NextOpen returns t if the schedule is open at t, and otherwise the first
// instant after t at which it opens; either way in the schedule's zone
// ([time.Time.In]), so that its wall clock reads as the customer is told. It looks 400
// days ahead of t and returns the zero time if the schedule does not open
// within them.
func (s *Schedule) NextOpen(t time.Time) time.Time {
	u := t.In(s.Location())
	if s.Open(u) {
		return u
	}
	limit := floorDiv(wallSeconds(u), daySeconds) + horizonDays
	// Within one zone period the wall clock runs with the instant, so the
	// first open wall-clock time of the period gives the first open instant;
	// the periods are visited in order.
	for {
		_, offset := u.Zone()
		_, end := u.ZoneBounds()
		w, ok := s.nextOpenWall(wallSeconds(u), limit)
		if !ok {
			return time.Time{}
		}
		if at := int64(w - offset); end.IsZero() || at < end.Unix() {
			return time.Unix(at, 0).In(s.Location())
		}
		u = end.In(s.Location())
	}
}

// NextClose returns t if the schedule is closed at t, and otherwise the first
// instant after t at which it closes; either way in the schedule's zone. Touching
// intervals, such as 22:00-24:00 followed by 00:00-02:00 the next day, count
// as one. It looks 400 days ahead of t and returns the zero time if the
// schedule stays open all that time.
func (s *Schedule) NextClose(t time.Time) time.Time {
	u := t.In(s.Location())
	if !s.Open(u) {
		return u
	}
	limit := floorDiv(wallSeconds(u), daySeconds) + horizonDays
	for {
		_, offset := u.Zone()
		_, end := u.ZoneBounds()
		w, ok := s.nextCloseWall(wallSeconds(u), limit)
		if !ok {
			return time.Time{}
		}
		if at := int64(w - offset); end.IsZero() || at < end.Unix() {
			return time.Unix(at, 0).In(s.Location())
		}
		u = end.In(s.Location())
		if !s.Open(u) {
			return u
		}
	}
}

// openAt reports whether the wall-clock time w (seconds from 1970-01-01
// 00:00 of the wall clock) is open.
func (s *Schedule) openAt(w int) bool {
	_, ok := s.containingEnd(w)
	return ok
}

// containingEnd returns the latest end, as a wall-clock time, of the
// intervals that contain w, and whether there is any.
func (s *Schedule) containingEnd(w int) (int, bool) {
	day := floorDiv(w, daySeconds)
	sec := w - day*daySeconds
	end, ok := 0, false
	for _, sp := range s.spans(fromDays(day)) {
		if sp.start <= sec && sec < sp.end {
			end, ok = day*daySeconds+sp.end, true
		}
	}
	for _, sp := range s.spans(fromDays(day - 1)) {
		if sp.start <= sec+daySeconds && sec+daySeconds < sp.end {
			end, ok = max(end, (day-1)*daySeconds+sp.end), true
		}
	}
	return end, ok
}

// nextOpenWall returns the first open wall-clock time from w on, looking no
// further than the day limit (days from 1970-01-01), and whether there is one.
func (s *Schedule) nextOpenWall(w, limit int) (int, bool) {
	if s.openAt(w) {
		return w, true
	}
	// w is closed, so the next open time is the start of an interval; the
	// intervals of the day before w start before it.
	for day := floorDiv(w, daySeconds); day <= limit; day++ {
		for _, sp := range s.spans(fromDays(day)) {
			if start := day*daySeconds + sp.start; start >= w {
				return start, true
			}
		}
	}
	return 0, false
}

// nextCloseWall returns the first closed wall-clock time from w on, looking
// no further than the day limit, and whether there is one.
func (s *Schedule) nextCloseWall(w, limit int) (int, bool) {
	for {
		end, open := s.containingEnd(w)
		if !open {
			return w, true
		}
		if floorDiv(end, daySeconds) > limit {
			return 0, false
		}
		w = end
	}
}
