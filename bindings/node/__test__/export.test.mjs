// Exports run off the JS thread with progress and cancellation; reveal is audited.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pd, rejected, thrown } from './helpers.mjs'

/** @typedef {import('../index.d.ts').Actor} Actor */
/** @type {Actor} */
const admin = { kind: 'operator', id: 'admin' }
/** @type {Actor} */
const billing = { kind: 'operator', id: 'ops_billing' }
const dir = mkdtempSync(join(tmpdir(), 'partnerdesk-export-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

// Large enough that the export takes far longer than a 1 ms timer period in the dev build.
const big = pd.Desk.demo(20_000, 42)

test('a timer fires while an export runs; progress rises to the total; the file is anonymised', async () => {
  /** @type {import('../index.d.ts').Progress[]} */
  const progress = []
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 1)
  const path = join(dir, 'all.csv')
  const job = await big.exportToFile(admin, '*', path, { onProgress: (p) => progress.push(p) })
  clearInterval(timer)
  assert.ok(ticks >= 2, `the event loop turned ${ticks} times during the export`)
  const total = big.count('*')
  assert.equal(job.status, 'completed')
  assert.equal(job.rows, total)
  assert.equal(job.total, total)
  assert.equal(job.selection, 'query')
  assert.equal(job.format, 'csv')
  assert.match(job.id, /^exp_\d+$/)
  await new Promise((r) => setImmediate(r))
  assert.ok(progress.length >= 3, `${progress.length} progress calls`)
  assert.deepEqual(progress[0], { done: 0, total })
  assert.deepEqual(progress.at(-1), { done: total, total })
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].done > progress[i - 1].done)
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n')
  assert.equal(lines.length, total + 1)
  assert.match(lines[0], /^Customer ID,Account Name,Customer Name,/)
  const id = lines[1].split(',')[0]
  const name = lines[1].split(',')[2]
  assert.match(name, /^.?\*\*\*$/, 'names are anonymised in exports')
  assert.equal(name, big.customerRow(id).name)
  assert.ok(big.exports().some((j) => j.id === job.id))
})

test('an export of selected ids to memory, with chosen columns and a BOM', async () => {
  const ids = big.searchIds('tag:vip', { limit: 3 }).ids
  const bytes = await big.exportToBuffer(admin, ids, { columns: ['customer_id', 'name', 'month_to_date'], bom: true, fileName: 'vip.csv' })
  assert.ok(Buffer.isBuffer(bytes))
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf])
  const lines = bytes.subarray(3).toString('utf8').trimEnd().split(/\r?\n/)
  assert.equal(lines[0], 'Customer ID,Customer Name,Month-to-Date Expenditure')
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), ids)
  const job = big.exports().at(-1)
  assert.equal(job?.selection, 'ids')
  assert.deepEqual(job?.ids, ids)
  assert.equal(job?.fileName, 'vip.csv')
  assert.deepEqual(job?.columns, ['customer_id', 'name', 'month_to_date'])
})

test('an XLSX export is a zip workbook', async () => {
  const bytes = await big.exportToBuffer(admin, 'tag:gold', { format: 'xlsx' })
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK')
  assert.equal(big.exports().at(-1)?.format, 'xlsx')
})

test('a byte-order mark is for CSV only: XLSX with bom false is fine, with bom true refused', async () => {
  const bytes = await big.exportToBuffer(admin, 'tag:gold', { format: 'xlsx', bom: false })
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK')
  const before = big.exports().length
  const err = thrown(() => big.exportToBuffer(admin, 'tag:gold', { format: 'xlsx', bom: true }))
  assert.equal(err.code, 'INVALID_ARGUMENT')
  assert.equal(big.exports().length, before, 'a refused request records no export')
})

test('only the administrator exports; refusals are audited and nothing is recorded', async () => {
  const before = big.exports().length
  const err = await rejected(big.exportToBuffer(billing, '*'))
  assert.equal(err.code, 'ADMINISTRATOR_ONLY')
  assert.equal(big.exports().length, before)
  const audit = big.auditLog({ kind: 'export', actor: billing })
  assert.ok(audit.some((r) => !r.allowed && r.deniedCode === 'ADMINISTRATOR_ONLY'))
  assert.equal((await rejected(big.exportToBuffer(admin, ['no-such-customer']))).code, 'CUSTOMER_NOT_FOUND')
  assert.throws(() => big.exportToBuffer(admin, '*', { columns: ['no_such_column'] }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => big.exportToBuffer(admin, 'mtd>='), { code: 'FILTER_SYNTAX' })
})

test('cancelling stops the export, which is recorded as cancelled', async () => {
  const cancel = new pd.CancelToken()
  assert.equal(cancel.cancelled, false)
  const err = await rejected(big.exportToFile(admin, '*', join(dir, 'cancelled.csv'), {
    cancel,
    onProgress: () => cancel.cancel(),
  }))
  assert.equal(err.code, 'EXPORT_CANCELLED')
  assert.equal(cancel.cancelled, true)
  const job = big.exports().at(-1)
  assert.equal(job?.status, 'cancelled')
  assert.ok((job?.rows ?? 0) < big.count('*'))
})

test('a failing sink (/dev/full, Linux) is EXPORT_WRITE_FAILED, recorded as failed', async () => {
  const err = await rejected(big.exportToFile(admin, '*', '/dev/full'))
  assert.equal(err.code, 'EXPORT_WRITE_FAILED')
  const job = big.exports().at(-1)
  assert.equal(job?.status, 'failed')
  assert.equal(job?.failureCode, 'EXPORT_WRITE_FAILED')
  const bad = await rejected(big.exportToFile(admin, '*', join(dir, 'no', 'such', 'dir.csv')))
  assert.equal(bad.code, 'INVALID_ARGUMENT')
})

test('a refused, cancelled or failing exportToFile leaves an existing file byte for byte (issue #13 row 12)', async () => {
  const own = mkdtempSync(join(dir, 'keep-'))
  const path = join(own, 'report.csv')
  const old = Buffer.from('the previous report\r\n\u0000\u00ff')
  writeFileSync(path, old)
  const small = pd.Desk.demo(200, 7)
  // Refused: not the administrator.
  const refused = await rejected(small.exportToFile(billing, '*', path))
  assert.ok(['ADMINISTRATOR_ONLY', 'PERMISSION_DENIED'].includes(refused.code ?? ''), refused.code)
  assert.deepEqual(readFileSync(path), old)
  // Refused: an unknown recorded job.
  assert.equal((await rejected(small.downloadExport(admin, 'exp_999999', path))).code, 'EXPORT_NOT_FOUND')
  assert.deepEqual(readFileSync(path), old)
  // Cancelled (the token is checked at the export's first progress tick; a cancel from inside
  // onProgress would race with a 200-row export that may finish first).
  const cancel = new pd.CancelToken()
  cancel.cancel()
  const cancelled = await rejected(small.exportToFile(admin, '*', path, { cancel }))
  assert.equal(cancelled.code, 'EXPORT_CANCELLED')
  assert.deepEqual(readFileSync(path), old)
  // Failing: a cell over Excel's 32,767 characters fails the XLSX export after rows were written.
  const tags = Array.from({ length: 600 }, (_, i) => `tag-${String(i).padStart(3, '0')}-${'x'.repeat(50)}`)
  small.insertCustomer({ id: 'zz-many-tags', accountName: 'many', name: 'Many Tags', association: 'referral', associatedAt: new Date(), tags })
  const failed = await rejected(small.exportToFile(admin, '*', path, { format: 'xlsx', columns: ['customer_id', 'tags'] }))
  assert.equal(failed.code, 'EXPORT_WRITE_FAILED')
  assert.equal(small.exports().at(-1)?.status, 'failed')
  assert.deepEqual(readFileSync(path), old)
  // Nothing is left beside it; a completed export then replaces it whole.
  assert.deepEqual(readdirSync(own), ['report.csv'])
  const job = await small.exportToFile(admin, '*', path)
  assert.equal(job.status, 'completed')
  assert.match(readFileSync(path, 'utf8'), /^Customer ID,/)
  assert.deepEqual(readdirSync(own), ['report.csv'])
})

test('a recorded export downloads again; an unknown one is EXPORT_NOT_FOUND', async () => {
  const small = pd.Desk.demo(200, 5)
  const ids = small.searchIds('*', { limit: 4 }).ids
  const job = await small.exportToFile(admin, ids, join(dir, 'first.csv'))
  const rows = await small.downloadExport(admin, job.id, join(dir, 'again.csv'))
  assert.equal(rows, 4)
  assert.equal(readFileSync(join(dir, 'again.csv'), 'utf8'), readFileSync(join(dir, 'first.csv'), 'utf8'))
  assert.equal((await rejected(small.downloadExport(admin, 'exp_999999', join(dir, 'x.csv')))).code, 'EXPORT_NOT_FOUND')
  assert.ok(small.auditLog({ kind: 'export_download' }).length >= 1)
})

test('reveal shows one field in clear, needs the permission item, and is audited', () => {
  const desk = pd.Desk.demo(100, 8)
  const [row] = desk.search('*', { limit: 1 }).rows
  const name = desk.reveal(admin, row.id, 'name')
  assert.ok(name.length > 0)
  assert.notEqual(name, row.name)
  assert.ok(row.name.endsWith('***'))
  assert.ok(name.startsWith(row.name.replace('***', '')))
  const err = thrown(() => desk.reveal(billing, row.id, 'email'))
  assert.equal(err.code, 'PERMISSION_DENIED')
  const audit = desk.auditLog({ kind: 'reveal' })
  assert.deepEqual(audit.map((r) => [r.customerId, r.allowed, r.deniedCode ?? null]), [[row.id, true, null], [row.id, false, 'PERMISSION_DENIED']])
  for (const r of audit) assert.ok(!r.detail.includes(name), 'the audit trail holds no revealed value')
})

test('reads on the JS thread run while an export streams; changes are DESK_BUSY', async () => {
  // What the reads return on an idle desk, and the bytes of an export with no reader.
  const wantCount = big.count('mtd>=0')
  const wantIds = big.search('mtd>=0', { sort: 'mtd', descending: true, limit: 25 }).rows.map((r) => r.id)
  const alone = await big.exportToBuffer(admin, '*')
  const policy = big.rowPolicy()
  /** @type {string[]} */
  const seen = []
  let streaming = false
  let settled = false
  const probe = () => {
    if (!streaming || settled) return
    // A change first: DESK_BUSY means a worker holds the desk at this moment.
    let change = 'ok'
    try {
      big.setRowPolicy(policy)
    } catch (err) {
      change = /** @type {{ code?: string }} */ (err).code ?? 'no code'
    }
    try {
      assert.equal(big.count('mtd>=0'), wantCount)
      const page = big.search('mtd>=0', { sort: 'mtd', descending: true, limit: 25 })
      assert.deepEqual(page.rows.map((r) => r.id), wantIds)
      seen.push(`${change}/read ok`)
    } catch (err) {
      const code = /** @type {{ code?: string }} */ (err).code
      // Only the short moment the export records its job holds the desk exclusively.
      if (code !== 'DESK_BUSY' || change !== 'DESK_BUSY') throw err
      seen.push(`${change}/read busy`)
    }
  }
  const timer = setInterval(probe, 1)
  let ticks = 0
  const running = big.exportToBuffer(admin, '*', {
    // Every tick comes from the write phase: the export is prepared, its rows stream. The
    // worker never runs more than two ticks ahead of this callback (ticks are not dropped),
    // so during the first tick of 20,000 rows (a tick per 4,096) the rows are still streaming.
    onProgress: ({ done, total }) => {
      ticks += 1
      streaming = true
      if (done < total) probe()
    },
  })
  const bytes = await running.finally(() => {
    settled = true
    clearInterval(timer)
  })
  assert.ok(bytes.equals(alone), 'the bytes of an export with no reader')
  assert.equal(ticks, 6, 'no tick is dropped: 0, 4096, 8192, 12288, 16384 and 20000')
  assert.ok(
    seen.includes('DESK_BUSY/read ok'),
    `a read succeeded while the export held the desk: ${seen.join(', ')}`,
  )
  assert.ok(seen.every((s) => /^(ok|DESK_BUSY)\/read (ok|busy)$/.test(s)), seen.join(', '))
  assert.equal(big.exports().at(-1)?.status, 'completed')
})

test('reads on the JS thread answer while an export builds its order and prepares', async () => {
  // Never exported: its first export builds the customers' id order and the copy of the
  // exported fields (a worker holds a read lock for that, the write lock only for moments).
  const fresh = pd.Desk.demo(20_000, 43)
  const want = fresh.count('mtd>=0')
  let reads = 0
  let busy = 0
  let ticked = false
  let settled = false
  const running = fresh.exportToBuffer(admin, '*', { onProgress: () => { ticked = true } })
  running.then(() => { settled = true }, () => { settled = true })
  // Read in slices of about 2 ms, the event loop turning between them, until the first
  // progress tick: by then the order is built and the export prepared.
  while (!ticked && !settled) {
    const until = performance.now() + 2
    while (performance.now() < until) {
      try {
        assert.equal(fresh.count('mtd>=0'), want)
        reads++
      } catch (err) {
        if (/** @type {{ code?: string }} */ (err).code !== 'DESK_BUSY') throw err
        busy++
      }
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  await running
  assert.ok(reads > 0, 'reads ran before the rows streamed')
  assert.equal(busy, 0, `${busy} of ${reads + busy} reads threw DESK_BUSY`)
})

test('the export column keys are listed', () => {
  const cols = pd.exportColumns()
  assert.ok(cols.includes('customer_id') && cols.includes('month_to_date'))
})
