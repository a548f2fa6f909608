// What a Node call adds over the Rust call for a page of 20 rows (issue #18 item 6).
//
// Not a test and not timed in CI. Run it with benches/binding_overhead.sh, which first times
// the same work in Rust (criterion, benches/benches/binding_overhead.rs), builds the release
// addon, then runs this script with `--rust <criterion folder>`, so that both figures print
// side by side:
//
//     benches/binding_overhead.sh node
//
// Each case is one call of the addon, timed over a loop of calls with process.hrtime.bigint
// (the per-call mean of the loop); the loops of every case take turns, RUNS times, and the
// figure is the median of the runs (criterion's: its median per call). The cases are the Rust
// benchmark's, on the same 100k demo desk (seed 42) at the demo's `now`, first page of 20 rows:
// `q5` (assoc=reseller and mtd>=1000 and (tag:vip or tag:gold), by mtd descending) and `q1`
// (manager=am_001 and mtd>=100 and mtd<=5000, by mtd descending, 86 matches: a cheap search,
// so the overhead stands out); `rows`
// (`desk.search`, the rows as JS objects) or `ids` (`desk.searchIds`); the filter as `text`
// (parsed on each call, as in Rust) or a built `Query`.
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
/** @type {typeof import('../index.d.ts')} */
const { Desk, Query, demoNow } = require('../index.js')

const args = process.argv.slice(2)
/** @param {string} name @param {string | undefined} fallback */
const arg = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const SIZE = Number(arg('--customers', '100000'))
const RUNS = Number(arg('--runs', '15'))
const CALLS = Number(arg('--calls', '500'))
const RUST = arg('--rust', undefined)
const Q1 = 'manager=am_001 and mtd>=100 and mtd<=5000'
const Q5 = 'assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)'
const LIMIT = 20
const GOAL_US = 5

const desk = Desk.demo(SIZE, 42)
const now = demoNow()
const q5 = Query.parse(Q5)
const q1 = Query.parse(Q1)
/** @type {import('../index.d.ts').SearchOptions} */
const byMtd = { sort: 'mtd', descending: true, limit: LIMIT, now }

/** @type {Record<string, () => { total: number }>} */
const cases = {
  q5_rows_text: () => desk.search(Q5, byMtd),
  q5_ids_text: () => desk.searchIds(Q5, byMtd),
  q5_rows_query: () => desk.search(q5, byMtd),
  q5_ids_query: () => desk.searchIds(q5, byMtd),
  q1_rows_text: () => desk.search(Q1, byMtd),
  q1_ids_text: () => desk.searchIds(Q1, byMtd),
  q1_rows_query: () => desk.search(q1, byMtd),
  q1_ids_query: () => desk.searchIds(q1, byMtd),
}

for (const [name, fn] of Object.entries(cases)) {
  const page = /** @type {any} */ (fn())
  const n = (page.rows ?? page.ids).length
  if (n !== LIMIT) throw new Error(`${name}: ${n} rows, expected ${LIMIT}`)
  console.log(`${name}: ${n} of ${page.total} matches`)
}

/** Criterion's median for `name` in microseconds, if its results are in RUST. @param {string} name */
function rustMedianUs(name) {
  if (!RUST) return undefined
  try {
    const file = join(RUST, 'binding_overhead', name, 'new', 'estimates.json')
    return JSON.parse(readFileSync(file, 'utf8')).median.point_estimate / 1e3
  } catch {
    return undefined
  }
}

// The q5 searches take ~100 us: fewer calls per loop keep each loop near the same length.
/** @param {string} name */
const callsOf = (name) => (name.startsWith('q5') ? Math.max(Math.floor(CALLS / 5), 20) : CALLS)
/** @type {Record<string, number[]>} */
const perCall = Object.fromEntries(Object.keys(cases).map((n) => [n, []]))
for (const [name, fn] of Object.entries(cases)) {
  for (let i = 0; i < callsOf(name); i++) fn() // warm up (JIT, caches)
}
for (let run = 0; run < RUNS; run++) {
  for (const [name, fn] of Object.entries(cases)) {
    const n = callsOf(name)
    const t = process.hrtime.bigint()
    for (let i = 0; i < n; i++) fn()
    perCall[name].push(Number(process.hrtime.bigint() - t) / n / 1e3)
  }
}
/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

console.log(
  `\n${SIZE} customers, first page of ${LIMIT} rows; Node ${process.version}, median of ${RUNS} runs; load average ${loadavg()[0].toFixed(2)}`,
)
console.log(`${'case'.padEnd(16)} ${'Rust'.padStart(10)} ${'Node'.padStart(10)} ${'overhead'.padStart(10)}  (goal <= ${GOAL_US} us)`)
// The verdict reads the q1 cases: q5's search (~0.2-0.4 ms) moves by more than the goal from
// one run to the next on a shared machine, so its difference is shown, not judged.
let worst = 0
for (const name of Object.keys(cases)) {
  const node = median(perCall[name])
  const rust = rustMedianUs(name)
  if (rust === undefined) {
    console.log(`${name.padEnd(16)} ${'-'.padStart(10)} ${(node.toFixed(2) + 'us').padStart(10)}`)
    continue
  }
  if (name.startsWith('q1')) worst = Math.max(worst, node - rust)
  console.log(
    `${name.padEnd(16)} ${(rust.toFixed(2) + 'us').padStart(10)} ${(node.toFixed(2) + 'us').padStart(10)} ${((node - rust).toFixed(2) + 'us').padStart(10)}`,
  )
}
if (RUST) console.log(`largest q1 overhead: ${worst.toFixed(2)} us (${worst <= GOAL_US ? 'met' : 'NOT met'})`)
