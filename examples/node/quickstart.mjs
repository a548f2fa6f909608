// partnerdesk quick start (Node): the shared scenario of the Python, Node and Kotlin guides.
// Type-checked against the package's index.d.ts with `tsc --noEmit` (see bindings/node/test.sh),
// and run there from a fresh project that installed the two tarballs of bindings/node/package.sh:
//   npm install partnerdesk-0.1.0.tgz partnerdesk-linux-x64-gnu-0.1.0.tgz && node quickstart.mjs
import { Desk, demoNow } from 'partnerdesk'

/** @type {import('partnerdesk').Desk} */
const desk = Desk.demo(1000, 42) // 1,000 demo customers, seed 42
const now = demoNow() // the demo's moment; \`now\` defaults to the wall clock (UTC)
const filter = 'assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)'
/** @type {import('partnerdesk').SearchOptions} */
const options = { sort: 'mtd', descending: true, limit: 5, now }

const page = desk.search(filter, options)
console.log(`total: ${page.total}`)
for (const row of page.rows) {
  // Names are masked; money is an exact decimal string.
  console.log(`${row.id}  ${row.name}  ${row.monthToDate.amount} ${row.monthToDate.currency}`)
}

if (page.nextCursor) {
  const next = desk.search(filter, { ...options, cursor: page.nextCursor })
  console.log(`next page: ${next.rows.map((r) => r.id).join(', ')}`)
}

// A governed command: the billing operator may freeze, an account manager may not.
const target = page.rows.find((r) => r.freezeScope == null)?.id ?? page.rows[0].id
// An actor is an operator's login or an Actor value ({ kind: 'operator', id: 'am_000' }).
const outcome = desk.freeze('ops_billing', [target], 'overdue invoice', { scope: 'account', now })
console.log(`freeze by ops_billing: ${outcome.succeeded} done, ${outcome.failed} refused`)
console.log(`row now: frozen=${desk.customerRow(target, now).freezeScope}`)
try {
  desk.freeze({ kind: 'operator', id: 'am_000' }, [target], 'overdue invoice', { scope: 'account', now })
} catch (err) {
  const code = /** @type {{ code?: string }} */ (err).code
  console.log(`freeze by am_000: ${code}`) // PERMISSION_DENIED, audited, nothing changed
}

try {
  desk.search('mtd>=')
} catch (err) {
  const code = /** @type {{ code?: string }} */ (err).code
  console.log(`bad filter: ${code}`) // FILTER_SYNTAX
}
