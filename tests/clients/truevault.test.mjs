// The official TrueVault JS SDK (npm truevault 1.3.1) against the real mock_truevault binary,
// which forwards SMS to the real mock_twilio binary (issue 3, "Official client"). The SDK is
// pointed at the mock through its host argument (truevault-api.md 1.1).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TrueVaultClient from 'truevault';  // CommonJS: module.exports = TrueVaultClient
import { rejectsWith, startServer, UUID } from './support.mjs';

const ACCOUNT = '00000000-0000-4000-a000-000000000001';
const ADMIN_KEY = '00000000-0000-4000-a000-0000000000a1';
const NOTIFIER_KEY = '00000000-0000-4000-a000-0000000000a2';
const READONLY_KEY = '00000000-0000-4000-a000-0000000000a3';
const PATIENT = '4a635639-fcf5-4cca-9b79-25376fdb460f';
const READ_ONLY_GROUP = '00000000-0000-4000-a000-000000000202';
const AC = 'AC00000000000000000000000000000001';
const AC_TOKEN = 'a0000000000000000000000000000001';
const SK = 'SK00000000000000000000000000000001';
const SK_SECRET = 'mock-api-key-secret';

describe('truevault 1.3.1 SDK against mock_truevault', () => {
  let twilio;
  let truevault;
  let admin;
  before(async () => {
    twilio = await startServer('mock_twilio', ['--log-level', 'warn']);
    truevault = await startServer('mock_truevault', ['--log-level', 'warn', '--twilio-url', twilio.url]);
    admin = new TrueVaultClient({ apiKey: ADMIN_KEY }, truevault.url);
  });
  after(async () => {
    await truevault?.stop();
    await twilio?.stop();
  });

  it('creates, reads, lists, updates and deletes users', async () => {
    const created = await admin.createUser('sdk-user', 'sdk-password', { phone: '5552223333' },
      [READ_ONLY_GROUP], 'PENDING');
    assert.match(created.id, UUID);
    assert.equal(created.user_id, created.id);
    assert.equal(created.status, 'PENDING');
    assert.match(created.api_key, UUID);
    assert.equal(typeof created.access_token, 'string');

    const read = await admin.readUser(created.id);
    assert.deepEqual(read.attributes, { phone: '5552223333' });
    assert.deepEqual(read.group_ids, [READ_ONLY_GROUP]);
    const both = await admin.readUsers([created.id, PATIENT]);
    assert.deepEqual(both.map((u) => u.id), [created.id, PATIENT]);

    const listed = await admin.listUsers(true);
    const mine = listed.find((u) => u.id === created.id);
    assert.deepEqual(mine.attributes, { phone: '5552223333' });
    const plain = await admin.listUsers();
    assert.equal(plain.find((u) => u.id === created.id).attributes, undefined);
    const pending = await admin.listUsersWithStatus('PENDING');
    assert.deepEqual(pending.map((u) => u.id), [created.id]);

    assert.equal((await admin.updateUserStatus(created.id, 'ACTIVATED')).status, 'ACTIVATED');
    assert.equal((await admin.updateUserUsername(created.id, 'sdk-renamed')).username, 'sdk-renamed');
    await admin.updateUserAttributes(created.id, { phone: '5554445555' });
    assert.deepEqual((await admin.readUser(created.id)).attributes, { phone: '5554445555' });
    await admin.updateUserPassword(created.id, 'new-password');
    const login = await TrueVaultClient.login(ACCOUNT, 'sdk-renamed', 'new-password', null, truevault.url);
    assert.equal((await login.readCurrentUser(false)).id, created.id);

    const deleted = await admin.deleteUser(created.id);
    assert.equal(deleted.id, created.id);
    assert.equal((await admin.readUser(created.id)).status, 'DEACTIVATED');
    await rejectsWith(admin.readUser('00000000-0000-4000-a000-000000000999'), 'USER.NOT_FOUND',
      'User 00000000-0000-4000-a000-000000000999 does not exist');
    const readonly = new TrueVaultClient({ apiKey: READONLY_KEY }, truevault.url);
    await rejectsWith(readonly.createUser('x', 'y'), 'AUTH.FORBIDDEN',
      "Not authorized: the caller's group policies do not grant C on User::");
  });

  it('creates, reads, lists, updates and deletes groups and membership', async () => {
    const policy = [{ Resources: ['User::.*'], Activities: 'R' }];
    const group = await admin.createGroup('sdk-group', policy, [PATIENT]);
    assert.equal(group.group_id, group.id);
    assert.deepEqual(group.policy, policy);
    assert.deepEqual(group.user_ids, [PATIENT]);

    const groups = await admin.listGroups();
    assert.ok(groups.some((g) => g.id === group.id && g.user_ids === undefined));
    assert.deepEqual((await admin.readFullGroup(group.id)).user_ids, [PATIENT]);

    const renamed = await admin.updateGroup(group.id, 'sdk-group-2', [{ Resources: ['Group::.*'], Activities: 'CR' }]);
    assert.equal(renamed.name, 'sdk-group-2');
    assert.deepEqual(renamed.policy, [{ Resources: ['Group::.*'], Activities: 'CR' }]);

    await admin.addUsersToGroup(group.id, ['00000000-0000-4000-a000-000000000103']);
    assert.deepEqual((await admin.readFullGroup(group.id)).user_ids,
      [PATIENT, '00000000-0000-4000-a000-000000000103']);
    await admin.removeUsersFromGroup(group.id, [PATIENT]);
    assert.deepEqual((await admin.readFullGroup(group.id)).user_ids, ['00000000-0000-4000-a000-000000000103']);
    assert.deepEqual((await admin.addUsersToGroupReturnUserIds(group.id, [PATIENT])).user_ids,
      ['00000000-0000-4000-a000-000000000103', PATIENT]);
    assert.deepEqual((await admin.removeUsersFromGroupReturnUserIds(group.id, [PATIENT])).user_ids,
      ['00000000-0000-4000-a000-000000000103']);

    await rejectsWith(admin.createGroup('bad', [{ Resources: ['User::('], Activities: 'R' }]),
      'GROUP.INVALID_POLICY',
      "Invalid policy: statement 0: resource matcher 'User::(' is not a valid RE2 regular expression: missing ): User::(");
    assert.equal((await admin.deleteGroup(group.id)).id, group.id);
    await rejectsWith(admin.readFullGroup(group.id), 'GROUP.NOT_FOUND', `Group ${group.id} does not exist`);
  });

  it('logs in, reads the current user, logs out', async () => {
    const client = await TrueVaultClient.login(ACCOUNT, 'patient@example.com', 'patient-password',
      null, truevault.url, new Date('2100-01-01T00:00:00.000Z'));
    const me = await client.readCurrentUser();
    assert.equal(me.id, PATIENT);
    assert.deepEqual(me.attributes, { phone: '5550001111' });
    const token = client.accessToken;
    const updated = await client.updateCurrentUser({ phone: '5550001111', nick: 'pat' });
    assert.deepEqual(updated.attributes, { phone: '5550001111', nick: 'pat' });
    const loggedOut = await client.logout();
    assert.equal(loggedOut.id, PATIENT);
    assert.equal(loggedOut.username, 'patient@example.com');
    const stale = new TrueVaultClient({ accessToken: token }, truevault.url);
    await rejectsWith(stale.readCurrentUser(), 'AUTH.TOKEN_REVOKED',
      'Access token is no longer valid (logged out)');
    await rejectsWith(TrueVaultClient.login(ACCOUNT, 'patient@example.com', 'wrong', null, truevault.url),
      'AUTH.INVALID_CREDENTIALS', 'Invalid account_id, username or password');
  });

  it('rotates API keys and mints access tokens', async () => {
    const user = await admin.createUser('key-rotation', 'pw');
    const first = new TrueVaultClient({ apiKey: user.api_key }, truevault.url);
    assert.equal((await first.readCurrentUser(false)).id, user.id);
    const key = await admin.createUserApiKey(user.id);
    assert.match(key, UUID);
    assert.notEqual(key, user.api_key);
    await rejectsWith(first.readCurrentUser(), 'AUTH.INVALID_CREDENTIALS', 'Invalid API key or access token');
    assert.equal((await new TrueVaultClient({ apiKey: key }, truevault.url).readCurrentUser(false)).id, user.id);
    // The SDK sends "not_valid_after " (trailing space) as the field name.
    const token = await admin.createUserAccessToken(user.id, new Date(Date.now() + 3600 * 1000));
    assert.equal((await new TrueVaultClient({ accessToken: token }, truevault.url).readCurrentUser(false)).id, user.id);
  });

  it('sends the guide SMS to the patient with sendSMSTwilio, checked at mock_twilio', async () => {
    const notifier = new TrueVaultClient({ apiKey: NOTIFIER_KEY }, truevault.url);
    const sid = await notifier.sendSMSTwilio(AC, SK, SK_SECRET, PATIENT,
      { literal_value: '+15557778888' }, { user_attribute: 'phone' },
      'Please check your HealthCo messages');
    assert.match(sid, /^SM[0-9a-f]{32}$/);
    const res = await fetch(`${twilio.url}/2010-04-01/Accounts/${AC}/Messages/${sid}.json`, {
      headers: { Authorization: `Basic ${Buffer.from(`${AC}:${AC_TOKEN}`).toString('base64')}` },
    });
    assert.equal(res.status, 200);
    const message = await res.json();
    assert.equal(message.to, '+15550001111');
    assert.equal(message.from, '+15557778888');
    assert.equal(message.body, 'Please check your HealthCo messages');

    await rejectsWith(notifier.sendSMSTwilio(AC, SK, 'wrong-secret', PATIENT,
      { literal_value: '+15557778888' }, { user_attribute: 'phone' }, 'x'),
      'MESSAGE.PROVIDER_ERROR', 'Twilio error 20003: Authenticate');
    const readonly = new TrueVaultClient({ apiKey: READONLY_KEY }, truevault.url);
    await rejectsWith(readonly.sendSMSTwilio(AC, SK, SK_SECRET, PATIENT,
      { literal_value: '+15557778888' }, { user_attribute: 'phone' }, 'x'),
      'AUTH.FORBIDDEN',
      `Not authorized: the caller's group policies do not grant C on User::${PATIENT}::Message`);
  });
});
