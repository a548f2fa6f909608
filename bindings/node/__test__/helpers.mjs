// Shared helpers for the addon tests: load the package the way a user does (its index.js).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** @type {typeof import('../index.d.ts')} */
export const pd = require('../index.js')

/**
 * The moment the demo portfolio is built for. `now` defaults to the wall clock in every host
 * (docs/conventions.md), so the tests that read the demo's time-dependent data pass this one.
 */
export const NOW = pd.demoNow()

/** A 1,000-customer demo desk (seed 42), built once per test file. */
export const desk = pd.Desk.demo(1000, 42)

/** The shared quick-start filter. */
export const QUICKSTART = 'assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)'

/**
 * Runs `fn` and returns the `PartnerDeskError` it throws (fails when it does not throw).
 * @param {() => unknown} fn
 * @returns {import('../index.d.ts').PartnerDeskError}
 */
export function thrown(fn) {
  try {
    fn()
  } catch (err) {
    return /** @type {import('../index.d.ts').PartnerDeskError} */ (err)
  }
  throw new Error('expected an error, none was thrown')
}

/**
 * Awaits `promise` and returns the rejection (fails when it resolves).
 * @param {Promise<unknown>} promise
 */
export async function rejected(promise) {
  try {
    await promise
  } catch (err) {
    return /** @type {import('../index.d.ts').PartnerDeskError} */ (err)
  }
  throw new Error('expected a rejection, the promise resolved')
}
