// JSON schemas of the queue's HTTP routes (plain objects the adapter hands to Fastify, no Fastify
// import). Validation happens before any handler runs, so a bad request writes nothing. Every
// route is described with every status it can send, so @fastify/swagger documents it as OpenAPI
// 3.0, and its success schemas are what fast-json-stringify writes: keep them in step with the
// handlers (a field missing here is dropped from the reply).
import { MAX_ATTEMPTS, MAX_BACKOFF, MAX_DELAY, MAX_PRIORITY, MAX_TIMEOUT } from '../../lib/queue/options.js'
import { JOB_STATES } from '../../lib/queue/job.js'
import type { RouteHooks } from '../shared/route-hooks.js'
import { authCases, closedObject, errorResponses, REDIS_DOWN, UNSUPPORTED_MEDIA, type ErrorCases } from '../shared/route-responses.js'

// Every number has both bounds: Ajv coerces '1e300' and '2^63' to integers that Redis refuses (a
// 500); with a maximum of at most 2^53 - 1 they are a 400 naming the field. Ajv's coercion also
// turns 'Infinity' and '1e309' into Infinity and then skips minimum/maximum for non-finite
// numbers, so the core checks every number again (FRP_JOB_INVALID, a 400 naming it).
const int = (minimum: number, maximum: number): Record<string, unknown> => ({ type: 'integer', minimum, maximum })
const SAFE = Number.MAX_SAFE_INTEGER

const retention = {
  description: 'jobs to keep: true = none, false = all, N = the last N, or { count, age (ms) }',
  anyOf: [{ type: 'boolean' }, int(0, SAFE), closedObject({ count: int(0, SAFE), age: int(0, SAFE) })]
}

export const queueName = { type: 'string', minLength: 1, maxLength: 200, description: 'queue name (a queue declared in `queues` or created through `fastify.queue`)' }
const jobId = { type: 'string', minLength: 1, maxLength: 256, description: 'job id' }

const queueParams = { type: 'object', required: ['queue'], properties: { queue: queueName } }
const jobParams = { type: 'object', required: ['queue', 'id'], properties: { queue: queueName, id: jobId } }

/** The job options' properties (exported for the schedule routes, which leave out jobId and delay). */
export const jobOptionProperties = {
  jobId: { type: 'string', minLength: 1, maxLength: 256, pattern: '\\D', description: 'a chosen id (not all digits): adding it again while reserved creates nothing' },
  priority: { ...int(0, MAX_PRIORITY), description: 'lower runs first (0, the default, is the highest)' },
  delay: { ...int(0, MAX_DELAY), description: 'ms before the job is due' },
  attempts: { ...int(1, MAX_ATTEMPTS), description: 'attempts before the job fails' },
  backoff: {
    description: 'delay between attempts: ms, or { type, delay, jitter }',
    anyOf: [int(0, MAX_BACKOFF), {
      ...closedObject({ type: { type: 'string', enum: ['fixed', 'exponential'] }, delay: int(0, MAX_BACKOFF), jitter: { type: 'number', minimum: 0, maximum: 1 } }),
      required: ['type', 'delay']
    }]
  },
  timeout: { ...int(0, MAX_TIMEOUT), description: 'ms before an attempt is aborted and failed (0: none)' },
  removeOnComplete: retention,
  removeOnFail: retention
}

const addJobBody = {
  ...closedObject({
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'job name, for the worker' },
    data: { description: 'job data: any JSON value, encoded by the queue\'s codec' },
    opts: closedObject(jobOptionProperties)
  }),
  required: ['name']
}

const listQuery = closedObject({
  state: { type: 'string', enum: [...JOB_STATES], default: 'waiting', description: 'jobs in this state' },
  limit: { ...int(1, 1000), default: 50, description: 'jobs to return' },
  offset: { ...int(0, SAFE), default: 0, description: 'jobs to skip' }
})

const optionalNumber = { type: 'integer', description: 'absent when not yet known' }
export const jobRecord = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    data: { description: 'the job data' },
    state: { type: 'string', enum: [...JOB_STATES] },
    priority: { type: 'integer' },
    attempts: { type: 'integer', description: 'attempts allowed' },
    attemptsMade: { type: 'integer' },
    stalls: { type: 'integer', description: 'times a worker lost the job (lease expired)' },
    progress: { description: 'last progress the worker reported; absent when none' },
    returnValue: { description: 'the handler\'s result (completed jobs); absent when none' },
    failedReason: { type: 'string', description: 'last error message; absent when none' },
    stacktrace: { type: 'string', description: 'last error stack; absent when none' },
    history: {
      type: 'array',
      description: 'failed attempts, oldest first (the last 50)',
      items: {
        type: 'object',
        properties: { at: { type: 'integer', description: 'Redis time, ms' }, attempt: { type: 'integer' }, error: { type: 'string' }, stack: { type: 'string' } }
      }
    },
    createdAt: { type: 'integer', description: 'Redis time, ms' },
    processedAt: optionalNumber,
    finishedAt: optionalNumber,
    delayUntil: { type: 'integer', description: 'when a delayed job becomes due (Redis time, ms); absent otherwise' },
    backoff: {
      type: 'object',
      nullable: true,
      properties: { type: { type: 'string', enum: ['fixed', 'exponential'] }, delay: { type: 'integer' }, jitter: { type: 'number' } }
    },
    timeout: { type: 'integer', description: 'ms (0: none)' }
  }
}

const addResult = {
  type: 'object',
  properties: { id: { type: 'string' }, created: { type: 'boolean', description: 'false when the jobId was already used' } }
}

export const counts = {
  type: 'object',
  description: 'jobs per state',
  properties: {
    waiting: { type: 'integer' },
    delayed: { type: 'integer' },
    active: { type: 'integer' },
    completed: { type: 'integer' },
    failed: { type: 'integer' },
    paused: { type: 'boolean' }
  }
}

const NO_QUEUE = 'Unknown queue (FRP_QUEUE_NOT_FOUND)'
const INVALID = 'Invalid params or query (schema validation: the message names the field)'

/** The route schemas, given the routes' hooks (401/403 are documented only when there are some). */
export function queueRouteSchemas (hooks: RouteHooks) {
  const tags = ['queue']
  const errors = (cases: ErrorCases) => errorResponses({ ...authCases(hooks), 503: REDIS_DOWN, ...cases })
  return {
    add: {
      tags,
      summary: 'Add a job',
      description: 'Adds a job to the queue, with its options validated before anything is written. ' +
        'A `jobId` already used within the dedup window adds nothing and answers 200 with the existing id.',
      params: queueParams,
      body: addJobBody,
      response: {
        201: { ...addResult, description: 'The job was added' },
        200: { ...addResult, description: 'A job with this jobId exists or was added within the dedup window: nothing was added' },
        ...errors({
          400: 'Invalid body: a missing name, an unknown or out-of-range option, malformed JSON (FST_ERR_VALIDATION, FRP_JOB_INVALID, FRP_UNSUPPORTED_VALUE)',
          404: NO_QUEUE,
          413: 'The body is above `routes.bodyLimit` (FST_ERR_CTP_BODY_TOO_LARGE), or the encoded data above the codec\'s limit (FRP_VALUE_TOO_LARGE)',
          415: UNSUPPORTED_MEDIA
        })
      }
    },
    list: {
      tags,
      summary: 'List jobs in one state',
      description: 'Jobs in `state` (default waiting), in the order workers take them, paged by `limit` and `offset`.',
      params: queueParams,
      querystring: listQuery,
      response: {
        200: { type: 'object', description: 'The page of jobs', properties: { jobs: { type: 'array', items: jobRecord } } },
        ...errors({ 400: INVALID, 404: NO_QUEUE })
      }
    },
    counts: {
      tags,
      summary: 'Count jobs per state',
      description: 'The number of jobs in each state, and whether the queue is paused.',
      params: queueParams,
      response: { 200: counts, ...errors({ 400: INVALID, 404: NO_QUEUE }) }
    },
    get: {
      tags,
      summary: 'Get a job',
      description: 'The job record: data, state, attempts, failure history and timestamps.',
      params: jobParams,
      response: { 200: { ...jobRecord, description: 'The job' }, ...errors({ 400: INVALID, 404: 'Unknown queue or job (FRP_QUEUE_NOT_FOUND, FRP_JOB_NOT_FOUND)' }) }
    },
    retry: {
      tags,
      summary: 'Retry a failed or completed job',
      description: 'Moves a failed (or completed) job back to waiting with a fresh attempt budget.',
      params: jobParams,
      response: {
        200: { type: 'object', description: 'The job is waiting again', properties: { id: { type: 'string' }, state: { type: 'string', enum: ['waiting'] } } },
        ...errors({
          400: INVALID,
          404: 'Unknown queue or job (FRP_QUEUE_NOT_FOUND, FRP_JOB_NOT_FOUND)',
          409: 'The job is neither failed nor completed (FRP_JOB_STATE)'
        })
      }
    },
    remove: {
      tags,
      summary: 'Remove a job',
      description: 'Removes a job that no worker holds.',
      params: jobParams,
      response: {
        204: { type: 'null', description: 'The job was removed' },
        ...errors({
          400: INVALID,
          404: 'Unknown queue or job (FRP_QUEUE_NOT_FOUND, FRP_JOB_NOT_FOUND)',
          409: 'The job is active: a worker owns it (FRP_JOB_ACTIVE)'
        })
      }
    }
  }
}
