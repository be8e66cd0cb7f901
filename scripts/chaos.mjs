// `npm run chaos`: the chaos soak (chaos/run.ts) under the TypeScript loader the tests use
// (tap's, with type checks off: `npm run typecheck` covers chaos/), so it runs from a fresh clone
// after `npm ci`, without a build.
process.env.TS_NODE_TRANSPILE_ONLY ??= '1'
await import('@tapjs/typescript/import')
await import('../chaos/run.ts')
