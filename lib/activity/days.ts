// Days of the activity bitmaps: calendar dates, as whole days since 1970-01-01, in UTC or in one
// IANA time zone. A day given by the caller is a 'YYYY-MM-DD' string (that calendar date) or a
// Date (its date in the zone); anything else is FRP_ACTIVITY_ARGUMENT naming the argument.
import { FRP_ACTIVITY_ARGUMENT } from '../shared/errors.js'
import { describe } from '../shared/options.js'

/** A calendar day: 'YYYY-MM-DD', or a Date (the date it falls on in the core's time zone). */
export type Day = string | Date

export const DAY_MS = 86_400_000

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** 'YYYY-MM-DD' of a day number. */
export function dayString (n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10)
}

/** The calendar date of instants in one time zone (UTC: plain arithmetic, no Intl). */
export type DayOf = (ms: number) => number

export function dayOfFor (timeZone: string | undefined): DayOf {
  if (timeZone === undefined || timeZone === 'UTC') return ms => Math.floor(ms / DAY_MS)
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  // Formatting costs a few µs: reuse the answer for the rest of the second it was asked in.
  let second = NaN
  let day = 0
  return ms => {
    const s = Math.floor(ms / 1000)
    if (s === second) return day
    const parts = format.formatToParts(ms)
    const get = (type: string): number => Number(parts.find(p => p.type === type)?.value)
    second = s
    day = Date.UTC(get('year'), get('month') - 1, get('day')) / DAY_MS
    return day
  }
}

/** The day number of `input` (a Day), or of `now` when it is undefined. */
export function dayNumber (input: unknown, argument: string, dayOf: DayOf, now: () => number): number {
  if (input === undefined) return dayOf(now())
  if (input instanceof Date) {
    const ms = input.getTime()
    if (Number.isNaN(ms)) throw new FRP_ACTIVITY_ARGUMENT(argument, 'is an invalid Date')
    return dayOf(ms)
  }
  const m = typeof input === 'string' ? ISO_DAY.exec(input) : null
  if (m === null) throw new FRP_ACTIVITY_ARGUMENT(argument, `must be a 'YYYY-MM-DD' date or a Date, got ${describe(input)}`)
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  // Date.UTC rolls 2025-02-30 over to March 2: only a date that round-trips exists.
  if (dayString(ms / DAY_MS) !== input) throw new FRP_ACTIVITY_ARGUMENT(argument, `${describe(input)} is not a calendar date`)
  return ms / DAY_MS
}
