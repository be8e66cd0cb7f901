// JSON schemas of the queue's HTTP routes (framework-free: plain objects the adapter hands to
// Fastify). Validation happens before any handler runs, so a bad request writes nothing.
import { MAX_ATTEMPTS, MAX_BACKOFF, MAX_DELAY, MAX_PRIORITY, MAX_TIMEOUT } from '../../lib/queue/options.js'
import { JOB_STATES } from '../../lib/queue/job.js'

// Every number has both bounds: Ajv coerces '1e300' and '2^63' to integers that Redis refuses (a
// 500); with a maximum of at most 2^53 - 1 they are a 400 naming the field. Ajv's coercion also
// turns 'Infinity' and '1e309' into Infinity and then skips minimum/maximum for non-finite
// numbers, so the core checks every number again (FRP_JOB_INVALID, a 400 naming it).
const int = (minimum: number, maximum: number): Record<string, unknown> => ({ type: 'integer', minimum, maximum })
const SAFE = Number.MAX_SAFE_INTEGER

// Fastify's Ajv strips unknown properties (removeAdditional) instead of rejecting them; naming the
// allowed keys with propertyNames makes an unknown option a 400, as the core API does.
const only = (...keys: string[]): Record<string, unknown> => ({ propertyNames: { enum: keys } })

const retention = { anyOf: [{ type: 'boolean' }, int(0, SAFE), { type: 'object', ...only('count', 'age'), properties: { count: int(0, SAFE), age: int(0, SAFE) } }] }

export const queueParams = {
  type: 'object',
  required: ['queue'],
  properties: { queue: { type: 'string', minLength: 1, maxLength: 200 } }
} as const

export const jobParams = {
  type: 'object',
  required: ['queue', 'id'],
  properties: { queue: { type: 'string', minLength: 1, maxLength: 200 }, id: { type: 'string', minLength: 1, maxLength: 256 } }
} as const

export const addJobBody = {
  type: 'object',
  required: ['name'],
  ...only('name', 'data', 'opts'),
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    data: {},
    opts: {
      type: 'object',
      ...only('jobId', 'priority', 'delay', 'attempts', 'backoff', 'timeout', 'removeOnComplete', 'removeOnFail'),
      properties: {
        jobId: { type: 'string', minLength: 1, maxLength: 256, pattern: '\\D' },
        priority: int(0, MAX_PRIORITY),
        delay: int(0, MAX_DELAY),
        attempts: int(1, MAX_ATTEMPTS),
        backoff: {
          anyOf: [int(0, MAX_BACKOFF), {
            type: 'object',
            required: ['type', 'delay'],
            ...only('type', 'delay', 'jitter'),
            properties: { type: { enum: ['fixed', 'exponential'] }, delay: int(0, MAX_BACKOFF), jitter: { type: 'number', minimum: 0, maximum: 1 } }
          }]
        },
        timeout: int(0, MAX_TIMEOUT),
        removeOnComplete: retention,
        removeOnFail: retention
      }
    }
  }
} as const

export const listQuery = {
  type: 'object',
  ...only('state', 'limit', 'offset'),
  properties: {
    state: { enum: [...JOB_STATES], default: 'waiting' },
    limit: { ...int(1, 1000), default: 50 },
    offset: { ...int(0, SAFE), default: 0 }
  }
} as const
