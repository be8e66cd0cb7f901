import neostandard from 'neostandard'

export default neostandard({
  ts: true,
  ignores: ['dist/**', 'node_modules/**', 'bench/node_modules/**', 'coverage/**', '.tap/**']
})
