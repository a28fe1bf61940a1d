package memstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/storetest"
)

// TestMemStore is the test that proves a Store: the conformance suite.
// README:customstore {
func TestMemStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) orgs.Store { return New() })
}

// README:customstore }

// The tests below check Store directly, so it is proven even where the
// suite is silent. Your own store needs only TestMemStore.

var ctx = context.Background()

// newOrg returns an organization with slug, owned by user "owner".
func newOrg(slug string) (*orgs.Organization, *orgs.Member) {
	id := orgs.NewID(orgs.PrefixOrganization)
	now := time.Now().UTC()
	org := &orgs.Organization{ID: id, Name: slug, Slug: slug, Visibility: orgs.VisibilityPrivate,
		Metadata: map[string]string{"k": "v"}, CreatedBy: "owner", CreatedAt: now, UpdatedAt: now}
	return org, &orgs.Member{OrganizationID: id, UserID: "owner", Role: orgs.RoleOwner, JoinedAt: now}
}

// seed returns a store holding one organization.
func seed(t *testing.T) (*Store, *orgs.Organization) {
	t.Helper()
	s := New()
	t.Cleanup(func() { s.Close() })
	org, owner := newOrg("acme")
	if err := s.InsertOrganization(ctx, org, owner); err != nil {
		t.Fatal(err)
	}
	return s, org
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

// snapshot is what the rollback tests compare before and after.
func snapshot(t *testing.T, s *Store, orgID string) string {
	t.Helper()
	org, err := s.GetOrganization(ctx, orgs.OrganizationKey{ID: orgID}, "owner")
	if err != nil {
		return err.Error()
	}
	ms, _ := s.ListMembers(ctx, orgs.MemberFilter{OrganizationID: orgID})
	cs, _ := s.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: orgID})
	return fmt.Sprintf("%+v %+v %+v", *org, ms, cs)
}

func TestUpdateRollsBack(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		end  func() error // how fn ends after writing
	}{
		{"error", func() error { return boom }},
		{"panic", func() error { panic(boom) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, org := seed(t)
			before := snapshot(t, s, org.ID)
			other, otherOwner := newOrg("other")
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil && p != boom {
						t.Fatalf("panic %v, want boom", p)
					}
				}()
				err = s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
					changed := *org
					changed.Name, changed.Slug = "Changed", "changed"
					for _, step := range []error{
						tx.InsertOrganization(ctx, other, otherOwner),
						tx.UpdateOrganization(ctx, &changed),
						tx.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: "bob", Role: orgs.RoleMember}),
						tx.InsertCategories(ctx, []orgs.Category{{ID: "cat_1", OrganizationID: org.ID, Name: "Sales"}}),
						tx.DeleteMember(ctx, org.ID, "owner"),
						tx.DeleteOrganization(ctx, org.ID),
					} {
						if step != nil {
							t.Fatal(step)
						}
					}
					return tc.end()
				})
			}()
			if tc.name == "error" && err != boom {
				t.Fatalf("Update returned %v, want fn's error unchanged", err)
			}
			if after := snapshot(t, s, org.ID); after != before {
				t.Errorf("after rollback:\n%s\nwant\n%s", after, before)
			}
			_, err = s.GetOrganization(ctx, orgs.OrganizationKey{ID: other.ID}, "")
			wantErr(t, err, orgs.ErrNotFound)
			// The lock was released and the store still takes writes.
			if err := s.InsertOrganization(ctx, other, otherOwner); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTxAfterUpdate(t *testing.T) {
	s, org := seed(t)
	var leaked orgs.Tx
	if err := s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error { leaked = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := leaked.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, ""); err == nil {
		t.Error("a Tx used after its Update returned worked")
	}
}

func TestRange(t *testing.T) {
	s, org := seed(t)
	for i := 1; i <= 9; i++ {
		e := &orgs.Event{ID: fmt.Sprintf("evt_%d", i), OrganizationID: org.ID, Type: "t"}
		if err := s.InsertEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		r    orgs.Range
		want []string
	}{
		{orgs.Range{MaxRows: 3}, []string{"1", "2", "3"}},
		{orgs.Range{After: "evt_3", MaxRows: 3}, []string{"4", "5", "6"}},
		{orgs.Range{Before: "evt_8", MaxRows: 3}, []string{"5", "6", "7"}}, // nearest Before
		{orgs.Range{Before: "evt_3", MaxRows: 3}, []string{"1", "2"}},
		{orgs.Range{After: "evt_2", Before: "evt_8", MaxRows: 3}, []string{"3", "4", "5"}},
		{orgs.Range{After: "evt_9", MaxRows: 3}, nil},
	} {
		es, err := s.ListEvents(ctx, orgs.EventFilter{OrganizationID: org.ID, Range: tc.r})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.ID[len("evt_"):])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.r, got, tc.want)
		}
	}
}

func TestConflicts(t *testing.T) {
	s, org := seed(t)
	dup := func(edit func(o *orgs.Organization)) error {
		o, owner := newOrg("fresh")
		edit(o)
		return s.InsertOrganization(ctx, o, owner)
	}
	org.Handle, org.ExternalID = "acme", "ext-1"
	if err := s.UpdateOrganization(ctx, org); err != nil {
		t.Fatal(err) // its own slug, handle and external ID are no conflict
	}
	wantErr(t, dup(func(o *orgs.Organization) { o.Slug = "acme" }), orgs.ErrSlugTaken)
	wantErr(t, dup(func(o *orgs.Organization) { o.Handle = "acme" }), orgs.ErrHandleTaken)
	wantErr(t, dup(func(o *orgs.Organization) { o.ExternalID = "ext-1" }), orgs.ErrExternalIDTaken)
	wantErr(t, s.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: "owner"}), orgs.ErrAlreadyMember)

	cat := orgs.Category{ID: "cat_1", OrganizationID: org.ID, Name: "Sales"}
	if err := s.InsertCategories(ctx, []orgs.Category{cat}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.InsertCategories(ctx, []orgs.Category{{ID: "cat_2", OrganizationID: org.ID, Name: "SALES"}}), orgs.ErrNameTaken)

	inv := &orgs.Invitation{ID: "inv_1", OrganizationID: org.ID, Email: "b@x.io", Status: orgs.InvitationPending}
	if err := s.InsertInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	inv2 := *inv
	inv2.ID = "inv_2"
	wantErr(t, s.InsertInvitation(ctx, &inv2), orgs.ErrAlreadyInvited)

	team := &orgs.Team{ID: "team_1", OrganizationID: org.ID, Slug: "core"}
	if err := s.InsertTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.InsertTeam(ctx, &orgs.Team{ID: "team_2", OrganizationID: org.ID, Slug: "core"}), orgs.ErrSlugTaken)
	tm := &orgs.TeamMember{TeamID: team.ID, UserID: "owner", Role: orgs.TeamRoleMember}
	if err := s.InsertTeamMember(ctx, tm); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.InsertTeamMember(ctx, tm), orgs.ErrAlreadyMember)

	// Rows under the wrong organization are not found.
	other, owner := newOrg("other")
	if err := s.InsertOrganization(ctx, other, owner); err != nil {
		t.Fatal(err)
	}
	_, err := s.GetInvitation(ctx, other.ID, inv.ID)
	wantErr(t, err, orgs.ErrNotFound)
	wantErr(t, s.DeleteCategory(ctx, other.ID, cat.ID), orgs.ErrNotFound)
	_, err = s.GetTeam(ctx, other.ID, "core")
	wantErr(t, err, orgs.ErrNotFound)
}

func TestCascadesAndCounters(t *testing.T) {
	s, org := seed(t)
	steps := []error{
		s.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: "bob", Role: orgs.RoleMember}),
		s.InsertTeam(ctx, &orgs.Team{ID: "team_1", OrganizationID: org.ID, Slug: "core"}),
		s.InsertTeamMember(ctx, &orgs.TeamMember{TeamID: "team_1", UserID: "bob"}),
		s.InsertEvent(ctx, &orgs.Event{ID: "evt_1", OrganizationID: org.ID}),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetOrganization(ctx, orgs.OrganizationKey{Slug: "acme"}, "bob")
	if got.MemberCount != 2 || got.TeamCount != 1 || got.Role != orgs.RoleMember {
		t.Errorf("got %d members, %d teams, role %q", got.MemberCount, got.TeamCount, got.Role)
	}
	got.Metadata["k"] = "mutated" // results are copies
	if again, _ := s.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, ""); again.Metadata["k"] != "v" {
		t.Error("a caller's change to a result reached the store")
	}

	if err := s.DeleteMember(ctx, org.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if team, _ := s.GetTeam(ctx, org.ID, "core"); team.MemberCount != 0 {
		t.Error("DeleteMember left the team membership")
	}
	if err := s.DeleteOrganization(ctx, org.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.GetTeam(ctx, org.ID, "core")
	wantErr(t, err, orgs.ErrNotFound)
	if n, _ := s.CountMembers(ctx, org.ID, ""); n != 0 {
		t.Errorf("%d members left", n)
	}
	if es, _ := s.ListEvents(ctx, orgs.EventFilter{OrganizationID: org.ID}); len(es) != 1 {
		t.Errorf("%d events kept, want 1", len(es))
	}
}

func TestClosed(t *testing.T) {
	s, org := seed(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := s.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, "")
	wantErr(t, err, orgs.ErrClosed)
	wantErr(t, s.Transact(ctx, func(context.Context, orgs.Tx) error { return nil }), orgs.ErrClosed)
	wantErr(t, s.Close(), orgs.ErrClosed)
}

func TestInvitationStatus(t *testing.T) {
	s, org := seed(t)
	now := time.Now().UTC()
	for _, inv := range []orgs.Invitation{
		{ID: "inv_1", Email: "live@x.io", Status: orgs.InvitationPending, ExpiresAt: now.Add(time.Hour)},
		{ID: "inv_2", Email: "old@x.io", Status: orgs.InvitationPending, ExpiresAt: now},
		{ID: "inv_3", Email: "done@x.io", Status: orgs.InvitationAccepted, ExpiresAt: now.Add(time.Hour)},
	} {
		inv.OrganizationID = org.ID
		if err := s.InsertInvitation(ctx, &inv); err != nil {
			t.Fatal(err)
		}
	}
	for status, want := range map[orgs.InvitationStatus]string{
		"": "inv_1 inv_2 inv_3", orgs.InvitationPending: "inv_1", orgs.InvitationExpired: "inv_2", orgs.InvitationAccepted: "inv_3",
	} {
		invs, err := s.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: org.ID, Status: status, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, inv := range invs {
			got = append(got, inv.ID)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("status %q: got %v, want %s", status, got, want)
		}
	}
	if n, _ := s.CountPendingInvitations(ctx, org.ID, now); n != 1 {
		t.Errorf("CountPendingInvitations = %d, want 1", n)
	}
}
