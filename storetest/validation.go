package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestValidation feeds every Service method bad input: each call must fail
// with ErrInvalid and a *orgs.ValidationError naming the field (or
// ErrNotFound where the argument names something that cannot exist), write
// nothing, and never panic.
func TestValidation(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"Organizations", testValidateOrganizations},
		{"Members", testValidateMembers},
		{"Pages", testValidatePages},
		{"Invitations", testValidateInvitations},
		{"CategoriesPipelinesTeams", testValidateCategoriesPipelinesTeams},
		{"UnknownThings", testValidateUnknownThings},
	})
}

// badCall is one call with bad input and what it must fail with: a
// validation error naming field, or want.
type badCall struct {
	name  string
	call  func(f *fixture) error
	field string
	want  error
}

// validationFixture is a fixture with a team "core", a pending invitation
// and the seeded pipeline, so that every method has something to aim at.
type validationFixture struct {
	*fixture
	pipeline orgs.Pipeline
	inv      *orgs.Invitation
	catID    string
}

func newValidationFixture(t *testing.T, newStore NewStore) *validationFixture {
	f := newFixture(t, newStore)
	_, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core"})
	require.NoError(t, err)
	inv := f.invite("pending@example.com", orgs.RoleMember)
	return &validationFixture{fixture: f, pipeline: f.pipelines()[0], inv: inv, catID: f.categoryID("Finance")}
}

// runBadCalls runs each call on f and checks its error, that nothing was
// written and that nothing panicked.
func runBadCalls(t *testing.T, f *fixture, calls []badCall) {
	t.Helper()
	before := snapshot(t, f.store, f.org.ID)
	orgsBefore, err := f.store.ListOrganizations(f.ctx, orgs.OrganizationFilter{UserID: owner, Range: orgs.Range{MaxRows: orgs.MaxPageLimit + 1}})
	require.NoError(t, err)
	for _, c := range calls {
		err := func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
					t.Errorf("%s: panicked: %v", c.name, p)
				}
			}()
			return c.call(f)
		}()
		if c.field != "" {
			assertInvalid(t, err, c.field, c.name)
		} else {
			assert.ErrorIs(t, err, c.want, c.name)
		}
		if !assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "%s wrote something", c.name) {
			before = snapshot(t, f.store, f.org.ID)
		}
	}
	orgsAfter, err := f.store.ListOrganizations(f.ctx, orgs.OrganizationFilter{UserID: owner, Range: orgs.Range{MaxRows: orgs.MaxPageLimit + 1}})
	require.NoError(t, err)
	assert.Equal(t, len(orgsBefore), len(orgsAfter), "no organization was created")
}

// assertInvalid is requireInvalid that lets a table go on.
func assertInvalid(t *testing.T, err error, field, name string) {
	t.Helper()
	if !assert.ErrorIs(t, err, orgs.ErrInvalid, name) {
		return
	}
	ve, ok := err.(*orgs.ValidationError)
	if !assert.True(t, ok, "%s: want a *orgs.ValidationError, got %T", name, err) {
		return
	}
	var fields []string
	for _, fe := range ve.Fields {
		fields = append(fields, fe.Field)
		assert.NotEmpty(t, fe.Message, "%s: field %q has no message", name, fe.Field)
	}
	assert.Contains(t, fields, field, "%s: fields named", name)
}

var (
	nul     = "a\x00b"
	badUTF8 = "caf\xe9"
)

func testValidateOrganizations(t *testing.T, newStore NewStore) {
	f := newValidationFixture(t, newStore)
	create := func(in orgs.CreateOrganizationInput) func(f *fixture) error {
		if in.Name == "" {
			in.Name = "Fine Name"
		}
		return func(f *fixture) error { return get2(f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), in)) }
	}
	update := func(in orgs.UpdateOrganizationInput) func(f *fixture) error {
		return func(f *fixture) error {
			return get2(f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", in))
		}
	}
	var calls []badCall
	for _, name := range []string{" ", "   ", " Padded", "Padded ", strings.Repeat("n", 101), nul, badUTF8, "Two\nLines", "Tab\tName"} {
		calls = append(calls,
			badCall{name: fmt.Sprintf("create name %q", name), field: "name", call: func(f *fixture) error {
				return get2(f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: name, Slug: "fine-slug"}))
			}},
			badCall{name: fmt.Sprintf("update name %q", name), field: "name", call: update(orgs.UpdateOrganizationInput{Name: ptr(name)})})
	}
	calls = append(calls, badCall{name: "update name empty", field: "name", call: update(orgs.UpdateOrganizationInput{Name: ptr("")})})
	for _, slug := range []string{"ab", "-abc", "abc-", "a--b", "ab_c", "ab c", "café", strings.Repeat("s", 64), nul, badUTF8} {
		calls = append(calls,
			badCall{name: fmt.Sprintf("create slug %q", slug), field: "slug", call: create(orgs.CreateOrganizationInput{Slug: slug})},
			badCall{name: fmt.Sprintf("update slug %q", slug), field: "slug", call: update(orgs.UpdateOrganizationInput{Slug: ptr(slug)})},
			badCall{name: fmt.Sprintf("create handle %q", slug), field: "handle", call: create(orgs.CreateOrganizationInput{Handle: slug})})
	}
	calls = append(calls, badCall{name: "update slug empty", field: "slug", call: update(orgs.UpdateOrganizationInput{Slug: ptr("")})})
	for _, tc := range []struct {
		field string
		in    orgs.CreateOrganizationInput
	}{
		{"description", orgs.CreateOrganizationInput{Description: strings.Repeat("d", 2001)}},
		{"description", orgs.CreateOrganizationInput{Description: nul}},
		{"description", orgs.CreateOrganizationInput{Description: badUTF8}},
		{"logo_url", orgs.CreateOrganizationInput{LogoURL: "javascript:alert(1)"}},
		{"logo_url", orgs.CreateOrganizationInput{LogoURL: "/relative.png"}},
		{"website", orgs.CreateOrganizationInput{Website: "example.com"}},
		{"website", orgs.CreateOrganizationInput{Website: "https://exa mple.com"}},
		{"website", orgs.CreateOrganizationInput{Website: "https://example.com/" + strings.Repeat("p", 2048)}},
		{"website", orgs.CreateOrganizationInput{Website: "https://example.com/\x00"}},
		{"industry", orgs.CreateOrganizationInput{Industry: "Spaceships"}},
		{"contact_email", orgs.CreateOrganizationInput{ContactEmail: "not-an-email"}},
		{"contact_email", orgs.CreateOrganizationInput{ContactEmail: "Alice <alice@example.com>"}},
		{"contact_email", orgs.CreateOrganizationInput{ContactEmail: "alice@localhost"}},
		{"contact_email", orgs.CreateOrganizationInput{ContactEmail: "alice@1.2.3.4"}},
		{"contact_email", orgs.CreateOrganizationInput{ContactEmail: strings.Repeat("a", 250) + "@example.com"}},
		{"contact_email", orgs.CreateOrganizationInput{ContactEmail: "a\x00@example.com"}},
		{"contact_phone", orgs.CreateOrganizationInput{ContactPhone: "call me"}},
		{"contact_phone", orgs.CreateOrganizationInput{ContactPhone: "1234"}},
		{"contact_phone", orgs.CreateOrganizationInput{ContactPhone: "+1234567890123456"}},
		{"contact_phone", orgs.CreateOrganizationInput{ContactPhone: "12+345678"}},
		{"visibility", orgs.CreateOrganizationInput{Visibility: "secret"}},
		{"domains", orgs.CreateOrganizationInput{Domains: []string{"not a domain"}}},
		{"domains", orgs.CreateOrganizationInput{Domains: []string{"localhost"}}},
		{"domains", orgs.CreateOrganizationInput{Domains: []string{"1.2.3.4"}}},
		{"domains", orgs.CreateOrganizationInput{Domains: []string{"-bad.example"}}},
		{"domains", orgs.CreateOrganizationInput{Domains: []string{"ok.example", ""}}},
		{"domains", orgs.CreateOrganizationInput{Domains: names("d", 21)}},
		{"external_id", orgs.CreateOrganizationInput{ExternalID: strings.Repeat("x", 65)}},
		{"external_id", orgs.CreateOrganizationInput{ExternalID: nul}},
		{"external_id", orgs.CreateOrganizationInput{ExternalID: "two\nlines"}},
		{"metadata", orgs.CreateOrganizationInput{Metadata: map[string]string{"k": strings.Repeat("v", 601)}}},
	} {
		in := tc.in
		calls = append(calls, badCall{name: fmt.Sprintf("create %s %+v", tc.field, in), field: tc.field, call: create(in)})
	}
	for _, tc := range []struct {
		field string
		in    orgs.UpdateOrganizationInput
	}{
		{"description", orgs.UpdateOrganizationInput{Description: ptr(nul)}},
		{"logo_url", orgs.UpdateOrganizationInput{LogoURL: ptr("ftp://x.example/a.png")}},
		{"website", orgs.UpdateOrganizationInput{Website: ptr("http://")}},
		{"industry", orgs.UpdateOrganizationInput{Industry: ptr("software")}},
		{"contact_email", orgs.UpdateOrganizationInput{ContactEmail: ptr("@example.com")}},
		{"contact_phone", orgs.UpdateOrganizationInput{ContactPhone: ptr("+")}},
		{"visibility", orgs.UpdateOrganizationInput{Visibility: ptr(orgs.Visibility(""))}},
		{"visibility", orgs.UpdateOrganizationInput{Visibility: ptr(orgs.Visibility("PUBLIC"))}},
		{"domains", orgs.UpdateOrganizationInput{Domains: []string{"example"}}},
		{"external_id", orgs.UpdateOrganizationInput{ExternalID: ptr(strings.Repeat("x", 65))}},
		{"metadata", orgs.UpdateOrganizationInput{Metadata: map[string]string{strings.Repeat("k", 41): ""}}},
		{"handle", orgs.UpdateOrganizationInput{Handle: ptr("x")}},
	} {
		calls = append(calls, badCall{name: fmt.Sprintf("update %s", tc.field), field: tc.field, call: update(tc.in)})
	}
	// Several bad fields are reported together.
	calls = append(calls,
		badCall{name: "several fields: name", field: "name", call: create(orgs.CreateOrganizationInput{Name: " x", Website: "nope", ContactPhone: "x"})},
		badCall{name: "several fields: website", field: "website", call: create(orgs.CreateOrganizationInput{Name: " x", Website: "nope", ContactPhone: "x"})},
		badCall{name: "several fields: contact_phone", field: "contact_phone", call: create(orgs.CreateOrganizationInput{Name: " x", Website: "nope", ContactPhone: "x"})},
	)
	runBadCalls(t, f.fixture, calls)
}

func testValidateMembers(t *testing.T, newStore NewStore) {
	f := newValidationFixture(t, newStore)
	var calls []badCall
	for _, user := range []string{"", strings.Repeat("u", 129), nul, badUTF8, "new\nline"} {
		calls = append(calls,
			badCall{name: fmt.Sprintf("add user %q", user), field: "user_id", call: func(f *fixture) error {
				return get2(f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", user, orgs.RoleMember))
			}},
			badCall{name: fmt.Sprintf("transfer to %q", user), field: "user_id", call: func(f *fixture) error {
				return f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), "acme", user)
			}},
			badCall{name: fmt.Sprintf("team member %q", user), field: "user_id", call: func(f *fixture) error {
				return get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(owner), "acme", "core", user, orgs.TeamRoleMember))
			}},
			badCall{name: fmt.Sprintf("put user %q", user), field: "id", call: func(f *fixture) error {
				return f.svc.PutUser(f.ctx, orgs.User{ID: user, Name: "X"})
			}},
		)
		if user != "" {
			for name, call := range map[string]func(f *fixture) error{
				"get member": func(f *fixture) error { return get2(f.svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", user)) },
				"update role": func(f *fixture) error {
					return get2(f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(owner), "acme", user, orgs.RoleAdmin))
				},
				"remove": func(f *fixture) error { return f.svc.RemoveMember(f.ctx, orgs.UserActor(owner), "acme", user) },
				"team role": func(f *fixture) error {
					return get2(f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor(owner), "acme", "core", user, orgs.TeamRoleMember))
				},
				"team remove": func(f *fixture) error {
					return f.svc.RemoveTeamMember(f.ctx, orgs.UserActor(owner), "acme", "core", user)
				},
				"as actor: get": func(f *fixture) error { return get2(f.svc.GetOrganization(f.ctx, orgs.UserActor(user), "acme")) },
				"as actor: create": func(f *fixture) error {
					return get2(f.svc.CreateOrganization(f.ctx, orgs.UserActor(user), orgs.CreateOrganizationInput{Name: "X Org"}))
				},
			} {
				want := orgs.ErrNotFound
				if strings.HasPrefix(name, "as actor") {
					want = orgs.ErrUnauthenticated
				}
				calls = append(calls, badCall{name: fmt.Sprintf("%s %q", name, user), want: want, call: call})
			}
		}
	}
	for _, role := range []orgs.Role{"", "superuser", "Owner", "owner ", orgs.Role(nul)} {
		calls = append(calls,
			badCall{name: fmt.Sprintf("add role %q", role), field: "role", call: func(f *fixture) error {
				return get2(f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "new", role))
			}},
			badCall{name: fmt.Sprintf("update role %q", role), field: "role", call: func(f *fixture) error {
				return get2(f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(owner), "acme", member, role))
			}},
			badCall{name: fmt.Sprintf("invite role %q", role), field: "role", call: func(f *fixture) error {
				return get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "x@example.com", Role: role}))
			}},
		)
		if role != "" {
			calls = append(calls, badCall{name: fmt.Sprintf("list role %q", role), field: "role", call: func(f *fixture) error {
				return get2(f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Role: role}))
			}})
		}
	}
	for _, search := range []string{nul, badUTF8, strings.Repeat("s", 101), "tab\there"} {
		calls = append(calls,
			badCall{name: fmt.Sprintf("member search %q", search), field: "search", call: func(f *fixture) error {
				return get2(f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Search: search}))
			}},
			badCall{name: fmt.Sprintf("organization search %q", search), field: "search", call: func(f *fixture) error {
				return get2(f.svc.ListOrganizations(f.ctx, orgs.UserActor(owner), orgs.OrganizationQuery{Search: search}))
			}},
		)
	}
	for _, domain := range []string{"nope", nul, "a..b.example"} {
		calls = append(calls, badCall{name: fmt.Sprintf("organization domain %q", domain), field: "domain", call: func(f *fixture) error {
			return get2(f.svc.ListOrganizations(f.ctx, orgs.UserActor(owner), orgs.OrganizationQuery{Domain: domain}))
		}})
	}
	for _, tc := range []struct {
		field string
		u     orgs.User
	}{
		{"email", orgs.User{ID: "x", Email: "nope"}},
		{"username", orgs.User{ID: "x", Username: strings.Repeat("u", 101)}},
		{"username", orgs.User{ID: "x", Username: nul}},
		{"name", orgs.User{ID: "x", Name: badUTF8}},
		{"avatar_url", orgs.User{ID: "x", AvatarURL: "data:image/png;base64,AAAA"}},
	} {
		calls = append(calls, badCall{name: "put user " + tc.field, field: tc.field, call: func(f *fixture) error { return f.svc.PutUser(f.ctx, tc.u) }})
	}
	runBadCalls(t, f.fixture, calls)
	users, err := f.store.Users(f.ctx, []string{"x"})
	require.NoError(t, err)
	assert.Empty(t, users, "no invalid profile stored")
}

func testValidatePages(t *testing.T, newStore NewStore) {
	f := newValidationFixture(t, newStore)
	lists := map[string]func(f *fixture, p orgs.Page) error{
		"organizations": func(f *fixture, p orgs.Page) error {
			return get2(f.svc.ListOrganizations(f.ctx, orgs.UserActor(owner), orgs.OrganizationQuery{Page: p}))
		},
		"members": func(f *fixture, p orgs.Page) error {
			return get2(f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Page: p}))
		},
		"events": func(f *fixture, p orgs.Page) error {
			return get2(f.svc.ListEvents(f.ctx, orgs.UserActor(owner), "acme", orgs.EventQuery{Page: p}))
		},
		"invitations": func(f *fixture, p orgs.Page) error {
			return get2(f.svc.ListInvitations(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationQuery{Page: p}))
		},
		"teams": func(f *fixture, p orgs.Page) error {
			return get2(f.svc.ListTeams(f.ctx, orgs.UserActor(owner), "acme", p))
		},
		"team members": func(f *fixture, p orgs.Page) error {
			return get2(f.svc.ListTeamMembers(f.ctx, orgs.UserActor(owner), "acme", "core", p))
		},
	}
	good := orgs.EncodeCursor("zzz")
	pages := []struct {
		name  string
		page  orgs.Page
		field string
	}{
		{"limit -1", orgs.Page{Limit: -1}, "limit"},
		{"limit 101", orgs.Page{Limit: 101}, "limit"},
		{"limit huge", orgs.Page{Limit: 1 << 40}, "limit"},
		{"after not base64", orgs.Page{After: "!!!"}, "after"},
		{"after padded", orgs.Page{After: good + "="}, "after"},
		{"after of a control character", orgs.Page{After: orgs.EncodeCursor("\x01")}, "after"},
		{"after of a NUL", orgs.Page{After: orgs.EncodeCursor(nul)}, "after"},
		{"after of invalid UTF-8", orgs.Page{After: orgs.EncodeCursor(badUTF8)}, "after"},
		{"after too long", orgs.Page{After: orgs.EncodeCursor(strings.Repeat("k", 400))}, "after"},
		{"before not base64", orgs.Page{Before: "%%%"}, "before"},
		{"after and before", orgs.Page{After: good, Before: good}, "before"},
	}
	var calls []badCall
	for name, list := range lists {
		for _, p := range pages {
			calls = append(calls, badCall{name: name + ": " + p.name, field: p.field, call: func(f *fixture) error { return list(f, p.page) }})
		}
	}
	runBadCalls(t, f.fixture, calls)

	// Limit 0 is the default page size, and any well-formed cursor works.
	for name, list := range lists {
		for _, p := range []orgs.Page{{}, {Limit: 1}, {Limit: 100}, {After: good}, {Before: good}, {After: orgs.EncodeCursor("日本")}} {
			assert.NoError(t, list(f.fixture, p), "%s %+v", name, p)
		}
	}
}

func testValidateInvitations(t *testing.T, newStore NewStore) {
	f := newValidationFixture(t, newStore)
	var calls []badCall
	for _, email := range []string{"", "nope", "a@b", "a@b@example.com", "Alice <a@example.com>", " a@example.com", nul + "@example.com", badUTF8 + "@example.com", strings.Repeat("e", 250) + "@example.com"} {
		calls = append(calls, badCall{name: fmt.Sprintf("email %q", email), field: "email", call: func(f *fixture) error {
			return get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: email, Role: orgs.RoleMember}))
		}})
	}
	for _, d := range []time.Duration{time.Second, -time.Hour, 31 * 24 * time.Hour} {
		calls = append(calls, badCall{name: fmt.Sprintf("expires in %v", d), field: "expires_in", call: func(f *fixture) error {
			return get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleMember, ExpiresIn: d}))
		}})
	}
	for _, status := range []orgs.InvitationStatus{"lost", "PENDING", orgs.InvitationStatus(nul)} {
		calls = append(calls, badCall{name: fmt.Sprintf("status %q", status), field: "status", call: func(f *fixture) error {
			return get2(f.svc.ListInvitations(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationQuery{Status: status}))
		}})
	}
	for _, id := range []string{"", "inv_x", nul, "org_" + f.inv.ID[4:], f.inv.ID + "0", strings.ToLower(f.inv.ID)} {
		calls = append(calls,
			badCall{name: fmt.Sprintf("get %q", id), want: orgs.ErrNotFound, call: func(f *fixture) error {
				return get2(f.svc.GetInvitation(f.ctx, orgs.UserActor(owner), "acme", id))
			}},
			badCall{name: fmt.Sprintf("resend %q", id), want: orgs.ErrNotFound, call: func(f *fixture) error {
				return get2(f.svc.ResendInvitation(f.ctx, orgs.UserActor(owner), "acme", id))
			}},
			badCall{name: fmt.Sprintf("revoke %q", id), want: orgs.ErrNotFound, call: func(f *fixture) error {
				return f.svc.RevokeInvitation(f.ctx, orgs.UserActor(owner), "acme", id)
			}},
		)
	}
	for _, token := range []string{"", "x", nul, badUTF8, strings.Repeat("A", 10000), f.inv.ID} {
		calls = append(calls,
			badCall{name: fmt.Sprintf("accept %.20q", token), want: orgs.ErrNotFound, call: func(f *fixture) error {
				return get2(f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), token))
			}},
			badCall{name: fmt.Sprintf("decline %.20q", token), want: orgs.ErrNotFound, call: func(f *fixture) error {
				return f.svc.DeclineInvitation(f.ctx, orgs.UserActor(outsider), token)
			}},
		)
	}
	runBadCalls(t, f.fixture, calls)
}

func testValidateCategoriesPipelinesTeams(t *testing.T, newStore NewStore) {
	f := newValidationFixture(t, newStore)
	pipe := f.pipeline
	var calls []badCall
	for _, name := range []string{"", " ", " Pad", strings.Repeat("n", 101), nul, badUTF8, "a\nb"} {
		calls = append(calls,
			badCall{name: fmt.Sprintf("category %q", name), field: "name", call: func(f *fixture) error {
				return get2(f.svc.CreateCategory(f.ctx, orgs.UserActor(owner), "acme", orgs.CategoryInput{Name: name}))
			}},
			badCall{name: fmt.Sprintf("rename category %q", name), field: "name", call: func(f *fixture) error {
				return get2(f.svc.UpdateCategory(f.ctx, orgs.UserActor(owner), "acme", f.categoryID("Finance"), orgs.CategoryUpdate{Name: ptr(name)}))
			}},
			badCall{name: fmt.Sprintf("pipeline %q", name), field: "name", call: func(f *fixture) error {
				return get2(f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: name}))
			}},
			badCall{name: fmt.Sprintf("rename pipeline %q", name), field: "name", call: func(f *fixture) error {
				return get2(f.svc.UpdatePipeline(f.ctx, orgs.UserActor(owner), "acme", pipe.ID, orgs.PipelineUpdate{Name: ptr(name)}))
			}},
			badCall{name: fmt.Sprintf("stage %q", name), field: "stages", call: func(f *fixture) error {
				return get2(f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: "Fine", Stages: []string{"Ok", name}}))
			}},
			badCall{name: fmt.Sprintf("add stage %q", name), field: "stages", call: func(f *fixture) error {
				return get2(f.svc.AddStage(f.ctx, orgs.UserActor(owner), "acme", pipe.ID, name))
			}},
			badCall{name: fmt.Sprintf("team %q", name), field: "name", call: func(f *fixture) error {
				return get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: name, Slug: "fine"}))
			}},
			badCall{name: fmt.Sprintf("rename team %q", name), field: "name", call: func(f *fixture) error {
				return get2(f.svc.UpdateTeam(f.ctx, orgs.UserActor(owner), "acme", "core", orgs.TeamUpdate{Name: ptr(name)}))
			}},
		)
	}
	calls = append(calls,
		badCall{name: "category position -1", field: "position", call: func(f *fixture) error {
			return get2(f.svc.CreateCategory(f.ctx, orgs.UserActor(owner), "acme", orgs.CategoryInput{Name: "Fine", Position: ptr(-1)}))
		}},
		badCall{name: "move category to -1", field: "position", call: func(f *fixture) error {
			return get2(f.svc.UpdateCategory(f.ctx, orgs.UserActor(owner), "acme", f.categoryID("Finance"), orgs.CategoryUpdate{Position: ptr(-1)}))
		}},
		badCall{name: "51 stages", field: "stages", call: func(f *fixture) error {
			return get2(f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: "Fine", Stages: names("s", 51)}))
		}},
	)
	for _, tc := range []struct {
		field string
		in    orgs.TeamInput
	}{
		{"slug", orgs.TeamInput{Name: "Fine", Slug: "x"}},
		{"slug", orgs.TeamInput{Name: "Fine", Slug: "has space"}},
		{"slug", orgs.TeamInput{Name: "Fine", Slug: nul}},
		{"color", orgs.TeamInput{Name: "Fine", Color: "red"}},
		{"color", orgs.TeamInput{Name: "Fine", Color: "#12345g"}},
		{"color", orgs.TeamInput{Name: "Fine", Color: "#1234567"}},
		{"description", orgs.TeamInput{Name: "Fine", Description: strings.Repeat("d", 2001)}},
		{"description", orgs.TeamInput{Name: "Fine", Description: nul}},
	} {
		calls = append(calls, badCall{name: fmt.Sprintf("team %s %q", tc.field, tc.in.Slug+tc.in.Color), field: tc.field, call: func(f *fixture) error {
			return get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", tc.in))
		}})
	}
	for _, role := range []orgs.TeamRole{"", "owner", "Maintainer", orgs.TeamRole(nul)} {
		calls = append(calls,
			badCall{name: fmt.Sprintf("team member role %q", role), field: "role", call: func(f *fixture) error {
				return get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(owner), "acme", "core", member, role))
			}},
			badCall{name: fmt.Sprintf("update team member role %q", role), field: "role", call: func(f *fixture) error {
				return get2(f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor(owner), "acme", "core", member, role))
			}},
		)
	}
	for _, typ := range []string{nul, badUTF8, strings.Repeat("t", 65)} {
		calls = append(calls, badCall{name: fmt.Sprintf("event type %.20q", typ), field: "type", call: func(f *fixture) error {
			return get2(f.svc.ListEvents(f.ctx, orgs.UserActor(owner), "acme", orgs.EventQuery{Type: orgs.EventType(typ)}))
		}})
	}
	runBadCalls(t, f.fixture, calls)
}

func testValidateUnknownThings(t *testing.T, newStore NewStore) {
	f := newValidationFixture(t, newStore)
	pipe := f.pipeline
	var calls []badCall
	for _, slug := range []string{"", "no-such-org", "NO-SUCH-ORG", "../acme", "acme/", "acme%00", nul, badUTF8, strings.Repeat("a", 1000), "a"} {
		for name, call := range map[string]func(f *fixture) error{
			"get":    func(f *fixture) error { return get2(f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), slug)) },
			"detail": func(f *fixture) error { return get2(f.svc.GetOrganizationDetail(f.ctx, orgs.UserActor(owner), slug)) },
			"update": func(f *fixture) error {
				return get2(f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), slug, orgs.UpdateOrganizationInput{}))
			},
			"delete": func(f *fixture) error { return f.svc.DeleteOrganization(f.ctx, orgs.UserActor(owner), slug) },
			"add member": func(f *fixture) error {
				return get2(f.svc.AddMember(f.ctx, orgs.UserActor(owner), slug, "x", orgs.RoleMember))
			},
			"members": func(f *fixture) error {
				return get2(f.svc.ListMembers(f.ctx, orgs.UserActor(owner), slug, orgs.MemberQuery{}))
			},
			"leave":      func(f *fixture) error { return f.svc.LeaveOrganization(f.ctx, orgs.UserActor(owner), slug) },
			"transfer":   func(f *fixture) error { return f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), slug, member) },
			"categories": func(f *fixture) error { return get2(f.svc.ListCategories(f.ctx, orgs.UserActor(owner), slug)) },
			"pipelines":  func(f *fixture) error { return get2(f.svc.ListPipelines(f.ctx, orgs.UserActor(owner), slug)) },
			"invite": func(f *fixture) error {
				return get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleMember}))
			},
			"teams": func(f *fixture) error { return get2(f.svc.ListTeams(f.ctx, orgs.UserActor(owner), slug, orgs.Page{})) },
			"create team": func(f *fixture) error {
				return get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), slug, orgs.TeamInput{Name: "T"}))
			},
			"events": func(f *fixture) error {
				return get2(f.svc.ListEvents(f.ctx, orgs.UserActor(owner), slug, orgs.EventQuery{}))
			},
		} {
			calls = append(calls, badCall{name: fmt.Sprintf("%s %.20q", name, slug), want: orgs.ErrNotFound, call: call})
		}
	}
	for _, id := range []string{"", "x", nul, badUTF8, "org_" + strings.Repeat("Z", 26), orgs.NewID(orgs.PrefixOrganization)} {
		calls = append(calls, badCall{name: fmt.Sprintf("by id %q", id), want: orgs.ErrNotFound, call: func(f *fixture) error {
			return get2(f.svc.GetOrganizationByID(f.ctx, orgs.UserActor(owner), id))
		}})
	}
	for _, id := range []string{"", nul, badUTF8, strings.Repeat("x", 65), "unknown"} {
		calls = append(calls, badCall{name: fmt.Sprintf("by external id %.20q", id), want: orgs.ErrNotFound, call: func(f *fixture) error {
			return get2(f.svc.GetOrganizationByExternalID(f.ctx, orgs.UserActor(owner), id))
		}})
	}
	for _, slug := range []string{"", "nope", nul, "x"} {
		for name, call := range map[string]func(f *fixture) error{
			"get team": func(f *fixture) error { return get2(f.svc.GetTeam(f.ctx, orgs.UserActor(owner), "acme", slug)) },
			"update team": func(f *fixture) error {
				return get2(f.svc.UpdateTeam(f.ctx, orgs.UserActor(owner), "acme", slug, orgs.TeamUpdate{Name: ptr("X")}))
			},
			"delete team": func(f *fixture) error { return f.svc.DeleteTeam(f.ctx, orgs.UserActor(owner), "acme", slug) },
			"team members": func(f *fixture) error {
				return get2(f.svc.ListTeamMembers(f.ctx, orgs.UserActor(owner), "acme", slug, orgs.Page{}))
			},
			"add to team": func(f *fixture) error {
				return get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(owner), "acme", slug, member, orgs.TeamRoleMember))
			},
		} {
			calls = append(calls, badCall{name: fmt.Sprintf("%s %q", name, slug), want: orgs.ErrNotFound, call: call})
		}
	}
	for _, id := range []string{"", "x", nul, pipe.Stages[0].ID, orgs.NewID(orgs.PrefixPipeline)} {
		for name, call := range map[string]func(f *fixture) error{
			"get pipeline": func(f *fixture) error { return get2(f.svc.GetPipeline(f.ctx, orgs.UserActor(owner), "acme", id)) },
			"update pipeline": func(f *fixture) error {
				return get2(f.svc.UpdatePipeline(f.ctx, orgs.UserActor(owner), "acme", id, orgs.PipelineUpdate{Name: ptr("X")}))
			},
			"delete pipeline": func(f *fixture) error { return f.svc.DeletePipeline(f.ctx, orgs.UserActor(owner), "acme", id) },
			"add stage":       func(f *fixture) error { return get2(f.svc.AddStage(f.ctx, orgs.UserActor(owner), "acme", id, "X")) },
			"update category": func(f *fixture) error {
				return get2(f.svc.UpdateCategory(f.ctx, orgs.UserActor(owner), "acme", id, orgs.CategoryUpdate{Name: ptr("X")}))
			},
			"delete category": func(f *fixture) error { return f.svc.DeleteCategory(f.ctx, orgs.UserActor(owner), "acme", id) },
			"rename stage": func(f *fixture) error {
				return get2(f.svc.RenameStage(f.ctx, orgs.UserActor(owner), "acme", pipe.ID, id, "X"))
			},
			"remove stage": func(f *fixture) error {
				return get2(f.svc.RemoveStage(f.ctx, orgs.UserActor(owner), "acme", pipe.ID, id+"x"))
			},
		} {
			if name == "rename stage" && id == pipe.Stages[0].ID {
				continue
			}
			calls = append(calls, badCall{name: fmt.Sprintf("%s %q", name, id), want: orgs.ErrNotFound, call: call})
		}
	}
	runBadCalls(t, f.fixture, calls)
}
