// The official TrueVault JS SDK (npm truevault 1.3.1): searchUsers against the real
// mock_truevault binary (POST /v1/users/search, truevault-api.md 4.10). The SDK sends the
// search option as base64 JSON in a multipart form and base64-decodes each document's
// attributes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TrueVaultClient from 'truevault';
import { rejectsWith, startServer, UUID } from './support.mjs';

const ADMIN_KEY = '00000000-0000-4000-a000-0000000000a1';
const READONLY_KEY = '00000000-0000-4000-a000-0000000000a3';

describe('truevault 1.3.1 searchUsers against mock_truevault', () => {
  let truevault;
  let admin;
  before(async () => {
    truevault = await startServer('mock_truevault', ['--log-level', 'warn']);
    admin = new TrueVaultClient({ apiKey: ADMIN_KEY }, truevault.url);
  });
  after(async () => {
    await truevault?.stop();
  });

  it('searches by wildcard, attribute, range and status, with paging, sort and documents', async () => {
    const a = await admin.createUser('search-a@truevault.com', 'pw', { team: 'red', age: 30 });
    const b = await admin.createUser('search-b@TrueVault.com', 'pw', { team: 'blue', age: 40 });
    const c = await admin.createUser('search-c@example.com', 'pw', { team: 'red' }, [], 'PENDING');

    const found = await admin.searchUsers({
      filter: { '$tv.username': { type: 'wildcard', value: 'search-*@truevault.com' } },
      full_document: true,
      sort: [{ '$tv.username': 'desc' }],
    });
    assert.deepEqual(found.documents.map((d) => d.id), [b.id, a.id]);
    assert.deepEqual(found.documents[0].attributes, { team: 'blue', age: 40 });
    assert.deepEqual(found.info, { current_page: 1, num_pages: 1, per_page: 100, total_result_count: 2 });

    const red = await admin.searchUsers({ filter: { team: { type: 'eq', value: 'red' } }, per_page: 1, page: 2 });
    assert.deepEqual(red.documents, [{ id: c.id }]);
    assert.deepEqual(red.info, { current_page: 2, num_pages: 2, per_page: 1, total_result_count: 2 });

    const both = await admin.searchUsers({
      filter: { age: { type: 'range', value: { gte: 35 } }, '$tv.status': { type: 'eq', value: 'PENDING' } },
    });
    assert.deepEqual(both.documents.map((d) => d.id), [b.id, c.id]);
    const neither = await admin.searchUsers({
      filter: { age: { type: 'range', value: { gte: 35 } }, '$tv.status': { type: 'eq', value: 'PENDING' } },
      filter_type: 'and',
    });
    assert.deepEqual(neither.documents, []);
    assert.deepEqual(neither.info, { current_page: 0, num_pages: 0, per_page: 100, total_result_count: 0 });
  });

  it('surfaces the 403 and 400 envelopes as SDK errors', async () => {
    const readonly = new TrueVaultClient({ apiKey: READONLY_KEY }, truevault.url);
    await rejectsWith(readonly.searchUsers({}), 'AUTH.FORBIDDEN',
      "Not authorized: the caller's group policies do not grant R on User::.*");
    await rejectsWith(admin.searchUsers({ per_page: 501 }), 'REQUEST.INVALID_PARAMETER',
      'Invalid search_option: per_page must be an integer from 1 to 500');
    await rejectsWith(admin.searchUsers({ filter: { '$tv.email': { type: 'eq', value: 'x' } } }),
      'REQUEST.INVALID_PARAMETER',
      "Invalid search_option: unknown field '$tv.email' (system fields: $tv.username, $tv.created_at, $tv.status, $tv.id)");
  });
});
