// The one schema of an e-mail, shared by POST /api/emails and the admin queue route that enqueues
// raw jobs on the `email` queue, so no path can hand the worker a job the API would refuse.

export interface Email { to: string, subject: string, body: string }

export const emailSchema = {
  type: 'object',
  required: ['to', 'subject', 'body'],
  additionalProperties: false,
  properties: {
    to: { type: 'string', format: 'email', maxLength: 254 },
    subject: { type: 'string', minLength: 1, maxLength: 200 },
    body: { type: 'string', maxLength: 10_000 }
  }
} as const
