// Numeric bounds shared by every example-app route schema. Fastify's Ajv coerces '1e309',
// 'Infinity' and '1e20' into numbers that pass `type: integer`; only a `maximum` stops them
// before they reach SQLite (SQLITE_MISMATCH, a 500) or Redis (issue 15 item 4).

/** Largest id: SQLite's rowids go further, but 2^31-1 is what every client language can hold. */
export const MAX_ID = 2_147_483_647

/** An integer in [minimum, maximum]. */
export const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum } as const)

/** `/:id` path parameters: a positive id. */
export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: int(1, MAX_ID) }
} as const
