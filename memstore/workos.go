package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/tenantkit/orgs"
)

// This file holds the optional capabilities orgs.Memberships and
// orgs.SystemReader, and the domain details organizations carry.

var (
	_ orgs.Memberships  = (*txn)(nil)
	_ orgs.SystemReader = (*txn)(nil)
)

// domainDetails returns the organization's domains as objects, by ID, with
// their verification record.
func (st *state) domainDetails(orgID string) []orgs.Domain {
	ds := st.orgDomains(orgID)
	for i := range ds {
		ds[i].VerificationName = "_orgs-challenge." + ds[i].Domain
		ds[i].VerificationValue = "orgs-verification=" + ds[i].VerificationToken
	}
	return ds
}

// verifiedElsewhere reports whether another domain row with d's name is
// verified (the unique constraint on verified domains).
func (st *state) verifiedElsewhere(d orgs.Domain) bool {
	for _, other := range st.domains {
		if other.ID != d.ID && other.Domain == d.Domain && other.State == orgs.DomainVerified {
			return true
		}
	}
	return false
}

// membership returns the membership with the ID, with profile and the
// organization's name.
func (st *state) membership(id string) (orgs.Member, bool) {
	if id == "" {
		return orgs.Member{}, false
	}
	for orgID, ms := range st.members {
		for _, m := range ms {
			if m.ID == id {
				m = st.withProfile(m)
				m.OrganizationName = st.orgs[orgID].Name
				return m, true
			}
		}
	}
	return orgs.Member{}, false
}

func (tx *txn) GetMembership(ctx context.Context, id string) (*orgs.Member, error) {
	return read(ctx, tx, func(st *state) (*orgs.Member, error) {
		m, ok := st.membership(id)
		if !ok {
			return nil, notFound("membership", id)
		}
		return &m, nil
	})
}

func (tx *txn) ListMemberships(ctx context.Context, f orgs.MembershipFilter) ([]orgs.Member, error) {
	return read(ctx, tx, func(st *state) ([]orgs.Member, error) {
		var list []orgs.Member
		for orgID, ms := range st.members {
			if f.OrganizationID != "" && orgID != f.OrganizationID {
				continue
			}
			for _, m := range ms {
				if m.ID == "" || f.UserID != "" && m.UserID != f.UserID ||
					len(f.Statuses) > 0 && !slices.Contains(f.Statuses, m.Status) {
					continue
				}
				m = st.withProfile(m)
				m.OrganizationName = st.orgs[orgID].Name
				list = append(list, m)
			}
		}
		return page(list, f.Range, func(m orgs.Member) string { return m.ID }), nil
	})
}

func (tx *txn) CountActiveMembers(ctx context.Context, orgID string, role orgs.Role) (int, error) {
	return read(ctx, tx, func(st *state) (int, error) {
		n := 0
		for _, m := range st.members[orgID] {
			if m.Status != orgs.MembershipInactive && (role == "" || m.Role == role) {
				n++
			}
		}
		return n, nil
	})
}

func (tx *txn) UpdateMember(ctx context.Context, m *orgs.Member) error {
	return write(ctx, tx, func(st *state) error {
		ms := st.members[m.OrganizationID]
		old, ok := ms[m.UserID]
		if !ok {
			return notFound("member", m.UserID)
		}
		old.Role, old.Status, old.UpdatedAt = m.Role, cmp.Or(m.Status, orgs.MembershipActive), cmp.Or(m.UpdatedAt, old.JoinedAt)
		set(tx, ms, m.UserID, old)
		return nil
	})
}

func (tx *txn) ListAllOrganizations(ctx context.Context, f orgs.AllOrganizationsFilter) ([]orgs.Organization, error) {
	return read(ctx, tx, func(st *state) ([]orgs.Organization, error) {
		var list []orgs.Organization
		for _, o := range st.orgs {
			v := st.viewOrg(o, "")
			if len(f.Domains) > 0 && !slices.ContainsFunc(v.Domains, func(d string) bool { return slices.Contains(f.Domains, d) }) {
				continue
			}
			if f.Search != "" && !containsFold(v.Name, f.Search) {
				continue
			}
			list = append(list, v)
		}
		return page(list, f.Range, func(o orgs.Organization) string { return o.ID }), nil
	})
}

func (tx *txn) GetInvitationByID(ctx context.Context, id string) (*orgs.Invitation, error) {
	return tx.findInvitation(ctx, id, func(i orgs.Invitation) bool { return i.ID == id })
}

func (tx *txn) ListAllInvitations(ctx context.Context, f orgs.AllInvitationsFilter) ([]orgs.Invitation, error) {
	return read(ctx, tx, func(st *state) ([]orgs.Invitation, error) {
		var list []orgs.Invitation
		for _, i := range st.invitations {
			if (f.OrganizationID == "" || i.OrganizationID == f.OrganizationID) && (f.Email == "" || i.Email == f.Email) {
				list = append(list, cloneInvitation(i))
			}
		}
		return page(list, f.Range, func(i orgs.Invitation) string { return i.ID }), nil
	})
}

func (tx *txn) FindUserByEmail(ctx context.Context, email string) (*orgs.User, error) {
	return read(ctx, tx, func(st *state) (*orgs.User, error) {
		var found *orgs.User
		for _, u := range st.users {
			if u.Email == email && (found == nil || strings.Compare(u.ID, found.ID) < 0) {
				found = &u
			}
		}
		if found == nil {
			return nil, notFound("user with email", email)
		}
		return found, nil
	})
}
