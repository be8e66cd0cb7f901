// The one-time codes pattern's public surface.
export {
  OneTimeCodes, MAX_SUBJECT, MAX_GUESS,
  type OneTimeCodesEvents, type OtpResult, type IssuedCode, type VerifyResult, type OtpCooldownError
} from './one-time-codes.js'
export {
  normalizeOneTimeCodesOptions, normalizeIssueOptions,
  type OneTimeCodesOptions, type IssueOptions, type NormalizedOneTimeCodesOptions, type NormalizedIssueOptions
} from './options.js'
export type { Duration } from '../shared/options.js'
