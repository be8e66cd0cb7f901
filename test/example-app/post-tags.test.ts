// Post tags as Redis sets: admins tag posts (PUT /api/posts/:id/tags), anyone lists the posts with
// every tag (SINTER), any tag (SUNION) or none of them (SDIFF) through GET /api/posts. Bad input
// is a 400 naming the field with nothing written; an unknown tag is an empty set, not an error.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { ADA, ADMIN, buildApp, loginAs } from '../helpers/example-app.js'

test('posts are tagged by admins and found by tag with all, any and not', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const admin = await loginAs(app, ADMIN, '10.0.2.1')
  const ada = await loginAs(app, ADA, '10.0.2.2')
  const tag = async (id: number, tags: string[], cookie = admin) =>
    await app.inject({ method: 'PUT', url: `/api/posts/${id}/tags`, headers: { cookie }, payload: { tags } })
  const find = async (query: string) => await app.inject(`/api/posts?${query}`)
  const ids = async (query: string) => (await find(query)).json().posts.map((p: { id: number }) => p.id)

  t.equal((await app.inject({ method: 'PUT', url: '/api/posts/1/tags', payload: { tags: ['redis'] } })).statusCode, 401, 'anonymous')
  t.equal((await tag(1, ['redis'], ada)).statusCode, 403, 'a member')
  t.strictSame((await tag(1, ['redis', 'sets'])).json(), { id: 1, tags: ['redis', 'sets'] })
  t.equal((await tag(2, ['redis'])).statusCode, 200)
  t.equal((await tag(3, ['sets', 'lua'])).statusCode, 200)
  t.equal((await tag(999, ['redis'])).statusCode, 404, 'no such post')

  t.strictSame(await ids('tags=redis,sets&match=all'), [1], 'SINTER')
  t.strictSame(await ids('tags=redis,sets'), [1], 'match defaults to all')
  t.strictSame(await ids('tags=redis,sets&match=any'), [1, 2, 3], 'SUNION')
  t.strictSame(await ids('tags=redis,sets&match=not'), [4, 5, 6, 7, 8, 9, 10], 'SDIFF: every post without them')
  t.match((await find('tags=lua')).json(), { tags: ['lua'], match: 'all', posts: [{ id: 3, title: 'Post 3', views: 0 }] })

  // Re-tagging replaces the tags: post 1 leaves the 'sets' set.
  t.strictSame((await tag(1, ['lua'])).json().tags, ['lua'])
  t.strictSame(await ids('tags=sets'), [3])
  t.strictSame(await ids('tags=lua'), [1, 3])
  t.strictSame((await app.inject('/api/posts/1/tags')).json(), { id: 1, tags: ['lua'] })
  t.strictSame((await tag(1, [])).json().tags, [], 'all tags removed')
  t.strictSame(await ids('tags=lua'), [3])

  // An unknown tag is an empty set: no match, not an error.
  t.strictSame(await ids('tags=nobody-uses-this'), [])
  t.strictSame(await ids('tags=redis,nobody-uses-this&match=all'), [])
  t.strictSame(await ids('tags=redis,nobody-uses-this&match=any'), [2])
})

test('bad tags and queries are a 400 naming the field, and change nothing', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const admin = await loginAs(app, ADMIN, '10.0.2.3')
  const client = redis.client()
  t.equal((await app.inject({ method: 'PUT', url: '/api/posts/4/tags', headers: { cookie: admin }, payload: { tags: ['kept'] } })).statusCode, 200)
  const before = (await client.keys('*')).sort()

  const puts: Array<[unknown, string]> = [
    [{ tags: ['Upper'] }, 'tags'],
    [{ tags: ['with space'] }, 'tags'],
    [{ tags: [''] }, 'tags'],
    [{ tags: ['x'.repeat(33)] }, 'tags'],
    [{ tags: ['a', 'a'] }, 'tags'],
    [{ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'tags'],
    [{ tags: [{ nested: 1 }] }, 'tags'],
    [{ tags: ['ok'], extra: true }, 'additional properties'],
    [{}, 'tags']
  ]
  for (const [payload, field] of puts) {
    const res = await app.inject({ method: 'PUT', url: '/api/posts/4/tags', headers: { cookie: admin }, payload: payload as object })
    t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 60))
    t.match(res.json().message, field)
  }
  t.equal((await app.inject({ method: 'PUT', url: '/api/posts/0/tags', headers: { cookie: admin }, payload: { tags: ['x'] } })).statusCode, 400, 'id 0')

  const gets: Array<[string, string]> = [
    ['', 'tags'],
    ['tags=', 'tags'],
    ['tags=a,,b', 'tags'],
    ['tags=Redis', 'tags'],
    [`tags=${Array.from({ length: 11 }, (_, i) => `t${i}`).join(',')}`, 'tags'],
    [`tags=${'x'.repeat(5000)}`, 'tags'],
    ['tags=a&match=some', 'match']
  ]
  for (const [query, field] of gets) {
    const res = await app.inject(`/api/posts?${query}`)
    t.equal(res.statusCode, 400, query.slice(0, 60))
    t.match(res.json().message, field)
  }
  t.strictSame((await client.keys('*')).sort(), before, 'no key written or removed')
  t.strictSame((await app.inject('/api/posts/4/tags')).json().tags, ['kept'])
})

test('concurrent re-tagging leaves every tag set consistent with the post\'s tags', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const admin = await loginAs(app, ADMIN, '10.0.2.4')
  const client = redis.client()
  const choices = [['a', 'b'], ['b', 'c'], ['c'], [], ['a', 'd', 'e'], ['e']]
  const answers = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    app.inject({ method: 'PUT', url: '/api/posts/5/tags', headers: { cookie: admin }, payload: { tags: choices[i % choices.length] }, remoteAddress: '10.0.2.4' })))
  const codes = answers.map(r => r.statusCode)
  t.ok(codes.every(c => c === 200 || c === 409), `200 or 409 only (${[...new Set(codes)].join(', ')})`)
  t.ok(codes.includes(200), 'some writers won')
  const tags = (await client.smembers('example:tags:{posts}:post:5')).sort()
  t.ok(choices.some(c => c.join() === tags.join()), `the post has one writer's tags (${tags.join()})`)
  for (const tag of ['a', 'b', 'c', 'd', 'e']) {
    t.equal(await client.sismember(`example:tags:{posts}:tag:${tag}`, '5'), tags.includes(tag) ? 1 : 0, `tag set ${tag} agrees`)
  }
})
