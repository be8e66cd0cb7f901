// How a failed queue call reaches its caller: always as a coded error, never as ioredis's own.
//   - coded errors (FRP_REDIS_TIMEOUT from the bound, ...) pass through, and the client's own
//     commandTimeout ("Command timed out") is FRP_REDIS_TIMEOUT like the bound's;
//   - a connection failure (Redis down, retries exhausted, connection closed) is
//     FRP_REDIS_UNAVAILABLE (503), as lib/shared/connection's asUnavailable makes it;
//   - a reply in which the server refuses to serve now (out of memory under maxmemory, a read-only
//     replica after a failover, loading its data, busy with a script, cluster down, a slot being
//     migrated, unable to persist) is FRP_REDIS_UNAVAILABLE too: retrying later may succeed;
//   - any other reply error (a wrong-type key: a bug or a corrupted key) is a 500:
//     FRP_SCRIPT_ERROR for a script, FRP_REDIS_ERROR for a plain command.
// The original error is the `cause` of every error made here.
import { asUnavailable } from '../shared/connection.js'
import { FRP_REDIS_ERROR, FRP_REDIS_TIMEOUT, FRP_REDIS_UNAVAILABLE, FRP_SCRIPT_ERROR, isFrpError } from '../shared/errors.js'

// The error code opens the reply ("OOM command not allowed ..."); Redis < 7 wraps an error raised
// inside a script ("ERR Error running script ...: @user_script:12: -OOM command not allowed ...").
const REFUSED = /(?:^|: -)(?:OOM|READONLY|LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|MISCONF|NOREPLICAS)\b/

/** True for a reply in which Redis refuses to serve now (see above). */
export function isRefusal (message: string): boolean {
  return REFUSED.test(message)
}

function translate (err: unknown, what: string, script: boolean, timeoutMs: number): Error {
  if (isFrpError(err)) return err
  if ((err as Error)?.name !== 'ReplyError') {
    // ioredis's commandTimeout (the bound leaves it to the client when it is as short)
    if ((err as Error)?.message === 'Command timed out') return new FRP_REDIS_TIMEOUT(timeoutMs, { cause: err })
    return asUnavailable(err)
  }
  const message = (err as Error).message
  if (isRefusal(message)) return new FRP_REDIS_UNAVAILABLE(message, { cause: err })
  return script ? new FRP_SCRIPT_ERROR(what, message, { cause: err }) : new FRP_REDIS_ERROR(what, message, { cause: err })
}

/** The coded error for a failed call of the queue script `name` (`timeoutMs`: the call's bound). */
export function scriptFailure (name: string, err: unknown, timeoutMs: number): Error {
  return translate(err, name, true, timeoutMs)
}

/** The coded error for a failed plain command (`command`: its name, e.g. 'HGETALL'). */
export function commandFailure (command: string, err: unknown, timeoutMs: number): Error {
  return translate(err, command, false, timeoutMs)
}
