// The npm package: `npm pack` makes a tarball that installs into a fresh project, where it is
// both `require`d and `import`ed, and where the quick start runs.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const quickstart = join(pkgDir, '..', '..', 'examples', 'node', 'quickstart.mjs')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
let work = ''
let project = ''

/** @param {string} cmd @param {string[]} args @param {string} cwd */
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

before(() => {
  work = mkdtempSync(join(tmpdir(), 'partnerdesk-pack-'))
  run(npm, ['pack', '--pack-destination', work, '--silent'], pkgDir)
  const [tarball] = readdirSync(work).filter((f) => f.endsWith('.tgz'))
  assert.ok(tarball, 'npm pack wrote a tarball')
  project = join(work, 'app')
  run('mkdir', ['-p', project], work)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
  run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--silent', join(work, tarball)], project)
})

after(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

test('the tarball holds the loader, the types and the addon', () => {
  const files = readdirSync(join(project, 'node_modules', 'partnerdesk'))
  for (const f of ['index.js', 'index.d.ts', 'package.json', 'README.md']) assert.ok(files.includes(f), f)
  assert.ok(files.some((f) => f.endsWith('.node')), 'a .node addon')
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
    import { Desk } from 'partnerdesk'
    import pd from 'partnerdesk'
    console.log(Desk === pd.Desk, Desk.demo(12, 1).size)
  `], project)
  assert.equal(out.trim(), 'true 12')
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
  assert.equal(lines.at(-1), 'bad filter: FILTER_SYNTAX')
})
