package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// CheckInvariants is the checker that torture runs and the soak command use
// after every round: it reads the store itself and reports every rule the
// Service promises that no longer holds, whatever calls were made.

// InvariantOptions says what CheckInvariants looks at.
type InvariantOptions struct {
	// Users whose organizations are checked (found with ListOrganizations).
	Users []string
	// OrganizationIDs are organizations checked too; one that no longer
	// exists must have ended its event log with organization.deleted.
	OrganizationIDs []string
	// MemberLimit is the members-per-organization limit the Services ran
	// with (0: none).
	MemberLimit int
	// PendingLimit is the pending-invitations-per-organization limit (0:
	// none).
	PendingLimit int
	// OrganizationsPerUser is the organizations-per-user limit (0: none),
	// checked for Users.
	OrganizationsPerUser int
	// Now is the Services' time, which decides which invitations are
	// pending (zero: time.Now()).
	Now time.Time
}

// CheckInvariants checks the rules that hold whatever calls were made,
// against the store itself, and returns the violations it finds (an error
// only when it cannot read the store):
//
//   - every organization has at least one owner;
//   - member_count equals the members listed, team_count the teams listed,
//     each team's member_count its members listed;
//   - members, and members plus pending invitations, stay within
//     MemberLimit; pending invitations within PendingLimit; each user's
//     organizations within OrganizationsPerUser;
//   - every team member is a member of the team's organization;
//   - slugs, handles and external IDs are unique, and looking one up finds
//     the organization that has it;
//   - each user's organization list agrees with the organizations' member
//     lists, roles included;
//   - categories have distinct names (case-insensitively) and positions
//     0…n-1; pipelines have stage positions 0…n-1 and exactly one default
//     when there are any;
//   - an organization that vanished ended with organization.deleted.
func CheckInvariants(ctx context.Context, store orgs.Store, opts InvariantOptions) ([]string, error) {
	var vs []string
	violate := func(format string, args ...any) { vs = append(vs, fmt.Sprintf(format, args...)) }

	all := map[string]*orgs.Organization{}
	roleOf := map[[2]string]orgs.Role{} // (org, user) → role, from the users' lists
	for _, u := range opts.Users {
		os, err := listAll(func(r orgs.Range) ([]orgs.Organization, error) {
			return store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: u, Range: r})
		}, func(o orgs.Organization) string { return o.ID })
		if err != nil {
			return nil, err
		}
		for i := range os {
			all[os[i].ID] = &os[i]
			roleOf[[2]string{os[i].ID, u}] = os[i].Role
		}
	}
	for _, id := range opts.OrganizationIDs {
		org, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, "")
		if errors.Is(err, orgs.ErrNotFound) {
			es, err := listAll(func(r orgs.Range) ([]orgs.Event, error) {
				return store.ListEvents(ctx, orgs.EventFilter{OrganizationID: id, Range: r})
			}, func(e orgs.Event) string { return e.ID })
			if err != nil {
				return nil, err
			}
			if len(es) == 0 || es[len(es)-1].Type != "organization.deleted" {
				violate("organization %s vanished without organization.deleted", id)
			}
			continue
		} else if err != nil {
			return nil, err
		}
		if _, ok := all[id]; !ok {
			all[id] = org
		}
	}

	unique := map[string]string{} // "slug:acme" → organization ID
	for _, id := range slices.Sorted(maps.Keys(all)) {
		org, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, "")
		if errors.Is(err, orgs.ErrNotFound) {
			continue // deleted since it was listed (not by us: nothing runs)
		} else if err != nil {
			return nil, err
		}
		for _, k := range []struct {
			kind, value string
			key         orgs.OrganizationKey
		}{
			{"slug", strings.ToLower(org.Slug), orgs.OrganizationKey{Slug: org.Slug}},
			{"handle", org.Handle, orgs.OrganizationKey{}},
			{"external_id", org.ExternalID, orgs.OrganizationKey{ExternalID: org.ExternalID}},
		} {
			if k.value == "" {
				continue
			}
			if other, ok := unique[k.kind+":"+k.value]; ok {
				violate("%s %q is used by %s and %s", k.kind, k.value, other, id)
			}
			unique[k.kind+":"+k.value] = id
			if k.key != (orgs.OrganizationKey{}) {
				got, err := store.GetOrganization(ctx, k.key, "")
				if err != nil {
					violate("%s %q of %s: lookup: %v", k.kind, k.value, id, err)
				} else if got.ID != id {
					violate("%s %q of %s: lookup finds %s", k.kind, k.value, id, got.ID)
				}
			}
		}
		v, err := checkOrganization(ctx, store, org, opts, roleOf)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v...)
	}
	if opts.OrganizationsPerUser > 0 {
		for _, u := range opts.Users {
			n, err := store.CountOrganizationsCreatedBy(ctx, u)
			if err != nil {
				return nil, err
			}
			if n > opts.OrganizationsPerUser {
				violate("user %s created %d organizations, limit %d", u, n, opts.OrganizationsPerUser)
			}
		}
	}
	// Every (user, organization) of the users' lists is a membership.
	for key, role := range roleOf {
		m, err := store.GetMember(ctx, key[0], key[1])
		if errors.Is(err, orgs.ErrNotFound) {
			violate("organization %s is in %s's list, who is not a member", key[0], key[1])
		} else if err != nil {
			return nil, err
		} else if m.Role != role {
			violate("organization %s: %s's list says %s, the membership %s", key[0], key[1], role, m.Role)
		}
	}
	return vs, nil
}

// checkOrganization checks one organization's invariants.
func checkOrganization(ctx context.Context, store orgs.Store, org *orgs.Organization, opts InvariantOptions, roleOf map[[2]string]orgs.Role) ([]string, error) {
	var vs []string
	violate := func(format string, args ...any) {
		vs = append(vs, fmt.Sprintf("organization %s (%s): ", org.ID, org.Slug)+fmt.Sprintf(format, args...))
	}
	id := org.ID
	members, err := listAll(func(r orgs.Range) ([]orgs.Member, error) {
		return store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: id, Range: r})
	}, func(m orgs.Member) string { return m.UserID })
	if err != nil {
		return nil, err
	}
	isMember := map[string]bool{}
	owners, activeOwners := 0, 0
	for _, m := range members {
		isMember[m.UserID] = true
		inactive := m.Status == orgs.MembershipInactive
		if m.Role == orgs.RoleOwner {
			owners++
			if !inactive {
				activeOwners++
			}
		}
		if inactive {
			// No permission anywhere: its organization list leaves it out.
			if _, ok := roleOf[[2]string{id, m.UserID}]; ok {
				violate("inactive member %s still sees it in their organizations", m.UserID)
			}
			continue
		}
		if slices.Contains(opts.Users, m.UserID) {
			if role, ok := roleOf[[2]string{id, m.UserID}]; !ok {
				violate("member %s does not see it in their organizations", m.UserID)
			} else if role != m.Role {
				violate("member %s is %s, their list says %s", m.UserID, m.Role, role)
			}
		}
	}
	if activeOwners < 1 {
		violate("%d active owners (%d owners)", activeOwners, owners)
	}
	if ms, ok := store.(orgs.Memberships); ok {
		if n, err := ms.CountActiveMembers(ctx, id, orgs.RoleOwner); err != nil {
			return nil, err
		} else if n != activeOwners {
			violate("CountActiveMembers(owner) = %d, %d active owners listed", n, activeOwners)
		}
	}
	if n, err := store.CountMembers(ctx, id, orgs.RoleOwner); err != nil {
		return nil, err
	} else if n != owners {
		violate("CountMembers(owner) = %d, %d owners listed", n, owners)
	}
	if org.MemberCount != len(members) {
		violate("member_count %d, %d members listed", org.MemberCount, len(members))
	}
	if n, err := store.CountMembers(ctx, id, ""); err != nil {
		return nil, err
	} else if n != len(members) {
		violate("CountMembers = %d, %d members listed", n, len(members))
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	pending, err := store.CountPendingInvitations(ctx, id, now)
	if err != nil {
		return nil, err
	}
	if opts.PendingLimit > 0 && pending > opts.PendingLimit {
		violate("%d pending invitations, limit %d", pending, opts.PendingLimit)
	}
	if opts.MemberLimit > 0 {
		if len(members) > opts.MemberLimit {
			violate("%d members, limit %d", len(members), opts.MemberLimit)
		}
		if len(members)+pending > opts.MemberLimit {
			violate("%d members + %d pending invitations, limit %d", len(members), pending, opts.MemberLimit)
		}
	}

	teams, err := listAll(func(r orgs.Range) ([]orgs.Team, error) {
		return store.ListTeams(ctx, orgs.TeamFilter{OrganizationID: id, Range: r})
	},
		func(t orgs.Team) string { return t.ID })
	if err != nil {
		return nil, err
	}
	if org.TeamCount != len(teams) {
		violate("team_count %d, %d teams listed", org.TeamCount, len(teams))
	}
	teamSlugs := map[string]bool{}
	for _, tm := range teams {
		if teamSlugs[tm.Slug] {
			violate("team slug %q twice", tm.Slug)
		}
		teamSlugs[tm.Slug] = true
		tms, err := listAll(func(r orgs.Range) ([]orgs.TeamMember, error) {
			return store.ListTeamMembers(ctx, orgs.TeamMemberFilter{TeamID: tm.ID, Range: r})
		},
			func(m orgs.TeamMember) string { return m.UserID })
		if err != nil {
			return nil, err
		}
		if tm.MemberCount != len(tms) {
			violate("team %s: member_count %d, %d members listed", tm.Slug, tm.MemberCount, len(tms))
		}
		for _, m := range tms {
			if !isMember[m.UserID] {
				violate("team %s: %s is not a member of the organization", tm.Slug, m.UserID)
			}
		}
	}

	cs, err := store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: id})
	if err != nil {
		return nil, err
	}
	catNames := map[string]bool{}
	for i, c := range cs {
		if c.Position != i {
			violate("category %q at position %d, index %d", c.Name, c.Position, i)
		}
		if catNames[strings.ToLower(c.Name)] {
			violate("category name %q twice", c.Name)
		}
		catNames[strings.ToLower(c.Name)] = true
	}
	ps, err := store.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: id})
	if err != nil {
		return nil, err
	}
	defaults := 0
	for _, p := range ps {
		if p.IsDefault {
			defaults++
		}
		for i, st := range p.Stages {
			if st.Position != i {
				violate("pipeline %s: stage %q at position %d, index %d", p.ID, st.Name, st.Position, i)
			}
		}
	}
	if len(ps) > 0 && defaults != 1 {
		violate("%d default pipelines of %d", defaults, len(ps))
	}
	return vs, nil
}

// listAll reads every row of a Store list method, page by page.
func listAll[T any](list func(orgs.Range) ([]T, error), key func(T) string) ([]T, error) {
	var all []T
	after := ""
	for {
		page, err := list(orgs.Range{After: after, MaxRows: orgs.MaxPageLimit + 1})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < orgs.MaxPageLimit+1 {
			return all, nil
		}
		after = key(page[len(page)-1])
	}
}
