// One search through the addon vs the same query as Array.prototype.filter + sort over plain
// objects, on the 100k demo portfolio. A benchmark script, not a test: build the release addon
// first (`npm run build`), then `node bench/bench_search.mjs`.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
/** @type {typeof import('../index.d.ts')} */
const { Desk, demoNow } = require('../index.js')

const SIZE = 100_000
const FILTER = 'assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)'
const LIMIT = 20
const ROUNDS = 200

const desk = Desk.demo(SIZE, 42)
// The demo's moment: month-to-date spend is counted in the billing month of `now`, which
// defaults to the wall clock, where the demo desk has no spend yet (no match at all).
const now = demoNow()
// The same customers as plain JS objects (the masked rows, with month-to-date spend also as a
// JS number so the JS side compares numbers, its fastest form).
const objects = (await desk.collectRows('*', { now })).map((r) => ({ ...r, mtd: Number(r.monthToDate.amount) }))

function addon() {
  return desk.search(FILTER, { sort: 'mtd', descending: true, limit: LIMIT, now })
}

function plain() {
  const hits = objects.filter(
    (o) =>
      o.associationType === 'reseller' &&
      o.mtd >= 1000 &&
      (o.tags.includes('vip') || o.tags.includes('gold')),
  )
  hits.sort((a, b) => b.mtd - a.mtd || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { rows: hits.slice(0, LIMIT), total: hits.length }
}

/** Median wall time of `fn` in milliseconds. @param {() => unknown} fn */
function median(fn) {
  for (let i = 0; i < 20; i++) fn() // warm up (JIT, caches)
  const times = []
  for (let i = 0; i < ROUNDS; i++) {
    const t = process.hrtime.bigint()
    fn()
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

const a = addon()
const p = plain()
if (a.total !== p.total || a.rows.map((r) => r.id).join() !== p.rows.map((r) => r.id).join()) {
  throw new Error('the addon and the plain JS query disagree')
}

const tAddon = median(addon)
const tPlain = median(plain)
console.log(`customers: ${SIZE}, associated: ${objects.length}, matches: ${a.total}, page: ${LIMIT} rows`)
console.log(`addon search (incl. marshalling the page): ${tAddon.toFixed(3)} ms (median of ${ROUNDS})`)
console.log(`Array.prototype.filter + sort:             ${tPlain.toFixed(3)} ms (median of ${ROUNDS})`)
console.log(`ratio: ${(tPlain / tAddon).toFixed(1)}x`)
