// One-time code generation: characters drawn from a CSPRNG (crypto.randomFillSync) with rejection
// sampling, so every character of the alphabet is exactly equally likely. The textbook
// `byte % alphabet.length` is biased whenever 256 is not a multiple of the alphabet's size (for
// digits, 0-5 come up 26/256 of the time and 6-9 only 25/256): a guesser who tries the likely
// codes first does measurably better than 1 in 10^6.
import { randomFillSync } from 'node:crypto'

// Random bytes are drawn in pools, one syscall for many codes.
const POOL_SIZE = 512
const pool = Buffer.alloc(POOL_SIZE)
let used = POOL_SIZE

function nextByte (): number {
  if (used === POOL_SIZE) {
    randomFillSync(pool)
    used = 0
  }
  return pool[used++]
}

/**
 * A code of `length` characters of `alphabet` (an array of distinct characters, 2 to 256 of them).
 * A byte at or above the largest multiple of the alphabet's size that fits in 256 is thrown away
 * and another one drawn: the bytes kept are uniform over a whole number of alphabets.
 */
export function generateCode (alphabet: readonly string[], length: number): string {
  const n = alphabet.length
  const limit = 256 - (256 % n)
  let code = ''
  for (let drawn = 0; drawn < length;) {
    const b = nextByte()
    if (b >= limit) continue
    code += alphabet[b % n]
    drawn++
  }
  return code
}
