// The two builds an A/B script compares, from its command line: `<before-root> [<after-root>]`
// (after defaults to this tree). Both must be built (`npm run build`) with their own node_modules.
import { resolve } from 'node:path'

export function abRoots (script) {
  const [beforeArg, afterArg = '.'] = process.argv.slice(2)
  if (beforeArg === undefined) {
    console.error(`usage: node bench/${script} <before-root> [<after-root>]`)
    process.exit(2)
  }
  return { before: resolve(beforeArg), after: resolve(afterArg) }
}
