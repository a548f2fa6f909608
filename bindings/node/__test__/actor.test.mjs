// The actor: every operation that takes one takes an operator's login (`'admin'`) as well as
// an `Actor` object, with the same outcome. The operations are read from index.d.ts (every
// method with an `actor` argument), so one added later without a call here fails the test.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pd, NOW } from './helpers.mjs'

/** @typedef {import('../index.d.ts').Desk} Desk */
/** @typedef {import('../index.d.ts').Actor} Actor */

const folder = mkdtempSync(join(tmpdir(), 'partnerdesk-actor-'))
after(() => rmSync(folder, { recursive: true, force: true }))

/** The methods of `Desk` in index.d.ts whose arguments include `actor`, with its type. */
function actorMethods() {
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  const start = dts.indexOf('export declare class Desk {')
  const body = dts.slice(start, dts.indexOf('\n}\n', start))
  /** @type {Record<string, string>} */
  const found = {}
  for (const m of body.matchAll(/^ {2}(?:static )?(\w+)\((.*)\): /gm)) {
    const actor = /(?:^|, )actor\??: ([^,]+(?:\| [^,]+)*)/.exec(m[2])
    if (actor) found[m[1]] = actor[1]
  }
  return found
}

// The same demo desk for both runs; the ids each call needs.
const probe = pd.Desk.demo(300, 11)
const resellers = probe.searchIds('assoc=reseller and frozen=false', { limit: 20, now: NOW }).ids
const [referral] = probe.searchIds('assoc=referral', { limit: 1, now: NOW }).ids
const path = join(folder, 'export.csv')

/**
 * One call per actor-taking operation, in the order they run (later ones use what earlier ones
 * made, through `made`).
 * @type {Record<string, (d: Desk, a: string | Actor, made: Record<string, string>) => unknown>}
 */
const CALLS = {
  orderOverview: (d, a) => d.orderOverview(a),
  resourcesToRenew: (d, a) => d.resourcesToRenew(a, 30, { now: NOW }),
  spendSummary: (d, a) => d.spendSummary(a, { now: NOW }),
  productRanking: (d, a) => d.productRanking(a, '2026-11-01', '2026-11-29'),
  dailySpend: (d, a) => d.dailySpend(a, '2026-11-01', '2026-11-29'),
  associate: (d, a) => d.associate(a, '4a1b2c3d4e5f60718293a4b5c6d7e8f9', 'newco', 'Newco Ltd.', { associationType: 'reseller', now: NOW }),
  requestPartnerDisassociation: (d, a, made) => {
    made.request = d.requestPartnerDisassociation(a, resellers[0], 'portfolio cleanup', { now: NOW })
    return made.request
  },
  // The customer acts in these two steps: an operator's login is refused the same way as the
  // operator's Actor object.
  decideDisassociation: (d, a, made) => d.decideDisassociation(a, made.request ?? '1', false, 'I stay', { now: NOW }),
  requestDisassociation: (d, a) => d.requestDisassociation(a, resellers[1], 'leaving', { now: NOW }),
  requestAuthorization: (d, a, made) => {
    made.auth = d.requestAuthorization(a, resellers[2], ['place_orders'], 30, { acceptCommitmentLetter: true, now: NOW })
    return made.auth
  },
  recordDistributorDecision: (d, a, made) => d.recordDistributorDecision(a, made.auth ?? 'auth-000001', true, { now: NOW }),
  decideAuthorization: (d, a, made) => d.decideAuthorization(a, made.auth ?? 'auth-000001', 'revoke', { now: NOW }),
  placeOrderOnBehalf: (d, a) => d.placeOrderOnBehalf(a, resellers[2], '10', { now: NOW }),
  freeze: (d, a) => d.freeze(a, [resellers[3], referral], 'overdue', { scope: 'account', now: NOW }),
  unfreeze: (d, a) => d.unfreeze(a, [resellers[3]], 'paid', { scope: 'account', now: NOW }),
  setBudget: (d, a) => d.setBudget(a, resellers[4], '5000.00', { kind: 'monthly', now: NOW }),
  assignManager: (d, a) => d.assignManager(a, [resellers[5]], 'am_001', { now: NOW }),
  unassignManager: (d, a) => d.unassignManager(a, [resellers[5]], { now: NOW }),
  managerSpend: (d, a) => d.managerSpend(a, 'am_001', '2026-11-01', '2026-11-29'),
  reveal: (d, a) => d.reveal(a, resellers[6], 'mobile', { now: NOW }),
  customerOrders: (d, a) => d.customerOrders(a, resellers[6], { limit: 5 }),
  customerResources: (d, a) => d.customerResources(a, resellers[6], { limit: 5, now: NOW }),
  spendDetails: (d, a) => d.spendDetails(a, resellers[6], '2026-11', { limit: 5 }),
  renewalsPage: (d, a) => d.renewalsPage(a, 30, { limit: 5, now: NOW }),
  grantPermissions: (d, a) => d.grantPermissions(a, 'ops_billing', ['PD_VIEW_SPEND'], { now: NOW }),
  revokePermissions: (d, a) => d.revokePermissions(a, 'ops_billing', ['PD_VIEW_SPEND'], { now: NOW }),
  exportToFile: (d, a, made) => d.exportToFile(a, 'tag:vip', path, { now: NOW }).then((job) => { made.job = job.id; return job }),
  exportToBuffer: (d, a) => d.exportToBuffer(a, [resellers[7]], { now: NOW }),
  downloadExport: (d, a, made) => d.downloadExport(a, made.job ?? 'exp_000001', path, { now: NOW }),
  exportDetailToFile: (d, a) => d.exportDetailToFile(a, { list: 'orders', customerId: resellers[6] }, path, { now: NOW }),
  exportDetailToBuffer: (d, a) => d.exportDetailToBuffer(a, { list: 'spend', customerId: resellers[6], month: '2026-11' }, { now: NOW }),
}

/**
 * JSON with the keys of every object sorted (a batch item's details come in no fixed order),
 * Buffers as their text.
 * @param {unknown} value
 * @returns {string | undefined}
 */
function canonical(value) {
  return JSON.stringify(value, (_k, v) => {
    if (v && v.type === 'Buffer' && Array.isArray(v.data)) return Buffer.from(v.data).toString('latin1')
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    }
    return v
  })
}

/**
 * What a call gave: its value (canonical JSON) or its error code.
 * @param {() => unknown} call
 */
async function outcome(call) {
  try {
    return { ok: canonical(await call()) ?? 'undefined' }
  } catch (err) {
    return { code: /** @type {{ code?: string }} */ (err).code }
  }
}

/** @param {string | Actor} actor @param {string} login */
async function run(actor, login) {
  const d = pd.Desk.demo(300, 11)
  /** @type {Record<string, string>} */
  const made = {}
  /** @type {Record<string, { ok?: string, code?: string }>} */
  const out = {}
  for (const [name, call] of Object.entries(CALLS)) {
    const who = typeof actor === 'string' ? login : { ...actor, id: login }
    out[name] = await outcome(() => call(d, who, made))
  }
  return out
}

test('every method that takes an actor takes a login string (index.d.ts)', () => {
  const methods = actorMethods()
  assert.ok(Object.keys(methods).length >= 30, Object.keys(methods).join(', '))
  for (const [name, type] of Object.entries(methods)) {
    assert.equal(type, 'string | Actor', `${name}: actor is a login or an Actor`)
  }
  assert.deepEqual(Object.keys(methods).filter((m) => !(m in CALLS)), [], 'a call below for each')
  assert.deepEqual(Object.keys(CALLS).filter((m) => !(m in methods)), [], 'each call is an actor method')
})

/** What the admin is refused, the same by login as by Actor object: the customer's own steps. */
const ADMIN_REFUSED = {
  decideDisassociation: 'PERMISSION_DENIED',
  requestDisassociation: 'PERMISSION_DENIED',
  recordDistributorDecision: 'PERMISSION_DENIED',
  decideAuthorization: 'PERMISSION_DENIED',
  placeOrderOnBehalf: 'AUTHORIZATION_REQUIRED',
}

test("each actor-taking operation gives the same outcome for 'admin' as for the admin's Actor object", async () => {
  const byLogin = await run('admin', 'admin')
  const byObject = await run({ kind: 'operator', id: 'admin' }, 'admin')
  for (const name of Object.keys(CALLS)) assert.deepEqual(byLogin[name], byObject[name], name)
  // Done, except the customer's own steps, refused as they should be.
  /** @type {Record<string, string>} */
  const refused = {}
  for (const [name, o] of Object.entries(byLogin)) if (o.code) refused[name] = o.code
  assert.deepEqual(refused, ADMIN_REFUSED)
})

test("a login with no rights ('ops_billing') is refused as its Actor object is", async () => {
  const byLogin = await run('ops_billing', 'ops_billing')
  const byObject = await run({ kind: 'operator', id: 'ops_billing' }, 'ops_billing')
  for (const name of Object.keys(CALLS)) assert.deepEqual(byLogin[name], byObject[name], name)
  assert.ok(Object.values(byLogin).some((o) => o.code === 'PERMISSION_DENIED' || o.code === 'ADMINISTRATOR_ONLY'))
  for (const [name, o] of Object.entries(byLogin)) {
    assert.ok(o.code !== 'INVALID_ARGUMENT' && o.code !== 'INVALID_ID', `${name}: the login is understood`)
  }
})

test('an actor in an options object (the audit filter) takes a login string too', () => {
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  const inputs = [...dts.matchAll(/^export interface (\w+) \{\n((?:.*\n)*?)\}/gm)]
    .filter((m) => /^ {2}actor\??: /m.test(m[2]) && /(Filter|Options)$/.test(m[1]))
  assert.deepEqual(inputs.map((m) => m[1]), ['AuditFilter'])
  for (const m of inputs) assert.match(m[2], /^ {2}actor\?: string \| Actor$/m, m[1])
  const d = pd.Desk.demo(300, 11)
  d.grantPermissions('admin', 'ops_billing', ['PD_VIEW_SPEND'], { now: NOW })
  const byLogin = d.auditLog({ actor: 'admin' })
  assert.ok(byLogin.length > 0)
  assert.ok(byLogin.every((r) => r.actor.kind === 'operator' && r.actor.id === 'admin'), 'filtered by that operator')
  // Another operator's attempt is audited under its login, and filtered apart.
  try { d.grantPermissions('ops_billing', 'am_000', ['PD_VIEW_SPEND'], { now: NOW }) } catch { /* refused: audited */ }
  const other = d.auditLog({ actor: 'ops_billing' })
  assert.ok(other.length > 0 && other.every((r) => r.actor.id === 'ops_billing'))
  assert.equal(other.length + byLogin.length, d.auditLog().length)
  assert.deepEqual(byLogin, d.auditLog({ actor: { kind: 'operator', id: 'admin' } }))
})

test('a malformed login is INVALID_ID, as documented', () => {
  assert.throws(() => probe.spendSummary('bad login!', { now: NOW }), { code: 'INVALID_ID' })
})
