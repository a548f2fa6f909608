// The CPU time of handing a page's rows to JS, shared by `event_loop.mjs` and `row_cost.mjs`.

/**
 * The least CPU time (µs, every thread of the process, from `process.cpuUsage`: robust to other
 * processes' load) of 30 calls of `f`.
 * @param {() => unknown} f
 */
export function cpuOf(f) {
  let best = Infinity
  for (let i = 0; i < 30; i++) {
    const c = process.cpuUsage()
    f()
    const d = process.cpuUsage(c)
    best = Math.min(best, d.user + d.system)
  }
  return best
}

/**
 * What a row costs to hand to JS: the CPU time of a search page of 1000 rows against the same
 * page's ids (`mtd>=*`, every associated customer), each the best of 30, in µs a row; and both
 * pages' times (µs).
 * @param {import('../index.d.ts').Desk} desk
 * @param {Date} now
 */
export function rowConversion(desk, now) {
  const page = cpuOf(() => desk.search('mtd>=*', { limit: 1000, now }))
  const ids = cpuOf(() => desk.searchIds('mtd>=*', { limit: 1000, now }))
  return { perRow: (page - ids) / 1000, page, ids }
}
