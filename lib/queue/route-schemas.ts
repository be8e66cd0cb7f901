// JSON schemas of the queue's HTTP routes (framework-free: plain objects the adapter hands to
// Fastify). Validation happens before any handler runs, so a bad request writes nothing.
import { MAX_PRIORITY } from './options.js'
import { JOB_STATES } from './job.js'

const int = (minimum: number, maximum?: number): Record<string, unknown> =>
  maximum === undefined ? { type: 'integer', minimum } : { type: 'integer', minimum, maximum }

// Fastify's Ajv strips unknown properties (removeAdditional) instead of rejecting them; naming the
// allowed keys with propertyNames makes an unknown option a 400, as the core API does.
const only = (...keys: string[]): Record<string, unknown> => ({ propertyNames: { enum: keys } })

const retention = { anyOf: [{ type: 'boolean' }, int(0), { type: 'object', ...only('count', 'age'), properties: { count: int(0), age: int(0) } }] }

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
        delay: int(0),
        attempts: int(1, 1_000_000),
        backoff: {
          anyOf: [int(0, 86_400_000), {
            type: 'object',
            required: ['type', 'delay'],
            ...only('type', 'delay', 'jitter'),
            properties: { type: { enum: ['fixed', 'exponential'] }, delay: int(0, 86_400_000), jitter: { type: 'number', minimum: 0, maximum: 1 } }
          }]
        },
        timeout: int(0, 2 ** 31 - 1),
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
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 }
  }
} as const
