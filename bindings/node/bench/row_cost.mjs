// What a row costs to hand to JS (issue #17, item 4: at most 2 µs at 1M customers). A
// benchmark script, not a test: build the release addon first (`npm run build`; or point
// PARTNERDESK_ADDON at a release `.node` file), then
//
//   node bench/row_cost.mjs [--customers 1000000] [--runs 3]
//
// Builds the demo desk and prints, `--runs` times, the CPU time of a search page of 1000 rows
// against the same page's ids (`process.cpuUsage`, best of 30 each), divided by 1000: the cost
// of making the rows and handing them to JS, the search itself taken out. Then the median wall
// time of a 20-row page of the search benchmark's Q1 (3000 calls). The same measure as the
// "row conversion" line of `bench/event_loop.mjs`, in a process of its own (there it comes
// after a million rows were collected, and the heap they leave moves it). Run it in several
// processes, alternating the addons compared: at 1M the figure moves from one process to the
// next with where the customers land in memory.
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { rowConversion } from './row_conversion.mjs'

const require = createRequire(import.meta.url)
/** @type {typeof import('../index.d.ts')} */
const { Desk, demoNow } = require(process.env.PARTNERDESK_ADDON ?? '../index.js')

const { values: opts } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
  },
})
const customers = Number.parseInt(opts.customers, 10)
const desk = Desk.demo(customers, 2026)
const now = demoNow()

const perRow = []
for (let r = 0; r < Number.parseInt(opts.runs, 10); r++) {
  perRow.push(rowConversion(desk, now).perRow.toFixed(2))
}
const q1 = 'manager=am_001 and mtd>=100 and mtd<=5000'
const walls = []
for (let i = 0; i < 3000; i++) {
  const t = process.hrtime.bigint()
  desk.search(q1, { sort: 'mtd', descending: true, limit: 20, now })
  walls.push(Number(process.hrtime.bigint() - t))
}
walls.sort((a, b) => a - b)
console.log(`${customers} customers: a row ${perRow.join(' / ')} µs CPU (goal: at most 2); ` +
  `a 20-row page (Q1) ${(walls[walls.length >> 1] / 1000).toFixed(1)} µs wall, median`)
