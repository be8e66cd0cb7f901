// The one-time codes' Lua scripts.
import { loadScripts } from '../shared/scripts.js'

export type OtpScript = 'issue' | 'verify'

export const scripts = loadScripts<OtpScript>('otp', new URL('.', import.meta.url))
