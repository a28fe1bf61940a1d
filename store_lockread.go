package orgs

import (
	"context"
	"errors"
	"time"
)

// LockReader is an optional Tx capability: lock an organization and read
// everything a change needs to decide — the organization as the viewer
// sees it, and what a Reads names — in one round trip to the database
// where it allows, instead of the lock and one statement per read that the
// Service makes without it. Every mutation of an organization starts with
// it (or, without it, with OrganizationLocker or LockOrganization and the
// Reader methods each field of Reads names).
type LockReader interface {
	// LockAndRead locks the organization key names, as LockOrganization
	// does, and then reads it as viewer sees it (as GetOrganization) and
	// what r names. Every read must see the database as it is once the
	// lock is held, after every transaction that held it before has
	// committed: on Postgres at READ COMMITTED that means statements after
	// the locking one — never the locking statement itself, which reads the
	// other tables as they were when it started. The reads may be sent
	// together with the lock, and with BEGIN.
	//
	// When key is the zero OrganizationKey the organization is the one of
	// the invitation whose token hash is r.InvitationTokenHash. It must
	// return an error wrapping ErrNotFound when there is no such
	// organization; a row that r names and that does not exist is left out
	// of the result, never an error.
	LockAndRead(ctx context.Context, key OrganizationKey, viewer string, r Reads) (*Locked, error)
}

// Reads names what a change reads besides its organization, each field as
// the Reader method named on it, with the organization's ID. The zero
// Reads reads the organization alone.
type Reads struct {
	// Members: these users' memberships, with profiles (GetMember).
	Members []string
	// Users: these users' profiles from the store's users (Users).
	Users []string
	// Owners: count the active owners (Memberships.CountActiveMembers with
	// RoleOwner; CountMembers without that capability).
	Owners bool
	// PendingAt, when set: count the invitations pending and unexpired at
	// that time (CountPendingInvitations).
	PendingAt time.Time
	// MemberEmails: for each email, a member whose profile email it is
	// (FindMemberByEmail; of several, the one with the lowest user ID).
	MemberEmails []string
	// PendingEmails: for each email, its pending invitation, expired or
	// not (FindPendingInvitation).
	PendingEmails []string
	// Invitation: the invitation with this ID (GetInvitation).
	Invitation string
	// InvitationTokenHash: the invitation whose token hash it is, when it
	// is the organization's (GetInvitationByTokenHash).
	InvitationTokenHash []byte
	// Team: the team with this slug (GetTeam); TeamMembers: these users'
	// memberships of it, with profiles (GetTeamMember).
	Team        string
	TeamMembers []string
}

// Locked is what LockAndRead read: the organization, and each result of
// Reads as the Reader method named there returns it. A row that does not
// exist is absent (a nil pointer, no map entry); maps are never nil.
type Locked struct {
	Organization   *Organization
	Members        map[string]Member     // by user ID
	Users          map[string]User       // by user ID
	Owners         int                   // active owners, when Reads.Owners
	Pending        int                   // when Reads.PendingAt is set
	MemberByEmail  map[string]Member     // by email
	PendingByEmail map[string]Invitation // by email
	Invitation     *Invitation           // by ID, or by token hash
	Team           *Team
	TeamMembers    map[string]TeamMember // by user ID, of Team
}

// NewLocked returns a Locked for org with empty maps, for a store that
// implements LockReader to fill in.
func NewLocked(org *Organization) *Locked {
	return &Locked{Organization: org, Members: map[string]Member{}, Users: map[string]User{},
		MemberByEmail: map[string]Member{}, PendingByEmail: map[string]Invitation{},
		TeamMembers: map[string]TeamMember{}}
}

// lockRead locks the organization key names in tx and makes r's reads:
// with the store's LockReader in one step, otherwise through the lock
// (OrganizationLocker, or read, LockOrganization and read again) and the
// Reader method of each read.
func lockRead(ctx context.Context, tx Tx, key OrganizationKey, viewer string, r Reads) (*Locked, error) {
	if lr, ok := tx.(LockReader); ok {
		return lr.LockAndRead(ctx, key, viewer, r)
	}
	if key == (OrganizationKey{}) {
		inv, err := tx.GetInvitationByTokenHash(ctx, r.InvitationTokenHash)
		if err != nil {
			return nil, err
		}
		key = OrganizationKey{ID: inv.OrganizationID}
	}
	var org *Organization
	var err error
	if lk, ok := tx.(OrganizationLocker); ok {
		org, err = lk.LockAndGetOrganization(ctx, key, viewer)
	} else if org, err = tx.GetOrganization(ctx, key, viewer); err == nil {
		if err = tx.LockOrganization(ctx, org.ID); err == nil {
			org, err = tx.GetOrganization(ctx, OrganizationKey{ID: org.ID}, viewer)
		}
	}
	if err != nil {
		return nil, err
	}
	return readEach(ctx, tx, org, r)
}

// readEach makes r's reads one Reader call each. A missing row is left out.
func readEach(ctx context.Context, rd Reader, org *Organization, r Reads) (*Locked, error) {
	got := NewLocked(org)
	found := func(err error) (bool, error) {
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	for _, u := range r.Members {
		m, err := rd.GetMember(ctx, org.ID, u)
		if ok, err := found(err); err != nil {
			return nil, err
		} else if ok {
			got.Members[u] = *m
		}
	}
	if len(r.Users) > 0 {
		us, err := rd.Users(ctx, r.Users)
		if err != nil {
			return nil, err
		}
		got.Users = us
	}
	var err error
	if r.Owners {
		if got.Owners, err = countActive(ctx, rd, org.ID, RoleOwner); err != nil {
			return nil, err
		}
	}
	if !r.PendingAt.IsZero() {
		if got.Pending, err = rd.CountPendingInvitations(ctx, org.ID, r.PendingAt); err != nil {
			return nil, err
		}
	}
	for _, e := range r.MemberEmails {
		m, err := rd.FindMemberByEmail(ctx, org.ID, e)
		if ok, err := found(err); err != nil {
			return nil, err
		} else if ok {
			got.MemberByEmail[e] = *m
		}
	}
	for _, e := range r.PendingEmails {
		inv, err := rd.FindPendingInvitation(ctx, org.ID, e)
		if ok, err := found(err); err != nil {
			return nil, err
		} else if ok {
			got.PendingByEmail[e] = *inv
		}
	}
	if r.Invitation != "" {
		inv, err := rd.GetInvitation(ctx, org.ID, r.Invitation)
		if ok, err := found(err); err != nil {
			return nil, err
		} else if ok {
			got.Invitation = inv
		}
	}
	if len(r.InvitationTokenHash) > 0 {
		inv, err := rd.GetInvitationByTokenHash(ctx, r.InvitationTokenHash)
		if ok, err := found(err); err != nil {
			return nil, err
		} else if ok && inv.OrganizationID == org.ID {
			got.Invitation = inv
		}
	}
	if r.Team != "" {
		t, err := rd.GetTeam(ctx, org.ID, r.Team)
		if ok, err := found(err); err != nil {
			return nil, err
		} else if ok {
			got.Team = t
			for _, u := range r.TeamMembers {
				m, err := rd.GetTeamMember(ctx, t.ID, u)
				if ok, err := found(err); err != nil {
					return nil, err
				} else if ok {
					got.TeamMembers[u] = *m
				}
			}
		}
	}
	return got, nil
}
