// Starts the real mock binaries for the official-client tests: --port 0 --port-file, waits
// for the port, and stops them with SIGTERM. Binaries come from $MOCK_BIN_DIR (set by ctest),
// fixtures from $MOCK_SOURCE_DIR/fixtures.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';

const here = path.dirname(new URL(import.meta.url).pathname);
export const sourceDir = process.env.MOCK_SOURCE_DIR ?? path.resolve(here, '..', '..');
export const binDir = process.env.MOCK_BIN_DIR ?? path.join(sourceDir, 'build', 'bin');

// Starts `name` (mock_twilio, mock_truevault) with extra args; resolves to
// { url, port, stop(), stderr() }.
export async function startServer(name, args = []) {
  const dir = mkdtempSync(path.join(tmpdir(), `client-${name}-`));
  const portFile = path.join(dir, 'port');
  let stderr = '';
  const child = spawn(path.join(binDir, name),
    ['--port', '0', '--port-file', portFile,
     '--fixtures', path.join(sourceDir, 'fixtures', 'default.json'), ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d) => { stderr += d; });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const deadline = Date.now() + 15000;
  while (!existsSync(portFile) || !readFileSync(portFile, 'utf8').endsWith('\n')) {
    if (exited) throw new Error(`${name} exited at start: ${stderr}`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`${name} did not start: ${stderr}`); }
    await sleep(10);
  }
  const port = Number(readFileSync(portFile, 'utf8').trim());
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async stop() {
      if (!exited) {
        const done = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// The TrueVault SDK throws an Error whose message is error.message, with .error and
// .transaction_id: asserts all of them.
export async function rejectsWith(promise, code, message) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.message, message);
    assert.equal(err.error.code, code);
    assert.equal(err.error.type, code);
    assert.match(err.transaction_id, UUID);
    return true;
  });
}
