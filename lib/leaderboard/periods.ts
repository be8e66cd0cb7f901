// Calendar periods (day, ISO week, month) in an IANA time zone, computed with Intl so that a
// "daily" board rolls over at local midnight, DST included. Periods are identified by a local
// calendar anchor (the local date the period starts on); arithmetic happens on that anchor and is
// converted to an instant only for boundaries (expiry).
export type PeriodUnit = 'day' | 'week' | 'month'

export interface Period {
  /** `2026-11-26` (day), `2026-W48` (ISO week), `2026-11` (month). */
  readonly id: string
  /** First instant of the period (ms since the Unix epoch). */
  readonly start: number
  /** First instant of the next period. */
  readonly end: number
}

interface LocalDate { y: number, m: number, d: number }

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter (timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric'
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** Throws a RangeError when `timeZone` is not a time zone Intl knows. */
export function checkTimeZone (timeZone: string): void {
  formatter(timeZone)
}

function wallClock (ms: number, timeZone: string): { y: number, m: number, d: number, h: number, mi: number, s: number } {
  const out = { y: 0, m: 0, d: 0, h: 0, mi: 0, s: 0 }
  for (const p of formatter(timeZone).formatToParts(ms)) {
    switch (p.type) {
      case 'year': out.y = Number(p.value); break
      case 'month': out.m = Number(p.value); break
      case 'day': out.d = Number(p.value); break
      case 'hour': out.h = Number(p.value); break
      case 'minute': out.mi = Number(p.value); break
      case 'second': out.s = Number(p.value); break
    }
  }
  return out
}

/** Offset of `timeZone` from UTC at instant `ms`, in ms (local = utc + offset). */
function offsetAt (ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone)
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000
}

/** The instant of local midnight starting `date` (normalized: month 13 or day 0 are fine). */
function localMidnight (date: LocalDate, timeZone: string): number {
  const guess = Date.UTC(date.y, date.m - 1, date.d)
  const first = guess - offsetAt(guess, timeZone)
  // A second pass corrects for an offset change (DST) between the guess and the result.
  return guess - offsetAt(first, timeZone)
}

function normalize (y: number, m: number, d: number): LocalDate {
  const t = new Date(Date.UTC(y, m - 1, d))
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** The local date on which the period containing local date `date` starts. */
function anchorOf (unit: PeriodUnit, date: LocalDate): LocalDate {
  if (unit === 'day') return date
  if (unit === 'month') return { y: date.y, m: date.m, d: 1 }
  const dow = (new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() + 6) % 7 // Monday = 0
  return normalize(date.y, date.m, date.d - dow)
}

/** The anchor `n` periods after (or before, n < 0) `anchor`. */
function shift (unit: PeriodUnit, anchor: LocalDate, n: number): LocalDate {
  if (unit === 'day') return normalize(anchor.y, anchor.m, anchor.d + n)
  if (unit === 'week') return normalize(anchor.y, anchor.m, anchor.d + 7 * n)
  return normalize(anchor.y, anchor.m + n, 1)
}

function idOf (unit: PeriodUnit, a: LocalDate): string {
  if (unit === 'day') return `${a.y}-${pad(a.m)}-${pad(a.d)}`
  if (unit === 'month') return `${a.y}-${pad(a.m)}`
  // ISO 8601 week: the week belongs to the year of its Thursday.
  const thursday = normalize(a.y, a.m, a.d + 3)
  const jan1 = Date.UTC(thursday.y, 0, 1)
  const week = Math.floor((Date.UTC(thursday.y, thursday.m - 1, thursday.d) - jan1) / (7 * 86_400_000)) + 1
  return `${thursday.y}-W${pad(week)}`
}

const ID_PATTERNS: Record<PeriodUnit, RegExp> = {
  day: /^\d{4}-\d{2}-\d{2}$/,
  week: /^\d{4}-W\d{2}$/,
  month: /^\d{4}-\d{2}$/
}

/** True when `id` is shaped like a period id of `unit`. */
export function isPeriodId (unit: PeriodUnit, id: string): boolean {
  return ID_PATTERNS[unit].test(id)
}

export interface PeriodCalendar {
  /** The period containing instant `ms`, `offset` periods later (negative: earlier). */
  at (ms: number, offset?: number): Period
  /** The instant at which the period `periods` after the one containing `ms` starts. */
  startAfter (ms: number, periods: number): number
}

export function periodCalendar (unit: PeriodUnit, timeZone: string): PeriodCalendar {
  checkTimeZone(timeZone)
  const anchorAt = (ms: number): LocalDate => {
    const w = wallClock(ms, timeZone)
    return anchorOf(unit, { y: w.y, m: w.m, d: w.d })
  }
  return {
    at (ms, offset = 0) {
      const a = shift(unit, anchorAt(ms), offset)
      return { id: idOf(unit, a), start: localMidnight(a, timeZone), end: localMidnight(shift(unit, a, 1), timeZone) }
    },
    startAfter (ms, periods) {
      return localMidnight(shift(unit, anchorAt(ms), periods), timeZone)
    }
  }
}
