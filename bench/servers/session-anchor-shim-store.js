// Stand-in for express-session's Store (see session-anchor-shim-hooks.js).
import { EventEmitter } from 'node:events'

export class Store extends EventEmitter {}
export default { Store }
