// The official Twilio Node library (npm twilio 6.2.0) against the real mock_twilio binary:
// client.api.baseUrl points at the mock (twilio-messaging.md §7 A, IP literal, no region/edge).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer } from './support.mjs';

const AC = 'AC00000000000000000000000000000001';
const TOKEN = 'a0000000000000000000000000000001';
const SK = 'SK00000000000000000000000000000001';
const SECRET = 'mock-api-key-secret';
const FROM = '+15557778888';

delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

function clientFor(server, user = AC, pass = TOKEN, opts = {}) {
  const client = twilio(user, pass, opts);
  client.api.baseUrl = server.url;
  return client;
}

async function rejects(promise, status, code, message) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.constructor.name, 'RestException');
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    assert.equal(err.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
    return true;
  });
}

describe('twilio-node 6.2.0 against mock_twilio', () => {
  let server;
  let client;
  before(async () => {
    // The default progression is timed (with the system clock): immediate keeps this quick.
    server = await startServer('mock_twilio', ['--log-level', 'warn', '--progression', 'immediate']);
    client = clientFor(server);
  });
  after(async () => {
    await server?.stop();
  });

  it('creates and fetches a message', async () => {
    const created = await client.messages.create({ to: '+15550001111', from: FROM, body: 'Hello from node 👍' });
    assert.match(created.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(created.status, 'queued');
    assert.equal(created.accountSid, AC);
    assert.equal(created.numSegments, '1');
    assert.equal(created.body, 'Hello from node 👍');
    assert.equal(created.dateSent, null);
    assert.ok(created.dateCreated instanceof Date && !Number.isNaN(created.dateCreated.getTime()));

    // Transitions run on the mock's scheduler thread: poll until final.
    let fetched = await client.messages(created.sid).fetch();
    for (let i = 0; i < 200 && fetched.status !== 'delivered'; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      fetched = await client.messages(created.sid).fetch();
    }
    assert.equal(fetched.sid, created.sid);
    assert.equal(fetched.status, 'delivered');
    assert.equal(fetched.price, '-0.00790');
    assert.equal(fetched.priceUnit, 'USD');
    assert.ok(fetched.dateSent instanceof Date);
  });

  it('lists with paging: pageSize 2 over more than 5 messages', async () => {
    const to = '+15550002222';
    const sids = [];
    for (let i = 0; i < 5; i += 1) {
      sids.push((await client.messages.create({ to, from: FROM, body: `page test ${i}` })).sid);
    }
    // list() follows next_page_uri until the end.
    const all = await client.messages.list({ to, pageSize: 2 });
    assert.deepEqual(all.map((m) => m.sid).sort(), [...sids].sort());

    // The same, page by page.
    const page1 = await client.messages.page({ to, pageSize: 2 });
    assert.equal(page1.instances.length, 2);
    const page2 = await page1.nextPage();
    assert.equal(page2.instances.length, 2);
    const page3 = await page2.nextPage();
    assert.equal(page3.instances.length, 1);
    assert.equal(await page3.nextPage(), undefined);
    const paged = [...page1.instances, ...page2.instances, ...page3.instances].map((m) => m.sid);
    assert.equal(new Set(paged).size, 5);
    assert.deepEqual([...paged].sort(), [...sids].sort());
  });

  it('redacts and deletes', async () => {
    const m = await client.messages.create({ to: '+15550003333', from: FROM, body: 'secret' });
    for (let i = 0; i < 200 && (await client.messages(m.sid).fetch()).status !== 'delivered'; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const redacted = await client.messages(m.sid).update({ body: '' });
    assert.equal(redacted.body, '');
    assert.equal((await client.messages(m.sid).fetch()).body, '');
    assert.equal(await client.messages(m.sid).remove(), true);
    await rejects(client.messages(m.sid).fetch(), 404, 20404,
      `The requested resource /2010-04-01/Accounts/${AC}/Messages/${m.sid}.json was not found`);
  });

  it('maps errors to RestException: 401, 404, 21211, 21603', async () => {
    const wrong = clientFor(server, AC, 'not-the-token');
    await rejects(wrong.messages.create({ to: '+15550001111', from: FROM, body: 'x' }), 401, 20003, 'Authenticate');
    await rejects(wrong.messages.list({ pageSize: 2 }), 401, 20003, 'Authenticate');
    // Another account's valid credentials on this account's path.
    const other = clientFor(server, 'AC00000000000000000000000000000002', 'a0000000000000000000000000000002');
    await rejects(other.api.v2010.accounts(AC).messages.create({ to: '+15550001111', from: FROM, body: 'x' }),
      401, 20003, 'Authenticate');

    await rejects(client.messages('SM0000000000000000000000000000beef').fetch(), 404, 20404,
      `The requested resource /2010-04-01/Accounts/${AC}/Messages/SM0000000000000000000000000000beef.json was not found`);
    await rejects(client.messages.create({ to: 'not-a-number', from: FROM, body: 'x' }), 400, 21211,
      "The 'To' number not-a-number is not a valid phone number.");
    await rejects(client.messages.create({ to: '+15550001111', body: 'x' }), 400, 21603,
      "A 'From' phone number is required.");
  });

  it('works with an API key (SK + secret + accountSid)', async () => {
    const keyed = clientFor(server, SK, SECRET, { accountSid: AC });
    const m = await keyed.messages.create({ to: '5550001111', from: FROM, body: 'via API key' });
    assert.equal(m.to, '+15550001111');
    assert.equal(m.accountSid, AC);
    const listed = await keyed.messages.list({ to: '+15550001111', pageSize: 50 });
    assert.ok(listed.some((x) => x.sid === m.sid));
    const badKey = clientFor(server, SK, 'wrong-secret', { accountSid: AC });
    await rejects(badKey.messages(m.sid).fetch(), 401, 20003, 'Authenticate');
  });
});
