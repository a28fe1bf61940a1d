// Package workload is the random mix of operations that the torture tests
// (storetest) and the soak command (cmd/orgssoak) both run: one table of
// operations, each picking a plausible actor and arguments from what the
// store holds — an owner to delete, a member to demote, a fresh token to
// accept — and calling a Driver: the Service itself, or the HTTP API.
//
// A World holds one run's shared state (the users, slugs and tokens in
// play, the organizations created, and the bookkeeping of what succeeded,
// for the checks after the run). Its methods are safe for concurrent use by
// the run's goroutines.
package workload

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// Driver makes the calls. Every method acts as the user named actor, as
// the Service's method of the same name does; methods that return nothing
// but an error are reads or writes whose result the workload does not use.
// A driver that cannot make a call returns ErrSkip.
type Driver interface {
	Industries(ctx context.Context, actor string) error
	CreateOrganization(ctx context.Context, actor string, in orgs.CreateOrganizationInput) (*orgs.Organization, error)
	GetOrganization(ctx context.Context, actor, slug string) error
	GetOrganizationByExternalID(ctx context.Context, actor, externalID string) error
	ListOrganizations(ctx context.Context, actor string, q orgs.OrganizationQuery) error
	UpdateOrganization(ctx context.Context, actor, slug string, in orgs.UpdateOrganizationInput) error
	DeleteOrganization(ctx context.Context, actor, slug string) error

	AddMember(ctx context.Context, actor, slug, userID string, role orgs.Role) error
	GetMember(ctx context.Context, actor, slug, userID string) error
	ListMembers(ctx context.Context, actor, slug string, q orgs.MemberQuery) error
	UpdateMemberRole(ctx context.Context, actor, slug, userID string, role orgs.Role) error
	RemoveMember(ctx context.Context, actor, slug, userID string) error
	LeaveOrganization(ctx context.Context, actor, slug string) error
	TransferOwnership(ctx context.Context, actor, slug, userID string) error

	CreateInvitation(ctx context.Context, actor, slug string, in orgs.InvitationInput) (*orgs.Invitation, error)
	GetInvitation(ctx context.Context, actor, slug, id string) error
	ListInvitations(ctx context.Context, actor, slug string, q orgs.InvitationQuery) error
	ResendInvitation(ctx context.Context, actor, slug, id string) (*orgs.Invitation, error)
	RevokeInvitation(ctx context.Context, actor, slug, id string) error
	AcceptInvitation(ctx context.Context, actor, token string) error
	DeclineInvitation(ctx context.Context, actor, token string) error

	CreateTeam(ctx context.Context, actor, slug string, in orgs.TeamInput) error
	GetTeam(ctx context.Context, actor, slug, team string) error
	ListTeams(ctx context.Context, actor, slug string) error
	UpdateTeam(ctx context.Context, actor, slug, team string, in orgs.TeamUpdate) error
	DeleteTeam(ctx context.Context, actor, slug, team string) error
	AddTeamMember(ctx context.Context, actor, slug, team, userID string, role orgs.TeamRole) error
	ListTeamMembers(ctx context.Context, actor, slug, team string) error
	UpdateTeamMemberRole(ctx context.Context, actor, slug, team, userID string, role orgs.TeamRole) error
	RemoveTeamMember(ctx context.Context, actor, slug, team, userID string) error

	ListCategories(ctx context.Context, actor, slug string) error
	CreateCategory(ctx context.Context, actor, slug string, in orgs.CategoryInput) error
	UpdateCategory(ctx context.Context, actor, slug, id string, in orgs.CategoryUpdate) error
	DeleteCategory(ctx context.Context, actor, slug, id string) error

	ListPipelines(ctx context.Context, actor, slug string) error
	GetPipeline(ctx context.Context, actor, slug, id string) error
	CreatePipeline(ctx context.Context, actor, slug string, in orgs.PipelineInput) error
	UpdatePipeline(ctx context.Context, actor, slug, id string, in orgs.PipelineUpdate) error
	DeletePipeline(ctx context.Context, actor, slug, id string) error
	AddStage(ctx context.Context, actor, slug, pipelineID, name string) error
	RemoveStage(ctx context.Context, actor, slug, pipelineID, stageID string) error
	ReorderStages(ctx context.Context, actor, slug, pipelineID string, stageIDs []string) error

	ListDomains(ctx context.Context, actor, slug string) error
	AddDomain(ctx context.Context, actor, slug, domain string) error
	DeleteDomain(ctx context.Context, actor, slug, id string) error
	ListEvents(ctx context.Context, actor, slug string, q orgs.EventQuery) error
}

// ErrSkip means nothing was called: there was nothing to act on (no
// token yet, an organization that went while it was picked), or the driver
// cannot make that call.
var ErrSkip = errors.New("workload: skipped")

// Config is what a World plays with.
type Config struct {
	Users      []string // user IDs; each has the profile email ID@example.com
	Slugs      []string // organization slugs in play (created, renamed to, deleted)
	ExtIDs     []string // external IDs in play
	Handles    []string // handles in play
	Teams      []string // team slugs in play
	Categories []string // category names in play (some equal but for case)
	Domains    []string // domains in play

	// OwnerBias makes leave pick an owner two times in three (the
	// last-owner attack).
	OwnerBias bool
	// AnyRole makes invitations invite to any role, not only member.
	AnyRole bool
	// AnyoneAnswers makes any user answer an invitation (the Service then
	// skips the email check); otherwise the invitee answers three times in
	// four.
	AnyoneAnswers bool
	// Clock, when set, is the Services' clock: the tick operation moves it,
	// and invitations get short expiries.
	Clock *testkit.Clock
}

// World is one run's shared state.
type World struct {
	cfg   Config
	store orgs.Reader

	mu      sync.Mutex
	created []string            // IDs of every organization created
	tokens  []Token             // recent tokens, newest last
	allInvs []Token             // every invitation made (with its latest token)
	accepts map[string][]string // invitation ID → users whose accept succeeded
	invOrg  map[string]string   // invitation ID → organization ID
	deletes int                 // successful DeleteOrganization calls
	events  map[orgs.EventType]int
}

// Token is an invitation the run made, with its latest token.
type Token struct{ Token, InvitationID, OrganizationID, Invitee string }

// New returns a World over store (read directly to pick targets).
func New(store orgs.Reader, cfg Config) *World {
	return &World{cfg: cfg, store: store, accepts: map[string][]string{}, invOrg: map[string]string{},
		events: map[orgs.EventType]int{}}
}

// Created returns the IDs of every organization the run created.
func (w *World) Created() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.created)
}

// NoteCreated records an organization created outside the operations (the
// run's set-up), with its organization.created event.
func (w *World) NoteCreated(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.created = append(w.created, id)
	w.events[orgs.EventOrganizationCreated]++
}

// ExpectEvent counts one event a successful call appended.
func (w *World) ExpectEvent(typ orgs.EventType) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events[typ]++
}

// Op is one operation of the table.
type Op struct {
	// Event is what a successful call appends ("" when the operation
	// counts its own, or appends none).
	Event orgs.EventType
	// Refusals are the sentinels the call may fail with, besides
	// ErrNotFound and ErrForbidden, which any call on a picked organization
	// may meet (it was deleted, renamed, the actor was demoted meanwhile).
	Refusals []error
	run      func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error
}

// Ops is the table, by name.
var Ops map[string]Op

// Run makes one call of the named operation through d. It returns ErrSkip
// when nothing was called; on success it counts the operation's event.
func (w *World) Run(ctx context.Context, d Driver, rng *rand.Rand, name string) error {
	op, ok := Ops[name]
	if !ok {
		return fmt.Errorf("workload: unknown operation %q", name)
	}
	err := op.run(ctx, w, d, rng)
	if err == nil && op.Event != "" {
		w.ExpectEvent(op.Event)
	}
	return err
}

// Refused reports whether err is a refusal expected of the named operation
// (its Refusals, ErrNotFound or ErrForbidden).
func Refused(name string, err error) bool {
	if errors.Is(err, orgs.ErrNotFound) || errors.Is(err, orgs.ErrForbidden) {
		return true
	}
	for _, e := range Ops[name].Refusals {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Pick chooses the operation of a weighted mix: weights by name.
func Pick(rng *rand.Rand, weights map[string]int) string {
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range weights {
			if !yield(n) {
				return
			}
		}
	})
	total := 0
	for _, n := range names {
		total += weights[n]
	}
	k := rng.IntN(total)
	for _, n := range names {
		if k < weights[n] {
			return n
		}
		k -= weights[n]
	}
	return names[len(names)-1]
}

// target is an organization picked for a call, as read just before it.
type target struct {
	org     *orgs.Organization
	members []orgs.Member
}

// pick reads one of the organizations in play.
func (w *World) pick(ctx context.Context, rng *rand.Rand) (*target, error) {
	for range 4 {
		org, err := w.store.GetOrganization(ctx, orgs.OrganizationKey{Slug: w.cfg.Slugs[rng.IntN(len(w.cfg.Slugs))]}, "")
		if errors.Is(err, orgs.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		return w.pickOrg(ctx, org.ID)
	}
	return nil, ErrSkip
}

// pickOrg reads an organization and its members.
func (w *World) pickOrg(ctx context.Context, id string) (*target, error) {
	org, err := w.store.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, "")
	if err != nil {
		return nil, err
	}
	ms, err := w.store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: org.ID, Range: orgs.Range{MaxRows: orgs.MaxPageLimit + 1}})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, ErrSkip // it went while it was picked
	}
	return &target{org: org, members: ms}, nil
}

// someone returns a random member with one of roles (any member when none
// are given, or when none has them).
func (tg *target) someone(rng *rand.Rand, roles ...orgs.Role) string {
	var ids []string
	for _, m := range tg.members {
		if len(roles) == 0 || slices.Contains(roles, m.Role) {
			ids = append(ids, m.UserID)
		}
	}
	if len(ids) == 0 {
		return tg.members[rng.IntN(len(tg.members))].UserID
	}
	return ids[rng.IntN(len(ids))]
}

// manager returns an owner or admin, now and then a plain member (who is
// refused).
func (tg *target) manager(rng *rand.Rand) string {
	if rng.IntN(10) == 0 {
		return tg.someone(rng, orgs.RoleMember)
	}
	return tg.someone(rng, orgs.RoleOwner, orgs.RoleAdmin)
}

func (w *World) user(rng *rand.Rand) string { return w.cfg.Users[rng.IntN(len(w.cfg.Users))] }

func one[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func randomRole(rng *rand.Rand) orgs.Role {
	return one(rng, []orgs.Role{orgs.RoleOwner, orgs.RoleAdmin, orgs.RoleMember})
}

func ptr[T any](v T) *T { return &v }

// addToken records a fresh token; the ring keeps the newest 6, so that
// goroutines pick the same ones and race.
func (w *World) addToken(t Token) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.invOrg[t.InvitationID]; !ok {
		w.allInvs = append(w.allInvs, t)
	}
	w.invOrg[t.InvitationID] = t.OrganizationID
	w.tokens = append(w.tokens, t)
	if len(w.tokens) > 6 {
		w.tokens = w.tokens[len(w.tokens)-6:]
	}
}

func (w *World) recentToken(rng *rand.Rand) (Token, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.tokens) == 0 {
		return Token{}, false
	}
	return one(rng, w.tokens), true
}

func (w *World) anyInvitation(rng *rand.Rand) (Token, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.allInvs) == 0 {
		return Token{}, false
	}
	return one(rng, w.allInvs), true
}

// answerer is who answers an invitation.
func (w *World) answerer(rng *rand.Rand, t Token) string {
	if w.cfg.AnyoneAnswers || t.Invitee == "" || rng.IntN(4) == 0 {
		return w.user(rng)
	}
	return t.Invitee
}

// onOrg adapts an operation on a picked organization.
func onOrg(fn func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error) func(context.Context, *World, Driver, *rand.Rand) error {
	return func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error {
		tg, err := w.pick(ctx, rng)
		if err != nil {
			return err
		}
		return fn(ctx, w, d, rng, tg)
	}
}

// onInvitation adapts an operation on an invitation the run made: a recent
// one, or, half the time when anyOld, any (perhaps long expired).
func onInvitation(anyOld bool, fn func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target, t Token) error) func(context.Context, *World, Driver, *rand.Rand) error {
	return func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error {
		t, ok := w.recentToken(rng)
		if anyOld && rng.IntN(2) == 0 {
			t, ok = w.anyInvitation(rng)
		}
		if !ok {
			return ErrSkip
		}
		tg, err := w.pickOrg(ctx, t.OrganizationID) // the invitation's organization
		if err != nil {
			return err
		}
		return fn(ctx, w, d, rng, tg, t)
	}
}

// read adapts a read of a picked organization by one of its members.
func read(fn func(ctx context.Context, d Driver, actor, slug string, rng *rand.Rand) error) func(context.Context, *World, Driver, *rand.Rand) error {
	return onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
		return fn(ctx, d, tg.someone(rng), tg.org.Slug, rng)
	})
}

func init() {
	Ops = map[string]Op{
		"tick": {run: func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error {
			if w.cfg.Clock == nil {
				return ErrSkip
			}
			w.cfg.Clock.Advance(time.Duration(10+rng.IntN(41)) * time.Minute)
			return nil
		}},
		"industries": {run: func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error {
			return d.Industries(ctx, w.user(rng))
		}},
		"listOrgs": {run: func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error {
			q := orgs.OrganizationQuery{}
			if rng.IntN(2) == 0 {
				q.Search, q.Limit = "o", 2
			}
			return d.ListOrganizations(ctx, w.user(rng), q)
		}},
		"getOrgByExternalID": {run: func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error {
			return d.GetOrganizationByExternalID(ctx, w.user(rng), one(rng, w.cfg.ExtIDs))
		}},
		"createOrg": {Event: orgs.EventOrganizationCreated,
			Refusals: []error{orgs.ErrSlugTaken, orgs.ErrHandleTaken, orgs.ErrExternalIDTaken, orgs.ErrLimitExceeded},
			run: func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error {
				in := orgs.CreateOrganizationInput{Name: "Workload org", Slug: one(rng, w.cfg.Slugs)}
				if rng.IntN(2) == 0 {
					in.ExternalID = one(rng, w.cfg.ExtIDs)
				}
				if rng.IntN(3) == 0 {
					in.Handle = one(rng, w.cfg.Handles)
				}
				org, err := d.CreateOrganization(ctx, w.user(rng), in)
				if err == nil {
					w.mu.Lock()
					w.created = append(w.created, org.ID)
					w.mu.Unlock()
				}
				return err
			}},
		"getOrg": {run: read(func(ctx context.Context, d Driver, actor, slug string, rng *rand.Rand) error {
			return d.GetOrganization(ctx, actor, slug)
		})},
		"updateOrg": {Event: orgs.EventOrganizationUpdated,
			Refusals: []error{orgs.ErrSlugTaken, orgs.ErrHandleTaken, orgs.ErrExternalIDTaken},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				var in orgs.UpdateOrganizationInput
				switch rng.IntN(6) {
				case 0:
					in.Slug = ptr(one(rng, w.cfg.Slugs))
				case 1:
					in.ExternalID = ptr(one(rng, w.cfg.ExtIDs))
				case 2:
					in.Handle = ptr(one(rng, w.cfg.Handles))
				case 3:
					in.Description, in.Metadata = ptr(fmt.Sprintf("d %d", rng.IntN(1000))), map[string]string{"k": fmt.Sprint(rng.IntN(9))}
				case 4:
					in.Visibility = ptr(one(rng, []orgs.Visibility{orgs.VisibilityPublic, orgs.VisibilityPrivate}))
				default:
					in.ExternalID, in.Handle = ptr(""), ptr("")
				}
				return d.UpdateOrganization(ctx, tg.manager(rng), tg.org.Slug, in)
			})},
		"deleteOrg": {Event: orgs.EventOrganizationDeleted,
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				err := d.DeleteOrganization(ctx, tg.someone(rng, orgs.RoleOwner), tg.org.Slug)
				if err == nil {
					w.mu.Lock()
					w.deletes++
					w.mu.Unlock()
				}
				return err
			})},

		"addMember": {Event: orgs.EventMemberAdded, Refusals: []error{orgs.ErrAlreadyMember, orgs.ErrLimitExceeded},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				return d.AddMember(ctx, tg.manager(rng), tg.org.Slug, w.user(rng), randomRole(rng))
			})},
		"getMember": {run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
			return d.GetMember(ctx, tg.someone(rng), tg.org.Slug, tg.someone(rng))
		})},
		"listMembers": {run: read(func(ctx context.Context, d Driver, actor, slug string, rng *rand.Rand) error {
			q := orgs.MemberQuery{}
			if rng.IntN(2) == 0 {
				q.Role, q.Search, q.Limit = orgs.RoleMember, "u0", 3
			}
			return d.ListMembers(ctx, actor, slug, q)
		})},
		"updateRole": {Event: orgs.EventMemberRoleUpdated, Refusals: []error{orgs.ErrLastOwner},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				actor := tg.someone(rng, orgs.RoleOwner, orgs.RoleAdmin)
				target := actor // demote oneself, the last owner's classic
				if rng.IntN(2) == 0 {
					target = tg.someone(rng)
				}
				return d.UpdateMemberRole(ctx, actor, tg.org.Slug, target, randomRole(rng))
			})},
		"removeMember": {Event: orgs.EventMemberRemoved, Refusals: []error{orgs.ErrLastOwner},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				actor, target := tg.manager(rng), tg.someone(rng)
				if actor == target {
					return ErrSkip // that is leaving
				}
				return d.RemoveMember(ctx, actor, tg.org.Slug, target)
			})},
		"leave": {Event: orgs.EventMemberLeft, Refusals: []error{orgs.ErrLastOwner, orgs.ErrNotMember},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				actor := tg.someone(rng)
				if w.cfg.OwnerBias && rng.IntN(3) > 0 {
					actor = tg.someone(rng, orgs.RoleOwner)
				}
				return d.LeaveOrganization(ctx, actor, tg.org.Slug)
			})},
		"transfer": {Event: orgs.EventOwnershipTransferred, Refusals: []error{orgs.ErrNotMember},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				actor, target := tg.someone(rng, orgs.RoleOwner), tg.someone(rng)
				if actor == target {
					return ErrSkip // invalid: "must be another member"
				}
				return d.TransferOwnership(ctx, actor, tg.org.Slug, target)
			})},

		"invite": {Event: orgs.EventInvitationCreated,
			Refusals: []error{orgs.ErrAlreadyMember, orgs.ErrAlreadyInvited, orgs.ErrLimitExceeded},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				role := orgs.RoleMember
				if w.cfg.AnyRole && rng.IntN(2) == 0 {
					role = randomRole(rng)
				}
				invitee := w.user(rng)
				in := orgs.InvitationInput{Email: invitee + "@example.com", Role: role}
				if w.cfg.Clock != nil {
					in.ExpiresIn = one(rng, []time.Duration{time.Hour, 2 * time.Hour, 0})
				}
				inv, err := d.CreateInvitation(ctx, tg.manager(rng), tg.org.Slug, in)
				if err == nil {
					w.addToken(Token{Token: inv.Token, InvitationID: inv.ID, OrganizationID: tg.org.ID, Invitee: invitee})
				}
				return err
			})},
		"listInvitations": {run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
			return d.ListInvitations(ctx, tg.manager(rng), tg.org.Slug,
				orgs.InvitationQuery{Status: one(rng, []orgs.InvitationStatus{orgs.InvitationPending, orgs.InvitationAccepted, ""})})
		})},
		"getInvitation": {run: onInvitation(false, func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target, t Token) error {
			return d.GetInvitation(ctx, tg.manager(rng), tg.org.Slug, t.InvitationID)
		})},
		"resend": {Event: orgs.EventInvitationResent, Refusals: []error{orgs.ErrInvitationNotPending, orgs.ErrLimitExceeded},
			run: onInvitation(true, func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target, t Token) error {
				inv, err := d.ResendInvitation(ctx, tg.manager(rng), tg.org.Slug, t.InvitationID)
				if err == nil {
					t.Token = inv.Token
					w.addToken(t)
				}
				return err
			})},
		"revoke": {Event: orgs.EventInvitationRevoked, Refusals: []error{orgs.ErrInvitationNotPending},
			run: onInvitation(true, func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target, t Token) error {
				return d.RevokeInvitation(ctx, tg.manager(rng), tg.org.Slug, t.InvitationID)
			})},
		"accept": {Event: orgs.EventInvitationAccepted,
			Refusals: []error{orgs.ErrInvitationNotPending, orgs.ErrAlreadyMember, orgs.ErrLimitExceeded,
				orgs.ErrInvitationExpired, orgs.ErrEmailMismatch},
			run: func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error {
				t, ok := w.recentToken(rng)
				if !ok {
					return ErrSkip
				}
				actor := w.answerer(rng, t)
				err := d.AcceptInvitation(ctx, actor, t.Token)
				if err == nil {
					w.mu.Lock()
					w.accepts[t.InvitationID] = append(w.accepts[t.InvitationID], actor)
					w.mu.Unlock()
				}
				return err
			}},
		"decline": {Event: orgs.EventInvitationDeclined,
			Refusals: []error{orgs.ErrInvitationNotPending, orgs.ErrInvitationExpired, orgs.ErrEmailMismatch},
			run: func(ctx context.Context, w *World, d Driver, rng *rand.Rand) error {
				t, ok := w.recentToken(rng)
				if !ok {
					return ErrSkip
				}
				return d.DeclineInvitation(ctx, w.answerer(rng, t), t.Token)
			}},

		"createTeam": {Event: orgs.EventTeamCreated, Refusals: []error{orgs.ErrSlugTaken},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				return d.CreateTeam(ctx, tg.manager(rng), tg.org.Slug, orgs.TeamInput{Name: "Team", Slug: one(rng, w.cfg.Teams), Color: "#1f6feb"})
			})},
		"getTeam": {run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
			return d.GetTeam(ctx, tg.someone(rng), tg.org.Slug, one(rng, w.cfg.Teams))
		})},
		"listTeams": {run: read(func(ctx context.Context, d Driver, actor, slug string, rng *rand.Rand) error {
			return d.ListTeams(ctx, actor, slug)
		})},
		"updateTeam": {Event: orgs.EventTeamUpdated, Refusals: []error{orgs.ErrSlugTaken},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				return d.UpdateTeam(ctx, tg.manager(rng), tg.org.Slug, one(rng, w.cfg.Teams), orgs.TeamUpdate{Description: ptr(fmt.Sprint(rng.IntN(100)))})
			})},
		"deleteTeam": {Event: orgs.EventTeamDeleted,
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				return d.DeleteTeam(ctx, tg.manager(rng), tg.org.Slug, one(rng, w.cfg.Teams))
			})},
		"addTeamMember": {Event: orgs.EventTeamMemberAdded, Refusals: []error{orgs.ErrNotMember, orgs.ErrAlreadyMember},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				target := tg.someone(rng)
				if rng.IntN(4) == 0 {
					target = w.user(rng) // perhaps not a member
				}
				return d.AddTeamMember(ctx, tg.manager(rng), tg.org.Slug, one(rng, w.cfg.Teams), target,
					one(rng, []orgs.TeamRole{orgs.TeamRoleMember, orgs.TeamRoleMaintainer}))
			})},
		"listTeamMembers": {run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
			return d.ListTeamMembers(ctx, tg.someone(rng), tg.org.Slug, one(rng, w.cfg.Teams))
		})},
		"updateTeamMember": {Event: orgs.EventTeamMemberRoleUpdated,
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				return d.UpdateTeamMemberRole(ctx, tg.manager(rng), tg.org.Slug, one(rng, w.cfg.Teams), tg.someone(rng),
					one(rng, []orgs.TeamRole{orgs.TeamRoleMember, orgs.TeamRoleMaintainer}))
			})},
		"removeTeamMember": {Event: orgs.EventTeamMemberRemoved,
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				return d.RemoveTeamMember(ctx, tg.manager(rng), tg.org.Slug, one(rng, w.cfg.Teams), tg.someone(rng))
			})},

		"listCategories": {run: read(func(ctx context.Context, d Driver, actor, slug string, rng *rand.Rand) error {
			return d.ListCategories(ctx, actor, slug)
		})},
		"createCategory": {Event: orgs.EventCategoryCreated, Refusals: []error{orgs.ErrNameTaken, orgs.ErrLimitExceeded},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				in := orgs.CategoryInput{Name: one(rng, w.cfg.Categories)}
				if rng.IntN(2) == 0 {
					in.Position = ptr(rng.IntN(8))
				}
				return d.CreateCategory(ctx, tg.manager(rng), tg.org.Slug, in)
			})},
		"moveCategory": {Event: orgs.EventCategoryUpdated, Refusals: []error{orgs.ErrNameTaken},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				cs, err := w.store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: tg.org.ID})
				if err != nil {
					return err
				}
				if len(cs) == 0 {
					return ErrSkip
				}
				in := orgs.CategoryUpdate{Position: ptr(rng.IntN(len(cs) + 1))}
				if rng.IntN(3) == 0 {
					in.Name = ptr(one(rng, w.cfg.Categories))
				}
				return d.UpdateCategory(ctx, tg.manager(rng), tg.org.Slug, one(rng, cs).ID, in)
			})},
		"deleteCategory": {Event: orgs.EventCategoryDeleted,
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				cs, err := w.store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: tg.org.ID})
				if err != nil {
					return err
				}
				if len(cs) == 0 {
					return ErrSkip
				}
				return d.DeleteCategory(ctx, tg.manager(rng), tg.org.Slug, one(rng, cs).ID)
			})},

		"listPipelines": {run: read(func(ctx context.Context, d Driver, actor, slug string, rng *rand.Rand) error {
			return d.ListPipelines(ctx, actor, slug)
		})},
		// pipeline creates, deletes or defaults a pipeline, replaces its
		// stages, or adds, removes or reorders them (a reorder with a
		// stale stage list is invalid).
		"pipeline": {Refusals: []error{orgs.ErrInvalid, orgs.ErrLimitExceeded},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				return w.pipelineOp(ctx, d, rng, tg)
			})},

		"listDomains": {run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
			return d.ListDomains(ctx, tg.manager(rng), tg.org.Slug)
		})},
		"addDomain": {Event: orgs.EventDomainAdded, Refusals: []error{orgs.ErrDomainTaken, orgs.ErrLimitExceeded},
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				if len(w.cfg.Domains) == 0 {
					return ErrSkip
				}
				return d.AddDomain(ctx, tg.manager(rng), tg.org.Slug, one(rng, w.cfg.Domains))
			})},
		"deleteDomain": {Event: orgs.EventDomainDeleted,
			run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
				ds, err := w.store.ListDomains(ctx, orgs.DomainFilter{OrganizationID: tg.org.ID})
				if err != nil {
					return err
				}
				if len(ds) == 0 {
					return ErrSkip
				}
				return d.DeleteDomain(ctx, tg.manager(rng), tg.org.Slug, one(rng, ds).ID)
			})},
		"listEvents": {run: onOrg(func(ctx context.Context, w *World, d Driver, rng *rand.Rand, tg *target) error {
			return d.ListEvents(ctx, tg.manager(rng), tg.org.Slug, orgs.EventQuery{Page: orgs.Page{Limit: 5}})
		})},
	}
}

// pipelineOp is the pipeline operation.
func (w *World) pipelineOp(ctx context.Context, d Driver, rng *rand.Rand, tg *target) error {
	actor, slug := tg.manager(rng), tg.org.Slug
	ps, err := w.store.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: tg.org.ID})
	if err != nil {
		return err
	}
	if len(ps) == 0 || rng.IntN(6) == 0 {
		err := d.CreatePipeline(ctx, actor, slug, orgs.PipelineInput{Name: "Pipe", IsDefault: rng.IntN(2) == 0,
			Stages: []string{"One", "Two", "Three"}})
		if err == nil {
			w.ExpectEvent(orgs.EventPipelineCreated)
		}
		return err
	}
	p := one(rng, ps)
	switch rng.IntN(7) {
	case 0:
		err := d.DeletePipeline(ctx, actor, slug, p.ID)
		if err == nil {
			w.ExpectEvent(orgs.EventPipelineDeleted)
		}
		return err
	case 1:
		return d.GetPipeline(ctx, tg.someone(rng), slug, p.ID)
	case 2:
		err = d.UpdatePipeline(ctx, actor, slug, p.ID, orgs.PipelineUpdate{IsDefault: ptr(true)})
	case 3:
		if len(p.Stages) >= 8 {
			return ErrSkip
		}
		err = d.AddStage(ctx, actor, slug, p.ID, fmt.Sprintf("Stage %d", rng.IntN(100)))
	case 4:
		if len(p.Stages) <= 2 {
			return ErrSkip
		}
		err = d.RemoveStage(ctx, actor, slug, p.ID, one(rng, p.Stages).ID)
	case 5:
		// Replace the stages as read, shuffled, one perhaps dropped or added.
		in := make([]orgs.StageInput, len(p.Stages))
		for i, st := range p.Stages {
			in[i] = orgs.StageInput{ID: st.ID, Name: st.Name}
		}
		rng.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		switch {
		case len(in) > 2 && rng.IntN(3) == 0:
			in = in[1:]
		case len(in) < 8 && rng.IntN(3) == 0:
			in = append(in, orgs.StageInput{Name: fmt.Sprintf("Stage %d", rng.IntN(100))})
		}
		err = d.UpdatePipeline(ctx, actor, slug, p.ID, orgs.PipelineUpdate{Stages: in})
	default:
		ids := make([]string, len(p.Stages))
		for i, st := range p.Stages {
			ids[i] = st.ID
		}
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		err = d.ReorderStages(ctx, actor, slug, p.ID, ids)
	}
	if err == nil {
		w.ExpectEvent(orgs.EventPipelineUpdated)
	}
	return err
}

// Bookkeeping checks what the calls reported against the store: each
// invitation accepted at most once, by the user that was told so, with one
// invitation.accepted event; each vanished organization deleted; each
// successful call one event and each failed call none. It returns the
// violations.
func (w *World) Bookkeeping(ctx context.Context) ([]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var vs []string
	violate := func(format string, args ...any) { vs = append(vs, fmt.Sprintf(format, args...)) }
	accepted := map[string]int{}       // invitation ID → invitation.accepted events
	byType := map[orgs.EventType]int{} // event type → events
	vanished := 0
	for _, id := range w.created {
		after := ""
		for {
			es, err := w.store.ListEvents(ctx, orgs.EventFilter{OrganizationID: id, Range: orgs.Range{After: after, MaxRows: orgs.MaxPageLimit}})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				byType[e.Type]++
				if e.Type == orgs.EventInvitationAccepted {
					accepted[e.Data["invitation_id"]]++
				}
			}
			if len(es) < orgs.MaxPageLimit {
				break
			}
			after = es[len(es)-1].ID
		}
		if _, err := w.store.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, ""); errors.Is(err, orgs.ErrNotFound) {
			vanished++
		} else if err != nil {
			return nil, err
		}
	}
	if vanished != w.deletes {
		violate("%d organizations vanished, %d DeleteOrganization calls succeeded", vanished, w.deletes)
	}
	types := map[orgs.EventType]bool{}
	for typ := range byType {
		types[typ] = true
	}
	for typ := range w.events {
		types[typ] = true
	}
	for _, typ := range slices.Sorted(func(yield func(orgs.EventType) bool) {
		for t := range types {
			if !yield(t) {
				return
			}
		}
	}) {
		if byType[typ] != w.events[typ] {
			violate("%d %s events, %d calls succeeded that append one", byType[typ], typ, w.events[typ])
		}
	}
	for invID, orgID := range w.invOrg {
		users := w.accepts[invID]
		if len(users) > 1 {
			violate("invitation %s: accepted %d times, by %v", invID, len(users), users)
		}
		if accepted[invID] != len(users) {
			violate("invitation %s: %d invitation.accepted events, %d successful accepts", invID, accepted[invID], len(users))
		}
		inv, err := w.store.GetInvitation(ctx, orgID, invID)
		if errors.Is(err, orgs.ErrNotFound) {
			continue // its organization was deleted
		} else if err != nil {
			return nil, err
		}
		if (inv.Status == orgs.InvitationAccepted) != (len(users) == 1) {
			violate("invitation %s: status %s after %d successful accepts", invID, inv.Status, len(users))
		}
		if len(users) == 1 && inv.AcceptedBy != users[0] {
			violate("invitation %s: accepted by %q, but %q was told it accepted", invID, inv.AcceptedBy, users[0])
		}
	}
	return vs, nil
}
