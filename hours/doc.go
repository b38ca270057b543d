// Package hours is supportd's business calendar: which days a shop works,
// in which time zone, and what that means for the dates the assistant quotes
// to customers.
//
// Today it answers one question, for every order the assistant talks about:
// on which day will this order leave the warehouse? [Calendar.DispatchDate]
// applies the shop's daily cutoff (such as 15:00) in the calendar's time zone,
// then skips weekends, the French public holidays and the shop's own closed
// days. [Calendar.AddBusinessDays] turns "delivered within N business days"
// into a date.
//
// [Date] is a day of the civil calendar with no time or zone, so that "14 May"
// means the same day wherever the server runs; [Clock] is a time of day. Both
// are meant to be reused when the package learns opening hours (a weekly
// schedule of intervals, whether the support desk is open at an instant and
// when it opens next): a schedule will be a [Calendar] field, and the business
// days below it stay as they are.
//
// [France] is the calendar of a shop in metropolitan France: Europe/Paris,
// Monday to Friday, the eleven public holidays of [FrenchHolidays]. The
// package embeds the time zone database, so Europe/Paris is available even on
// machines without one.
//
// The package imports no other package of supportd.
package hours
