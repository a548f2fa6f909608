// The Huawei SDK recipe (examples/node/huawei_sdk_recipe.mjs), run end to end against a
// loopback stand-in of the BSS API (no outside network): the official Node SDK's client
// (`@huaweicloud/huaweicloud-sdk-core`, pinned in package-lock.json) signs every call with
// AK/SK and sends it to the stand-in, which answers with the adapter's bundled fixtures. The
// test checks what the stand-in received (method, path, a signature that verifies with the
// SK, the freeze body's customer ids) and what the recipe printed.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { execFile } from 'node:child_process'
import { createHash, createHmac } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { pd } from './helpers.mjs'

const AK = 'AKEXAMPLE0000000TEST'
const SK = 'sk-example-secret-for-the-stand-in'
const DOMAIN = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
const fx = pd.huaweiFixtures()

/** @typedef {{ method: string, url: string, headers: import('node:http').IncomingHttpHeaders, body: string }} Received */

/** The stand-in: records every request and answers as the BSS API would. */
function standIn() {
  /** @type {Received[]} */
  const received = []
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => { body += chunk })
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      /** @param {number} status @param {string} text */
      const answer = (status, text) => {
        res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' })
        res.end(text)
      }
      if (req.method === 'POST' && req.url === '/v2/partners/sub-customers/query') {
        const { offset = 0 } = JSON.parse(body || '{}')
        return answer(200, fx[offset === 0 ? 'list_sub_customers.intl.page1.json' : 'list_sub_customers.intl.page2.json'])
      }
      if (req.method === 'POST' && req.url === '/v2/partners/sub-customers/freeze') {
        return answer(200, fx['freeze.success.json'])
      }
      answer(404, JSON.stringify({ error_code: 'CBC.0100', error_msg: 'not found' }))
    })
  })
  return { server, received }
}

/**
 * Verifies a request's `SDK-HMAC-SHA256` signature with the SK (Huawei's APIG signing: the
 * canonical request of the method, the path with a trailing slash, the query, the signed
 * headers and the body's SHA-256; its hash signed with the date, HMAC-SHA256 with the SK).
 * @param {Received} r
 */
function signatureVerifies(r) {
  const auth = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(String(r.headers.authorization))
  if (!auth) return false
  const [, access, signed, signature] = auth
  const names = signed.split(';')
  const [path, query = ''] = r.url.split('?')
  const canonical = [
    r.method,
    path.endsWith('/') ? path : `${path}/`,
    query,
    names.map((n) => `${n}:${r.headers[n]}\n`).join(''),
    signed,
    createHash('sha256').update(r.body).digest('hex'),
  ].join('\n')
  const toSign = ['SDK-HMAC-SHA256', String(r.headers['x-sdk-date']), createHash('sha256').update(canonical).digest('hex')].join('\n')
  return access === AK && names.includes('x-sdk-date') && createHmac('sha256', SK).update(toSign).digest('hex') === signature
}

test('the recipe lists, imports, searches and freezes through the signed SDK client', async () => {
  const { server, received } = standIn()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  after(() => server.close())
  const address = server.address()
  assert.ok(address && typeof address === 'object')

  // A project that has both packages: this addon and the pinned SDK (linked, not copied).
  const project = mkdtempSync(join(tmpdir(), 'partnerdesk-sdk-recipe-'))
  after(() => rmSync(project, { recursive: true, force: true }))
  const here = fileURLToPath(new URL('..', import.meta.url))
  mkdirSync(join(project, 'node_modules'))
  symlinkSync(here, join(project, 'node_modules', 'partnerdesk'), 'dir')
  symlinkSync(join(here, 'node_modules', '@huaweicloud'), join(project, 'node_modules', '@huaweicloud'), 'dir')
  const recipe = join(project, 'huawei_sdk_recipe.mjs')
  copyFileSync(fileURLToPath(new URL('../../../examples/node/huawei_sdk_recipe.mjs', import.meta.url)), recipe)

  const { stdout } = await promisify(execFile)(process.execPath, [recipe], {
    cwd: project,
    timeout: 60_000,
    env: {
      ...process.env,
      HUAWEI_ENDPOINT: `http://127.0.0.1:${address.port}`,
      HUAWEI_AK: AK,
      HUAWEI_SK: SK,
      HUAWEI_DOMAIN_ID: DOMAIN,
    },
  })

  // What the stand-in received: two pages of the customer list, then one freeze.
  assert.deepEqual(received.map((r) => `${r.method} ${r.url}`), [
    'POST /v2/partners/sub-customers/query',
    'POST /v2/partners/sub-customers/query',
    'POST /v2/partners/sub-customers/freeze',
  ])
  assert.deepEqual(received.map((r) => JSON.parse(r.body).offset), [0, 2, undefined])
  for (const r of received) {
    assert.match(String(r.headers.authorization), /^SDK-HMAC-SHA256 Access=AKEXAMPLE0000000TEST, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/)
    assert.match(String(r.headers['x-sdk-date']), /^\d{8}T\d{6}Z$/)
    assert.equal(r.headers['x-domain-id'], DOMAIN)
    assert.ok(signatureVerifies(r), `the signature of ${r.url} verifies with the SK`)
    assert.ok(!signatureVerifies({ ...r, body: r.body + ' ' }), 'and not for another body')
  }

  // The freeze body: the customers the search found, as the adapter builds it.
  const freeze = JSON.parse(received[2].body)
  const matched = [...stdout.matchAll(/^match (\w+) /gm)].map((m) => m[1])
  assert.ok(matched.length > 0, stdout)
  assert.deepEqual(freeze.customer_ids, matched)
  assert.equal(freeze.reason, 'overdue invoice')
  assert.equal(freeze.freeze_type, 'ACCOUNT')

  // What the recipe printed.
  assert.match(stdout, /^listed 3 customers in 2 pages through the SDK$/m)
  assert.match(stdout, /^imported: 3 added$/m)
  assert.match(stdout, new RegExp(`^desk freeze: ${matched.length} done, 0 refused$`, 'm'))
  assert.match(stdout, new RegExp(`^huawei freeze: ${matched.length} done, 0 refused \\(HTTP 200\\)$`, 'm'))
  for (const id of matched) assert.match(stdout, new RegExp(`^huawei freeze ${id}: done$`, 'm'))
})
