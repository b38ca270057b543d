// Package hours is supportd's business calendar: which days a shop works,
// in which time zone, and what that means for the dates the assistant quotes
// to customers.
//
// It answers two questions. For every order the assistant talks about: on
// which day will this order leave the warehouse? [Calendar.DispatchDate]
// applies the shop's daily cutoff (such as 15:00) in the calendar's time zone,
// then skips weekends, the French public holidays and the shop's own closed
// days. [Calendar.AddBusinessDays] turns "delivered within N business days"
// into a date.
//
// For every customer who asks for a person: is the support desk open, and if
// not, when will someone reply? A [Schedule] holds the opening hours (a
// weekly schedule of intervals in a time zone, holidays, one-off overrides),
// read from a YAML file by [LoadSchedule] and documented in docs/hours.md;
// [Schedule.Open], [Schedule.NextOpen] and [Schedule.NextClose] answer for an
// instant, correctly across clock changes, and [Schedule.DescribeNextOpen]
// phrases the answer for the customer ("demain à 9 h"). A Schedule and a
// [Calendar] are separate values, since a shop's warehouse and support desk
// need not keep the same days, but they share the holiday rules of
// [Calendar.HolidayName].
//
// [Date] is a day of the civil calendar with no time or zone, so that "14 May"
// means the same day wherever the server runs; [Clock] is a time of day.
//
// [France] is the calendar of a shop in metropolitan France: Europe/Paris,
// Monday to Friday, the eleven public holidays of [FrenchHolidays]. The
// package embeds the time zone database, so Europe/Paris is available even on
// machines without one.
//
// The package imports no other package of supportd.
package hours
