// Tests of fetchHelmChart / fetchOci (Promise and Sync forms) against the real test
// servers (scripts/test-helm-repo.sh, scripts/test-registry.sh), found through the env file
// named by GITWARD_TEST_ENV (scripts/test.sh sets it; without it these tests are skipped).
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import zlib from 'node:zlib'

const require = createRequire(import.meta.url)
const { fetchHelmChart, fetchHelmChartSync, fetchOci, fetchOciSync } = require('../index.js')

function readEnv() {
  const file = process.env.GITWARD_TEST_ENV
  if (!file) return null
  const env = {}
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim()
    if (!t || t.startsWith('#') || !t.includes('=')) continue
    const i = t.indexOf('=')
    env[t.slice(0, i).trim()] = t.slice(i + 1).trim()
  }
  return env
}

const env = readEnv()
const skip = env ? false : 'GITWARD_TEST_ENV is not set (scripts/test.sh starts the servers)'
const sha256 = (buf) => 'sha256:' + crypto.createHash('sha256').update(buf).digest('hex')
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gitward-node-'))

/** A gzipped tar of one file (ustar header written by hand). */
function tgz(name, data) {
  const h = Buffer.alloc(512)
  h.write(name, 0)
  h.write('0000644\0', 100)
  h.write('0000000\0', 108)
  h.write('0000000\0', 116)
  h.write(data.length.toString(8).padStart(11, '0') + '\0', 124)
  h.write('00000000000\0', 136)
  h.write('0', 156)
  h.write('ustar\0', 257)
  h.write('00', 263)
  h.fill(' ', 148, 156)
  let sum = 0
  for (const b of h) sum += b
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512)
  data.copy(body)
  return zlib.gzipSync(Buffer.concat([h, body, Buffer.alloc(1024)]))
}

/** Pushes a Flux artifact to the plain registry; returns the manifest digest. */
async function pushFlux(repo, tag, file, data) {
  const base = env.GITWARD_REGISTRY_PLAIN_URL
  const blob = async (bytes) => {
    const digest = sha256(bytes)
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
    assert.equal(start.status, 202)
    const loc = start.headers.get('location')
    const url = new URL(loc, base)
    url.searchParams.set('digest', digest)
    const put = await fetch(url, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } })
    assert.equal(put.status, 201)
    return digest
  }
  const config = Buffer.from('{}')
  const layer = tgz(file, Buffer.from(data))
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.cncf.flux.config.v1+json', digest: await blob(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', digest: await blob(layer), size: layer.length }],
    }),
  )
  const put = await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  })
  assert.equal(put.status, 201)
  return sha256(manifest)
}

describe('fetchHelmChart', { skip }, () => {
  it('fetches the latest stable chart over HTTPS, sync and async', async () => {
    const chartFile = (v) => path.join(env.GITWARD_HELM_REPO_DIR, `${env.GITWARD_HELM_CHART}-${v}.tgz`)
    const out = tmp()
    const got = fetchHelmChartSync(env.GITWARD_HELM_REPO_URL, env.GITWARD_HELM_CHART, {
      caFile: env.GITWARD_TEST_CA,
      output: out,
    })
    assert.equal(got.revision, '0.2.0')
    assert.equal(got.digest, sha256(fs.readFileSync(chartFile('0.2.0'))))
    assert.equal(got.path, path.join(out, `${env.GITWARD_HELM_CHART}-0.2.0.tgz`))
    const again = await fetchHelmChart(env.GITWARD_HELM_REPO_HTTP_URL, env.GITWARD_HELM_CHART, { version: '0.1.0' })
    assert.equal(again.revision, '0.1.0')
    assert.ok(fs.existsSync(again.path))
  })

  it('rejects wrong credentials with SOURCE_AUTH and no secret', async () => {
    const secret = 'wrong-' + crypto.randomUUID()
    await assert.rejects(
      fetchHelmChart(env.GITWARD_HELM_REPO_PRIVATE_URL, env.GITWARD_HELM_CHART, {
        caFile: env.GITWARD_TEST_CA,
        username: env.GITWARD_HELM_REPO_USER,
        password: secret,
      }),
      (e) => {
        assert.equal(e.code, 'SOURCE_AUTH')
        assert.equal(e.kind, 'auth')
        assert.equal(e.url, env.GITWARD_HELM_REPO_PRIVATE_URL)
        assert.ok(!e.message.includes(secret) && !JSON.stringify(e).includes(secret))
        return true
      },
    )
    const ok = fetchHelmChartSync(env.GITWARD_HELM_REPO_PRIVATE_URL, env.GITWARD_HELM_CHART, {
      caFile: env.GITWARD_TEST_CA,
      username: env.GITWARD_HELM_REPO_USER,
      password: env.GITWARD_HELM_REPO_PASSWORD,
    })
    assert.equal(ok.revision, '0.2.0')
  })

  it('names missing charts and untrusted servers', () => {
    assert.throws(
      () => fetchHelmChartSync(env.GITWARD_HELM_REPO_HTTP_URL, 'absent'),
      (e) => e.code === 'SOURCE_NOT_FOUND' && e.message === `chart "absent" not found in ${env.GITWARD_HELM_REPO_HTTP_URL} repository`,
    )
    assert.throws(
      () => fetchHelmChartSync(env.GITWARD_HELM_REPO_URL, env.GITWARD_HELM_CHART),
      (e) => e.code === 'SOURCE_NETWORK',
    )
    assert.throws(() => fetchHelmChartSync(42, 'x'), (e) => e.code === 'INVALID_VALUE')
  })
})

describe('fetchOci', { skip }, () => {
  it('pulls a Flux artifact by tag and digest', async () => {
    const repo = `gitward/node-${crypto.randomUUID().slice(0, 8)}`
    const manifest = await pushFlux(repo, 'v1', 'deploy/cm.yaml', 'kind: ConfigMap\n')
    const url = `oci://${env.GITWARD_REGISTRY_PLAIN}/${repo}`
    const out = path.join(tmp(), 'out')
    const got = fetchOciSync(url, { tag: 'v1', insecure: true, output: out })
    assert.equal(got.revision, `v1@${manifest}`)
    assert.equal(fs.readFileSync(path.join(got.path, 'deploy/cm.yaml'), 'utf8'), 'kind: ConfigMap\n')
    const copy = await fetchOci(url, { digest: manifest, insecure: true, layerOperation: 'copy' })
    assert.equal(copy.revision, manifest)
    // Flux's digests: a copied layer's is the blob's; an extracted layer's is that of the
    // tarball source-controller archives the files into.
    const blob = fs.readFileSync(copy.path)
    assert.equal(copy.digest, `sha256:${crypto.createHash('sha256').update(blob).digest('hex')}`)
    assert.notEqual(got.digest, copy.digest)
    const ignored = fetchOciSync(url, { tag: 'v1', insecure: true, ignore: 'deploy/\n' })
    assert.match(ignored.digest, /^sha256:[0-9a-f]{64}$/)
    assert.notEqual(ignored.digest, got.digest)
    assert.equal(path.basename(copy.path), `${manifest}.tgz`)
    assert.throws(() => fetchOciSync(url, { tag: 'v1', digest: manifest }), (e) => e.code === 'INVALID_VALUE')
    assert.throws(() => fetchOciSync(url, { layerOperation: 'move' }), (e) => e.code === 'INVALID_VALUE')
  })

  it('rejects an unknown repository with SOURCE_NOT_FOUND', async () => {
    await assert.rejects(
      fetchOci(`oci://${env.GITWARD_REGISTRY_PLAIN}/gitward/never-${crypto.randomUUID().slice(0, 8)}`, { insecure: true }),
      (e) => e.code === 'SOURCE_NOT_FOUND',
    )
  })
})
