// One-time code metrics: codes issued, issues refused by the resend cooldown, and guesses by
// result. A rising `wrong`/`exhausted` share is what a brute-force attempt looks like; subjects
// (e-mail addresses, phone numbers) are never labels.
import { watchCores } from '../shared/cores.js'
import { onFirst, talliedCounter, listen, type MetricsContext } from './context.js'
import type { OtpResult } from '../../lib/otp/one-time-codes.js'

export function otpMetrics (ctx: MetricsContext): void {
  ctx.cleanup.push(watchCores(ctx.fastify, 'otp', onFirst(() => {
    const issued = talliedCounter(ctx, { name: 'frp_otp_issued_total', help: 'One-time codes issued.' })
    const cooldowns = talliedCounter(ctx, { name: 'frp_otp_cooldowns_total', help: 'Issues refused because the subject\'s resend cooldown was running.' })
    const verifications = talliedCounter(ctx, {
      name: 'frp_otp_verifications_total',
      help: 'Guesses checked, by result: ok (the code is used), wrong, expired (no code), exhausted (burnt).',
      labelNames: ['result']
    })
    return otp => {
      listen(ctx, otp, 'issued', () => { issued.add('', () => ({})) })
      listen(ctx, otp, 'cooldown', () => { cooldowns.add('', () => ({})) })
      listen(ctx, otp, 'verified', (_subject: string, result: OtpResult) => { verifications.add(result, () => ({ result })) })
    }
  })))
}
