import neostandard from 'neostandard'

export default neostandard({
  ts: true,
  ignores: ['dist/**', 'build/**', 'node_modules/**', 'bench/node_modules/**', 'coverage/**', '.tap/**']
})
