// Does long work stall the event loop? (issue #17, item 4). A benchmark script, not a test:
// build the release addon first (`npm run build`; or point PARTNERDESK_ADDON at a release
// `.node` file), then
//
//   node bench/event_loop.mjs [--customers 1000000] [--exports 40] [--collections 40]
//                             [--snapshots 40] [--collect searchAll|collectRows]
//                             [--snapshot-form file|string|null] [--export-form file|null]
//                             [--handover run|skip] [--delete each|after]
//
// 1. Hand-over cost per row, each alone: the JS thread's busy time (event-loop utilization,
//    `performance.eventLoopUtilization`) per row while `for await (const row of
//    desk.searchAll('mtd>=*'))` goes over every associated customer, and while
//    `desk.collectRows` of the same rows runs and resolves; plus the longest stall of each (the
//    longest gap between runs of a 1 ms timer); and the CPU time of converting a row alone
//    (a search page of 1000 rows against its ids, best of 30).
// 2. The workload of the issue, all started at once: `--exports` CSV exports of every customer
//    (`exportToFile` into a scratch folder, each file deleted when its promise resolves;
//    `--export-form null` writes them to /dev/null),
//    `--collections` row collections of every customer (`searchAll` iterations by default;
//    `--collect collectRows` for the array form, which holds every row in memory at once),
//    `--snapshots` snapshots: `saveSnapshotFile(path)` by default (written on a worker thread,
//    no JS string; each file deleted when its promise resolves; `--snapshot-form null` writes
//    them to /dev/null, for sizes whose files would fill the disk), or with `--snapshot-form
//    string` `saveSnapshot()` (one JS string each, the only form before), while
//    `perf_hooks.monitorEventLoopDelay` (1 ms resolution) records the delay and a synchronous
//    `desk.search` runs every 50 ms (counted: answered, or `DESK_BUSY`). It prints the
//    delay's max / p99 / p50 and what the reads did.
// `--delete after` keeps the written files until the measurement has ended (the scratch folder
// is removed then), so that deleting them is no part of what is measured (at 1M it changed
// nothing measurable: both forms waited about 32 ms at most with the exports as files).
// `--handover skip` leaves part 1 out, so that the workload runs in a process whose heap holds
// only what the desk's building left: part 1's `collectRows` leaves about 1.2 GB of rows
// behind it as garbage at 1M, which V8 collects in the middle of the workload (a full
// collection that shrinks the heap, young collections of 5-12 ms each until then and one of
// 70 ms after it: waits of part 1's making, not the workload's).
import { createRequire } from 'node:module'
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks'
import { mkdtempSync, rmSync } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { tmpdir, loadavg, cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { rowConversion } from './row_conversion.mjs'

const require = createRequire(import.meta.url)
/** @type {typeof import('../index.d.ts')} */
const { Desk, demoNow } = require(process.env.PARTNERDESK_ADDON ?? '../index.js') // or a .node file

const { values: opts } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '2026' },
    exports: { type: 'string', default: '40' },
    collections: { type: 'string', default: '40' },
    snapshots: { type: 'string', default: '40' },
    collect: { type: 'string', default: 'searchAll' },
    'snapshot-form': { type: 'string', default: 'file' },
    'export-form': { type: 'string', default: 'file' },
    handover: { type: 'string', default: 'run' },
    delete: { type: 'string', default: 'each' },
  },
})
const n = (/** @type {string} */ s) => Number.parseInt(s, 10)
const now = demoNow()
const EVERYONE = 'mtd>=*'
const READ = 'assoc=reseller and mtd>=1000 and (tag:vip or tag:gold) and expires<=30d'
const ms = (/** @type {number} */ ns) => (ns / 1e6).toFixed(1)
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')

/**
 * The longest gap between runs of a 1 ms timer while `work` runs, and the JS thread's busy
 * time then (ms).
 * @template T
 * @param {() => Promise<T>} work
 */
async function stallOf(work) {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const t = performance.now()
    longest = Math.max(longest, t - last)
    last = t
  }, 1)
  const elu0 = performance.eventLoopUtilization()
  const t0 = performance.now()
  const out = await work()
  const wall = performance.now() - t0
  const elu = performance.eventLoopUtilization(elu0)
  clearInterval(timer)
  longest = Math.max(longest, performance.now() - last)
  return { out, longest, busy: elu.active, wall }
}

console.log(`load average before: ${load()}, ${cpus().length} cores, Node ${process.version}, ` +
  `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`)
let t0 = performance.now()
const desk = await Desk.demoAsync(n(opts.customers), n(opts.seed))
const associated = desk.count(EVERYONE, now)
console.log(`demo desk: ${desk.size} customers (${associated} associated) in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

// 1. Hand-over cost per row.
if (opts.handover !== 'skip') {
  const viaIterator = await stallOf(async () => {
    let rows = 0
    for await (const row of desk.searchAll(EVERYONE, { now })) {
      if (row.id) rows++
    }
    return rows
  })
  const viaArray = await stallOf(async () => {
    const rows = await desk.collectRows(EVERYONE, { now })
    return rows.length
  })
  const perRow = (/** @type {{ busy: number }} */ r, /** @type {number} */ rows) => ((r.busy * 1000) / rows).toFixed(2)
  console.log(`hand-over, searchAll: ${viaIterator.out} rows, JS thread busy ${viaIterator.busy.toFixed(0)} ms ` +
    `(${perRow(viaIterator, viaIterator.out)} µs a row, wall ${viaIterator.wall.toFixed(0)} ms), longest stall ${viaIterator.longest.toFixed(1)} ms`)
  console.log(`hand-over, collectRows: ${viaArray.out} rows, JS thread busy ${viaArray.busy.toFixed(0)} ms ` +
    `(${perRow(viaArray, viaArray.out)} µs a row, wall ${viaArray.wall.toFixed(0)} ms), longest stall ${viaArray.longest.toFixed(1)} ms`)

  // The conversion alone, in CPU time (robust to other processes' load): a search page of 1000
  // rows against the same page's ids, best of 30.
  const conversion = rowConversion(desk, now)
  console.log(`row conversion: ${conversion.perRow.toFixed(2)} µs CPU a row (a page of 1000 rows ` +
    `${(conversion.page / 1000).toFixed(1)} ms, its ids ${(conversion.ids / 1000).toFixed(1)} ms)`)
}

// 2. The workload, all at once.
const scratch = mkdtempSync(join(tmpdir(), 'pd-event-loop-'))
const reads = { answered: 0, busy: 0, other: 0, longest: 0, longestAt: 0 }
const reader = setInterval(() => {
  const t = performance.now()
  try {
    desk.search(READ, { sort: 'mtd', descending: true, limit: 20, now })
    reads.answered++
    if (performance.now() - t > reads.longest) {
      reads.longest = performance.now() - t
      reads.longestAt = t
    }
  } catch (err) {
    if (/** @type {{ code?: string }} */ (err).code === 'DESK_BUSY') reads.busy++
    else reads.other++
  }
}, 50)
// The longest waits, with the garbage collections that overlap them: a 1 ms timer's gaps of
// over 10 ms, and V8's pauses of over 5 ms (kind: 1 minor, 2 major, 4 incremental, 8 weak
// callbacks).
/** @type {{ at: number, gap: number }[]} */
const gaps = []
/** @type {{ at: number, took: number, kind: number }[]} */
const pauses = []
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    // A GC entry's `detail.kind` (Node's typings of `PerformanceEntry` leave it out).
    const detail = /** @type {{ detail?: { kind?: number } }} */ (/** @type {unknown} */ (e)).detail
    if (e.duration > 5) pauses.push({ at: e.startTime, took: e.duration, kind: detail?.kind ?? 0 })
  }
})
let lastTick = performance.now()
const ticker = setInterval(() => {
  const t = performance.now()
  if (t - lastTick > 10) gaps.push({ at: lastTick, gap: t - lastTick })
  lastTick = t
}, 1)
const h = monitorEventLoopDelay({ resolution: 1 })
/** @type {import('node:perf_hooks').EventLoopUtilization | undefined} */
let eluWork
const done = { exports: 0, collections: 0, snapshots: 0, rows: 0, snapshotChars: 0 }
/** When the last task of each kind settled (s since the start). */
const last = { exports: 0, collections: 0, snapshots: 0 }
const settled = (/** @type {'exports' | 'collections' | 'snapshots'} */ kind) => {
  done[kind]++
  last[kind] = (performance.now() - t0) / 1000
}
h.enable()
gcObserver.observe({ entryTypes: ['gc'] })
const eluStart = performance.eventLoopUtilization()
t0 = performance.now()
try {
  const work = []
  for (let i = 0; i < n(opts.exports); i++) {
    const path = opts['export-form'] === 'null' ? '/dev/null' : join(scratch, `customers-${i}.csv`)
    // The files are deleted off the JS thread: a synchronous unlink waits for the file
    // system's journal, which the other tasks' syncs keep busy (a stall of this script's own
    // making, up to about 200 ms here).
    work.push(desk.exportToFile('admin', EVERYONE, path, { now }).then(async (job) => {
      if (job.rows !== associated) throw new Error(`export ${i}: ${job.rows} rows`)
      if (path !== '/dev/null' && opts.delete !== 'after') await unlink(path)
      settled('exports')
    }))
  }
  for (let i = 0; i < n(opts.collections); i++) {
    if (opts.collect === 'collectRows') {
      work.push(desk.collectRows(EVERYONE, { now }).then((rows) => {
        done.rows += rows.length
        settled('collections')
      }))
    } else {
      work.push((async () => {
        for await (const row of desk.searchAll(EVERYONE, { now })) {
          if (row.id) done.rows++
        }
        settled('collections')
      })())
    }
  }
  for (let i = 0; i < n(opts.snapshots); i++) {
    if (opts['snapshot-form'] === 'string') {
      work.push(desk.saveSnapshot().then((json) => {
        done.snapshotChars = json.length
        settled('snapshots')
      }))
    } else if (opts['snapshot-form'] === 'null') {
      // Written to /dev/null (a device, written in place): the same work without the disk,
      // which 40 snapshots of a million customers (about 1.7 GB each) would fill here.
      work.push(desk.saveSnapshotFile('/dev/null').then(() => {
        settled('snapshots')
      }))
    } else {
      const path = join(scratch, `snapshot-${i}.json`)
      work.push(desk.saveSnapshotFile(path).then(async () => {
        if (opts.delete !== 'after') await unlink(path)
        settled('snapshots')
      }))
    }
  }
  // Every task settles before the scratch folder is removed; the first failure is reported.
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
} finally {
  eluWork = performance.eventLoopUtilization(eluStart)
  h.disable()
  clearInterval(ticker)
  gcObserver.disconnect()
  clearInterval(reader)
  rmSync(scratch, { recursive: true, force: true })
}
const wall = (performance.now() - t0) / 1000
console.log(`workload: ${done.exports} exports and ${done.collections} ${opts.collect} collections of ${associated} rows ` +
  `(${done.rows} rows in all), ${done.snapshots} snapshots (${opts['snapshot-form']}${done.snapshotChars ? `, ${(done.snapshotChars / 1e6).toFixed(0)} M chars` : ''}), in ${wall.toFixed(1)} s`)
console.log(`  the last export settled at ${last.exports.toFixed(1)} s, the last collection at ` +
  `${last.collections.toFixed(1)} s, the last snapshot at ${last.snapshots.toFixed(1)} s; the JS thread busy ` +
  `${((eluWork?.utilization ?? 0) * 100).toFixed(0)}% of the time (${((eluWork?.active ?? 0) / 1000).toFixed(1)} s)`)
console.log(`event-loop delay: max ${ms(h.max)} ms, p99 ${ms(h.percentile(99))} ms, p50 ${ms(h.percentile(50))} ms (goal: max at most 20 ms)`)
const longest = gaps.sort((a, b) => b.gap - a.gap).slice(0, 8)
console.log(`waits of the 1 ms timer over 10 ms: ${gaps.length}; the longest, with the garbage collections in them: ` +
  (longest.map(({ at, gap }) => {
    const gc = pauses.filter((p) => p.at + p.took >= at && p.at <= at + gap).map((p) => `gc${p.kind} ${p.took.toFixed(1)}`)
    return `${gap.toFixed(1)} ms at ${((at - t0) / 1000).toFixed(1)} s${gc.length ? ` (${gc.join(', ')})` : ''}`
  }).join('; ') || 'none'))
console.log(`reads on the JS thread every 50 ms: ${reads.answered} answered (longest ${reads.longest.toFixed(1)} ms, at ${((reads.longestAt - t0) / 1000).toFixed(1)} s), ` +
  `${reads.busy} DESK_BUSY, ${reads.other} other errors`)
console.log(`load average after: ${load()}`)
process.exitCode = h.max <= 20e6 ? 0 : 1
