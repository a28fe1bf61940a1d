package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/httpapi"
)

// Impl says which side of an operation runs.
type Impl int

// The two sides: the library (the Service over the store) and the floor.
const (
	Ours Impl = iota
	Base      // the floor
)

func (i Impl) String() string {
	if i == Ours {
		return "ours"
	}
	return "floor"
}

// Kind classes an operation for its target.
type Kind string

// Kinds and their targets (ours/floor).
const (
	Write Kind = "write" // within 1.25× of the floor
	Read  Kind = "read"  // within 1.5×
	HTTP  Kind = "http"  // the handler within 1.25× of the Service call
)

// Target returns the highest ratio ours/floor the kind's target allows.
func (k Kind) Target() float64 {
	if k == Read {
		return 1.5
	}
	return 1.25
}

// RunFunc runs iteration i (0 ≤ i < n of the Prepare that returned it).
type RunFunc func(ctx context.Context, i int) error

// Op is one measured operation.
type Op struct {
	Name string
	Kind Kind
	Doc  string
	// Prepare readies n iterations of impl on e (creating the inputs each
	// iteration consumes, outside any timing) and returns the function that
	// runs one.
	Prepare func(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error)
	// Heavy is an operation of thousands of rows: measured over a few
	// iterations (see Plan.heavy).
	Heavy bool
}

// Ops are the operations, in the order orgsbench prints them.
var Ops = []Op{
	{Name: "create_org", Kind: Write, Doc: "create an organization with the default seed (35 categories, a 5-stage pipeline)", Prepare: prepCreateOrg(true)},
	{Name: "create_org_noseed", Kind: Write, Doc: "create an organization with orgs.SeedNone", Prepare: prepCreateOrg(false)},
	{Name: "get_org_detail", Kind: Read, Doc: "GetOrganizationDetail: the organization with 35 categories and a 5-stage pipeline", Prepare: prepDetail},
	{Name: "add_member", Kind: Write, Doc: "AddMember: add a user (with a profile) as a member", Prepare: prepAddMember},
	{Name: "invite_accept", Kind: Write, Doc: "add a member by invitation: CreateInvitation, then AcceptInvitation by the invitee (into organizations of at most 50 members)", Prepare: prepInviteAccept},
	{Name: "change_role", Kind: Write, Doc: "UpdateMemberRole: a member to admin and back, alternately", Prepare: prepChangeRole},
	{Name: "list_members", Kind: Read, Doc: "ListMembers: the first page of 100, with profiles, of a 100,000-member organization", Prepare: prepListMembers(false)},
	{Name: "list_members_deep", Kind: Read, Doc: "ListMembers: the page of 100 after position 90,000, by cursor", Prepare: prepListMembers(true)},
	{Name: "remove_member", Kind: Write, Doc: "RemoveMember: remove a member (of no team)", Prepare: prepRemoveMember},
	{Name: "create_invitation", Kind: Write, Doc: "CreateInvitation: invite an email (into organizations of at most 50 invitations)", Prepare: prepCreateInvitation},
	{Name: "accept_invitation", Kind: Write, Doc: "AcceptInvitation: the invitee accepts (the invitations made beforehand)", Prepare: prepAcceptInvitation},
	{Name: "add_team_member", Kind: Write, Doc: "AddTeamMember: add a member of the organization to a team", Prepare: prepAddTeamMember},
	{Name: "member_search", Kind: Read, Doc: "ListMembers with Search: the first page of the members of the 100,000-member organization matching a term that one matches", Prepare: prepSearch},
	{Name: "create_team_add_10", Kind: Write, Doc: "CreateTeam with 10 members (one Service call; the floor: one transaction)", Prepare: prepTeam},
	{Name: "add_team_members_10", Kind: Write, Doc: "AddTeamMembers: 10 members into a new team", Prepare: prepTeamMembers},
	{Name: "list_my_orgs", Kind: Read, Doc: "ListOrganizations: a page of 100 of the caller's 200 organizations", Prepare: prepListOrgs},
	{Name: "http_get_org", Kind: HTTP, Doc: "GET /organizations/{slug} through httpapi (ours) against the Service's GetOrganizationDetail (floor)", Prepare: prepHTTP},
	{Name: "bulk_add_members_10000", Kind: Write, Heavy: true, Doc: "AddMembers: import 10,000 members into a new organization, all or nothing", Prepare: prepBulkMembers},
	{Name: "bulk_invite_10000", Kind: Write, Heavy: true, Doc: "CreateInvitations: invite 10,000 emails into a new organization, all or nothing", Prepare: prepBulkInvitations},
}

// DeepVsFirst is not an operation of Ops but a comparison for the keyset
// target: its "ours" side lists the deep page (after position 90,000) and
// its "floor" side the first page, both through the Service, interleaved in
// the same rounds so that the ratio is deep/first under the same load.
var DeepVsFirst = Op{Name: "list_members_deep_vs_first", Kind: Read,
	Doc: "ListMembers: the deep page (ours side) against the first page (floor side), both through the Service",
	Prepare: func(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
		return prepListMembers(impl == Ours)(ctx, e, Ours, n)
	}}

// Lookup returns the operation named name.
func Lookup(name string) (Op, bool) {
	for _, op := range Ops {
		if op.Name == name {
			return op, true
		}
	}
	return Op{}, false
}

func prepCreateOrg(seeded bool) func(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	return func(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
		const actor = "creator"
		if err := e.Svc.PutUser(ctx, User(actor)); err != nil {
			return nil, err
		}
		batch := e.next()
		svc, seed := e.Svc, orgs.SeedWWW
		if !seeded {
			svc, seed = e.NoSeed, orgs.SeedNone
		}
		f := e.Floor()
		return func(ctx context.Context, i int) error {
			name := fmt.Sprintf("Bench Org %d %d", batch, i)
			slug := fmt.Sprintf("bench-%s-%d-%d", impl, batch, i)
			if impl == Ours {
				_, err := svc.CreateOrganization(ctx, orgs.UserActor(actor), orgs.CreateOrganizationInput{Name: name, Slug: slug})
				return err
			}
			_, err := f.CreateOrganization(ctx, actor, name, slug, seed)
			return err
		}, nil
	}
}

func prepDetail(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	d, err := e.Detail(ctx)
	if err != nil {
		return nil, err
	}
	f := e.Floor()
	check := func(od *orgs.OrganizationDetail) error {
		if len(od.Categories) != len(orgs.SeedWWW.Categories) || len(od.Pipelines) != 1 || len(od.Pipelines[0].Stages) != 5 ||
			len(od.Domains) != 2 || od.Role != orgs.RoleOwner {
			return fmt.Errorf("bench: get_org_detail %s: unexpected result", impl)
		}
		return nil
	}
	return func(ctx context.Context, i int) error {
		var od *orgs.OrganizationDetail
		var err error
		if impl == Ours {
			od, err = e.Svc.GetOrganizationDetail(ctx, orgs.UserActor(d.Owner), d.Slug)
		} else {
			od, err = f.GetOrganizationDetail(ctx, d.Owner, d.Slug)
		}
		if err != nil {
			return err
		}
		return check(od)
	}, nil
}

// workOrg creates a fresh organization for one batch of a write operation,
// owned by an owner with a profile, with members extra members (with
// profiles), and returns its slug, owner and members.
func workOrg(ctx context.Context, e *Env, op string, impl Impl, members int) (slug, owner string, users []string, err error) {
	batch := e.next()
	owner = fmt.Sprintf("%s-owner-%d", op, batch)
	slug, orgID, err := e.newOrg(ctx, owner, fmt.Sprintf("%s-%s-%d", op, impl, batch))
	if err != nil {
		return "", "", nil, err
	}
	if members > 0 {
		users = ids(fmt.Sprintf("%s-m%d", op, batch), members)
		if err := e.InsertUsers(ctx, users); err != nil {
			return "", "", nil, err
		}
		if err := e.InsertMembers(ctx, orgID, users, orgs.RoleMember); err != nil {
			return "", "", nil, err
		}
	}
	return slug, owner, users, nil
}

func prepAddMember(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slug, owner, _, err := workOrg(ctx, e, "add", impl, 0)
	if err != nil {
		return nil, err
	}
	users := ids(fmt.Sprintf("add-u%d", e.next()), n)
	if err := e.InsertUsers(ctx, users); err != nil {
		return nil, err
	}
	f := e.Floor()
	return func(ctx context.Context, i int) error {
		if impl == Ours {
			_, err := e.Svc.AddMember(ctx, orgs.UserActor(owner), slug, users[i], orgs.RoleMember)
			return err
		}
		_, err := f.AddMember(ctx, owner, slug, users[i], orgs.RoleMember)
		return err
	}, nil
}

// invitesPerOrg bounds the members an organization gains by invite_accept:
// CreateInvitation's cost grows with the organization's members (its
// already-a-member check searches them all), so each run of invitesPerOrg
// iterations invites into a fresh organization, for figures that do not
// depend on how many iterations a run makes.
const invitesPerOrg = 50

func prepInviteAccept(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	var slugs, owners []string
	for range (n + invitesPerOrg - 1) / invitesPerOrg {
		slug, owner, _, err := workOrg(ctx, e, "inv", impl, 0)
		if err != nil {
			return nil, err
		}
		slugs, owners = append(slugs, slug), append(owners, owner)
	}
	users := ids(fmt.Sprintf("inv-u%d", e.next()), n)
	if err := e.InsertUsers(ctx, users); err != nil {
		return nil, err
	}
	f := e.Floor()
	ttl := orgs.DefaultInvitationOptions.TTL
	return func(ctx context.Context, i int) error {
		u := User(users[i])
		slug, owner := slugs[i/invitesPerOrg], owners[i/invitesPerOrg]
		if impl == Ours {
			inv, err := e.Svc.CreateInvitation(ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: u.Email, Role: orgs.RoleMember})
			if err != nil {
				return err
			}
			_, err = e.Svc.AcceptInvitation(ctx, orgs.UserActor(u.ID), inv.Token)
			return err
		}
		token, err := f.CreateInvitation(ctx, owner, slug, u.Email, orgs.RoleMember, ttl)
		if err != nil {
			return err
		}
		_, err = f.AcceptInvitation(ctx, u.ID, token)
		return err
	}, nil
}

func prepChangeRole(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slug, owner, users, err := workOrg(ctx, e, "role", impl, 10)
	if err != nil {
		return nil, err
	}
	target := users[0]
	f := e.Floor()
	return func(ctx context.Context, i int) error {
		role := orgs.RoleAdmin
		if i%2 == 1 {
			role = orgs.RoleMember
		}
		if impl == Ours {
			_, err := e.Svc.UpdateMemberRole(ctx, orgs.UserActor(owner), slug, target, role)
			return err
		}
		_, err := f.UpdateMemberRole(ctx, owner, slug, target, role)
		return err
	}, nil
}

func prepListMembers(deep bool) func(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	return func(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
		b, err := e.Big(ctx)
		if err != nil {
			return nil, err
		}
		after := ""
		if deep {
			after = b.DeepAfter
		}
		q := orgs.MemberQuery{Page: orgs.Page{Limit: PageSize}}
		if after != "" {
			q.After = orgs.EncodeCursor(after)
		}
		f := e.Floor()
		return func(ctx context.Context, i int) error {
			var ms []orgs.Member
			if impl == Ours {
				l, err := e.Svc.ListMembers(ctx, orgs.UserActor(b.Owner), b.Slug, q)
				if err != nil {
					return err
				}
				ms = l.Data
			} else {
				var err error
				if ms, err = f.ListMembers(ctx, b.Owner, b.Slug, after, PageSize); err != nil {
					return err
				}
			}
			if len(ms) != PageSize || ms[0].Email == "" || (after != "" && ms[0].UserID <= after) {
				return fmt.Errorf("bench: list members %s: unexpected page", impl)
			}
			return nil
		}, nil
	}
}

func prepTeam(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slug, owner, users, err := workOrg(ctx, e, "team", impl, TeamSize)
	if err != nil {
		return nil, err
	}
	f := e.Floor()
	rows := teamRows(users)
	return func(ctx context.Context, i int) error {
		name := fmt.Sprintf("Team %d", i)
		teamSlug := fmt.Sprintf("team-%d", i)
		if impl == Base {
			_, _, err := f.CreateTeamWithMembers(ctx, owner, slug, name, teamSlug, users)
			return err
		}
		t, err := e.Svc.CreateTeam(ctx, orgs.UserActor(owner), slug, orgs.TeamInput{Name: name, Slug: teamSlug, Members: rows})
		if err == nil && t.MemberCount != len(users) {
			err = fmt.Errorf("bench: a team of %d members", t.MemberCount)
		}
		return err
	}, nil
}

func teamRows(users []string) []orgs.TeamMemberInput {
	rows := make([]orgs.TeamMemberInput, len(users))
	for i, u := range users {
		rows[i] = orgs.TeamMemberInput{UserID: u, Role: orgs.TeamRoleMember}
	}
	return rows
}

// teams creates n teams without members in the organization slug.
func teams(ctx context.Context, e *Env, owner, slug string, n int) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		t, err := e.Svc.CreateTeam(ctx, orgs.UserActor(owner), slug, orgs.TeamInput{Name: fmt.Sprintf("Team %d", i), Slug: fmt.Sprintf("team-%d", i)})
		if err != nil {
			return nil, err
		}
		out[i] = t.Slug
	}
	return out, nil
}

func prepTeamMembers(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slug, owner, users, err := workOrg(ctx, e, "teamadd", impl, TeamSize)
	if err != nil {
		return nil, err
	}
	ts, err := teams(ctx, e, owner, slug, n)
	if err != nil {
		return nil, err
	}
	f := e.Floor()
	rows := teamRows(users)
	return func(ctx context.Context, i int) error {
		if impl == Base {
			_, err := f.AddTeamMembers(ctx, owner, slug, ts[i], users)
			return err
		}
		_, err := e.Svc.AddTeamMembers(ctx, orgs.UserActor(owner), slug, ts[i], rows)
		return err
	}, nil
}

func prepAddTeamMember(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slug, owner, users, err := workOrg(ctx, e, "teamone", impl, n)
	if err != nil {
		return nil, err
	}
	ts, err := teams(ctx, e, owner, slug, 1)
	if err != nil {
		return nil, err
	}
	f := e.Floor()
	return func(ctx context.Context, i int) error {
		if impl == Base {
			_, err := f.AddTeamMembers(ctx, owner, slug, ts[0], users[i:i+1])
			return err
		}
		_, err := e.Svc.AddTeamMember(ctx, orgs.UserActor(owner), slug, ts[0], users[i], orgs.TeamRoleMember)
		return err
	}, nil
}

func prepRemoveMember(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slug, owner, users, err := workOrg(ctx, e, "remove", impl, n)
	if err != nil {
		return nil, err
	}
	f := e.Floor()
	return func(ctx context.Context, i int) error {
		if impl == Base {
			return f.RemoveMember(ctx, owner, slug, users[i])
		}
		return e.Svc.RemoveMember(ctx, orgs.UserActor(owner), slug, users[i])
	}, nil
}

// inviteOrgs creates the organizations n invitations go into, invitesPerOrg
// each, and the invitees' profiles.
func inviteOrgs(ctx context.Context, e *Env, op string, impl Impl, n int) (slugs, owners, users []string, err error) {
	for range (n + invitesPerOrg - 1) / invitesPerOrg {
		slug, owner, _, err := workOrg(ctx, e, op, impl, 0)
		if err != nil {
			return nil, nil, nil, err
		}
		slugs, owners = append(slugs, slug), append(owners, owner)
	}
	users = ids(fmt.Sprintf("%s-u%d", op, e.next()), n)
	return slugs, owners, users, e.InsertUsers(ctx, users)
}

func prepCreateInvitation(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slugs, owners, users, err := inviteOrgs(ctx, e, "cinv", impl, n)
	if err != nil {
		return nil, err
	}
	f := e.Floor()
	ttl := orgs.DefaultInvitationOptions.TTL
	return func(ctx context.Context, i int) error {
		email := User(users[i]).Email
		slug, owner := slugs[i/invitesPerOrg], owners[i/invitesPerOrg]
		if impl == Base {
			_, err := f.CreateInvitation(ctx, owner, slug, email, orgs.RoleMember, ttl)
			return err
		}
		_, err := e.Svc.CreateInvitation(ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: email, Role: orgs.RoleMember})
		return err
	}, nil
}

func prepAcceptInvitation(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slugs, owners, users, err := inviteOrgs(ctx, e, "ainv", impl, n)
	if err != nil {
		return nil, err
	}
	tokens := make([]string, n)
	for i := range tokens {
		inv, err := e.NoSeed.CreateInvitation(ctx, orgs.UserActor(owners[i/invitesPerOrg]), slugs[i/invitesPerOrg],
			orgs.InvitationInput{Email: User(users[i]).Email, Role: orgs.RoleMember})
		if err != nil {
			return nil, err
		}
		tokens[i] = inv.Token
	}
	f := e.Floor()
	return func(ctx context.Context, i int) error {
		if impl == Base {
			_, err := f.AcceptInvitation(ctx, users[i], tokens[i])
			return err
		}
		_, err := e.Svc.AcceptInvitation(ctx, orgs.UserActor(users[i]), tokens[i])
		return err
	}, nil
}

// SearchTerm is what member_search looks for: one member's username.
const SearchTerm = "USER-BIG-054321"

func prepSearch(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	b, err := e.Big(ctx)
	if err != nil {
		return nil, err
	}
	f := e.Floor()
	q := orgs.MemberQuery{Search: SearchTerm, Page: orgs.Page{Limit: PageSize}}
	return func(ctx context.Context, i int) error {
		var ms []orgs.Member
		if impl == Ours {
			l, err := e.Svc.ListMembers(ctx, orgs.UserActor(b.Owner), b.Slug, q)
			if err != nil {
				return err
			}
			ms = l.Data
		} else {
			var err error
			if ms, err = f.SearchMembers(ctx, b.Owner, b.Slug, SearchTerm, PageSize); err != nil {
				return err
			}
		}
		if len(ms) != 1 || ms[0].UserID != "big-054321" {
			return fmt.Errorf("bench: member search %s: %d found", impl, len(ms))
		}
		return nil
	}, nil
}

// BulkRows is the rows of one bulk operation.
const BulkRows = 10_000

// bulkOrgs creates n organizations for a bulk operation, and returns them
// and their owners, with BulkRows users (the same for each) with profiles.
func bulkOrgs(ctx context.Context, e *Env, op string, impl Impl, n int) (slugs, owners, users []string, err error) {
	for range n {
		slug, owner, _, err := workOrg(ctx, e, op, impl, 0)
		if err != nil {
			return nil, nil, nil, err
		}
		slugs, owners = append(slugs, slug), append(owners, owner)
	}
	users, err = fixture(e, "bulk-users", func() ([]string, error) {
		users := ids("bulk", BulkRows)
		return users, e.InsertUsers(ctx, users)
	})
	return slugs, owners, users, err
}

func prepBulkMembers(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slugs, owners, users, err := bulkOrgs(ctx, e, "bulkadd", impl, n)
	if err != nil {
		return nil, err
	}
	rows := make([]orgs.MemberInput, len(users))
	for i, u := range users {
		rows[i] = orgs.MemberInput{UserID: u, Role: orgs.RoleMember}
	}
	f := e.Floor()
	return func(ctx context.Context, i int) error {
		if impl == Base {
			_, err := f.AddMembers(ctx, owners[i], slugs[i], users, orgs.RoleMember)
			return err
		}
		r, err := e.Svc.AddMembers(ctx, orgs.UserActor(owners[i]), slugs[i], rows, orgs.AllOrNothing)
		if err == nil && len(r.Done) != len(rows) {
			err = fmt.Errorf("bench: %d members added", len(r.Done))
		}
		return err
	}, nil
}

func prepBulkInvitations(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	slugs, owners, users, err := bulkOrgs(ctx, e, "bulkinv", impl, n)
	if err != nil {
		return nil, err
	}
	rows := make([]orgs.InvitationInput, len(users))
	emails := make([]string, len(users))
	for i, u := range users {
		emails[i] = "invited-" + User(u).Email
		rows[i] = orgs.InvitationInput{Email: emails[i], Role: orgs.RoleMember}
	}
	f := e.Floor()
	ttl := orgs.DefaultInvitationOptions.TTL
	return func(ctx context.Context, i int) error {
		if impl == Base {
			_, err := f.CreateInvitations(ctx, owners[i], slugs[i], emails, orgs.RoleMember, ttl)
			return err
		}
		r, err := e.Svc.CreateInvitations(ctx, orgs.UserActor(owners[i]), slugs[i], rows, orgs.AllOrNothing)
		if err == nil && len(r.Done) != len(rows) {
			err = fmt.Errorf("bench: %d invitations", len(r.Done))
		}
		return err
	}, nil
}

func prepListOrgs(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	m, err := e.Multi(ctx)
	if err != nil {
		return nil, err
	}
	f := e.Floor()
	q := orgs.OrganizationQuery{Page: orgs.Page{Limit: PageSize}}
	return func(ctx context.Context, i int) error {
		var got []orgs.Organization
		if impl == Ours {
			l, err := e.Svc.ListOrganizations(ctx, orgs.UserActor(m.ID), q)
			if err != nil {
				return err
			}
			got = l.Data
		} else {
			var err error
			if got, err = f.ListOrganizations(ctx, m.ID, PageSize); err != nil {
				return err
			}
		}
		if len(got) != PageSize || got[0].Role != orgs.RoleMember {
			return fmt.Errorf("bench: list orgs %s: unexpected page", impl)
		}
		return nil
	}, nil
}

// Handler returns an httpapi handler over e.Svc that takes the caller from
// the X-User-ID header.
func (e *Env) Handler() (http.Handler, error) {
	return httpapi.New(e.Svc, httpapi.Options{
		Authenticate: func(r *http.Request) (string, error) { return r.Header.Get("X-User-ID"), nil },
	})
}

func prepHTTP(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	d, err := e.Detail(ctx)
	if err != nil {
		return nil, err
	}
	if impl == Base {
		return func(ctx context.Context, i int) error {
			_, err := e.Svc.GetOrganizationDetail(ctx, orgs.UserActor(d.Owner), d.Slug)
			return err
		}, nil
	}
	h, err := e.Handler()
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, i int) error {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/organizations/"+d.Slug, nil)
		req.Header.Set("X-User-ID", d.Owner)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("bench: GET /organizations/%s: %d %s", d.Slug, rec.Code, rec.Body)
		}
		return nil
	}, nil
}
