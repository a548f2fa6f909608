// partnerdesk with the official Huawei Cloud Node SDK, end to end: list the partner's customers
// through the SDK's client (its AK/SK signing and HTTP client) against the BSS endpoints,
// import the pages into a desk, search, freeze, and send the freeze body the desk built through
// the same client. Huawei publishes no BSS package for Node, so the calls go through
// `@huaweicloud/huaweicloud-sdk-core`'s `HcClient.sendRequest`, the way the generated service
// clients of that SDK call it.
//
//   npm install partnerdesk @huaweicloud/huaweicloud-sdk-core uuid@9   # the SDK core requires uuid without declaring it
//   HUAWEI_ENDPOINT=https://bss-intl.myhuaweicloud.com HUAWEI_AK=... HUAWEI_SK=... \
//   HUAWEI_DOMAIN_ID=... node huawei_sdk_recipe.mjs
//
// The Node suite (bindings/node/__test__/huawei-sdk.test.mjs) runs this file against a
// loopback stand-in of the BSS API that answers with the adapter's bundled fixtures.
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js'
import { GlobalCredentials } from '@huaweicloud/huaweicloud-sdk-core'
import { Desk, huaweiBatchOutcome, huaweiFreezeBody, huaweiPagePlan, huaweiSplitQuery } from 'partnerdesk'

/** @param {string} name */
const setting = (name) => {
  const value = process.env[name]
  if (!value) throw new Error(`set ${name}`)
  return value
}

// The SDK's client for a global service (BSS): AK/SK of the partner account and its domain id
// (given, so the SDK does not ask IAM for it).
const credentials = new GlobalCredentials()
  .withAk(setting('HUAWEI_AK'))
  .withSk(setting('HUAWEI_SK'))
  .withDomainId(setting('HUAWEI_DOMAIN_ID'))
/** @type {import('@huaweicloud/huaweicloud-sdk-core/HcClient.js').HcClient} */
const client = new ClientBuilder((hc) => hc, 'GlobalCredentials')
  .withEndpoint(setting('HUAWEI_ENDPOINT'))
  .withCredential(credentials)
  .build()

/**
 * One signed BSS call: POST `path` with a JSON body; resolves to the HTTP status and the
 * answer as JSON text. The SDK parses JSON answers; the customer list and the batch answers
 * carry no amounts, so the text written back from the parsed answer is exact.
 * @param {string} path @param {unknown} body
 */
async function call(path, body) {
  try {
    const answer = /** @type {Record<string, unknown>} */ (await client.sendRequest({
      method: 'POST',
      url: path,
      contentType: 'application/json;charset=UTF-8',
      queryParams: {},
      pathParams: {},
      headers: {},
      data: /** @type {Record<string, any>} */ (body),
    }))
    const { httpStatusCode, ...rest } = answer
    return { status: Number(httpStatusCode), text: JSON.stringify(rest) }
  } catch (err) {
    // The SDK's exception for an HTTP error: its status and Huawei's error envelope.
    const e = /** @type {{ status?: number, httpStatusCode?: number, errorCode?: string, errorMsg?: string }} */ (err)
    return { status: e.status ?? e.httpStatusCode ?? 0, text: JSON.stringify({ error_code: e.errorCode, error_msg: e.errorMsg }) }
  }
}

// 1. List the customers, page after page, with the body the adapter builds for the query.
const LIST = '/v2/partners/sub-customers/query'
const PAGE = 2 // small, to show paging against the stand-in; up to 100 against Huawei
const split = huaweiSplitQuery('*', 'international', { limit: PAGE })
const first = await call(LIST, JSON.parse(split.apiBody))
const pages = [first.text]
const total = Number(JSON.parse(first.text).count ?? 0)
for (const { offset, limit } of huaweiPagePlan(total, { limit: PAGE }).slice(1)) {
  pages.push((await call(LIST, JSON.parse(huaweiSplitQuery('*', 'international', { offset, limit }).apiBody))).text)
}
console.log(`listed ${total} customers in ${pages.length} pages through the SDK`)

// 2. Import them into a desk (merged by customer id) with an administrator to act.
const desk = Desk.empty({ id: 'p-1', name: 'Example Partner', site: 'international', tier: 'distributor' })
const report = desk.importHuawei('list_sub_customers', pages)
console.log(`imported: ${report.added.length} added`)
desk.addOperator('admin', 'Desk Admin', { role: 'administrator' })

// 3. Search: the reseller customers that are not frozen (names masked).
const page = desk.search('assoc=reseller and frozen=false', { limit: 10 })
for (const row of page) console.log(`match ${row.id} ${row.name}`)

// 4. Freeze them on the desk (governed, audited), then at Huawei with the body the adapter
//    builds from the same command, through the same signed client.
const ids = page.rows.map((r) => r.id)
const reason = 'overdue invoice'
const local = desk.freeze('admin', ids, reason, { scope: 'account' })
console.log(`desk freeze: ${local.succeeded} done, ${local.failed} refused`)
const body = huaweiFreezeBody(ids, reason, { scope: 'account' })
const sent = await call('/v2/partners/sub-customers/freeze', JSON.parse(body))
const remote = huaweiBatchOutcome(ids, sent.text, { httpStatus: sent.status })
for (const item of remote.items) {
  // A refusal's stable `code` is printed; `item.huaweiMessage` (Huawei's own text, verbatim)
  // is for the operator's eyes only: it may echo what was sent, so it is never logged.
  console.log(`huawei freeze ${item.customerId}: ${item.ok ? 'done' : `refused ${item.code}`}`)
}
console.log(`huawei freeze: ${remote.succeeded} done, ${remote.failed} refused (HTTP ${sent.status})`)
