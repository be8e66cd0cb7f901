// The activity bitmaps pattern's public surface.
export { Activity, type ActivityEvents, type ActivityPeriod, type Streak, type Retention } from './activity.js'
export { normalizeActivityOptions, type ActivityOptions, type NormalizedActivityOptions } from './options.js'
export type { Day } from './days.js'
export type { Duration } from '../shared/options.js'
