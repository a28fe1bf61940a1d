// Drives a WorkOS-compatible server with the official, unmodified WorkOS Node
// SDK (the exact version pinned in package.json). See README.md to run it and
// CONTRACT.md for the wire contract every assertion below relies on.
//
//   WORKOS_API_HOSTNAME=127.0.0.1 WORKOS_API_PORT=8080 WORKOS_API_KEY=sk_… node --test sdk.test.mjs
//
// Every name, domain, external ID, e-mail and user ID carries a per-run prefix,
// so the suite runs against a server that already holds data, and runs twice
// against the same server. User IDs are opaque strings the server never saw.
// Organizations created here are deleted at the end unless WORKOS_E2E_KEEP=1.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  NotFoundException,
  UnauthorizedException,
  UnprocessableEntityException,
  WorkOS,
} from '@workos-inc/node';

// ---------------------------------------------------------------- set-up

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is required (see README.md)`);
  return v;
}

const HOST = env('WORKOS_API_HOSTNAME');
const PORT = Number(env('WORKOS_API_PORT'));
const KEY = env('WORKOS_API_KEY');
if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) {
  throw new Error(`WORKOS_API_PORT must be a port number, got ${process.env.WORKOS_API_PORT}`);
}

const CLIENT_OPTIONS = { apiHostname: HOST, port: PORT, https: false };
const workos = new WorkOS(KEY, CLIENT_OPTIONS);
const orgs = workos.organizations;
const um = workos.userManagement;

// Lowercase letters and digits only: valid in a DNS label, an external ID, a
// Stripe customer ID and a URL path segment without escaping.
const RUN = `r${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
const dom = (label) => `${label}.${RUN}.example.com`;
const user = (name) => `user_${RUN}_${name}`;
const email = (name) => `${name}.${RUN}@example.com`;
const ext = (name) => `ext_${RUN}_${name}`;

const createdOrgIds = new Set();

async function createOrg(payload, requestOptions) {
  const o = await orgs.createOrganization(payload, requestOptions);
  createdOrgIds.add(o.id);
  return o;
}

after(async () => {
  if (process.env.WORKOS_E2E_KEEP === '1') return;
  const ids = [...createdOrgIds];
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(ids.slice(i, i + 8).map((id) => orgs.deleteOrganization(id).catch(() => {})));
  }
});

// ---------------------------------------------------------------- helpers

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function assertTime(v, what) {
  assert.equal(typeof v, 'string', `${what} must be a string, got ${JSON.stringify(v)}`);
  assert.match(v, RFC3339, `${what} must be RFC 3339`);
}

function assertDomain(d, orgId) {
  assert.equal(d.object, 'organization_domain');
  assert.equal(typeof d.id, 'string');
  assert.ok(d.id.length > 0);
  assert.equal(typeof d.domain, 'string');
  assert.equal(d.organizationId, orgId, 'organization_domain.organization_id');
  assert.ok(['pending', 'verified', 'failed'].includes(d.state), `domain state ${d.state}`);
  assert.ok(['dns', 'manual'].includes(d.verificationStrategy), `verification_strategy ${d.verificationStrategy}`);
  assertTime(d.createdAt, 'domain created_at');
  assertTime(d.updatedAt, 'domain updated_at');
}

function assertOrganization(o) {
  assert.equal(o.object, 'organization');
  assert.match(o.id, /^org_/);
  assert.equal(typeof o.name, 'string');
  assert.equal(typeof o.allowProfilesOutsideOrganization, 'boolean', 'allow_profiles_outside_organization');
  assert.ok(Array.isArray(o.domains), 'domains must be an array');
  for (const d of o.domains) assertDomain(d, o.id);
  assert.ok(o.externalId === null || typeof o.externalId === 'string', 'external_id is a string or null');
  assert.ok(o.metadata && typeof o.metadata === 'object' && !Array.isArray(o.metadata), 'metadata is an object');
  if ('stripeCustomerId' in o) {
    assert.equal(typeof o.stripeCustomerId, 'string', 'stripe_customer_id is omitted when unset, never null');
  }
  assertTime(o.createdAt, 'created_at');
  assertTime(o.updatedAt, 'updated_at');
}

function assertMembership(m) {
  assert.equal(m.object, 'organization_membership');
  assert.match(m.id, /^om_/);
  assert.equal(typeof m.userId, 'string');
  assert.match(m.organizationId, /^org_/);
  assert.equal(typeof m.organizationName, 'string');
  assert.ok(['active', 'inactive', 'pending'].includes(m.status), `status ${m.status}`);
  assert.ok(m.role && typeof m.role.slug === 'string', 'role: {slug}');
  assertTime(m.createdAt, 'membership created_at');
  assertTime(m.updatedAt, 'membership updated_at');
}

function assertInvitation(i) {
  assert.equal(i.object, 'invitation');
  assert.equal(typeof i.id, 'string');
  assert.ok(i.id.length > 0);
  assert.equal(typeof i.email, 'string');
  assert.ok(['pending', 'accepted', 'expired', 'revoked'].includes(i.state), `state ${i.state}`);
  for (const f of ['acceptedAt', 'revokedAt']) {
    if (i[f] !== null) assertTime(i[f], f);
  }
  assertTime(i.expiresAt, 'expires_at');
  assert.ok(i.organizationId === null || typeof i.organizationId === 'string');
  assert.ok(i.inviterUserId === null || typeof i.inviterUserId === 'string');
  assert.ok(i.acceptedUserId === null || typeof i.acceptedUserId === 'string', 'accepted_user_id is a string or null');
  assertTime(i.createdAt, 'invitation created_at');
  assertTime(i.updatedAt, 'invitation updated_at');
}

// A token the SDK can put in a path unescaped (CONTRACT.md, "Path parameters").
const PATH_SAFE_TOKEN = /^[A-Za-z0-9_-]{16,}$/;

function assertTokenNotLeaked(obj, token) {
  assert.ok(!JSON.stringify(obj).includes(token), 'the invitation token is returned only by send and resend');
}

async function rejectsWith(promise, name, status, check) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    assert.equal(err.status, status);
    if (check) check(err);
    return true;
  });
}
const notFound = (p) =>
  rejectsWith(p, 'NotFoundException', 404, (err) => {
    assert.ok(err instanceof NotFoundException);
    assert.equal(typeof err.code, 'string', 'a 404 body carries a code');
  });
// ConflictException is not exported by the SDK: match it by name and status.
const conflict = (p) =>
  rejectsWith(p, 'ConflictException', 409, (err) => {
    assert.ok(err.message && !err.message.startsWith('An conflict'), 'a 409 body carries a message');
  });
const unprocessable = (p, fieldPattern) =>
  rejectsWith(p, 'UnprocessableEntityException', 422, (err) => {
    assert.ok(err instanceof UnprocessableEntityException);
    assert.equal(typeof err.code, 'string', 'a 422 body carries a code');
    // The SDK drops errors[].field and lists only errors[].code in the message.
    assert.match(err.message, /^The following requirements? must be met:\n/, 'a 422 body carries errors: [{field, code}]');
    assert.match(err.message, fieldPattern, 'errors[].code names the field');
  });

const ids = (list) => list.map((x) => x.id);
const sortedIds = (list) => ids(list).sort();

function assertCreatedOrder(list, order) {
  for (let i = 1; i < list.length; i++) {
    const a = Date.parse(list[i - 1].createdAt);
    const b = Date.parse(list[i].createdAt);
    if (order === 'desc') assert.ok(a >= b, `desc order broken at ${i}: ${list[i - 1].createdAt} < ${list[i].createdAt}`);
    else assert.ok(a <= b, `asc order broken at ${i}: ${list[i - 1].createdAt} > ${list[i].createdAt}`);
  }
}

async function membershipIds(options) {
  const page = await um.listOrganizationMemberships({ limit: 100, ...options });
  assert.equal(page.listMetadata.after, null);
  for (const m of page.data) assertMembership(m);
  return sortedIds(page.data);
}

// 105 organizations, one pending domain each: more than one page of the
// SDK's autoPagination, which always asks for limit=100.
const PAGING_COUNT = 105;
let pagingPromise;
function pagingOrgs() {
  pagingPromise ??= (async () => {
    const out = new Array(PAGING_COUNT);
    for (let i = 0; i < PAGING_COUNT; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, PAGING_COUNT - i) }, async (_, k) => {
          const n = String(i + k).padStart(3, '0');
          const o = await createOrg({
            name: `${RUN} page ${n}`,
            domainData: [{ domain: dom(`p${n}`), state: 'pending' }],
          });
          out[i + k] = { id: o.id, domain: dom(`p${n}`) };
        }),
      );
    }
    return out;
  })();
  return pagingPromise;
}

// ---------------------------------------------------------------- organizations

test('organizations: create with domain_data (verified and pending), external_id and metadata', async () => {
  const o = await createOrg({
    name: `${RUN} Acme`,
    domainData: [
      { domain: dom('acme'), state: 'verified' },
      { domain: dom('acme-pending'), state: 'pending' },
    ],
    externalId: ext('acme'),
    metadata: { tier: 'gold', source: 'sdk-e2e' },
  });
  assertOrganization(o);
  assert.equal(o.name, `${RUN} Acme`);
  assert.equal(o.externalId, ext('acme'));
  assert.deepEqual(o.metadata, { tier: 'gold', source: 'sdk-e2e' });
  assert.equal(o.stripeCustomerId, undefined);
  const byName = Object.fromEntries(o.domains.map((d) => [d.domain, d]));
  assert.deepEqual(Object.keys(byName).sort(), [dom('acme'), dom('acme-pending')].sort());
  assert.equal(byName[dom('acme')].state, 'verified');
  assert.equal(byName[dom('acme-pending')].state, 'pending');

  const bare = await createOrg({ name: `${RUN} Bare` });
  assertOrganization(bare);
  assert.deepEqual(bare.domains, []);
  assert.equal(bare.externalId, null);
  assert.deepEqual(bare.metadata, {});

  const found = await orgs.listOrganizations({ domains: [dom('acme')] });
  assert.deepEqual(ids(found.data), [o.id]);
});

test('organizations: get by id and by external id', async () => {
  const o = await createOrg({
    name: `${RUN} Getme`,
    domainData: [{ domain: dom('getme'), state: 'verified' }],
    externalId: ext('getme'),
    metadata: { k: 'v' },
  });
  const byId = await orgs.getOrganization(o.id);
  assertOrganization(byId);
  assert.deepEqual(byId, o);
  const byExt = await orgs.getOrganizationByExternalId(ext('getme'));
  assert.deepEqual(byExt, o);
});

test('organizations: update name, domain_data, metadata, external_id, stripe_customer_id (set, keep, clear)', async () => {
  const o = await createOrg({
    name: `${RUN} Before`,
    domainData: [{ domain: dom('upd-old'), state: 'pending' }],
    externalId: ext('upd-old'),
    metadata: { tier: 'gold', source: 'sdk-e2e' },
  });

  const u = await orgs.updateOrganization({
    organization: o.id,
    name: `${RUN} After`,
    domainData: [{ domain: dom('upd-new'), state: 'verified' }],
    metadata: { tier: 'silver' },
    externalId: ext('upd-new'),
    stripeCustomerId: `cus_${RUN}`,
  });
  assertOrganization(u);
  assert.equal(u.id, o.id);
  assert.equal(u.name, `${RUN} After`);
  assert.deepEqual(u.domains.map((d) => [d.domain, d.state]), [[dom('upd-new'), 'verified']]);
  assert.deepEqual(u.metadata, { tier: 'silver' }, 'metadata in an update replaces the whole map');
  assert.equal(u.externalId, ext('upd-new'));
  assert.equal(u.stripeCustomerId, `cus_${RUN}`);
  assert.equal(u.createdAt, o.createdAt);
  assert.ok(Date.parse(u.updatedAt) >= Date.parse(o.updatedAt));
  assert.deepEqual(await orgs.getOrganization(o.id), u);
  assert.equal((await orgs.getOrganizationByExternalId(ext('upd-new'))).id, o.id);
  await notFound(orgs.getOrganizationByExternalId(ext('upd-old')));

  // Fields left out of an update are kept.
  const renamed = await orgs.updateOrganization({ organization: o.id, name: `${RUN} Renamed` });
  assert.equal(renamed.name, `${RUN} Renamed`);
  assert.equal(renamed.stripeCustomerId, `cus_${RUN}`);
  assert.equal(renamed.externalId, ext('upd-new'));
  assert.deepEqual(renamed.metadata, { tier: 'silver' });
  assert.deepEqual(renamed.domains.map((d) => d.domain), [dom('upd-new')]);

  // null clears external_id and stripe_customer_id; {} and [] clear metadata and domains.
  const cleared = await orgs.updateOrganization({
    organization: o.id,
    externalId: null,
    stripeCustomerId: null,
    metadata: {},
    domainData: [],
  });
  assertOrganization(cleared);
  assert.equal(cleared.externalId, null);
  assert.equal(cleared.stripeCustomerId, undefined);
  assert.deepEqual(cleared.metadata, {});
  assert.deepEqual(cleared.domains, []);
  assert.equal(cleared.name, `${RUN} Renamed`);
  assert.deepEqual(await orgs.getOrganization(o.id), cleared);
  await notFound(orgs.getOrganizationByExternalId(ext('upd-new')));
});

test('organizations: list with domains filter, limit, order asc/desc and before/after cursors', async () => {
  const paging = (await pagingOrgs()).slice(0, 25);
  const domains = paging.map((p) => p.domain);
  const want = paging.map((p) => p.id).sort();

  const all = await orgs.listOrganizations({ domains, limit: 100 });
  assert.equal(all.object, 'list');
  for (const o of all.data) assertOrganization(o);
  assert.deepEqual(sortedIds(all.data), want, 'the domains filter matches any of the domains');
  assert.equal(all.listMetadata.after, null, 'after is null on the last page');
  assert.equal(all.listMetadata.before, null, 'before is null on the first page');
  assertCreatedOrder(all.data, 'desc');
  const desc = ids(all.data);

  const dflt = await orgs.listOrganizations({ domains });
  assert.deepEqual(ids(dflt.data), desc.slice(0, 10), 'limit defaults to 10, order to desc');

  // Forward with after.
  const p1 = await orgs.listOrganizations({ domains, limit: 10 });
  assert.deepEqual(ids(p1.data), desc.slice(0, 10));
  assert.equal(p1.listMetadata.before, null);
  assert.equal(p1.listMetadata.after, desc[9]);
  const p2 = await orgs.listOrganizations({ domains, limit: 10, after: p1.listMetadata.after });
  assert.deepEqual(ids(p2.data), desc.slice(10, 20));
  assert.equal(p2.listMetadata.before, desc[10]);
  assert.equal(p2.listMetadata.after, desc[19]);
  const p3 = await orgs.listOrganizations({ domains, limit: 10, after: p2.listMetadata.after });
  assert.deepEqual(ids(p3.data), desc.slice(20));
  assert.equal(p3.listMetadata.before, desc[20]);
  assert.equal(p3.listMetadata.after, null);

  // Back with before: the page just before the cursor, still in list order.
  const b2 = await orgs.listOrganizations({ domains, limit: 10, before: p3.listMetadata.before });
  assert.deepEqual(ids(b2.data), desc.slice(10, 20));
  assert.equal(b2.listMetadata.before, desc[10]);
  assert.equal(b2.listMetadata.after, desc[19]);
  const b1 = await orgs.listOrganizations({ domains, limit: 10, before: b2.listMetadata.before });
  assert.deepEqual(ids(b1.data), desc.slice(0, 10));
  assert.equal(b1.listMetadata.before, null);
  assert.equal(b1.listMetadata.after, desc[9]);
  const b0 = await orgs.listOrganizations({ domains, limit: 5, before: desc[3] });
  assert.deepEqual(ids(b0.data), desc.slice(0, 3), 'a short page before the cursor');

  // Ascending.
  const asc = await orgs.listOrganizations({ domains, limit: 100, order: 'asc' });
  assert.deepEqual(ids(asc.data), [...desc].reverse());
  assertCreatedOrder(asc.data, 'asc');
  const a1 = await orgs.listOrganizations({ domains, limit: 10, order: 'asc' });
  const a2 = await orgs.listOrganizations({ domains, limit: 10, order: 'asc', after: a1.listMetadata.after });
  assert.deepEqual([...ids(a1.data), ...ids(a2.data)], ids(asc.data).slice(0, 20));
  const a1b = await orgs.listOrganizations({ domains, limit: 10, order: 'asc', before: a2.listMetadata.before });
  assert.deepEqual(ids(a1b.data), ids(a1.data));

  // Any-of over two domains; a domain nobody has.
  const two = await orgs.listOrganizations({ domains: [paging[0].domain, paging[7].domain] });
  assert.deepEqual(sortedIds(two.data), [paging[0].id, paging[7].id].sort());
  const none = await orgs.listOrganizations({ domains: [dom('nobody-has-this')] });
  assert.deepEqual(none.data, []);
  assert.equal(none.listMetadata.after, null);
});

// A server whose list_metadata.after never turns null would make autoPagination
// loop for ever: the timeout turns that into a failure.
test('organizations: autoPagination walks more than one page (105 organizations, SDK pages of 100)', { timeout: 120_000 }, async () => {
  const paging = await pagingOrgs();
  const domains = paging.map((p) => p.domain);
  const want = paging.map((p) => p.id).sort();

  const first = await orgs.listOrganizations({ domains, order: 'asc' });
  assert.equal(first.data.length, 10);
  assert.notEqual(first.listMetadata.after, null);
  const asc = await first.autoPagination();
  assert.equal(asc.length, PAGING_COUNT, 'every organization exactly once');
  assert.deepEqual(sortedIds(asc), want);
  assertCreatedOrder(asc, 'asc');

  const desc = await (await orgs.listOrganizations({ domains })).autoPagination();
  assert.deepEqual(ids(desc), ids(asc).reverse());
});

test('organizations: delete, then get is NotFoundException', async () => {
  const o = await createOrg({
    name: `${RUN} Doomed`,
    domainData: [{ domain: dom('doomed'), state: 'pending' }],
    externalId: ext('doomed'),
  });
  assert.equal(await orgs.deleteOrganization(o.id), undefined);
  createdOrgIds.delete(o.id);
  await notFound(orgs.getOrganization(o.id));
  await notFound(orgs.getOrganizationByExternalId(ext('doomed')));
  await notFound(orgs.deleteOrganization(o.id));
  const left = await orgs.listOrganizations({ domains: [dom('doomed')] });
  assert.deepEqual(left.data, []);
});

// ---------------------------------------------------------------- memberships

test('memberships: create, get, update role, list by organization and by user with statuses, deactivate, reactivate, delete', async () => {
  const a = await createOrg({ name: `${RUN} Members A` });
  const b = await createOrg({ name: `${RUN} Members B` });
  const alice = user('alice');
  const bob = user('bob');

  const ma = await um.createOrganizationMembership({ organizationId: a.id, userId: alice, roleSlug: 'admin' });
  assertMembership(ma);
  assert.equal(ma.userId, alice);
  assert.equal(ma.organizationId, a.id);
  assert.equal(ma.organizationName, a.name);
  assert.equal(ma.status, 'active');
  assert.equal(ma.role.slug, 'admin');

  const mb = await um.createOrganizationMembership({ organizationId: a.id, userId: bob });
  assertMembership(mb);
  assert.equal(mb.role.slug, 'member', 'role_slug defaults to member');
  assert.equal(mb.status, 'active');

  const mc = await um.createOrganizationMembership({ organizationId: b.id, userId: alice, roleSlug: 'member' });
  assert.equal(mc.organizationName, b.name);

  await conflict(um.createOrganizationMembership({ organizationId: a.id, userId: alice }));

  assert.deepEqual(await um.getOrganizationMembership(ma.id), ma);

  const promoted = await um.updateOrganizationMembership(mb.id, { roleSlug: 'admin' });
  assertMembership(promoted);
  assert.equal(promoted.id, mb.id);
  assert.equal(promoted.role.slug, 'admin');
  assert.equal((await um.getOrganizationMembership(mb.id)).role.slug, 'admin');

  assert.deepEqual(await membershipIds({ organizationId: a.id }), [ma.id, mb.id].sort());
  assert.deepEqual(await membershipIds({ userId: alice }), [ma.id, mc.id].sort());
  assert.deepEqual(await membershipIds({ organizationId: a.id, userId: alice }), [ma.id]);
  const byUser = await um.listOrganizationMemberships({ userId: alice });
  for (const m of byUser.data) assert.equal(m.organizationName, m.organizationId === a.id ? a.name : b.name);

  const off = await um.deactivateOrganizationMembership(mb.id);
  assertMembership(off);
  assert.equal(off.status, 'inactive');
  assert.equal(off.role.slug, 'admin', 'an inactive membership keeps its role');
  assert.equal((await um.getOrganizationMembership(mb.id)).status, 'inactive');

  assert.deepEqual(await membershipIds({ organizationId: a.id, statuses: ['active'] }), [ma.id]);
  assert.deepEqual(await membershipIds({ organizationId: a.id, statuses: ['inactive'] }), [mb.id]);
  assert.deepEqual(await membershipIds({ organizationId: a.id, statuses: ['active', 'inactive'] }), [ma.id, mb.id].sort());
  assert.deepEqual(await membershipIds({ organizationId: a.id }), [ma.id, mb.id].sort(), 'no statuses: every status');
  assert.deepEqual(await membershipIds({ userId: bob, statuses: ['inactive'] }), [mb.id]);
  assert.deepEqual(await membershipIds({ userId: bob, statuses: ['active'] }), []);

  const on = await um.reactivateOrganizationMembership(mb.id);
  assert.equal(on.status, 'active');
  assert.equal(on.role.slug, 'admin');

  assert.equal(await um.deleteOrganizationMembership(mb.id), undefined);
  await notFound(um.getOrganizationMembership(mb.id));
  assert.deepEqual(await membershipIds({ organizationId: a.id }), [ma.id]);
});

test('memberships: the last active owner cannot be deactivated, demoted or deleted', async () => {
  const o = await createOrg({ name: `${RUN} Owners` });
  const alice = await um.createOrganizationMembership({ organizationId: o.id, userId: user('owner1'), roleSlug: 'owner' });
  assert.equal(alice.role.slug, 'owner');
  await conflict(um.deactivateOrganizationMembership(alice.id));
  await conflict(um.updateOrganizationMembership(alice.id, { roleSlug: 'member' }));
  await conflict(um.deleteOrganizationMembership(alice.id));
  assert.equal((await um.getOrganizationMembership(alice.id)).status, 'active');

  const bob = await um.createOrganizationMembership({ organizationId: o.id, userId: user('owner2'), roleSlug: 'owner' });
  assert.equal((await um.deactivateOrganizationMembership(alice.id)).status, 'inactive');
  await conflict(um.deactivateOrganizationMembership(bob.id));
  assert.equal((await um.getOrganizationMembership(bob.id)).status, 'active');
});

// ---------------------------------------------------------------- invitations

async function orgWithInviter(label) {
  const o = await createOrg({ name: `${RUN} ${label}` });
  const inviter = user(`${label.toLowerCase()}_inviter`);
  await um.createOrganizationMembership({ organizationId: o.id, userId: inviter, roleSlug: 'admin' });
  return { org: o, inviter };
}

test('invitations: send, get, find by token, list by organization and by email', async () => {
  const { org, inviter } = await orgWithInviter('Invites');
  const before = Date.now();
  const inv = await um.sendInvitation({
    email: email('carol'),
    organizationId: org.id,
    roleSlug: 'member',
    expiresInDays: 3,
    inviterUserId: inviter,
  });
  assertInvitation(inv);
  assert.equal(inv.email, email('carol'));
  assert.equal(inv.state, 'pending');
  assert.equal(inv.organizationId, org.id);
  assert.equal(inv.inviterUserId, inviter);
  assert.equal(inv.acceptedAt, null);
  assert.equal(inv.revokedAt, null);
  assert.equal(inv.acceptedUserId, null);
  assert.match(inv.token, PATH_SAFE_TOKEN);
  assert.equal(typeof inv.acceptInvitationUrl, 'string');
  assert.ok(inv.acceptInvitationUrl.length > 0);
  const expires = Date.parse(inv.expiresAt);
  const threeDays = 3 * 24 * 3600 * 1000;
  assert.ok(Math.abs(expires - (before + threeDays)) < 10 * 60 * 1000, `expires_at ${inv.expiresAt} is 3 days out`);

  const got = await um.getInvitation(inv.id);
  assertInvitation(got);
  assert.equal(got.id, inv.id);
  assert.equal(got.state, 'pending');
  assert.equal(got.email, inv.email);
  assert.equal(got.expiresAt, inv.expiresAt);
  assertTokenNotLeaked(got, inv.token);

  const found = await um.findInvitationByToken(inv.token);
  assertInvitation(found);
  assert.equal(found.id, inv.id);
  assertTokenNotLeaked(found, inv.token);

  const dave = await um.sendInvitation({ email: email('dave'), organizationId: org.id });
  assertInvitation(dave);
  assert.equal(dave.inviterUserId, null);

  const byOrg = await um.listInvitations({ organizationId: org.id });
  assert.equal(byOrg.object, 'list');
  for (const i of byOrg.data) assertInvitation(i);
  assert.deepEqual(sortedIds(byOrg.data), [inv.id, dave.id].sort());
  assertTokenNotLeaked(byOrg.data, inv.token);
  assert.equal(byOrg.listMetadata.after, null);
  assert.deepEqual(ids((await um.listInvitations({ organizationId: org.id, order: 'asc' })).data), ids(byOrg.data).reverse());
  const page1 = await um.listInvitations({ organizationId: org.id, limit: 1 });
  const page2 = await um.listInvitations({ organizationId: org.id, limit: 1, after: page1.listMetadata.after });
  assert.deepEqual([...ids(page1.data), ...ids(page2.data)], ids(byOrg.data));
  assert.equal(page2.listMetadata.after, null);

  assert.deepEqual(ids((await um.listInvitations({ email: email('carol') })).data), [inv.id]);
  assert.deepEqual(ids((await um.listInvitations({ organizationId: org.id, email: email('dave') })).data), [dave.id]);
  assert.deepEqual((await um.listInvitations({ email: email('nobody') })).data, []);
});

test('invitations: resend rotates the token', async () => {
  const { org } = await orgWithInviter('Resend');
  const inv = await um.sendInvitation({ email: email('erin'), organizationId: org.id, expiresInDays: 1 });
  const again = await um.resendInvitation(inv.id);
  assertInvitation(again);
  assert.equal(again.id, inv.id);
  assert.equal(again.state, 'pending');
  assert.match(again.token, PATH_SAFE_TOKEN);
  assert.notEqual(again.token, inv.token, 'resend issues a new token');
  assert.ok(Date.parse(again.expiresAt) >= Date.parse(inv.expiresAt), 'resend does not shorten expiry');
  await notFound(um.findInvitationByToken(inv.token));
  assert.equal((await um.findInvitationByToken(again.token)).id, inv.id);
});

test('invitations: revoke', async () => {
  const { org } = await orgWithInviter('Revoke');
  const inv = await um.sendInvitation({ email: email('frank'), organizationId: org.id });
  const revoked = await um.revokeInvitation(inv.id);
  assertInvitation(revoked);
  assert.equal(revoked.id, inv.id);
  assert.equal(revoked.state, 'revoked');
  assertTime(revoked.revokedAt, 'revoked_at');
  assert.equal(revoked.acceptedAt, null);
  assert.equal((await um.getInvitation(inv.id)).state, 'revoked');
  await conflict(um.acceptInvitation(inv.id));
  await conflict(um.revokeInvitation(inv.id));
});

test('invitations: accept on the server side makes the invited user a member', async () => {
  const { org, inviter } = await orgWithInviter('Accept');
  const inv = await um.sendInvitation({
    email: email('grace'),
    organizationId: org.id,
    roleSlug: 'admin',
    inviterUserId: inviter,
  });
  const accepted = await um.acceptInvitation(inv.id);
  assertInvitation(accepted);
  assert.equal(accepted.id, inv.id);
  assert.equal(accepted.state, 'accepted');
  assertTime(accepted.acceptedAt, 'accepted_at');
  assert.equal(typeof accepted.acceptedUserId, 'string', 'accepted_user_id names the new member');
  assert.ok(accepted.acceptedUserId.length > 0);
  assert.equal((await um.getInvitation(inv.id)).state, 'accepted');

  const members = await um.listOrganizationMemberships({ organizationId: org.id, limit: 100 });
  const joined = members.data.filter((m) => m.userId === accepted.acceptedUserId);
  assert.equal(joined.length, 1, 'one membership for the accepted user');
  assert.equal(joined[0].status, 'active');
  assert.equal(joined[0].role.slug, 'admin', 'the membership has the invitation role');
  assert.equal(members.data.length, 2);

  await conflict(um.acceptInvitation(inv.id));
  await conflict(um.revokeInvitation(inv.id));
});

// ---------------------------------------------------------------- errors

test('errors: a wrong API key is UnauthorizedException; no key is 401 with a JSON body', async () => {
  const bad = new WorkOS(`sk_wrong_${RUN}`, CLIENT_OPTIONS);
  const o = await createOrg({ name: `${RUN} Auth` });
  await rejectsWith(bad.organizations.getOrganization(o.id), 'UnauthorizedException', 401, (e) => {
    assert.ok(e instanceof UnauthorizedException);
  });
  await rejectsWith(bad.organizations.listOrganizations(), 'UnauthorizedException', 401);
  await rejectsWith(
    bad.organizations.createOrganization({ name: `${RUN} Intruder`, domainData: [{ domain: dom('intruder'), state: 'pending' }] }),
    'UnauthorizedException',
    401,
  );
  await rejectsWith(bad.userManagement.listInvitations({ organizationId: o.id }), 'UnauthorizedException', 401);
  assert.deepEqual((await orgs.listOrganizations({ domains: [dom('intruder')] })).data, [], 'nothing written');

  // The SDK never sends a request without a key, so this one is plain fetch.
  const res = await fetch(`http://${HOST}:${PORT}/organizations`);
  assert.equal(res.status, 401);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = await res.json();
  assert.equal(typeof body.message, 'string');
  assert.ok(!('error' in body) && !('error_description' in body), 'no OAuth-style error keys');
});

test('errors: unknown IDs are NotFoundException', async () => {
  await notFound(orgs.getOrganization(`org_${RUN}missing`));
  await notFound(orgs.getOrganizationByExternalId(ext('missing')));
  await notFound(orgs.updateOrganization({ organization: `org_${RUN}missing`, name: 'x' }));
  await notFound(orgs.deleteOrganization(`org_${RUN}missing`));
  await notFound(um.getOrganizationMembership(`om_${RUN}missing`));
  await notFound(um.updateOrganizationMembership(`om_${RUN}missing`, { roleSlug: 'member' }));
  await notFound(um.deactivateOrganizationMembership(`om_${RUN}missing`));
  await notFound(um.reactivateOrganizationMembership(`om_${RUN}missing`));
  await notFound(um.deleteOrganizationMembership(`om_${RUN}missing`));
  await notFound(um.createOrganizationMembership({ organizationId: `org_${RUN}missing`, userId: user('nobody') }));
  await notFound(um.getInvitation(`invitation_${RUN}missing`));
  await notFound(um.findInvitationByToken(`${RUN}notatoken0000000000`));
  await notFound(um.resendInvitation(`invitation_${RUN}missing`));
  await notFound(um.revokeInvitation(`invitation_${RUN}missing`));
  await notFound(um.acceptInvitation(`invitation_${RUN}missing`));
  await notFound(um.sendInvitation({ email: email('lost'), organizationId: `org_${RUN}missing` }));
  assert.deepEqual((await um.listInvitations({ email: email('lost') })).data, [], 'nothing written');
});

test('errors: a duplicate external_id is ConflictException, and nothing is written', async () => {
  const first = await createOrg({ name: `${RUN} Dup 1`, externalId: ext('dup') });
  await conflict(
    createOrg({ name: `${RUN} Dup 2`, externalId: ext('dup'), domainData: [{ domain: dom('dup2'), state: 'pending' }] }),
  );
  assert.deepEqual((await orgs.listOrganizations({ domains: [dom('dup2')] })).data, [], 'nothing written');
  const other = await createOrg({ name: `${RUN} Dup 3`, externalId: ext('dup3') });
  await conflict(orgs.updateOrganization({ organization: other.id, externalId: ext('dup'), name: `${RUN} Dup 3b` }));
  const unchanged = await orgs.getOrganization(other.id);
  assert.equal(unchanged.externalId, ext('dup3'));
  assert.equal(unchanged.name, `${RUN} Dup 3`, 'a refused update changes nothing');
  assert.equal((await orgs.getOrganizationByExternalId(ext('dup'))).id, first.id);
});

test('errors: invalid input is UnprocessableEntityException naming the field, and nothing is written', async () => {
  const { org } = await orgWithInviter('Invalid');
  for (const days of [0, 31]) {
    await unprocessable(
      um.sendInvitation({ email: email(`days${days}`), organizationId: org.id, expiresInDays: days }),
      /expires_in_days/,
    );
    assert.deepEqual((await um.listInvitations({ email: email(`days${days}`) })).data, [], 'nothing written');
  }
  await unprocessable(
    orgs.createOrganization({ name: '', domainData: [{ domain: dom('noname'), state: 'pending' }] }),
    /name/,
  );
  assert.deepEqual((await orgs.listOrganizations({ domains: [dom('noname')] })).data, [], 'nothing written');
});

test('idempotency: createOrganization with the same Idempotency-Key returns the same organization', async () => {
  const payload = {
    name: `${RUN} Idempotent`,
    domainData: [{ domain: dom('idem'), state: 'pending' }],
    externalId: ext('idem'),
  };
  const key = `${RUN}-create-once`;
  const one = await createOrg(payload, { idempotencyKey: key });
  const two = await createOrg(payload, { idempotencyKey: key });
  assertOrganization(two);
  assert.equal(two.id, one.id);
  assert.deepEqual(two, one, 'the first response again');
  const listed = await orgs.listOrganizations({ domains: [dom('idem')] });
  assert.deepEqual(ids(listed.data), [one.id], 'one organization created');
});
