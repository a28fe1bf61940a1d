package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// The scale curve: the keyed and paginated operations measured as the
// database grows — organizations of 1,000 to 1,000,000 members, then a
// store of 100,000 more organizations, all of which the listing user
// belongs to — each point adding to the last. Their cost must stay flat
// (at most 1.5× from the smallest point to the largest); member search,
// a substring match, is measured too, and is not.

// CurveOps are the operations of each point of the curve.
var CurveOps = []string{"add_member", "list_members", "list_members_deep", "member_search", "list_my_orgs"}

// Flat reports whether op's cost must stay flat along the curve (keyed and
// paginated); member search scans the organization's members.
func Flat(op string) bool { return op != "member_search" }

// CurvePlan is how long each operation of a point is measured.
var CurvePlan = Plan{Budget: 400 * time.Millisecond, Rounds: 6, MinN: 12, MaxN: 5_000}

// CurvePoint is one point of the curve: the database's size and each
// operation's result there.
type CurvePoint struct {
	Label   string // "10k members", "+100k orgs"
	Members int    // members of the organization measured
	Orgs    int    // organizations of the listing user
	Results []Result
}

// CurveOrgs is the number of organizations the last point adds.
const CurveOrgs = 100_000

// curveUser is the listing user: a member of curveUserOrgs organizations,
// then of every organization the last point adds.
const (
	curveUser     = "curve-user"
	curveUserOrgs = 200
)

// Curve measures the curve's points, the organizations of sizes members,
// then, when addOrgs, the store grown by CurveOrgs organizations (measured
// on the largest organization), and calls point after each. How long the
// set-up of each point takes is in took.
func Curve(ctx context.Context, e *Env, sizes []int, addOrgs bool, p Plan, point func(pt CurvePoint, took time.Duration)) error {
	start := time.Now()
	if err := curveUserSetup(ctx, e); err != nil {
		return err
	}
	myOrgs := curveUserOrgs
	var last curveOrg
	for _, size := range sizes {
		o, err := curveOrgOf(ctx, e, size)
		if err != nil {
			return err
		}
		last = o
		myOrgs++ // the listing user is a member
		if err := e.Settle(ctx); err != nil {
			return err
		}
		took := time.Since(start)
		res, err := measureCurve(ctx, e, o, p)
		if err != nil {
			return err
		}
		point(CurvePoint{Label: label(size) + " members", Members: size, Orgs: myOrgs, Results: res}, took)
		start = time.Now()
	}
	if !addOrgs || last.slug == "" {
		return nil
	}
	if err := curveManyOrgs(ctx, e, CurveOrgs); err != nil {
		return err
	}
	if err := e.Settle(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	res, err := measureCurve(ctx, e, last, p)
	if err != nil {
		return err
	}
	point(CurvePoint{Label: "+" + label(CurveOrgs) + " orgs", Members: last.size, Orgs: myOrgs + CurveOrgs, Results: res}, took)
	return nil
}

func label(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000 && n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}

// curveOrg is an organization of the curve.
type curveOrg struct {
	slug, owner string
	size        int
	deep        string // the user ID at 90%: the deep page's cursor
	search      string // a term one member matches
	found       string // that member
}

// curveOrgOf creates an organization of size members (its owner and
// size-1 others with profiles, inserted in bulk) with the listing user
// among them.
func curveOrgOf(ctx context.Context, e *Env, size int) (curveOrg, error) {
	o := curveOrg{owner: fmt.Sprintf("curve-%s-owner", label(size)), size: size}
	slug, id, err := e.newOrg(ctx, o.owner, fmt.Sprintf("curve-%s", strings.ToLower(label(size))))
	if err != nil {
		return o, err
	}
	o.slug = slug
	prefix, n := "c"+strings.ToLower(label(size)), size-1
	if err := e.InsertUserRange(ctx, prefix, n); err != nil {
		return o, err
	}
	if err := e.InsertMemberRange(ctx, id, prefix, n, orgs.RoleMember); err != nil {
		return o, err
	}
	if _, err := e.Svc.AddMember(ctx, orgs.UserActor(o.owner), o.slug, curveUser, orgs.RoleMember); err != nil {
		return o, err
	}
	at := func(i int) string { return fmt.Sprintf("%s-%06d", prefix, i) }
	o.deep = at(n * 9 / 10)
	o.found = at(n / 2)
	o.search = strings.ToUpper(User(o.found).Username)
	return o, nil
}

// curveUserSetup makes the listing user a member of curveUserOrgs
// organizations.
func curveUserSetup(ctx context.Context, e *Env) error {
	if err := e.Svc.PutUser(ctx, User(curveUser)); err != nil {
		return err
	}
	return curveOrgRows(ctx, e, "curve-mine", curveUserOrgs)
}

// curveManyOrgs adds n organizations, each with an owner and the listing
// user as members, in bulk.
func curveManyOrgs(ctx context.Context, e *Env, n int) error {
	return curveOrgRows(ctx, e, "curve-many", n)
}

// curveOrgRows inserts n organizations named prefix-i (i in 6 digits or
// more), each owned by a user of its own (without a profile) and with the
// listing user as a member, in one transaction of three statements, the
// rows generated in the database. Their IDs are the Service's (org_ and a
// ULID), numbered as InsertMemberRange numbers memberships.
func curveOrgRows(ctx context.Context, e *Env, prefix string, n int) error {
	series, args := e.seriesIDs(prefix, n)
	num := "lpad(CAST(i AS text), 7, '0')"
	if !e.PG {
		num = "printf('%07d', i)"
	}
	ulid := func(p string) string { id := orgs.NewID(p); return id[:len(p)+10] + randomCrockford(9) }
	orgBase, ownerBase, userBase := ulid(orgs.PrefixOrganization), ulid(orgs.PrefixMembership), ulid(orgs.PrefixMembership)
	t := now()
	tx, err := e.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, name, slug, visibility, member_count,
		team_count, created_by, created_at, updated_at)
		SELECT ? || `+num+`, 'Org ' || x, x, 'private', 2, 0, x || '-owner', ?, ? FROM (`+series+`) AS g`,
		append([]any{orgBase, t, t}, args...)...); err != nil {
		return fmt.Errorf("bench: insert organizations: %w", err)
	}
	for _, m := range []struct {
		user, role string
		base       string
	}{{"x || '-owner'", string(orgs.RoleOwner), ownerBase}, {"?", string(orgs.RoleMember), userBase}} {
		margs := []any{orgBase}
		if m.user == "?" {
			margs = append(margs, curveUser)
		}
		margs = append(margs, m.role, t, m.base, t)
		if _, err := tx.ExecContext(ctx, `INSERT INTO members (organization_id, user_id, role, joined_at, id, status, updated_at)
			SELECT ? || `+num+`, `+m.user+`, ?, ?, ? || `+num+`, 'active', ? FROM (`+series+`) AS g`,
			append(margs, args...)...); err != nil {
			return fmt.Errorf("bench: insert members: %w", err)
		}
	}
	return tx.Commit()
}

// measureCurve measures CurveOps on o.
func measureCurve(ctx context.Context, e *Env, o curveOrg, p Plan) ([]Result, error) {
	var out []Result
	for _, name := range CurveOps {
		op := Op{Name: name, Kind: Read, Prepare: curvePrep(o, name)}
		if name == "add_member" {
			op.Kind = Write
		}
		r, err := Measure(ctx, e, op, p)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// curvePrep prepares the curve operation name on o, for both sides.
func curvePrep(o curveOrg, name string) func(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
	return func(ctx context.Context, e *Env, impl Impl, n int) (RunFunc, error) {
		f := e.Floor()
		switch name {
		case "add_member":
			users := ids(fmt.Sprintf("curve-add-%d", e.next()), n)
			if err := e.InsertUsers(ctx, users); err != nil {
				return nil, err
			}
			return func(ctx context.Context, i int) error {
				if impl == Base {
					_, err := f.AddMember(ctx, o.owner, o.slug, users[i], orgs.RoleMember)
					return err
				}
				_, err := e.Svc.AddMember(ctx, orgs.UserActor(o.owner), o.slug, users[i], orgs.RoleMember)
				return err
			}, nil
		case "list_members", "list_members_deep":
			after := ""
			q := orgs.MemberQuery{Page: orgs.Page{Limit: PageSize}}
			if name == "list_members_deep" {
				after, q.After = o.deep, orgs.EncodeCursor(o.deep)
			}
			return func(ctx context.Context, i int) error {
				var ms []orgs.Member
				var err error
				if impl == Base {
					ms, err = f.ListMembers(ctx, o.owner, o.slug, after, PageSize)
				} else {
					var l *orgs.List[orgs.Member]
					if l, err = e.Svc.ListMembers(ctx, orgs.UserActor(o.owner), o.slug, q); err == nil {
						ms = l.Data
					}
				}
				if err == nil && len(ms) != PageSize {
					err = fmt.Errorf("bench: curve %s: a page of %d", name, len(ms))
				}
				return err
			}, nil
		case "member_search":
			q := orgs.MemberQuery{Search: o.search, Page: orgs.Page{Limit: PageSize}}
			return func(ctx context.Context, i int) error {
				var ms []orgs.Member
				var err error
				if impl == Base {
					ms, err = f.SearchMembers(ctx, o.owner, o.slug, o.search, PageSize)
				} else {
					var l *orgs.List[orgs.Member]
					if l, err = e.Svc.ListMembers(ctx, orgs.UserActor(o.owner), o.slug, q); err == nil {
						ms = l.Data
					}
				}
				if err == nil && (len(ms) != 1 || ms[0].UserID != o.found) {
					err = fmt.Errorf("bench: curve search: %d found", len(ms))
				}
				return err
			}, nil
		case "list_my_orgs":
			q := orgs.OrganizationQuery{Page: orgs.Page{Limit: PageSize}}
			return func(ctx context.Context, i int) error {
				var got []orgs.Organization
				var err error
				if impl == Base {
					got, err = f.ListOrganizations(ctx, curveUser, PageSize)
				} else {
					var l *orgs.List[orgs.Organization]
					if l, err = e.Svc.ListOrganizations(ctx, orgs.UserActor(curveUser), q); err == nil {
						got = l.Data
					}
				}
				if err == nil && len(got) != PageSize {
					err = fmt.Errorf("bench: curve list orgs: a page of %d", len(got))
				}
				return err
			}, nil
		}
		return nil, fmt.Errorf("bench: no curve operation %q", name)
	}
}
