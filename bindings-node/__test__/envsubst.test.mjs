// Tests of envsubst / envsubstSync (Flux's post-build substitution).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { envsubst, envsubstSync } = require('../index.js')

describe('envsubst', () => {
  it('substitutes the whole text', async () => {
    const text = 'name: ${APP}\nreplicas: ${N:-1}\nimage: ${IMG/:latest/:v1}\nlen: ${#APP}\ncost: $$5\n'
    assert.equal(
      envsubstSync(text, { APP: 'web', IMG: 'r/web:latest' }),
      'name: web\nreplicas: 1\nimage: r/web:v1\nlen: 3\ncost: $5\n',
    )
    assert.equal(envsubstSync('${A:-first\nsecond}', {}), 'first\nsecond')
    assert.equal(await envsubst('${A^^}', { A: 'straße' }), 'STRAßE')
  })

  it('keeps unknown variables empty unless strict', async () => {
    assert.equal(envsubstSync('[${MISSING}]', {}), '[]')
    assert.equal(envsubstSync('[${MISSING:=d}]', {}, { strict: true }), '[d]')
    assert.throws(() => envsubstSync('x: ${MISSING}', {}, { strict: true }), {
      code: 'ENVSUBST',
      message: 'variable not set (strict mode): "MISSING"',
    })
    await assert.rejects(envsubst('${A-x}', {}), { code: 'ENVSUBST', message: 'missing closing brace' })
  })

  it('checks its arguments', () => {
    assert.throws(() => envsubstSync(5, {}), { code: 'INVALID_VALUE' })
    assert.throws(() => envsubstSync('x', { A: 1 }), { code: 'INVALID_VALUE', path: 'variables.A' })
    assert.throws(() => envsubstSync('x', {}, { strict: 'yes' }), { code: 'INVALID_VALUE', path: 'options.strict' })
  })
})
