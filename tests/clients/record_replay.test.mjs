// Record -> replay -> diff round trip (issue 5) on a flow driven by the official SDKs: npm
// truevault 1.3.1 and npm twilio 6.2.0 talk to `mockenv record`; the scenario it writes on
// SIGINT must replay green (`mockenv replay`, JUnit written), show no difference
// (`mockenv replay --diff`), keep no attribute value (PII masked by default), and a tampered
// copy must fail with the exact report lines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import TrueVaultClient from 'truevault';
import twilio from 'twilio';
import { sourceDir, binDir } from './support.mjs';

const AC = 'AC00000000000000000000000000000001';
const AC_TOKEN = 'a0000000000000000000000000000001';
const SK = 'SK00000000000000000000000000000001';
const SK_SECRET = 'mock-api-key-secret';
const ADMIN_KEY = '00000000-0000-4000-a000-0000000000a1';
const NOTIFIER_KEY = '00000000-0000-4000-a000-0000000000a2';
const PATIENT = '4a635639-fcf5-4cca-9b79-25376fdb460f';

delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

const mockenv = path.join(binDir, 'mockenv');
const fixtures = path.join(sourceDir, 'fixtures', 'default.json');

async function waitForPort(file, child) {
  const deadline = Date.now() + 15000;
  while (!existsSync(file) || !readFileSync(file, 'utf8').endsWith('\n')) {
    if (child.exitCode !== null) throw new Error('mockenv record exited at start');
    if (Date.now() > deadline) throw new Error('mockenv record did not start');
    await sleep(10);
  }
  return Number(readFileSync(file, 'utf8').trim());
}

function replay(args) {
  return spawnSync(mockenv, ['replay', '--fixtures', fixtures, ...args], { encoding: 'utf8' });
}

describe('mockenv record -> replay -> diff with the official SDKs', () => {
  let dir;
  let recording;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'record-replay-'));
    recording = path.join(dir, 'session.json');
    const tvPortFile = path.join(dir, 'tv.port');
    const twPortFile = path.join(dir, 'tw.port');
    const child = spawn(mockenv, ['record', '--out', recording, '--fixtures', fixtures,
      '--seed', '42', '--log-level', 'warn',
      '--truevault-port', '0', '--truevault-port-file', tvPortFile,
      '--twilio-port', '0', '--twilio-port-file', twPortFile],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const tv = `http://127.0.0.1:${await waitForPort(tvPortFile, child)}`;
    const tw = `http://127.0.0.1:${await waitForPort(twPortFile, child)}`;

    // The session: the guide's SMS through TrueVault, a user with PII, Twilio directly.
    const notifier = new TrueVaultClient({ apiKey: NOTIFIER_KEY }, tv);
    const sid = await notifier.sendSMSTwilio(AC, SK, SK_SECRET, PATIENT,
      { literal_value: '+15557778888' }, { user_attribute: 'phone' },
      'Please check your HealthCo messages');
    assert.match(sid, /^SM[0-9a-f]{32}$/);
    const admin = new TrueVaultClient({ apiKey: ADMIN_KEY }, tv);
    const user = await admin.createUser('recorded-user', 'recorded-password',
      { phone: '5552223333', name: 'Secret Name' });
    const read = await admin.readUser(user.id);
    assert.deepEqual(read.attributes, { phone: '5552223333', name: 'Secret Name' });
    const client = twilio(AC, AC_TOKEN);
    client.api.baseUrl = tw;
    const created = await client.messages.create({ to: '+15550001111', from: '+15557778888',
      body: 'Your appointment is tomorrow' });
    const fetched = await client.messages(created.sid).fetch();
    assert.equal(fetched.body, 'Your appointment is tomorrow');

    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /mockenv record: wrote 5 steps to /);
  });
  after(() => { if (dir && !process.env.MOCK_KEEP_TMP) rmSync(dir, { recursive: true, force: true }); });

  it('records SDK requests as steps, volatile values as captures, PII masked', () => {
    const text = readFileSync(recording, 'utf8');
    const scenario = JSON.parse(text);
    assert.equal(scenario.seed, 42);
    assert.equal(scenario.fixture, 'default');
    assert.deepEqual(scenario.steps.map((s) => s.id), ['01_post_sms', '02_post_users',
      '03_get_users', '04_post_Messages', '05_get_Messages']);
    assert.equal(scenario.steps[0].basic_auth, '{{tv_key}}:');
    assert.equal(scenario.vars.tv_key, NOTIFIER_KEY);
    assert.equal(scenario.steps[0].capture.provider_message_id, '/provider_message_id');
    // The created user's id is captured and reused in the next step's path.
    assert.equal(scenario.steps[2].path, '/v2/users/{{id}}?full=true&_tv_sdk=1.3.1');
    assert.equal(scenario.steps[4].path, '/2010-04-01/Accounts/{{account_sid}}/Messages/{{sid}}.json');
    assert.equal(scenario.steps[3].capture.date_created, '/date_created');
    // Dates are captured, never asserted (not even date_updated == date_created).
    assert.equal(scenario.steps[4].expect.json.date_updated, undefined);
    assert.ok(!text.includes('5552223333'), 'attribute values are masked');
    assert.ok(!text.includes('Secret Name'), 'attribute values are masked');
  });

  it('replays green with JUnit output, and --diff finds no difference', () => {
    const junit = path.join(dir, 'junit.xml');
    const run = replay([recording, '--junit', junit]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^PASS 01_post_sms 200 \d+ms$/m);
    assert.match(run.stdout, /^5 passed, 0 failed$/m);
    assert.match(readFileSync(junit, 'utf8'),
      /<testsuite name="session" tests="5" failures="0" skipped="0"/);

    const diff = replay(['--diff', recording]);
    assert.equal(diff.status, 0, diff.stdout + diff.stderr);
    assert.equal((diff.stdout.match(/^SAME /mg) ?? []).length, 5, diff.stdout);
  });

  it('a tampered recording fails with the first mismatching pointer, and --diff lists it', () => {
    const scenario = JSON.parse(readFileSync(recording, 'utf8'));
    scenario.steps[4].expect.json.body = 'Your appointment is today';
    const tampered = path.join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(scenario, null, 2));
    const run = replay([tampered]);
    assert.equal(run.status, 1);
    const lines = run.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('FAIL 05_get_Messages 200 '));
    assert.ok(at > 0, run.stdout);
    assert.equal(lines[at + 1],
      '  at /body: expected "Your appointment is today", actual "Your appointment is tomorrow"');
    assert.match(lines[at + 2], /^ {2}body: \{/);
    assert.equal(lines.at(-2), '4 passed, 1 failed');

    const diff = replay(['--diff', tampered]);
    assert.equal(diff.status, 1);
    assert.ok(diff.stdout.includes('DIFF 05_get_Messages 200 '), diff.stdout);
    assert.ok(diff.stdout.includes(
      '  ~ /body: recorded "Your appointment is today", now "Your appointment is tomorrow"'),
    diff.stdout);
  });
});
