// Long work runs off the JS thread: timers keep firing, progress arrives on the JS thread.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { readdirSync, readFileSync } from 'node:fs'
import { pd } from './helpers.mjs'

// Sizes keep the dev-profile test build quick while the work still takes far longer than a
// 1 ms timer period.
const big = pd.Desk.demo(20_000, 42)
const medium = pd.Desk.demo(5_000, 42)

test('a timer fires while collectRows runs, and progress is reported', async () => {
  /** @type {import('../index.d.ts').Progress[]} */
  const progress = []
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 1)
  const started = performance.now()
  const rows = await big.collectRows('*', {
    sort: 'mtd',
    descending: true,
    onProgress: (p) => progress.push(p),
  })
  const elapsed = performance.now() - started
  clearInterval(timer)
  assert.equal(rows.length, big.count('*'))
  assert.ok(ticks >= 2, `the event loop turned ${ticks} times in ${elapsed.toFixed(0)} ms`)
  // Progress: rising `done`, constant `total`, ending at the total.
  await new Promise((r) => setImmediate(r))
  assert.ok(progress.length >= 2, `${progress.length} progress calls`)
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i].done > progress[i - 1].done)
    assert.equal(progress[i].total, rows.length)
  }
  assert.equal(progress.at(-1)?.done, rows.length)
  assert.deepEqual(rows.slice(0, 10), big.search('*', { sort: 'mtd', descending: true, limit: 10 }).rows)
})

test('a timer fires while a large snapshot is saved and loaded off the thread', async () => {
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 1)
  const json = await medium.saveSnapshot()
  const saved = ticks
  const again = await pd.Desk.loadSnapshot(json)
  clearInterval(timer)
  assert.ok(saved > 0, 'ticks during save')
  assert.ok(ticks > saved, 'ticks during load')
  assert.equal(again.size, medium.size)
})

/**
 * The longest the event loop went without running a 1 ms timer while `work` ran, in ms.
 * @param {() => Promise<unknown>} work
 */
async function longestStall(work) {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 1)
  await work()
  clearInterval(timer)
  return Math.max(longest, performance.now() - last)
}

test('searchAll and collectRows never hold the event loop for a whole result', async () => {
  // Large enough that converting every row takes several times one of V8's own pauses (a
  // young-generation collection of a result being built takes up to about 30 ms here): at
  // 20,000 rows the whole conversion took about 35 ms of 58 ms busy, and one collection
  // alone could reach a third of that.
  const larger = pd.Desk.demo(60_000, 42)
  const options = { sort: /** @type {const} */ ('mtd'), descending: true }
  let rows = 0
  const iterating = await longestStall(async () => {
    for await (const _row of larger.searchAll('*', options)) rows++
  })
  assert.equal(rows, larger.count('*'))
  /** @type {unknown[]} */
  let all = []
  const before = performance.eventLoopUtilization()
  const collecting = await longestStall(async () => { all = await larger.collectRows('*', options) })
  // The JS thread's busy time during collectRows: mostly converting its rows to objects.
  const busy = performance.eventLoopUtilization(before).active
  assert.equal(all.length, rows)
  // collectRows converts its rows a slice (4 ms) per event-loop turn, searchAll for at most 2 ms
  // a turn: neither holds the loop for the conversion of the whole result.
  assert.ok(collecting * 3 < busy, `collectRows: longest stall ${collecting.toFixed(1)} ms of ${busy.toFixed(1)} ms busy`)
  assert.ok(iterating * 3 < busy, `searchAll: longest stall ${iterating.toFixed(1)} ms; collectRows busy ${busy.toFixed(1)} ms`)
})

/**
 * The nice values of this process's threads named `name` (Linux: `/proc/self/task`).
 * @param {string} name
 */
function niceOfThreads(name) {
  const found = []
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== name) continue
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      // The fields after the name, which sits in parentheses: the state is field 3, nice 19.
      found.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]))
    } catch { /* the thread ended meanwhile */ }
  }
  return found
}

test('long work runs on threads of lower priority than the JS thread', { skip: process.platform !== 'linux' && 'Linux threads only' }, async () => {
  const seen = new Set()
  const timer = setInterval(() => { for (const nice of niceOfThreads('partnerdesk-bg')) seen.add(nice) }, 1)
  const rows = await big.collectRows('*', { sort: 'mtd' })
  const json = await big.saveSnapshot()
  clearInterval(timer)
  assert.equal(rows.length, big.count('*'))
  assert.ok(json.length > 0)
  // Ten above the JS thread's own nice value (0 unless the test runs under `nice`), at most 19.
  const main = readFileSync('/proc/self/stat', 'utf8')
  const jsNice = Number(main.slice(main.lastIndexOf(')') + 2).split(' ')[16])
  assert.deepEqual([...seen], [Math.min(jsNice + 10, 19)], `the work threads run at nice 10 above ${jsNice}`)
  // The JS thread, the worker pool's threads and V8's keep theirs.
  const others = niceOfThreads('node')
  assert.ok(others.length > 1 && others.every((nice) => nice === jsNice), `${others}`)
})

test('concurrent collectRows each resolve to their own complete array, in order', async () => {
  const [a, b, c, none] = await Promise.all([
    medium.collectRows('*', { sort: 'mtd', descending: true }),
    medium.collectRows('tag:vip'),
    medium.collectRows('*'),
    medium.collectRows('mtd>=1000000000'),
  ])
  assert.deepEqual(a.map((r) => r.id), medium.selectIds('*', { sort: 'mtd', descending: true }))
  assert.deepEqual(b.map((r) => r.id), medium.selectIds('tag:vip'))
  assert.deepEqual(c, [...medium.pages('*', { limit: 1000 })].flatMap((p) => p.rows))
  assert.deepEqual(none, [])
})

test('saveSnapshot resolves to the same text as toSnapshotJson, non-ASCII included', async () => {
  const [a, b] = await Promise.all([medium.saveSnapshot(), medium.saveSnapshot()])
  const sync = medium.toSnapshotJson()
  assert.ok(/[^\x00-\x7f]/.test(sync), 'the demo snapshot holds non-ASCII text')
  assert.equal(a, sync)
  assert.equal(b, sync)
})

test('collectRows throws the core code at once for a bad filter', async () => {
  assert.throws(() => big.collectRows('mtd>='), { code: 'FILTER_SYNTAX' })
})
