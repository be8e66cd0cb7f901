// Client settings of every contender in the scale bench: the recommended ones (auto-pipelining on
// unless overridden), with a 10 s command timeout instead of 1 s, for ours and the anchors alike:
// on a loaded 2-core machine a fill of 2,000 calls in flight can wait past 1 s, and a slow call
// should show in p99, not end the run. Representation in Redis does not depend on it.
import { recommendedRedisOptions } from '../../dist/lib/shared/connection.js'

export const TIMEOUT = 10_000

export const clientOptions = (overrides = {}) => recommendedRedisOptions({ commandTimeout: TIMEOUT, ...overrides })
