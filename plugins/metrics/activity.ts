// Activity metrics: marks by activity name and whether the mark was the user's first of the day
// (`first="true"` summed over a day is that day's active users as this process saw them).
import { watchCores } from '../shared/cores.js'
import { onFirst, talliedCounter, listen, type MetricsContext } from './context.js'

export function activityMetrics (ctx: MetricsContext): void {
  ctx.cleanup.push(watchCores(ctx.fastify, 'activity', onFirst(() => {
    const marks = talliedCounter(ctx, {
      name: 'frp_activity_marks_total',
      help: 'Users marked active, by activity name; first: the first mark of that user on that day.',
      labelNames: ['activity', 'first']
    })
    return activity => {
      const name = activity.options.name
      const labels = { true: { activity: name, first: 'true' }, false: { activity: name, first: 'false' } }
      listen(ctx, activity, 'marked', (_userId: number, _day: string, first: boolean) => {
        marks.add(`${name}\u0000${first ? 'true' : 'false'}`, () => first ? labels.true : labels.false)
      })
    }
  })))
}
