package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// testLockReader checks that LockAndRead reads what the Reader methods
// read, for every kind of read, by every key — the token-hash key included
// — with rows missing and values that look like SQL.
func testLockReader(t *testing.T, newStore NewStore) {
	store := openStore(t, newStore)
	needTx[orgs.LockReader](t, store, "LockReader")
	ctx := t.Context()
	f := &fixture{t: t, ctx: ctx, store: store, clock: testkit.NewClock()}
	f.svc = f.service(orgs.WithInvitationOptions(orgs.InvitationOptions{MinResendInterval: -1}))
	for _, u := range fixtureUsers {
		require.NoError(t, f.svc.PutUser(ctx, u))
	}
	const odd = "o'dd?user"
	require.NoError(t, f.svc.PutUser(ctx, orgs.User{ID: odd, Email: "odd@example.com", Name: "Odd ? 'One'"}))
	org, err := f.svc.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme",
		ExternalID: "ext?'x", Domains: []string{"b.example.com", "a.example.com"}, Metadata: map[string]string{"k": "v?"}})
	require.NoError(t, err)
	f.org = org
	f.addMembers(orgs.RoleAdmin, admin)
	f.addMembers(orgs.RoleMember, member, odd)
	f.addMembers(orgs.RoleOwner, "second-owner")
	live := f.invite("live@example.com", orgs.RoleMember)
	short, err := f.svc.CreateInvitation(ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "short@example.com", Role: orgs.RoleAdmin, ExpiresIn: time.Hour})
	require.NoError(t, err)
	f.clock.Advance(2 * time.Hour) // short is expired, still stored pending
	team, err := f.svc.CreateTeam(ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core", Members: []orgs.TeamMemberInput{
		{UserID: member, Role: orgs.TeamRoleMaintainer}, {UserID: odd, Role: orgs.TeamRoleMember}}})
	require.NoError(t, err)
	other := insertOrganization(t, store, "other", outsider)
	insertMember(t, store, other.ID, member, orgs.RoleAdmin)

	r := orgs.Reads{
		Members:       []string{owner, member, odd, outsider},
		Users:         []string{owner, odd, "nobody"},
		Owners:        true,
		PendingAt:     f.clock.Now(),
		MemberEmails:  []string{"mia@example.com", "odd@example.com", "oscar@example.com", "none@example.com"},
		PendingEmails: []string{"live@example.com", "short@example.com", "none@example.com"},
		Invitation:    live.ID,
		Team:          team.Slug,
		TeamMembers:   []string{member, odd, admin},
	}
	// want is what the Reader methods read, one call each.
	want := func(ctx context.Context, tx orgs.Tx, viewer string, r orgs.Reads) *orgs.Locked {
		o, err := tx.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, viewer)
		require.NoError(t, err)
		w := orgs.NewLocked(o)
		for _, u := range r.Members {
			if m, err := tx.GetMember(ctx, org.ID, u); err == nil {
				w.Members[u] = *m
			}
		}
		if len(r.Users) > 0 {
			w.Users, err = tx.Users(ctx, r.Users)
			require.NoError(t, err)
		}
		if r.Owners {
			if ms, ok := tx.(orgs.Memberships); ok {
				w.Owners, err = ms.CountActiveMembers(ctx, org.ID, orgs.RoleOwner)
			} else {
				w.Owners, err = tx.CountMembers(ctx, org.ID, orgs.RoleOwner)
			}
			require.NoError(t, err)
		}
		if !r.PendingAt.IsZero() {
			w.Pending, err = tx.CountPendingInvitations(ctx, org.ID, r.PendingAt)
			require.NoError(t, err)
		}
		for _, e := range r.MemberEmails {
			if m, err := tx.FindMemberByEmail(ctx, org.ID, e); err == nil {
				w.MemberByEmail[e] = *m
			}
		}
		for _, e := range r.PendingEmails {
			if inv, err := tx.FindPendingInvitation(ctx, org.ID, e); err == nil {
				w.PendingByEmail[e] = *inv
			}
		}
		if r.Invitation != "" {
			if inv, err := tx.GetInvitation(ctx, org.ID, r.Invitation); err == nil {
				w.Invitation = inv
			}
		}
		if len(r.InvitationTokenHash) > 0 {
			if inv, err := tx.GetInvitationByTokenHash(ctx, r.InvitationTokenHash); err == nil && inv.OrganizationID == org.ID {
				w.Invitation = inv
			}
		}
		if r.Team != "" {
			if tm, err := tx.GetTeam(ctx, org.ID, r.Team); err == nil {
				w.Team = tm
				for _, u := range r.TeamMembers {
					if m, err := tx.GetTeamMember(ctx, tm.ID, u); err == nil {
						w.TeamMembers[u] = *m
					}
				}
			}
		}
		return w
	}
	// The token hash of live, read from the store: the Service hands out
	// only the token.
	var liveHash []byte
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		inv, err := tx.GetInvitation(ctx, org.ID, live.ID)
		liveHash = inv.TokenHash
		return err
	})
	byToken := r
	byToken.Invitation, byToken.InvitationTokenHash = "", liveHash
	cases := []struct {
		name   string
		key    orgs.OrganizationKey
		viewer string
		r      orgs.Reads
	}{
		{"by ID, everything", orgs.OrganizationKey{ID: org.ID}, owner, r},
		{"by slug, everything", orgs.OrganizationKey{Slug: "acme"}, admin, r},
		{"by external ID", orgs.OrganizationKey{ExternalID: "ext?'x"}, odd, r},
		{"by token hash", orgs.OrganizationKey{}, outsider, byToken},
		{"the organization alone", orgs.OrganizationKey{Slug: "acme"}, member, orgs.Reads{}},
		{"counts alone", orgs.OrganizationKey{Slug: "acme"}, "", orgs.Reads{Owners: true, PendingAt: f.clock.Now().Add(-3 * time.Hour)}},
		{"a missing team", orgs.OrganizationKey{Slug: "acme"}, owner, orgs.Reads{Team: "nope", TeamMembers: []string{member}}},
		{"another organization's invitation", orgs.OrganizationKey{Slug: "acme"}, owner, orgs.Reads{Invitation: short.ID + "x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			update(t, store, func(ctx context.Context, tx orgs.Tx) error {
				got, err := tx.(orgs.LockReader).LockAndRead(ctx, c.key, c.viewer, c.r)
				require.NoError(t, err)
				assert.Equal(t, want(ctx, tx, c.viewer, c.r), got)
				return nil
			})
		})
	}
	t.Run("missing organization", func(t *testing.T) {
		update(t, store, func(ctx context.Context, tx orgs.Tx) error {
			lr := tx.(orgs.LockReader)
			for _, key := range []orgs.OrganizationKey{{ID: orgs.NewID(orgs.PrefixOrganization)}, {Slug: "missing"}, {ExternalID: "missing"}, {}} {
				_, err := lr.LockAndRead(ctx, key, owner, orgs.Reads{Members: []string{owner}, Users: []string{owner}, InvitationTokenHash: []byte("no such hash")})
				assert.ErrorIs(t, err, orgs.ErrNotFound, "%+v", key)
			}
			return nil
		})
	})
	t.Run("sees the transaction's writes", func(t *testing.T) {
		err := store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			if b, ok := tx.(orgs.WriteBatcher); ok {
				b.BatchWrites()
			}
			require.NoError(t, tx.LockOrganization(ctx, org.ID))
			require.NoError(t, tx.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: outsider, Role: orgs.RoleAdmin, JoinedAt: now()}))
			got, err := tx.(orgs.LockReader).LockAndRead(ctx, orgs.OrganizationKey{Slug: "acme"}, outsider, orgs.Reads{Members: []string{outsider}})
			require.NoError(t, err)
			assert.Equal(t, orgs.RoleAdmin, got.Organization.Role)
			assert.Equal(t, orgs.RoleAdmin, got.Members[outsider].Role)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
	})
}

var errRollback = fmt.Errorf("storetest: roll back")

// testWriteBatcher checks the promise of WriteBatcher: a held-back write
// that fails makes Transact return its error, sentinel included, and
// nothing of the transaction persists; reads see the held-back writes.
func testWriteBatcher(t *testing.T, newStore NewStore) {
	store := openStore(t, newStore)
	needTx[orgs.WriteBatcher](t, store, "WriteBatcher")
	ctx := t.Context()
	org := insertOrganization(t, store, "batch", owner)
	before := snapshot(t, store, org.ID)
	batched := func(fn func(ctx context.Context, tx orgs.Tx) error) error {
		return store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			tx.(orgs.WriteBatcher).BatchWrites()
			if err := tx.LockOrganization(ctx, org.ID); err != nil {
				return err
			}
			return fn(ctx, tx)
		})
	}
	team := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: org.ID, Name: "T", Slug: "t", CreatedAt: now(), UpdatedAt: now()}
	event := &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: org.ID, Type: orgs.EventTeamCreated, ActorType: orgs.ActorTypeUser, ActorID: owner, CreatedAt: now()}
	for _, c := range []struct {
		name  string
		write func(ctx context.Context, tx orgs.Tx) error
		want  error
	}{
		{"a unique violation", func(ctx context.Context, tx orgs.Tx) error {
			return tx.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: owner, Role: orgs.RoleMember, JoinedAt: now()})
		}, orgs.ErrAlreadyMember},
		{"no row to update", func(ctx context.Context, tx orgs.Tx) error {
			return tx.UpdateMemberRole(ctx, org.ID, "nobody", orgs.RoleAdmin)
		}, orgs.ErrNotFound},
		{"no row to delete", func(ctx context.Context, tx orgs.Tx) error {
			return tx.DeleteTeamMember(ctx, team.ID, "nobody")
		}, orgs.ErrNotFound},
		{"not a member of the organization", func(ctx context.Context, tx orgs.Tx) error {
			return tx.InsertTeamMember(ctx, &orgs.TeamMember{TeamID: team.ID, UserID: outsider, Role: orgs.TeamRoleMember, JoinedAt: now()})
		}, orgs.ErrNotMember},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := batched(func(ctx context.Context, tx orgs.Tx) error {
				if err := tx.InsertTeam(ctx, team); err != nil {
					return err
				}
				if err := c.write(ctx, tx); err != nil {
					return err // returned at once: allowed
				}
				return tx.InsertEvent(ctx, event) // the error may come with the commit
			})
			require.ErrorIs(t, err, c.want)
			assert.Equal(t, before, snapshot(t, store, org.ID), "nothing of the transaction persists")
		})
	}
	t.Run("reads see the writes", func(t *testing.T) {
		err := batched(func(ctx context.Context, tx orgs.Tx) error {
			require.NoError(t, tx.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: admin, Role: orgs.RoleAdmin, JoinedAt: now()}))
			require.NoError(t, tx.UpdateMemberRole(ctx, org.ID, admin, orgs.RoleMember))
			m, err := tx.GetMember(ctx, org.ID, admin)
			require.NoError(t, err)
			assert.Equal(t, orgs.RoleMember, m.Role)
			n, err := tx.CountMembers(ctx, org.ID, "")
			require.NoError(t, err)
			assert.Equal(t, 2, n)
			// Reads of other kinds too: a profile, the categories.
			require.NoError(t, tx.PutUser(ctx, &orgs.User{ID: "batched-user", Username: "batched"}))
			us, err := tx.Users(ctx, []string{"batched-user"})
			require.NoError(t, err)
			assert.Equal(t, "batched", us["batched-user"].Username, "a profile put in the transaction")
			cat := orgs.Category{ID: orgs.NewID(orgs.PrefixCategory), OrganizationID: org.ID, Name: "Batched", CreatedAt: now()}
			require.NoError(t, tx.InsertCategories(ctx, []orgs.Category{cat}))
			cs, err := tx.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: org.ID})
			require.NoError(t, err)
			assert.True(t, slices.ContainsFunc(cs, func(c orgs.Category) bool { return c.ID == cat.ID }), "a category inserted in the transaction")
			return nil
		})
		require.NoError(t, err)
		n, err := store.CountMembers(ctx, org.ID, orgs.RoleMember)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "committed")
	})
}

// testBulkWriter checks each BulkWriter method against its one-row
// method: rows and counters written, the same sentinels, all or nothing —
// with more rows than one statement of the SQL stores carries.
func testBulkWriter(t *testing.T, newStore NewStore) {
	store := openStore(t, newStore)
	needTx[orgs.BulkWriter](t, store, "BulkWriter")
	ctx := t.Context()
	org := insertOrganization(t, store, "bulk", owner)
	bulk := func(fn func(ctx context.Context, bw orgs.BulkWriter) error) error {
		return store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			if err := tx.LockOrganization(ctx, org.ID); err != nil {
				return err
			}
			return fn(ctx, tx.(orgs.BulkWriter))
		})
	}
	const n = 1500
	ms := make([]orgs.Member, n)
	for i := range ms {
		t := now()
		ms[i] = orgs.Member{ID: orgs.NewID(orgs.PrefixMembership), OrganizationID: org.ID, UserID: fmt.Sprintf("bulk-%04d?'", i),
			Role: orgs.RoleMember, Status: orgs.MembershipActive, JoinedAt: t, UpdatedAt: t}
	}
	require.NoError(t, bulk(func(ctx context.Context, bw orgs.BulkWriter) error { return bw.InsertMembers(ctx, ms) }))
	got, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, owner)
	require.NoError(t, err)
	assert.Equal(t, n+1, got.MemberCount)
	m, err := store.GetMember(ctx, org.ID, ms[n-1].UserID)
	require.NoError(t, err)
	assert.Equal(t, ms[n-1], *m)

	team := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: org.ID, Name: "T", Slug: "t", CreatedAt: now(), UpdatedAt: now()}
	update(t, store, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertTeam(ctx, team) })
	before := snapshot(t, store, org.ID)
	tms := make([]orgs.TeamMember, n)
	for i := range tms {
		tms[i] = orgs.TeamMember{TeamID: team.ID, UserID: ms[i].UserID, Role: orgs.TeamRoleMember, JoinedAt: now()}
	}
	for name, c := range map[string]struct {
		fn   func(ctx context.Context, bw orgs.BulkWriter) error
		want error
	}{
		"a member again": {func(ctx context.Context, bw orgs.BulkWriter) error {
			again := ms[n-1]
			again.ID = orgs.NewID(orgs.PrefixMembership) // a second membership of the user
			return bw.InsertMembers(ctx, []orgs.Member{{ID: orgs.NewID(orgs.PrefixMembership), OrganizationID: org.ID, UserID: "fresh",
				Role: orgs.RoleMember, JoinedAt: now()}, again})
		}, orgs.ErrAlreadyMember},
		"a member twice": {func(ctx context.Context, bw orgs.BulkWriter) error {
			fresh := orgs.Member{ID: orgs.NewID(orgs.PrefixMembership), OrganizationID: org.ID, UserID: "fresh", Role: orgs.RoleMember, JoinedAt: now()}
			twice := fresh
			twice.ID = orgs.NewID(orgs.PrefixMembership)
			return bw.InsertMembers(ctx, []orgs.Member{fresh, twice})
		}, orgs.ErrAlreadyMember},
		"a team member not in the organization": {func(ctx context.Context, bw orgs.BulkWriter) error {
			return bw.InsertTeamMembers(ctx, append(tms[:n:n], orgs.TeamMember{TeamID: team.ID, UserID: outsider, Role: orgs.TeamRoleMember, JoinedAt: now()}))
		}, orgs.ErrNotMember},
		"a team member twice": {func(ctx context.Context, bw orgs.BulkWriter) error {
			return bw.InsertTeamMembers(ctx, append(tms[:n:n], tms[0]))
		}, orgs.ErrAlreadyMember},
		"two pending invitations for an email": {func(ctx context.Context, bw orgs.BulkWriter) error {
			return bw.InsertInvitations(ctx, []orgs.Invitation{*newInvitation(org.ID, "twice@example.com"), *newInvitation(org.ID, "twice@example.com")})
		}, orgs.ErrAlreadyInvited},
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, bulk(c.fn), c.want)
			assert.Equal(t, before, snapshot(t, store, org.ID), "nothing written")
		})
	}

	require.NoError(t, bulk(func(ctx context.Context, bw orgs.BulkWriter) error { return bw.InsertTeamMembers(ctx, tms) }))
	tm, err := store.GetTeam(ctx, org.ID, "t")
	require.NoError(t, err)
	assert.Equal(t, n, tm.MemberCount)
	gotTM, err := store.GetTeamMember(ctx, team.ID, tms[7].UserID)
	require.NoError(t, err)
	assert.Equal(t, tms[7].Role, gotTM.Role)
	assert.Equal(t, tms[7].JoinedAt, gotTM.JoinedAt)

	invs := make([]orgs.Invitation, n)
	es := make([]orgs.Event, n)
	for i := range invs {
		invs[i] = *newInvitation(org.ID, fmt.Sprintf("i%04d@example.com", i))
		es[i] = orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: org.ID, Type: orgs.EventInvitationCreated,
			ActorType: orgs.ActorTypeUser, ActorID: owner, Data: map[string]string{"i": fmt.Sprint(i), "q": "?'"}, CreatedAt: now()}
	}
	require.NoError(t, bulk(func(ctx context.Context, bw orgs.BulkWriter) error {
		if err := bw.InsertInvitations(ctx, invs); err != nil {
			return err
		}
		return bw.InsertEvents(ctx, es)
	}))
	inv, err := store.GetInvitation(ctx, org.ID, invs[n-1].ID)
	require.NoError(t, err)
	assert.Equal(t, invs[n-1], *inv)
	all := allEvents(t, store, org.ID)
	require.Len(t, all, n)
	assert.Equal(t, es[n-1], all[n-1])
}
