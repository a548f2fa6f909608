// Wrong arguments from JS: an invalid Date gives INVALID_DATE, a wrong JS type, a missing
// field or an unknown enumeration value gives INVALID_ARGUMENT; each names the field (with
// its path inside an options object) and never carries napi's wording (Rust type names such
// as `String`, `DateTime`, `u32`, `StringExpected`, `Missing field`), and nothing changes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd, thrown } from './helpers.mjs'

const admin = /** @type {import('../index.d.ts').Actor} */ ({ kind: 'operator', id: 'admin' })
const RUST_WORDING = /rust type|StringExpected|NumberExpected|ObjectExpected|DateExpected|InvalidArg|Missing field|\bString\b|\bDateTime\b|\bu32\b|\bf64\b|\bVec\b|enum `|either/

/**
 * Asserts the error's code, that its message names `field`, and that it has no Rust wording.
 * @param {Error & { code?: string }} err
 * @param {string} code
 * @param {string} field
 */
function named(err, code, field) {
  assert.equal(err.code, code, err.message)
  assert.ok(err.message.includes(field), `"${err.message}" names ${field}`)
  assert.doesNotMatch(err.message, RUST_WORDING)
}

/** A fresh desk with one open reseller customer. */
function fixture() {
  const desk = pd.Desk.demo(60, 3)
  const [id] = desk.searchIds('assoc=reseller and frozen=false', { limit: 1 }).ids
  return { desk, id }
}

/** @type {any} Lets the tests pass what the TypeScript types forbid. */
const anyValue = (/** @type {unknown} */ v) => v

test('an invalid Date is INVALID_DATE naming the argument or the option; nothing moves', () => {
  const { desk } = fixture()
  named(thrown(() => desk.count('*', new Date(NaN))), 'INVALID_DATE', 'now')
  named(thrown(() => desk.search('*', { now: new Date(NaN) })), 'INVALID_DATE', 'options.now')
  named(thrown(() => pd.Query.expiresBetween(new Date(NaN))), 'INVALID_DATE', 'from')
  assert.equal(desk.events().length, 0, 'no event was stamped with 1970')
})

test('an invalid Date inside a command leaves the log as it was', () => {
  const { desk, id } = fixture()
  named(thrown(() => desk.freeze(admin, [id], 'overdue', { now: new Date('not a date') })), 'INVALID_DATE', 'options.now')
  assert.equal(desk.events().length, 0)
  assert.equal(desk.customerRow(id).freezeScope, undefined)
})

test('a wrong JS type is INVALID_ARGUMENT naming the field', () => {
  const { desk, id } = fixture()
  named(thrown(() => pd.Query.nameContains(anyValue(5))), 'INVALID_ARGUMENT', 'text')
  named(thrown(() => desk.customerRow(anyValue(12))), 'INVALID_ARGUMENT', 'id')
  named(thrown(() => desk.search('*', anyValue(5))), 'INVALID_ARGUMENT', 'options')
  named(thrown(() => desk.search(anyValue(5))), 'INVALID_ARGUMENT', 'query')
  named(thrown(() => desk.search('*', { limit: anyValue('ten') })), 'INVALID_ARGUMENT', 'options.limit')
  named(thrown(() => pd.Query.anyTag(anyValue('vip'))), 'INVALID_ARGUMENT', 'tags')
  // A number where money (a decimal string) is expected.
  const before = desk.customerRow(id).budget
  const err = thrown(() => desk.setBudget(admin, id, anyValue(100)))
  named(err, 'INVALID_ARGUMENT', 'amount')
  assert.match(err.message, /expected a string, got number/)
  assert.equal(desk.events().length, 0)
  assert.deepEqual(desk.customerRow(id).budget, before)
})

test('a wrong type for a promise-returning call is thrown at once, with the same code', async () => {
  const { desk } = fixture()
  named(thrown(() => desk.exportToBuffer(admin, anyValue(5))), 'INVALID_ARGUMENT', 'selection')
  named(thrown(() => desk.collectRows('*', anyValue('fast'))), 'INVALID_ARGUMENT', 'options')
  // A valid call still resolves.
  assert.ok((await desk.collectRows('tag:vip')).length >= 0)
})

test('a missing field is INVALID_ARGUMENT naming it', () => {
  const { desk, id } = fixture()
  named(thrown(() => desk.setBudget(admin, id, anyValue(undefined))), 'INVALID_ARGUMENT', 'amount')
  named(thrown(() => desk.freeze(admin, [id], anyValue(undefined))), 'INVALID_ARGUMENT', 'reason')
  named(thrown(() => desk.freeze(anyValue({ id: 'admin' }), [id], 'x', { scope: 'account' })), 'INVALID_ARGUMENT', 'actor.kind')
  assert.equal(desk.events().length, 0)
})

test('an unknown enumeration value is INVALID_ARGUMENT naming the field, without echoing it', () => {
  const { desk, id } = fixture()
  for (const [call, field] of /** @type {[() => unknown, string][]} */ ([
    [() => desk.search('*', { sort: anyValue('bogus') }), 'options.sort'],
    [() => pd.Query.level(anyValue('V9')), 'level'],
    [() => pd.Query.freezeScope(anyValue('everything')), 'scope'],
    [() => desk.freeze(admin, [id], 'x', { scope: anyValue('everything') }), 'options.scope'],
    [() => desk.setBudget(admin, id, '1', { kind: anyValue('weekly') }), 'options.kind'],
    [() => desk.freeze({ kind: anyValue('robot'), id: 'admin' }, [id], 'x', { scope: 'account' }), 'actor.kind'],
  ])) {
    const err = thrown(call)
    named(err, 'INVALID_ARGUMENT', field)
    assert.doesNotMatch(err.message, /bogus|V9|everything|weekly|robot/, 'the value is not echoed')
  }
  assert.equal(desk.events().length, 0)
})
