// The npm release: bindings/node/package.sh makes the two tarballs napi-rs packages publish
// (the main package `partnerdesk` with the loader and types, and its native part
// `partnerdesk-linux-x64-gnu` as an optional dependency). They install, offline, into a fresh
// project, where the package is both `require`d and `import`ed and the quick start runs.
// test.sh passes the tarballs it built in PARTNERDESK_NPM_TARBALLS; run alone, this test
// builds them itself (dev profile).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, copyFileSync, readdirSync, readFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const quickstart = join(pkgDir, '..', '..', 'examples', 'node', 'quickstart.mjs')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const native = 'partnerdesk-linux-x64-gnu'
let work = ''
let project = ''

/** @param {string} cmd @param {string[]} args @param {string} cwd */
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
/** @param {string} file @returns {Record<string, any>} */
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))

before(() => {
  work = mkdtempSync(join(tmpdir(), 'partnerdesk-pack-'))
  let tarballs = process.env.PARTNERDESK_NPM_TARBALLS ?? ''
  if (!tarballs) {
    tarballs = join(work, 'dist')
    run('bash', [join(pkgDir, 'package.sh'), '--profile', 'dev', '--out', tarballs], pkgDir)
  }
  const found = readdirSync(tarballs).filter((f) => f.endsWith('.tgz')).sort()
  assert.deepEqual(found, ['partnerdesk-0.1.0.tgz', `${native}-0.1.0.tgz`], 'package.sh wrote the two tarballs')
  project = join(work, 'app')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
  // Offline: no registry is asked for either package.
  run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--silent', ...found.map((f) => join(tarballs, f))], project)
})

after(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

test('the main package holds the loader and the types, and names its native part', () => {
  const dir = join(project, 'node_modules', 'partnerdesk')
  const files = readdirSync(dir)
  for (const f of ['index.js', 'index.d.ts', 'package.json', 'README.md']) assert.ok(files.includes(f), f)
  assert.ok(!files.some((f) => f.endsWith('.node')), 'no addon in the main package')
  const pkg = readJson(join(dir, 'package.json'))
  assert.deepEqual(pkg.optionalDependencies, { [native]: pkg.version })
})

test('the platform package holds the addon, for linux x64 glibc only', () => {
  const dir = join(project, 'node_modules', native)
  const pkg = readJson(join(dir, 'package.json'))
  assert.deepEqual([pkg.os, pkg.cpu, pkg.libc], [['linux'], ['x64'], ['glibc']])
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.node')), [pkg.main])
  assert.equal(pkg.main, 'partnerdesk.linux-x64-gnu.node')
})

test('the installed loader takes the addon from the platform package', () => {
  const out = run(process.execPath, ['-e', `
    require('partnerdesk')
    const addon = Object.keys(require.cache).find((f) => f.endsWith('.node'))
    console.log(addon.includes('/node_modules/${native}/'))
  `], project)
  assert.equal(out.trim(), 'true')
})

test('require() works from the installed package', () => {
  const out = run(process.execPath, ['-e', `
    const pd = require('partnerdesk')
    const d = pd.Desk.demo(10, 1)
    console.log(typeof pd.Query.parse, d.size, pd.errorCodes().length > 0)
  `], project)
  assert.equal(out.trim(), 'function 10 true')
})

test('import works from the installed package (ESM, named and default)', () => {
  const out = run(process.execPath, ['--input-type=module', '-e', `
    import { Desk, PartnerDeskError } from 'partnerdesk'
    import pd from 'partnerdesk'
    let typed = false
    try { Desk.demo(12, 1).search('mtd>=') } catch (err) { typed = err instanceof PartnerDeskError && err.details.position === 5 }
    console.log(Desk === pd.Desk, Desk.demo(12, 1).size, typed)
  `], project)
  assert.equal(out.trim(), 'true 12 true', 'PartnerDeskError is a named export and errors are of it')
})

test('the quick start runs against the installed package', () => {
  copyFileSync(quickstart, join(project, 'quickstart.mjs'))
  const out = run(process.execPath, ['quickstart.mjs'], project)
  const lines = out.trim().split('\n')
  assert.match(lines[0], /^total: \d+$/)
  const rows = lines.slice(1, 6)
  assert.equal(rows.length, 5)
  for (const r of rows) assert.match(r, /^\S+ {2}\S+\*\*\* {2}\d+(\.\d+)? CNY$/)
  assert.match(lines[6], /^next page: \S+(, \S+){4}$/)
  assert.equal(lines[7], 'freeze by ops_billing: 1 done, 0 refused')
  assert.equal(lines[8], 'row now: frozen=account')
  assert.equal(lines[9], 'freeze by am_000: PERMISSION_DENIED')
  assert.equal(lines.at(-1), 'bad filter: FILTER_SYNTAX')
})
