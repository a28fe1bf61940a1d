package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// confusables are non-ASCII characters that Unicode case mapping or
// folding, or the eye, takes for an ASCII letter.
var confusables = []struct{ name, char, ascii string }{
	{"KELVIN SIGN", "\u212A", "k"},
	{"LATIN CAPITAL I WITH DOT ABOVE", "\u0130", "i"},
	{"LATIN SMALL LONG S", "\u017F", "s"},
	{"FULLWIDTH SMALL K", "\uFF4B", "k"},
	{"CYRILLIC SMALL A", "\u0430", "a"},
	{"CYRILLIC SMALL IE", "\u0435", "e"},
	{"CYRILLIC SMALL O", "\u043E", "o"},
}

// testConfusables attacks every path that compares emails or slugs with a
// look-alike of an ASCII letter: accepting an invitation, the directory
// lookup behind "already a member", member search, organization and team
// slugs, and category names. A look-alike must never act as, find, or
// collide with the ASCII original.
func testConfusables(t *testing.T, newStore NewStore) {
	for _, c := range confusables {
		t.Run(c.name, func(t *testing.T) {
			impostorEmail := c.char + "ate@example.com"
			f := newFixture(t, newStore)
			dir := mapDirectory{
				"kate":     {ID: "kate", Email: "kate@example.com"},
				"impostor": {ID: "impostor", Email: impostorEmail}, // what the host's directory says
			}
			svc := f.service(orgs.WithUserDirectory(dir))
			kate := c.ascii + "ate@example.com"
			dir["kate"] = orgs.User{ID: "kate", Email: kate}

			// The Service refuses the look-alike address wherever it takes
			// one, rather than folding it into the ASCII one.
			requireInvalid(t, svc.PutUser(f.ctx, orgs.User{ID: "impostor", Email: impostorEmail}), "email")
			_, err := svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: impostorEmail, Role: orgs.RoleAdmin})
			requireInvalid(t, err, "email")

			// An invitation to kate cannot be accepted by the impostor.
			inv, err := svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: kate, Role: orgs.RoleAdmin})
			require.NoError(t, err)
			before := snapshot(t, f.store, f.org.ID)
			_, err = svc.AcceptInvitation(f.ctx, orgs.UserActor("impostor"), inv.Token)
			require.ErrorIs(t, err, orgs.ErrEmailMismatch)
			require.ErrorIs(t, svc.DeclineInvitation(f.ctx, orgs.UserActor("impostor"), inv.Token), orgs.ErrEmailMismatch)
			assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "a refused accept wrote something")
			m, err := svc.AcceptInvitation(f.ctx, orgs.UserActor("kate"), inv.Token)
			require.NoError(t, err, "kate herself accepts")
			assert.Equal(t, orgs.RoleAdmin, m.Role)

			// The store-backed directory: a member whose recorded email is
			// kate's is found by the ASCII address only.
			require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "kate", Email: kate, Name: "Kate"}))
			_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "kate2", orgs.RoleMember)
			require.NoError(t, err)
			require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "kate2", Email: "KATE2@Example.com"}))
			_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "kate2@example.com", Role: orgs.RoleMember})
			require.ErrorIs(t, err, orgs.ErrAlreadyMember, "ASCII case is the same address")

			// Member search folds ASCII case only.
			l, err := f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Search: c.char + "ate@"})
			require.NoError(t, err)
			assert.Empty(t, l.Data, "searching for a look-alike finds the ASCII address")
			l, err = f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Search: "KATE2@"})
			require.NoError(t, err)
			assert.Equal(t, []string{"kate2"}, userIDs(l.Data), "ASCII case is ignored")

			// Organization and team slugs and handles: ASCII only, refused
			// before any case change.
			_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Info", Slug: c.char + "nfo"})
			requireInvalid(t, err, "slug")
			_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Info", Slug: "info-" + c.ascii, Handle: c.char + "nfo"})
			requireInvalid(t, err, "handle")
			_, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), "acm"+c.char)
			require.ErrorIs(t, err, orgs.ErrNotFound)
			_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Slug: ptr(c.char + "cme")})
			requireInvalid(t, err, "slug")
			team, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Kelvin", Slug: "kelvin-" + c.ascii})
			require.NoError(t, err)
			_, err = f.svc.GetTeam(f.ctx, orgs.UserActor(owner), "acme", c.char+team.Slug[1:])
			require.ErrorIs(t, err, orgs.ErrNotFound)
			_, err = f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Kelvin", Slug: c.char + "elvin"})
			requireInvalid(t, err, "slug")

			// Category names: a look-alike is another name, never a
			// case-insensitive duplicate of the ASCII one.
			_, err = f.svc.CreateCategory(f.ctx, orgs.UserActor(owner), "acme", orgs.CategoryInput{Name: c.ascii + "ey accounts"})
			require.NoError(t, err)
			_, err = f.svc.CreateCategory(f.ctx, orgs.UserActor(owner), "acme", orgs.CategoryInput{Name: c.char + "ey accounts"})
			require.NoError(t, err, "a look-alike name is a distinct name")
		})
	}
}
