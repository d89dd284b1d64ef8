// Tests of health / healthSync: kstatus' verdicts (checked against kstatus v0.37.2).
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'

const require = createRequire(import.meta.url)
const { health, healthSync, parseManifests } = require('../index.js')

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', generation: 2 },
  spec: { replicas: 2 },
  status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 },
}

describe('healthSync', () => {
  it('computes a rolling deployment', () => {
    assert.deepEqual(healthSync(DEPLOYMENT), { status: 'InProgress', message: 'Available: 1/2' })
  })
  it('reads parseManifests objects', () => {
    const [cm] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n')
    assert.deepEqual(healthSync(cm), { status: 'Current', message: 'Resource is always ready' })
  })
  it('throws a HEALTH error with a kind', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Evicted' } }
    assert.throws(() => healthSync(pod), (err) => {
      assert.equal(err.code, 'HEALTH')
      assert.equal(err.kind, 'unknown_phase')
      assert.equal(err.message, 'unknown phase Evicted')
      return true
    })
  })
  it('rejects values without a JSON counterpart', () => {
    assert.throws(() => healthSync({ kind: 'ConfigMap', data: { f: () => 1 } }), { code: 'INVALID_VALUE' })
  })
})

describe('health', () => {
  it('resolves', async () => {
    assert.equal((await health(DEPLOYMENT)).status, 'InProgress')
  })
  it('rejects with HEALTH', async () => {
    const w = { apiVersion: 'example.com/v1', kind: 'W', metadata: { name: 'w' }, status: 'x' }
    await assert.rejects(health(w), { code: 'HEALTH', kind: 'conditions' })
  })
})
