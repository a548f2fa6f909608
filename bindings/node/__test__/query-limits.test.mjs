// Issue #13, item 1 (and the builder halves of items 2, 5 and 6): hostile queries built with the
// Query class give the core's typed errors, build in linear time and change nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd, desk } from './helpers.mjs'

/** @param {() => unknown} f */
const codeOf = (f) => {
  try {
    f()
  } catch (err) {
    return /** @type {{ code?: string }} */ (err).code
  }
  return undefined
}

test('q.not() 10,000 deep is refused past the depth limit, in linear time', () => {
  let q = pd.Query.frozen()
  let built = 0
  let refused = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < 10_000; i++) {
    try {
      q = q.not()
      built++
    } catch (err) {
      assert.equal(/** @type {{ code?: string }} */ (err).code, 'QUERY_TOO_COMPLEX')
      refused++
    }
  }
  assert.equal(built, 64)
  assert.equal(refused, 10_000 - 64)
  // The deepest query displays, parses back, counts and is dropped without trouble.
  assert.ok(pd.Query.parse(q.toString()).equals(q))
  assert.equal(desk.count(q), desk.count(pd.Query.frozen()))
  assert.equal(codeOf(() => q.and(pd.Query.frozen())), 'QUERY_TOO_COMPLEX')
  assert.equal(codeOf(() => pd.Query.frozen().or(q)), 'QUERY_TOO_COMPLEX')
  // A million `not()`s of the deepest allowed query: each shares the tree instead of copying
  // it, so this stays fast (it was quadratic before).
  let deep = pd.Query.frozen()
  for (let i = 0; i < 63; i++) deep = deep.not()
  for (let i = 0; i < 200_000; i++) deep.not()
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  assert.ok(ms < 20_000, `took ${ms} ms`)
})

test('a query wider than the limit is refused like the text', () => {
  let q = pd.Query.frozen()
  assert.equal(
    codeOf(() => {
      for (let i = 0; i < 10_000; i++) q = q.or(pd.Query.frozen())
    }),
    'QUERY_TOO_COMPLEX',
  )
  assert.equal(codeOf(() => pd.Query.parse(Array(600).fill('*').join(' or '))), 'QUERY_TOO_COMPLEX')
})

test('day windows, blank text and over-precise amounts are typed errors', () => {
  assert.equal(codeOf(() => pd.Query.expiresWithinDays(100_000_000)), 'INVALID_ARGUMENT')
  assert.equal(pd.Query.expiresWithinDays(36_500).toString(), 'expires<=36500d')
  assert.equal(codeOf(() => pd.Query.nameContains('  ')), 'INVALID_ARGUMENT')
  assert.equal(codeOf(() => pd.Query.nameEquals('')), 'INVALID_ARGUMENT')
  assert.equal(codeOf(() => pd.Query.accountNameContains('\t')), 'INVALID_ARGUMENT')
  assert.equal(codeOf(() => pd.Query.managerNameContains(' ')), 'INVALID_ARGUMENT')
  assert.equal(codeOf(() => pd.Query.mobileEndsWith('')), 'INVALID_ARGUMENT')
  const tiny = '0.0000000000000000000000000000001'
  assert.equal(codeOf(() => pd.Query.monthToDate(tiny)), 'INVALID_MONEY')
  assert.equal(codeOf(() => pd.Query.budgetUsage(undefined, '1E-31')), 'INVALID_MONEY')
  assert.equal(codeOf(() => pd.Query.parse(`mtd>=${tiny}`)), 'FILTER_SYNTAX')
  assert.equal(pd.Query.monthToDate('1000.50').toString(), 'mtd>=1000.50')
  const admin = { kind: /** @type {const} */ ('operator'), id: 'admin' }
  const before = desk.toSnapshotJson()
  assert.equal(codeOf(() => desk.resourcesToRenew(admin, 100_000_000)), 'INVALID_ARGUMENT')
  assert.equal(desk.toSnapshotJson(), before)
})
