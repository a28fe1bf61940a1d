package storetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestSecurity checks that one tenant cannot reach another's data by ID,
// and that hostile-looking input (SQL, LIKE wildcards, every kind of
// Unicode) is stored and returned verbatim and matched literally.
func TestSecurity(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"CrossTenantByID", testCrossTenant},
		{"VerbatimInput", testVerbatimInput},
		{"SearchIsLiteral", testSearchIsLiteral},
		{"Confusables", testConfusables},
	})
}

func testCrossTenant(t *testing.T, newStore NewStore) {
	// Alice's organization A holds a team, an invitation, categories, a
	// pipeline with stages and a member, Bob. Mallory owns organization B
	// (so she has every permission there) and addresses A's things by
	// their IDs under B's slug, and under A's. Every call must fail as not
	// found — never succeed, never tell "forbidden" — and change nothing in
	// A or B.
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithInvitationOptions(orgs.InvitationOptions{MinResendInterval: -1}))
	_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "A", Slug: "tenant-a"})
	require.NoError(t, err)
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("mallory"), orgs.CreateOrganizationInput{Name: "B", Slug: "tenant-b"})
	require.NoError(t, err)
	_, err = svc.AddMember(ctx, orgs.UserActor("alice"), "tenant-a", "bob", orgs.RoleMember)
	require.NoError(t, err)
	_, err = svc.CreateTeam(ctx, orgs.UserActor("alice"), "tenant-a", orgs.TeamInput{Name: "Alpha", Slug: "alpha-team"})
	require.NoError(t, err)
	_, err = svc.AddTeamMember(ctx, orgs.UserActor("alice"), "tenant-a", "alpha-team", "bob", orgs.TeamRoleMaintainer)
	require.NoError(t, err)
	_, err = svc.CreateTeam(ctx, orgs.UserActor("mallory"), "tenant-b", orgs.TeamInput{Name: "Beta", Slug: "beta-team"})
	require.NoError(t, err)
	invA, err := svc.CreateInvitation(ctx, orgs.UserActor("alice"), "tenant-a", orgs.InvitationInput{Email: "carol@example.com", Role: orgs.RoleAdmin})
	require.NoError(t, err)
	catsA, err := svc.ListCategories(ctx, orgs.UserActor("alice"), "tenant-a")
	require.NoError(t, err)
	require.NotEmpty(t, catsA)
	pipesA, err := svc.ListPipelines(ctx, orgs.UserActor("alice"), "tenant-a")
	require.NoError(t, err)
	pipesB, err := svc.ListPipelines(ctx, orgs.UserActor("mallory"), "tenant-b")
	require.NoError(t, err)
	require.NotEmpty(t, pipesA)
	require.NotEmpty(t, pipesB)
	pA, pB := pipesA[0], pipesB[0]
	require.NotEmpty(t, pA.Stages)
	stageA := pA.Stages[0].ID
	a, err := svc.GetOrganization(ctx, orgs.UserActor("alice"), "tenant-a")
	require.NoError(t, err)
	b, err := svc.GetOrganization(ctx, orgs.UserActor("mallory"), "tenant-b")
	require.NoError(t, err)
	beforeA, beforeB := snapshot(t, store, a.ID), snapshot(t, store, b.ID)

	type call struct {
		name string
		fn   func(slug string) error
	}
	calls := []call{
		{"GetTeam", func(s string) error { return get2(svc.GetTeam(ctx, orgs.UserActor("mallory"), s, "alpha-team")) }},
		{"UpdateTeam", func(s string) error {
			return get2(svc.UpdateTeam(ctx, orgs.UserActor("mallory"), s, "alpha-team", orgs.TeamUpdate{Name: ptr("pwned")}))
		}},
		{"DeleteTeam", func(s string) error { return svc.DeleteTeam(ctx, orgs.UserActor("mallory"), s, "alpha-team") }},
		{"ListTeamMembers", func(s string) error {
			return get2(svc.ListTeamMembers(ctx, orgs.UserActor("mallory"), s, "alpha-team", orgs.Page{}))
		}},
		{"AddTeamMember", func(s string) error {
			return get2(svc.AddTeamMember(ctx, orgs.UserActor("mallory"), s, "alpha-team", "mallory", orgs.TeamRoleMaintainer))
		}},
		{"UpdateTeamMemberRole", func(s string) error {
			return get2(svc.UpdateTeamMemberRole(ctx, orgs.UserActor("mallory"), s, "alpha-team", "bob", orgs.TeamRoleMember))
		}},
		{"RemoveTeamMember", func(s string) error {
			return svc.RemoveTeamMember(ctx, orgs.UserActor("mallory"), s, "alpha-team", "bob")
		}},
		{"GetInvitation", func(s string) error { return get2(svc.GetInvitation(ctx, orgs.UserActor("mallory"), s, invA.ID)) }},
		{"ResendInvitation", func(s string) error { return get2(svc.ResendInvitation(ctx, orgs.UserActor("mallory"), s, invA.ID)) }},
		{"RevokeInvitation", func(s string) error { return svc.RevokeInvitation(ctx, orgs.UserActor("mallory"), s, invA.ID) }},
		{"UpdateCategory", func(s string) error {
			return get2(svc.UpdateCategory(ctx, orgs.UserActor("mallory"), s, catsA[0].ID, orgs.CategoryUpdate{Name: ptr("pwned"), Position: ptr(3)}))
		}},
		{"DeleteCategory", func(s string) error { return svc.DeleteCategory(ctx, orgs.UserActor("mallory"), s, catsA[0].ID) }},
		{"GetPipeline", func(s string) error { return get2(svc.GetPipeline(ctx, orgs.UserActor("mallory"), s, pA.ID)) }},
		{"UpdatePipeline", func(s string) error {
			return get2(svc.UpdatePipeline(ctx, orgs.UserActor("mallory"), s, pA.ID, orgs.PipelineUpdate{Name: ptr("pwned"), IsDefault: ptr(true)}))
		}},
		{"DeletePipeline", func(s string) error { return svc.DeletePipeline(ctx, orgs.UserActor("mallory"), s, pA.ID) }},
		{"AddStage", func(s string) error { return get2(svc.AddStage(ctx, orgs.UserActor("mallory"), s, pA.ID, "pwned")) }},
		{"RenameStage", func(s string) error {
			return get2(svc.RenameStage(ctx, orgs.UserActor("mallory"), s, pA.ID, stageA, "pwned"))
		}},
		{"RemoveStage", func(s string) error { return get2(svc.RemoveStage(ctx, orgs.UserActor("mallory"), s, pA.ID, stageA)) }},
		{"ReorderStages", func(s string) error {
			ids := make([]string, len(pA.Stages))
			for i, st := range pA.Stages {
				ids[len(ids)-1-i] = st.ID
			}
			return get2(svc.ReorderStages(ctx, orgs.UserActor("mallory"), s, pA.ID, ids))
		}},
		{"GetMember", func(s string) error { return get2(svc.GetMember(ctx, orgs.UserActor("mallory"), s, "bob")) }},
		{"UpdateMemberRole", func(s string) error {
			return get2(svc.UpdateMemberRole(ctx, orgs.UserActor("mallory"), s, "bob", orgs.RoleAdmin))
		}},
		{"RemoveMember", func(s string) error { return svc.RemoveMember(ctx, orgs.UserActor("mallory"), s, "bob") }},
	}
	for _, c := range calls {
		for _, slug := range []string{"tenant-b", "tenant-a"} {
			err := c.fn(slug)
			assert.ErrorIs(t, err, orgs.ErrNotFound, "%s of organization A's thing, addressed under %s", c.name, slug)
		}
	}
	// A stage of A addressed inside B's own pipeline.
	_, err = svc.RenameStage(ctx, orgs.UserActor("mallory"), "tenant-b", pB.ID, stageA, "pwned")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "RenameStage: A's stage in B's pipeline")
	_, err = svc.RemoveStage(ctx, orgs.UserActor("mallory"), "tenant-b", pB.ID, stageA)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "RemoveStage: A's stage in B's pipeline")
	stages := []orgs.StageInput{{ID: stageA, Name: "pwned"}}
	_, err = svc.UpdatePipeline(ctx, orgs.UserActor("mallory"), "tenant-b", pB.ID, orgs.PipelineUpdate{Stages: stages})
	assert.True(t, errors.Is(err, orgs.ErrNotFound) || errors.Is(err, orgs.ErrInvalid),
		"UpdatePipeline: A's stage in B's pipeline: %v", err)
	// A's member named in a body, under B: not a member there.
	_, err = svc.AddTeamMember(ctx, orgs.UserActor("mallory"), "tenant-b", "beta-team", "bob", orgs.TeamRoleMember)
	assert.ErrorIs(t, err, orgs.ErrNotMember, "AddTeamMember: A's member to B's team")
	assert.ErrorIs(t, svc.TransferOwnership(ctx, orgs.UserActor("mallory"), "tenant-b", "bob"), orgs.ErrNotMember, "TransferOwnership to A's member")
	// A itself, by slug, ID and every reader: not found for Mallory.
	assert.ErrorIs(t, get2(svc.GetOrganization(ctx, orgs.UserActor("mallory"), "tenant-a")), orgs.ErrNotFound)
	assert.ErrorIs(t, get2(svc.GetOrganizationByID(ctx, orgs.UserActor("mallory"), a.ID)), orgs.ErrNotFound)
	assert.ErrorIs(t, get2(svc.ListMembers(ctx, orgs.UserActor("mallory"), "tenant-a", orgs.MemberQuery{})), orgs.ErrNotFound)
	assert.ErrorIs(t, get2(svc.ListInvitations(ctx, orgs.UserActor("mallory"), "tenant-a", orgs.InvitationQuery{})), orgs.ErrNotFound)
	assert.ErrorIs(t, get2(svc.ListEvents(ctx, orgs.UserActor("mallory"), "tenant-a", orgs.EventQuery{})), orgs.ErrNotFound)
	assert.ErrorIs(t, get2(svc.ListTeams(ctx, orgs.UserActor("mallory"), "tenant-a", orgs.Page{})), orgs.ErrNotFound)

	assert.Equal(t, beforeA, snapshot(t, store, a.ID), "organization A changed")
	assert.Equal(t, beforeB, snapshot(t, store, b.ID), "organization B changed")
	t.Logf("%d calls × 2 slugs and 7 more addressed organization A's things as B's owner: all refused, nothing changed", len(calls))
}

// hostile are strings that must be stored and returned byte for byte.
var hostile = []string{
	`'; DROP TABLE organizations; --`,
	`Robert'); DELETE FROM members WHERE ('1'='1`,
	`%_\ 100% _under_ back\slash`,
	`"double" 'single' ` + "`back`",
	`?0 ?1 $1 :name @p1 ${x} {{x}}`,
	"👩🏽‍💻 Ünïcödé ⚠️ 🇺🇦",
	"שלום עולם (RTL)",
	"مرحبا بالعالم",
	"e\u0301 (decomposed) vs \u00e9 (composed)",
	"Z\u0351\u0362a\u0334\u0315l\u0323\u031bg\u0316o\u0358",
	"zero\u200dwidth\u200cjoiners\ufe0f", // the invisible characters a name may hold (others are refused in names)
	"漢字かなカナ한국어",
	"𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙𝟚 \U0010fffd",
}

func testVerbatimInput(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone))
	for i, s := range hostile {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			slug := fmt.Sprintf("verbatim-%d", i)
			meta := map[string]string{"k": s}
			if len([]rune(s)) <= 40 {
				meta[s] = "v"
			}
			ext := ""
			if len(s) <= 64 {
				ext = s
			}
			org, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{
				Name: s, Slug: slug, Description: s + "\n" + s, ExternalID: ext, Metadata: meta})
			require.NoError(t, err)
			got, err := svc.GetOrganization(ctx, orgs.UserActor("alice"), slug)
			require.NoError(t, err)
			assert.Equal(t, s, got.Name)
			assert.Equal(t, s+"\n"+s, got.Description)
			assert.Equal(t, meta, got.Metadata)
			assert.Equal(t, ext, got.ExternalID)
			if ext != "" {
				byExt, err := svc.GetOrganizationByExternalID(ctx, orgs.UserActor("alice"), ext)
				require.NoError(t, err)
				assert.Equal(t, org.ID, byExt.ID)
			}
			l, err := svc.ListOrganizations(ctx, orgs.UserActor("alice"), orgs.OrganizationQuery{Search: s})
			require.NoError(t, err)
			require.Len(t, l.Data, 1, "searching organizations for the name itself")
			assert.Equal(t, s, l.Data[0].Name)

			tm, err := svc.CreateTeam(ctx, orgs.UserActor("alice"), slug, orgs.TeamInput{Name: s, Slug: "team", Description: s})
			require.NoError(t, err)
			gotTeam, err := svc.GetTeam(ctx, orgs.UserActor("alice"), slug, tm.Slug)
			require.NoError(t, err)
			assert.Equal(t, s, gotTeam.Name)
			assert.Equal(t, s, gotTeam.Description)

			_, err = svc.CreateCategory(ctx, orgs.UserActor("alice"), slug, orgs.CategoryInput{Name: s})
			require.NoError(t, err)
			cs, err := svc.ListCategories(ctx, orgs.UserActor("alice"), slug)
			require.NoError(t, err)
			require.Len(t, cs, 1)
			assert.Equal(t, s, cs[0].Name)

			p, err := svc.CreatePipeline(ctx, orgs.UserActor("alice"), slug, orgs.PipelineInput{Name: s, Stages: []string{s, s + "2"}})
			require.NoError(t, err)
			gotP, err := svc.GetPipeline(ctx, orgs.UserActor("alice"), slug, p.ID)
			require.NoError(t, err)
			assert.Equal(t, s, gotP.Name)
			assert.Equal(t, []string{s, s + "2"}, stageNames(t, gotP))

			user := fmt.Sprintf("user-%d", i)
			require.NoError(t, svc.PutUser(ctx, orgs.User{ID: user, Username: s, Name: s}))
			_, err = svc.AddMember(ctx, orgs.UserActor("alice"), slug, user, orgs.RoleMember)
			require.NoError(t, err)
			ms, err := svc.ListMembers(ctx, orgs.UserActor("alice"), slug, orgs.MemberQuery{Search: s})
			require.NoError(t, err)
			require.Len(t, ms.Data, 1, "searching members for the name itself")
			assert.Equal(t, user, ms.Data[0].UserID)
			assert.Equal(t, s, ms.Data[0].Name)
			assert.Equal(t, s, ms.Data[0].Username)

			es := allEvents(t, store, org.ID)
			require.NotEmpty(t, es)
			assert.Equal(t, s, es[0].Data["name"], "the organization.created event")
		})
	}
	// Bidi overrides and isolates (Trojan Source) and line separators are
	// refused, as invalid input, and nothing is written.
	for _, s := range []string{"\u202eevil", "a\u2066b\u2069", "line\u2028break"} {
		_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: s, Slug: "refused"})
		requireInvalid(t, err, "name")
	}
	// The tables are all still there.
	l, err := svc.ListOrganizations(ctx, orgs.UserActor("alice"), orgs.OrganizationQuery{Page: orgs.Page{Limit: 100}})
	require.NoError(t, err)
	assert.Len(t, l.Data, len(hostile))
	n, err := store.CountMembers(ctx, l.Data[0].ID, "")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func testSearchIsLiteral(t *testing.T, newStore NewStore) {
	// LIKE wildcards and the escape character in a search match themselves
	// only.
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone))
	names := map[string]string{ // user → name
		"u-pct": "100% sure", "u-und": "snake_case", "u-bsl": `back\slash`,
		"u-plain": "plain name", "u-x": "sure 1000", "u-y": "snakeXcase", "u-z": "backslash",
	}
	_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Search", Slug: "search"})
	require.NoError(t, err)
	for _, u := range slices.Sorted(maps.Keys(names)) {
		require.NoError(t, svc.PutUser(ctx, orgs.User{ID: u, Name: names[u]}))
		_, err := svc.AddMember(ctx, orgs.UserActor("alice"), "search", u, orgs.RoleMember)
		require.NoError(t, err)
		_, err = svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: names[u], Slug: "org-" + u})
		require.NoError(t, err)
	}
	for search, want := range map[string][]string{
		"%": {"u-pct"}, "0%": {"u-pct"}, "_": {"u-und"}, "e_c": {"u-und"}, `\`: {"u-bsl"}, `k\s`: {"u-bsl"},
		`%_\`: nil, "'": nil, `\%`: nil,
	} {
		ms, err := svc.ListMembers(ctx, orgs.UserActor("alice"), "search", orgs.MemberQuery{Search: search})
		require.NoError(t, err, "search %q", search)
		var got []string
		for _, m := range ms.Data {
			got = append(got, m.UserID)
		}
		assert.Equal(t, want, got, "members matching %q", search)
		os, err := svc.ListOrganizations(ctx, orgs.UserActor("alice"), orgs.OrganizationQuery{Search: search})
		require.NoError(t, err, "search %q", search)
		var gotNames []string
		for _, o := range os.Data {
			gotNames = append(gotNames, o.Name)
		}
		var wantNames []string
		for _, u := range want {
			wantNames = append(wantNames, names[u])
		}
		assert.Equal(t, wantNames, gotNames, "organizations matching %q", search)
	}
}
