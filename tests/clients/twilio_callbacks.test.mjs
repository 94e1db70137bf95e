// Status callbacks and inbound webhooks from mock_twilio, checked by the official library's own
// validator (twilio.validateRequest), and the test-credential magic numbers as the library's
// RestException codes. mock_twilio runs with --clock manual: POST /_mock/clock drives time.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { startServer, sourceDir } from './support.mjs';

const AC = 'AC00000000000000000000000000000001';
const TOKEN = 'a0000000000000000000000000000001';
const AC_TEST = 'AC00000000000000000000000000000003';
const TEST_TOKEN = 'a0000000000000000000000000000003';
const MG = 'MG00000000000000000000000000000001';
const FROM = '+15557778888';

delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

// A webhook receiver: records { url, headers, params } and answers 200 (TwiML on /sms).
function startReceiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      got.push({ path: req.url, headers: req.headers, params });
      if (req.url === '/sms') {
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end('<Response><Message>Reply from node</Message></Response>');
      } else {
        res.writeHead(204);
        res.end();
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const base = `http://127.0.0.1:${server.address().port}`;
      resolve({ got, base, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

async function until(predicate, what) {
  for (let i = 0; i < 500; i += 1) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function control(server, method, path, body) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

function clientFor(server, user = AC, pass = TOKEN) {
  const client = twilio(user, pass);
  client.api.baseUrl = server.url;
  return client;
}

describe('mock_twilio webhooks validated by twilio-node 6.2.0', () => {
  let server;
  let receiver;
  let dir;
  before(async () => {
    receiver = await startReceiver();
    // The default fixture with +15557778888's sms_url pointing at the receiver (a text edit:
    // the fixture file allows comments, which JSON.parse does not).
    dir = mkdtempSync(path.join(tmpdir(), 'twilio-callbacks-'));
    const text = readFileSync(path.join(sourceDir, 'fixtures', 'default.json'), 'utf8');
    const number = '"phone_number": "+15557778888", "sms_capable": true';
    assert.ok(text.includes(number));
    writeFileSync(path.join(dir, 'default.json'),
      text.replace(number, `${number}, "sms_url": "${receiver.base}/sms"`));
    server = await startServer('mock_twilio', ['--log-level', 'warn', '--clock', 'manual',
      '--fixtures', path.join(dir, 'default.json')]);
  });
  after(async () => {
    await server?.stop();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every status callback passes twilio.validateRequest, in order', async () => {
    const client = clientFor(server);
    const url = `${receiver.base}/status?token=abc`;
    const plain = await client.messages.create({ to: '+15550001111', from: FROM, body: 'Hi 👍', statusCallback: url });
    const failing = await client.messages.create({ to: '+15550100001', from: FROM, body: 'x', statusCallback: url });
    const pooled = await client.messages.create({ to: '+15550002222', messagingServiceSid: MG, body: 'pool', statusCallback: url });
    assert.equal(pooled.status, 'accepted');
    assert.equal(pooled.from, null);
    assert.equal((await control(server, 'POST', '/_mock/clock', { advance_seconds: 60 })).status, 200);
    await until(() => receiver.got.length === 10, '10 callbacks');
    for (const r of receiver.got) {
      assert.equal(r.headers['user-agent'], 'TwilioProxy/1.1');
      assert.ok(r.headers['i-twilio-idempotency-token']);
      assert.equal(twilio.validateRequest(TOKEN, r.headers['x-twilio-signature'], url, r.params), true,
        JSON.stringify(r.params));
      assert.equal(twilio.validateRequest('wrong-token', r.headers['x-twilio-signature'], url, r.params), false);
    }
    const statuses = (sid) => receiver.got.filter((r) => r.params.MessageSid === sid).map((r) => r.params.MessageStatus);
    assert.deepEqual(statuses(plain.sid), ['sending', 'sent', 'delivered']);
    assert.deepEqual(statuses(failing.sid), ['sending', 'sent', 'undelivered']);
    assert.deepEqual(statuses(pooled.sid), ['queued', 'sending', 'sent', 'delivered']);
    const undelivered = receiver.got.find((r) => r.params.MessageStatus === 'undelivered');
    assert.equal(undelivered.params.ErrorCode, '30003');
    assert.ok(receiver.got.filter((r) => r.params.MessageSid === pooled.sid)
      .every((r) => r.params.MessagingServiceSid === MG));
    const fetched = await client.messages(failing.sid).fetch();
    assert.equal(fetched.status, 'undelivered');
    assert.equal(fetched.errorCode, 30003);
  });

  it('the inbound webhook validates too, and its TwiML reply is sent', async () => {
    const r = await control(server, 'POST', '/_mock/twilio/inbound', { From: '+15550001111', To: FROM, Body: 'Hello' });
    assert.equal(r.status, 201);
    assert.equal(r.json.message.direction, 'inbound');
    assert.equal(r.json.message.status, 'received');
    assert.equal(r.json.replies.length, 1);
    assert.equal(r.json.replies[0].direction, 'outbound-reply');
    assert.equal(r.json.replies[0].body, 'Reply from node');
    const hook = receiver.got.at(-1);
    assert.equal(hook.path, '/sms');
    assert.equal(hook.params.Body, 'Hello');
    assert.equal(hook.params.SmsStatus, 'received');
    assert.equal(twilio.validateRequest(TOKEN, hook.headers['x-twilio-signature'], `${receiver.base}/sms`,
      hook.params), true);
    const help = await control(server, 'POST', '/_mock/twilio/inbound', { From: '+15550001111', To: FROM, Body: 'HELP' });
    assert.equal(help.json.replies[0].body, 'Reply STOP to unsubscribe. Msg&Data Rates May Apply.');
    assert.equal(receiver.got.at(-1).params.OptOutType, 'HELP');
  });

  it('STOP makes the library see 21610; START lifts it', async () => {
    const client = clientFor(server);
    await control(server, 'POST', '/_mock/twilio/inbound', { From: '+15550003333', To: FROM, Body: 'STOP' });
    await assert.rejects(client.messages.create({ to: '+15550003333', from: FROM, body: 'x' }), (err) => {
      assert.equal(err.constructor.name, 'RestException');
      assert.equal(err.status, 400);
      assert.equal(err.code, 21610);
      assert.equal(err.message, 'Attempt to send to unsubscribed recipient');
      return true;
    });
    await control(server, 'POST', '/_mock/twilio/inbound', { From: '+15550003333', To: FROM, Body: 'start' });
    const ok = await client.messages.create({ to: '+15550003333', from: FROM, body: 'welcome back' });
    assert.equal(ok.status, 'queued');
  });

  it('test credentials: the magic numbers give the library RestException codes', async () => {
    const client = clientFor(server, AC_TEST, TEST_TOKEN);
    const cases = [
      ['+15005550001', '+15550001111', 21212],
      ['+15005550007', '+15550001111', 21606],
      ['+15005550008', '+15550001111', 21611],
      ['+15005550006', '+15005550001', 21211],
      ['+15005550006', '+15005550002', 21612],
      ['+15005550006', '+15005550003', 21408],
      ['+15005550006', '+15005550004', 21610],
      ['+15005550006', '+15005550009', 21614],
    ];
    for (const [from, to, code] of cases) {
      await assert.rejects(client.messages.create({ to, from, body: 'x' }), (err) => {
        assert.equal(err.constructor.name, 'RestException', `${from} -> ${to}`);
        assert.equal(err.status, 400);
        assert.equal(err.code, code, `${from} -> ${to}`);
        assert.equal(err.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
        return true;
      });
    }
    const before = receiver.got.length;
    const ok = await client.messages.create({ to: '+15550001111', from: '+15005550006', body: 'x',
      statusCallback: `${receiver.base}/never` });
    assert.equal(ok.status, 'queued');
    await control(server, 'POST', '/_mock/clock', { advance_seconds: 60 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await client.messages.create({ to: '+15550001111', from: '+15005550006', body: 'y' })).status, 'queued');
    assert.equal(receiver.got.length, before);  // test credentials never send callbacks
  });
});
