package memstore

import (
	"bytes"
	"context"
	"maps"
	"slices"

	"github.com/tenantkit/orgs"
)

// The optional capabilities beyond orgs.OrganizationLocker: orgs.LockReader
// (every read a change needs, in one call under the store's lock) and
// orgs.BulkWriter (many rows checked first, then written, so that a call
// writes all or none). memstore has no round trips to save, so it does not
// implement orgs.WriteBatcher: its writes run at once.
var (
	_ orgs.LockReader = (*txn)(nil)
	_ orgs.BulkWriter = (*txn)(nil)
)

// LockAndRead reads the organization and what r names in one call, under
// the store's lock (every Transact holds the write lock already).
func (tx *txn) LockAndRead(ctx context.Context, key orgs.OrganizationKey, viewer string, r orgs.Reads) (*orgs.Locked, error) {
	return read(ctx, tx, func(st *state) (*orgs.Locked, error) {
		o, ok := st.findOrg(key, r.InvitationTokenHash)
		if !ok {
			return nil, notFound("organization", key.ID+key.Slug+key.ExternalID)
		}
		v := st.viewOrg(o, viewer)
		got := orgs.NewLocked(&v)
		for _, u := range r.Members {
			if m, ok := st.members[o.ID][u]; ok {
				got.Members[u] = st.withProfile(m)
			}
		}
		for _, u := range r.Users {
			if p, ok := st.users[u]; ok {
				got.Users[u] = p
			}
		}
		for _, m := range st.members[o.ID] {
			if r.Owners && m.Role == orgs.RoleOwner && m.Status != orgs.MembershipInactive {
				got.Owners++
			}
			email := st.users[m.UserID].Email
			if email == "" || !slices.Contains(r.MemberEmails, email) {
				continue
			}
			if prev, ok := got.MemberByEmail[email]; !ok || m.UserID < prev.UserID {
				got.MemberByEmail[email] = st.withProfile(m)
			}
		}
		for _, inv := range st.invitations {
			if inv.OrganizationID != o.ID {
				continue
			}
			pending := inv.Status == orgs.InvitationPending
			if pending && !r.PendingAt.IsZero() && inv.ExpiresAt.After(r.PendingAt) {
				got.Pending++
			}
			if pending && slices.Contains(r.PendingEmails, inv.Email) {
				got.PendingByEmail[inv.Email] = cloneInvitation(inv)
			}
			if (r.Invitation != "" && inv.ID == r.Invitation) ||
				(len(r.InvitationTokenHash) > 0 && bytes.Equal(inv.TokenHash, r.InvitationTokenHash)) {
				c := cloneInvitation(inv)
				got.Invitation = &c
			}
		}
		if r.Team != "" {
			for _, t := range st.teams {
				if t.OrganizationID == o.ID && t.Slug == r.Team {
					t = st.viewTeam(t)
					got.Team = &t
					for _, u := range r.TeamMembers {
						if m, ok := st.teamMembers[t.ID][u]; ok {
							got.TeamMembers[u] = st.withTeamProfile(m)
						}
					}
				}
			}
		}
		return got, nil
	})
}

// findOrg finds the organization key names; the zero key names the
// organization of the invitation whose token hash is tokenHash.
func (st *state) findOrg(key orgs.OrganizationKey, tokenHash []byte) (orgs.Organization, bool) {
	if key == (orgs.OrganizationKey{}) {
		for _, inv := range st.invitations {
			if len(tokenHash) > 0 && bytes.Equal(inv.TokenHash, tokenHash) {
				key.ID = inv.OrganizationID
			}
		}
		if key.ID == "" {
			return orgs.Organization{}, false
		}
	}
	for _, o := range st.orgs {
		if (key.ID != "" && o.ID == key.ID) || (key.Slug != "" && o.Slug == key.Slug) ||
			(key.ExternalID != "" && o.ExternalID == key.ExternalID) {
			return o, true
		}
	}
	return orgs.Organization{}, false
}

// InsertMembers checks every membership, then inserts them all.
func (tx *txn) InsertMembers(ctx context.Context, ms []orgs.Member) error {
	return write(ctx, tx, func(st *state) error {
		seen := map[[2]string]bool{}
		for _, m := range ms {
			if err := st.requireOrg(m.OrganizationID); err != nil {
				return err
			}
			k := [2]string{m.OrganizationID, m.UserID}
			if _, ok := st.members[m.OrganizationID][m.UserID]; ok || seen[k] {
				return taken(orgs.ErrAlreadyMember, "member", m.UserID)
			}
			seen[k] = true
		}
		for _, m := range ms {
			set(tx, st.members[m.OrganizationID], m.UserID, storedMember(m.OrganizationID, m))
		}
		return nil
	})
}

// InsertTeamMembers checks every team membership, then inserts them all.
func (tx *txn) InsertTeamMembers(ctx context.Context, ms []orgs.TeamMember) error {
	return write(ctx, tx, func(st *state) error {
		seen := map[[2]string]bool{}
		for _, m := range ms {
			t, ok := st.teams[m.TeamID]
			if !ok {
				return notFound("team", m.TeamID)
			}
			if _, ok := st.members[t.OrganizationID][m.UserID]; !ok {
				return taken(orgs.ErrNotMember, "user", m.UserID)
			}
			k := [2]string{m.TeamID, m.UserID}
			if _, ok := st.teamMembers[m.TeamID][m.UserID]; ok || seen[k] {
				return taken(orgs.ErrAlreadyMember, "team member", m.UserID)
			}
			seen[k] = true
		}
		for _, m := range ms {
			set(tx, st.teamMembers[m.TeamID], m.UserID, orgs.TeamMember{TeamID: m.TeamID, UserID: m.UserID, Role: m.Role, JoinedAt: m.JoinedAt})
		}
		return nil
	})
}

// InsertInvitations checks every invitation — its organization, and no
// other pending invitation for its email, stored or among them — then
// inserts them all.
func (tx *txn) InsertInvitations(ctx context.Context, invs []orgs.Invitation) error {
	return write(ctx, tx, func(st *state) error {
		pending := map[[2]string]bool{}
		for _, i := range st.invitations {
			if i.Status == orgs.InvitationPending {
				pending[[2]string{i.OrganizationID, i.Email}] = true
			}
		}
		for _, inv := range invs {
			if err := st.requireOrg(inv.OrganizationID); err != nil {
				return err
			}
			if _, ok := st.invitations[inv.ID]; ok {
				return taken(orgs.ErrAlreadyInvited, "invitation", inv.ID)
			}
			k := [2]string{inv.OrganizationID, inv.Email}
			if inv.Status == orgs.InvitationPending && pending[k] {
				return taken(orgs.ErrAlreadyInvited, "email", inv.Email)
			}
			pending[k] = inv.Status == orgs.InvitationPending
		}
		for _, inv := range invs {
			stored := cloneInvitation(inv)
			stored.Token, stored.AcceptURL = "", ""
			set(tx, st.invitations, inv.ID, stored)
		}
		return nil
	})
}

// InsertEvents appends events.
func (tx *txn) InsertEvents(ctx context.Context, es []orgs.Event) error {
	return write(ctx, tx, func(st *state) error {
		for _, e := range es {
			e.Data = maps.Clone(e.Data)
			set(tx, st.events, e.ID, e)
		}
		return nil
	})
}
