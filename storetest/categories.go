package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestCategories covers creating, renaming, moving and deleting categories:
// positions stay 0..n-1 and names unique case-insensitively.
func TestCategories(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"CreateAtPosition", testCreateCategory},
		{"Update", testUpdateCategory},
		{"Delete", testDeleteCategory},
		{"NameTaken", testCategoryNameTaken},
		{"Permissions", testCategoryPermissions},
		{"Limit", testCategoryLimit},
	})
}

// categoryFixture is a fixture seeded with SeedWeb's five categories.
func categoryFixture(t *testing.T, newStore NewStore) *fixture {
	return newFixture(t, newStore, orgs.WithSeed(orgs.SeedWeb))
}

// categories lists the fixture's categories through the Service, checking
// positions, and returns their names.
func (f *fixture) categories() []string {
	f.t.Helper()
	cs, err := f.svc.ListCategories(f.ctx, orgs.UserActor(member), f.org.Slug)
	require.NoError(f.t, err)
	return categoryNames(f.t, cs)
}

// categoryID returns the ID of the fixture's category name.
func (f *fixture) categoryID(name string) string {
	f.t.Helper()
	cs, err := f.svc.ListCategories(f.ctx, orgs.UserActor(member), f.org.Slug)
	require.NoError(f.t, err)
	for _, c := range cs {
		if c.Name == name {
			return c.ID
		}
	}
	f.t.Fatalf("no category %q", name)
	return ""
}

func testCreateCategory(t *testing.T, newStore NewStore) {
	f := categoryFixture(t, newStore)
	create := func(name string, pos *int) *orgs.Category {
		t.Helper()
		c, err := f.svc.CreateCategory(f.ctx, orgs.UserActor(admin), "acme", orgs.CategoryInput{Name: name, Position: pos})
		require.NoError(t, err)
		assert.Regexp(t, idPattern(orgs.PrefixCategory), c.ID)
		assert.Equal(t, name, c.Name)
		e := f.lastEvent()
		assert.Equal(t, "category.created", string(e.Type))
		assert.Equal(t, map[string]string{"category_id": c.ID, "name": name}, e.Data)
		return c
	}
	c := create("Legal", nil)
	assert.Equal(t, 5, c.Position)
	assert.Equal(t, []string{"Software Development", "Finance", "Operations", "HR & Recruiting", "Security", "Legal"}, f.categories())

	c = create("Design", ptr(0))
	assert.Equal(t, 0, c.Position)
	assert.Equal(t, []string{"Design", "Software Development", "Finance", "Operations", "HR & Recruiting", "Security", "Legal"}, f.categories())

	c = create("Data", ptr(3))
	assert.Equal(t, 3, c.Position)
	assert.Equal(t, []string{"Design", "Software Development", "Finance", "Data", "Operations", "HR & Recruiting", "Security", "Legal"}, f.categories())

	c = create("Zeta", ptr(999))
	assert.Equal(t, 8, c.Position, "a position past the end is clamped")
	c = create("Omega", ptr(9))
	assert.Equal(t, 9, c.Position)
	assert.Equal(t, []string{"Design", "Software Development", "Finance", "Data", "Operations", "HR & Recruiting", "Security", "Legal", "Zeta", "Omega"}, f.categories())

	// The Service's detail shows the same list.
	d, err := f.svc.GetOrganizationDetail(f.ctx, orgs.UserActor(member), "acme")
	require.NoError(t, err)
	assert.Equal(t, f.categories(), categoryNames(t, d.Categories))
}

func testUpdateCategory(t *testing.T, newStore NewStore) {
	f := categoryFixture(t, newStore)
	update := func(name string, in orgs.CategoryUpdate) *orgs.Category {
		t.Helper()
		id := f.categoryID(name)
		c, err := f.svc.UpdateCategory(f.ctx, orgs.UserActor(admin), "acme", id, in)
		require.NoError(t, err)
		assert.Equal(t, id, c.ID)
		e := f.lastEvent()
		assert.Equal(t, "category.updated", string(e.Type))
		assert.Equal(t, map[string]string{"category_id": id, "name": c.Name}, e.Data)
		return c
	}
	c := update("Finance", orgs.CategoryUpdate{Name: ptr("Money")})
	assert.Equal(t, "Money", c.Name)
	assert.Equal(t, 1, c.Position)
	assert.Equal(t, []string{"Software Development", "Money", "Operations", "HR & Recruiting", "Security"}, f.categories())

	c = update("Money", orgs.CategoryUpdate{Name: ptr("MONEY")})
	assert.Equal(t, "MONEY", c.Name, "a category may change its own name's case")

	c = update("Security", orgs.CategoryUpdate{Position: ptr(0)})
	assert.Equal(t, 0, c.Position)
	assert.Equal(t, []string{"Security", "Software Development", "MONEY", "Operations", "HR & Recruiting"}, f.categories())

	c = update("Security", orgs.CategoryUpdate{Position: ptr(99)})
	assert.Equal(t, 4, c.Position, "a position past the end is clamped")
	assert.Equal(t, []string{"Software Development", "MONEY", "Operations", "HR & Recruiting", "Security"}, f.categories())

	c = update("Operations", orgs.CategoryUpdate{Name: ptr("Ops"), Position: ptr(1)})
	assert.Equal(t, "Ops", c.Name)
	assert.Equal(t, 1, c.Position)
	assert.Equal(t, []string{"Software Development", "Ops", "MONEY", "HR & Recruiting", "Security"}, f.categories())

	c = update("HR & Recruiting", orgs.CategoryUpdate{Position: ptr(3)})
	assert.Equal(t, 3, c.Position, "moving to the current position changes nothing")
	assert.Equal(t, []string{"Software Development", "Ops", "MONEY", "HR & Recruiting", "Security"}, f.categories())

	// Unknown categories, and another organization's, are not found.
	other, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Other"})
	require.NoError(t, err)
	cs, err := f.svc.ListCategories(f.ctx, orgs.UserActor(owner), other.Slug)
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)
	otherBefore := snapshot(t, f.store, other.ID)
	for name, id := range map[string]string{
		"unknown":            orgs.NewID(orgs.PrefixCategory),
		"malformed":          "cat_nope",
		"other organization": cs[0].ID,
	} {
		_, err := f.svc.UpdateCategory(f.ctx, orgs.UserActor(owner), "acme", id, orgs.CategoryUpdate{Name: ptr("Stolen")})
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	assert.Equal(t, otherBefore, snapshot(t, f.store, other.ID))
}

func testDeleteCategory(t *testing.T, newStore NewStore) {
	f := categoryFixture(t, newStore)
	del := func(name string) {
		t.Helper()
		id := f.categoryID(name)
		require.NoError(t, f.svc.DeleteCategory(f.ctx, orgs.UserActor(admin), "acme", id))
		e := f.lastEvent()
		assert.Equal(t, "category.deleted", string(e.Type))
		assert.Equal(t, map[string]string{"category_id": id, "name": name}, e.Data)
		assert.ErrorIs(t, f.svc.DeleteCategory(f.ctx, orgs.UserActor(admin), "acme", id), orgs.ErrNotFound, "deleted twice")
	}
	del("Operations")
	assert.Equal(t, []string{"Software Development", "Finance", "HR & Recruiting", "Security"}, f.categories())
	del("Software Development")
	assert.Equal(t, []string{"Finance", "HR & Recruiting", "Security"}, f.categories())
	del("Security")
	assert.Equal(t, []string{"Finance", "HR & Recruiting"}, f.categories())

	// A name is free again once its category is gone, in any case.
	c, err := f.svc.CreateCategory(f.ctx, orgs.UserActor(admin), "acme", orgs.CategoryInput{Name: "OPERATIONS", Position: ptr(1)})
	require.NoError(t, err)
	assert.Equal(t, 1, c.Position)
	assert.Equal(t, []string{"Finance", "OPERATIONS", "HR & Recruiting"}, f.categories())

	// Another organization's category is not found.
	other, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Other"})
	require.NoError(t, err)
	cs, err := f.svc.ListCategories(f.ctx, orgs.UserActor(owner), other.Slug)
	require.NoError(t, err)
	assert.ErrorIs(t, f.svc.DeleteCategory(f.ctx, orgs.UserActor(owner), "acme", cs[0].ID), orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.DeleteCategory(f.ctx, orgs.UserActor(owner), "acme", orgs.NewID(orgs.PrefixCategory)), orgs.ErrNotFound)
	after, err := f.svc.ListCategories(f.ctx, orgs.UserActor(owner), other.Slug)
	require.NoError(t, err)
	assert.Equal(t, cs, after)
}

func testCategoryNameTaken(t *testing.T, newStore NewStore) {
	f := categoryFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	for _, name := range []string{"Finance", "finance", "FINANCE", "hr & recruiting"} {
		_, err := f.svc.CreateCategory(f.ctx, orgs.UserActor(admin), "acme", orgs.CategoryInput{Name: name})
		assert.ErrorIs(t, err, orgs.ErrNameTaken, name)
		_, err = f.svc.CreateCategory(f.ctx, orgs.UserActor(admin), "acme", orgs.CategoryInput{Name: name, Position: ptr(0)})
		assert.ErrorIs(t, err, orgs.ErrNameTaken, name+" at 0")
	}
	_, err := f.svc.UpdateCategory(f.ctx, orgs.UserActor(admin), "acme", f.categoryID("Operations"), orgs.CategoryUpdate{Name: ptr("fINANCE")})
	assert.ErrorIs(t, err, orgs.ErrNameTaken)
	_, err = f.svc.UpdateCategory(f.ctx, orgs.UserActor(admin), "acme", f.categoryID("Operations"), orgs.CategoryUpdate{Name: ptr("Security"), Position: ptr(0)})
	assert.ErrorIs(t, err, orgs.ErrNameTaken)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "refused changes write nothing")

	// Names are unique per organization only.
	_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Other"})
	require.NoError(t, err)
	_, err = f.svc.CreateCategory(f.ctx, orgs.UserActor(owner), "other", orgs.CategoryInput{Name: "Legal"})
	require.NoError(t, err)
	_, err = f.svc.CreateCategory(f.ctx, orgs.UserActor(owner), "acme", orgs.CategoryInput{Name: "Legal"})
	require.NoError(t, err)
}

func testCategoryPermissions(t *testing.T, newStore NewStore) {
	f := categoryFixture(t, newStore)
	id := f.categoryID("Finance")
	before := snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, get2(f.svc.CreateCategory(f.ctx, orgs.UserActor(member), "acme", orgs.CategoryInput{Name: "Mine"})), orgs.ErrForbidden)
	assert.ErrorIs(t, get2(f.svc.UpdateCategory(f.ctx, orgs.UserActor(member), "acme", id, orgs.CategoryUpdate{Name: ptr("Mine")})), orgs.ErrForbidden)
	assert.ErrorIs(t, f.svc.DeleteCategory(f.ctx, orgs.UserActor(member), "acme", id), orgs.ErrForbidden)
	assert.ErrorIs(t, get2(f.svc.CreateCategory(f.ctx, orgs.UserActor(outsider), "acme", orgs.CategoryInput{Name: "Mine"})), orgs.ErrNotFound)
	assert.ErrorIs(t, get2(f.svc.UpdateCategory(f.ctx, orgs.UserActor(outsider), "acme", id, orgs.CategoryUpdate{Name: ptr("Mine")})), orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.DeleteCategory(f.ctx, orgs.UserActor(outsider), "acme", id), orgs.ErrNotFound)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	assert.Len(t, f.categories(), 5, "members may read categories")
}

func testCategoryLimit(t *testing.T, newStore NewStore) {
	f := categoryFixture(t, newStore)
	var cs []orgs.Category
	for i := 5; i < orgs.MaxCategories; i++ {
		cs = append(cs, orgs.Category{ID: orgs.NewID(orgs.PrefixCategory), OrganizationID: f.org.ID,
			Name: fmt.Sprintf("Category %03d", i), Position: i, CreatedAt: f.clock.Now()})
	}
	require.NoError(t, f.store.Transact(f.ctx, func(ctx context.Context, tx orgs.Tx) error {
		if err := tx.LockOrganization(ctx, f.org.ID); err != nil {
			return err
		}
		return tx.InsertCategories(ctx, cs)
	}))
	require.Len(t, f.categories(), orgs.MaxCategories)
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.CreateCategory(f.ctx, orgs.UserActor(owner), "acme", orgs.CategoryInput{Name: "One Too Many"})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}
