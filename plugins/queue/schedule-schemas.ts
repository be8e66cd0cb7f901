// JSON schemas of the queue's schedule routes (repeatable jobs), beside route-schemas.ts. The
// schema checks shapes and bounds; the core checks what a schema cannot (a cron expression, a
// time zone): FRP_SCHEDULE_INVALID, a 400 naming the field. Nothing is written on either refusal.
import { MAX_EVERY, MIN_EVERY } from '../../lib/queue/schedules.js'
import type { RouteHooks } from '../shared/route-hooks.js'
import { authCases, closedObject, errorResponses, REDIS_DOWN, UNSUPPORTED_MEDIA, type ErrorCases } from '../shared/route-responses.js'
import { jobOptionProperties, queueName } from './route-schemas.js'

const scheduleId = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,100}$', description: 'schedule id (letters, digits, _ . : -)' }
const queueParams = { type: 'object', required: ['queue'], properties: { queue: queueName } }
const scheduleParams = { type: 'object', required: ['queue', 'id'], properties: { queue: queueName, id: scheduleId } }
const { jobId: _jobId, delay: _delay, ...scheduledOptions } = jobOptionProperties

const timing = {
  every: { type: 'integer', minimum: MIN_EVERY, maximum: MAX_EVERY, description: 'interval in ms, ticks aligned to the Unix epoch (give every or cron)' },
  cron: { type: 'string', minLength: 1, maxLength: 200, description: 'cron expression, 5 fields or 6 with leading seconds (give every or cron)' },
  tz: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone of the cron expression (default UTC)' },
  name: { type: 'string', minLength: 1, maxLength: 200, description: 'the name of the job each tick adds' },
  data: { description: 'the data of the job each tick adds' },
  opts: closedObject(scheduledOptions),
  missed: { type: 'string', enum: ['once', 'all'], description: 'ticks missed while nothing ran the schedule: one job for all (once, default) or one each (all)' }
}

const schedule = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    every: { type: 'integer' },
    cron: { type: 'string' },
    tz: { type: 'string' },
    name: { type: 'string' },
    data: {},
    opts: { type: 'object', additionalProperties: true },
    missed: { type: 'string', enum: ['once', 'all'] },
    next: { type: 'integer', description: 'the next tick (Redis time, ms)' }
  }
}

const NO_SCHEDULE = 'Unknown queue or schedule (FRP_QUEUE_NOT_FOUND, FRP_SCHEDULE_NOT_FOUND)'
const INVALID = 'Invalid params (schema validation: the message names the field)'

export function scheduleRouteSchemas (hooks: RouteHooks) {
  const tags = ['queue']
  const errors = (cases: ErrorCases) => errorResponses({ ...authCases(hooks), 503: REDIS_DOWN, ...cases })
  return {
    list: {
      tags,
      summary: 'List schedules',
      description: 'Every repeatable-job schedule of the queue, with its next tick.',
      params: queueParams,
      response: {
        200: { type: 'object', description: 'The schedules, by id', properties: { schedules: { type: 'array', items: schedule } } },
        ...errors({ 400: INVALID, 404: 'Unknown queue (FRP_QUEUE_NOT_FOUND)' })
      }
    },
    get: {
      tags,
      summary: 'Get a schedule',
      description: 'One schedule and its next tick.',
      params: scheduleParams,
      response: { 200: { ...schedule, description: 'The schedule' }, ...errors({ 400: INVALID, 404: NO_SCHEDULE }) }
    },
    put: {
      tags,
      summary: 'Create or replace a schedule',
      description: 'Every `every` ms or on `cron` in `tz`, one job `name` per tick, however many instances run the queue. ' +
        'Putting the same schedule again keeps its next tick; a change restarts it from its next tick after now.',
      params: scheduleParams,
      body: { ...closedObject(timing), required: ['name'] },
      response: {
        200: { ...schedule, description: 'The schedule as stored' },
        ...errors({
          400: 'Invalid body: neither or both of every and cron, a malformed cron expression, an unknown time zone, a bad job option ' +
            '(FST_ERR_VALIDATION, FRP_SCHEDULE_INVALID or FRP_JOB_INVALID naming the field)',
          404: 'Unknown queue (FRP_QUEUE_NOT_FOUND)',
          413: 'The body is above `routes.bodyLimit` (FST_ERR_CTP_BODY_TOO_LARGE), or the encoded data above the codec\'s limit (FRP_VALUE_TOO_LARGE)',
          415: UNSUPPORTED_MEDIA
        })
      }
    },
    remove: {
      tags,
      summary: 'Remove a schedule',
      description: 'Stops the schedule; the jobs it already added stay.',
      params: scheduleParams,
      response: { 204: { type: 'null', description: 'The schedule was removed' }, ...errors({ 400: INVALID, 404: NO_SCHEDULE }) }
    }
  }
}
