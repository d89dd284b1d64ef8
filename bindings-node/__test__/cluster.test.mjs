// Tests of apply / applySync and plan / planSync. Argument checks run everywhere; the
// cluster tests need the project's kube-apiserver, found through the env file named by
// GITWARD_TEST_ENV (scripts/test.sh sets it; without it they are skipped).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const { apply, applySync, diff, diffSync, plan, planSync } = require('../index.js')

function kubeconfig() {
  const file = process.env.GITWARD_TEST_ENV
  if (!file) return null
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=')
    if (i > 0 && line.slice(0, i).trim() === 'KUBECONFIG') return line.slice(i + 1).trim()
  }
  throw new Error(`${file} does not describe the test cluster (no KUBECONFIG)`)
}

const KUBECONFIG = kubeconfig()
const skip = KUBECONFIG ? false : 'GITWARD_TEST_ENV is not set (scripts/test.sh starts the servers)'
const SECRET = 'node-hunter2-' + randomBytes(8).toString('hex')
const OWNER = { ownerName: 'apps', ownerNamespace: 'flux-system' }

function objects(ns, level, withExtra = true) {
  const out = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: ns }, data: { LEVEL: level } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: ns }, stringData: { password: SECRET } },
  ]
  if (withExtra) {
    out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: ns }, data: { a: 'b' } })
  }
  return out
}

const lines = (r) => r.entries.map((e) => `${e.subject} ${e.action}`)
const newNs = () => 'node-' + randomBytes(5).toString('hex')

describe('apply arguments', () => {
  it('checks its arguments before connecting', () => {
    assert.throws(() => applySync('nope'), { code: 'INVALID_VALUE', name: 'TypeError' })
    assert.throws(() => planSync([{ a: new Map() }]), { code: 'INVALID_VALUE', path: '[0].a' })
    assert.throws(() => applySync([], { inventory: { entries: 5 } }), {
      code: 'INVALID_VALUE',
      path: 'options.inventory',
    })
    assert.throws(() => applySync([], { ownerName: 'apps' }), { code: 'INVALID_VALUE' })
    assert.throws(() => applySync([], { prune: 'yes' }), { code: 'INVALID_VALUE', path: 'options.prune' })
  })

  it('plans in memory against live objects', () => {
    const desired = objects('mem', 'debug')
    const live = objects('mem', 'info').slice(0, 2)
    const planned = planSync(desired, { live })
    const by = Object.fromEntries(planned.stages.flatMap((s) => s.entries).map((e) => [e.subject, e]))
    assert.equal(by['Namespace/mem'].action, 'unchanged')
    assert.equal(by['ConfigMap/mem/cfg'].action, 'configured')
    assert.deepEqual(by['ConfigMap/mem/cfg'].fields, ['data.LEVEL'])
    assert.equal(by['Secret/mem/creds'].action, 'created')
    assert.ok(!JSON.stringify(planned).includes(SECRET))
    assert.throws(() => planSync([...desired, desired[0]], { live: [] }), { code: 'CLUSTER_INVALID' })
    assert.throws(() => applySync([], { timeout: 0 }), { code: 'INVALID_VALUE', path: 'options.timeout' })
  })

  it('diffs in memory with Secret values masked and ignore rules', () => {
    const desired = objects('mem', 'debug')
    const live = objects('mem', 'info').slice(0, 2)
    live[0] = { ...live[0], spec: { finalizers: ['kubernetes'] } }
    live.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'mem' }, data: { password: 'b2xkLXZhbHVl' } })
    const report = diffSync(desired, { live })
    assert.equal(report.hasChanges, true)
    const cfg = report.objects.find((o) => o.subject === 'ConfigMap/mem/cfg')
    assert.deepEqual(cfg.changes.map((c) => c.path), ['/data/LEVEL'])
    assert.ok(report.text.includes('► ConfigMap/mem/cfg drifted'))
    const text = JSON.stringify(report)
    assert.ok(!text.includes(SECRET) && !text.includes('b2xkLXZhbHVl'))
    const ignored = diffSync(desired.slice(0, 2), {
      live: live.slice(0, 2),
      ignore: [{ paths: ['/data/LEVEL'], target: { kind: 'ConfigMap' } }],
    })
    assert.equal(ignored.hasChanges, false)
    assert.throws(() => diffSync(desired, { live, ignore: [{ paths: 5 }] }), { code: 'INVALID_VALUE', path: 'options.ignore' })
  })

  it('reports an unreadable kubeconfig as CLUSTER_KUBECONFIG', async () => {
    await assert.rejects(apply(objects('x', 'info'), { kubeconfig: '/nonexistent/kubeconfig' }), {
      code: 'CLUSTER_KUBECONFIG',
      kind: 'kubeconfig',
    })
  })
})

describe('apply and plan against the cluster', { skip }, () => {
  it('applies, plans, prunes', async () => {
    const ns = newNs()
    const opts = { kubeconfig: KUBECONFIG, ...OWNER }
    const first = applySync(objects(ns, 'info'), opts)
    assert.deepEqual(lines(first), [
      `Namespace/${ns} created`,
      `ConfigMap/${ns}/cfg created`,
      `ConfigMap/${ns}/extra created`,
      `Secret/${ns}/creds created`,
    ])
    assert.equal(first.inventory.entries[0].id, `_${ns}__Namespace`)
    const again = planSync(objects(ns, 'info'), opts)
    assert.deepEqual(
      again.stages.flatMap((s) => s.entries.map((e) => e.action)),
      ['unchanged', 'unchanged', 'unchanged', 'unchanged'],
    )
    const changed = await plan(objects(ns, 'debug'), { ...opts, inventory: first.inventory })
    const cfg = changed.stages.flatMap((s) => s.entries).find((e) => e.subject === `ConfigMap/${ns}/cfg`)
    assert.equal(cfg.action, 'configured')
    assert.equal(cfg.reason, 'drifted from the manifest')
    const pruned = await apply(objects(ns, 'debug', false), { ...opts, inventory: first.inventory, prune: true })
    assert.deepEqual(lines(pruned), [
      `Namespace/${ns} unchanged`,
      `ConfigMap/${ns}/cfg configured`,
      `Secret/${ns}/creds unchanged`,
      `ConfigMap/${ns}/extra deleted`,
    ])
    assert.equal(pruned.inventory.entries.length, 3)
    const after = await diff(objects(ns, 'debug', false), opts)
    assert.equal(after.hasChanges, false, after.text)
    const drift = diffSync(objects(ns, 'trace', false), opts)
    assert.deepEqual(
      drift.objects.filter((o) => o.action === 'configured').map((o) => o.subject),
      [`ConfigMap/${ns}/cfg`],
    )
    assert.ok(!JSON.stringify([after, drift]).includes(SECRET))
    assert.ok(!JSON.stringify([first, again, changed, pruned]).includes(SECRET))
  })

  it('throws typed errors that never hold a Secret value', () => {
    const ns = newNs()
    const bad = objects(ns, 'info')
    bad[2].metadata.labels = { 'bad label!': SECRET }
    let err
    try {
      applySync(bad, { kubeconfig: KUBECONFIG })
    } catch (e) {
      err = e
    }
    assert.ok(err, 'the apply must fail')
    assert.equal(err.code, 'CLUSTER_INVALID')
    assert.equal(err.kind, 'invalid')
    assert.equal(err.subject, `Secret/${ns}/creds`)
    assert.equal(err.statusCode, 422)
    assert.ok(err.fields.some((f) => f.includes('labels')), JSON.stringify(err.fields))
    assert.deepEqual(err.entries, [{ subject: `Namespace/${ns}`, action: 'created' }])
    assert.ok(!String(err.message).includes(SECRET))
    assert.ok(!JSON.stringify(err).includes(SECRET))
    const missing = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: newNs() } }]
    assert.throws(() => applySync(missing, { kubeconfig: KUBECONFIG }), { code: 'CLUSTER_NOT_FOUND' })
  })
})
