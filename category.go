package orgs

import (
	"context"
	"slices"
)

// MaxCategories caps an organization's categories.
const MaxCategories = 500

// CategoryInput describes a new category. Position (0-based) defaults to the
// end; positions past the end are clamped.
type CategoryInput struct {
	Name     string `json:"name"`
	Position *int   `json:"position"`
}

// CategoryUpdate renames or moves a category; nil fields are unchanged.
type CategoryUpdate struct {
	Name     *string `json:"name"`
	Position *int    `json:"position"`
}

// ListCategories returns an organization's categories by position
// (PermOrgRead).
func (s *Service) ListCategories(ctx context.Context, actor Actor, slug string) ([]Category, error) {
	org, err := s.view(ctx, actor, slug, PermOrgRead)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.ListCategories(ctx, CategoryFilter{OrganizationID: org.ID})
	return nonNil(cs), err
}

// validatePosition checks an optional 0-based position.
func validatePosition(fe *fieldErrors, p *int) {
	if p != nil && *p < 0 {
		fe.add("position", "must not be negative")
	}
}

// categories reads the organization's categories in a change.
func categories(m *mutation) ([]Category, error) {
	return m.tx.ListCategories(m.ctx, CategoryFilter{OrganizationID: m.org.ID})
}

// CreateCategory adds a category (PermCategoriesManage). A name already used
// in the organization, compared by NameKey, fails with ErrNameTaken.
func (s *Service) CreateCategory(ctx context.Context, actor Actor, slug string, in CategoryInput) (*Category, error) {
	var fe fieldErrors
	fe.check("name", validateName(in.Name, maxNameLen))
	validatePosition(&fe, in.Position)
	if err := fe.err(); err != nil {
		return nil, err
	}
	return mutate(ctx, s, actor, slug, PermCategoriesManage, func(m *mutation) (*Category, error) {
		cs, err := categories(m)
		if err != nil {
			return nil, err
		}
		if len(cs) >= MaxCategories {
			return nil, ErrLimitExceeded
		}
		c := Category{ID: NewID(PrefixCategory), OrganizationID: m.org.ID, Name: in.Name, Position: len(cs), CreatedAt: s.clock()}
		if err := m.tx.InsertCategories(m.ctx, []Category{c}); err != nil {
			return nil, err
		}
		if in.Position != nil && *in.Position < len(cs) {
			if err := moveCategory(m, append(cs, c), len(cs), *in.Position); err != nil {
				return nil, err
			}
			c.Position = *in.Position
		}
		m.record(EventCategoryCreated, map[string]string{"category_id": c.ID, "name": c.Name})
		return &c, nil
	})
}

// moveCategory moves cs[from] to index to and writes the positions that
// changed.
func moveCategory(m *mutation, cs []Category, from, to int) error {
	to = min(max(to, 0), len(cs)-1)
	c := cs[from]
	cs = slices.Insert(slices.Delete(slices.Clone(cs), from, from+1), to, c)
	for i := range cs {
		if cs[i].Position != i {
			cs[i].Position = i
			if err := m.tx.UpdateCategory(m.ctx, &cs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdateCategory renames or moves a category (PermCategoriesManage).
func (s *Service) UpdateCategory(ctx context.Context, actor Actor, slug, id string, in CategoryUpdate) (*Category, error) {
	var fe fieldErrors
	if in.Name != nil {
		fe.check("name", validateName(*in.Name, maxNameLen))
	}
	validatePosition(&fe, in.Position)
	if err := fe.err(); err != nil {
		return nil, err
	}
	return mutate(ctx, s, actor, slug, PermCategoriesManage, func(m *mutation) (*Category, error) {
		cs, err := categories(m)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(cs, func(c Category) bool { return c.ID == id })
		if i < 0 {
			return nil, ErrNotFound
		}
		if in.Name != nil && *in.Name != cs[i].Name {
			cs[i].Name = *in.Name
			if err := m.tx.UpdateCategory(m.ctx, &cs[i]); err != nil {
				return nil, err
			}
		}
		c := cs[i]
		if in.Position != nil && *in.Position != i {
			if err := moveCategory(m, cs, i, *in.Position); err != nil {
				return nil, err
			}
			c.Position = min(*in.Position, len(cs)-1)
		}
		m.record(EventCategoryUpdated, map[string]string{"category_id": c.ID, "name": c.Name})
		return &c, nil
	})
}

// DeleteCategory deletes a category and closes the gap in positions
// (PermCategoriesManage).
func (s *Service) DeleteCategory(ctx context.Context, actor Actor, slug, id string) error {
	return mutateErr(ctx, s, actor, slug, PermCategoriesManage, func(m *mutation) error {
		cs, err := categories(m)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cs, func(c Category) bool { return c.ID == id })
		if i < 0 {
			return ErrNotFound
		}
		if err := m.tx.DeleteCategory(m.ctx, m.org.ID, id); err != nil {
			return err
		}
		for j := i + 1; j < len(cs); j++ {
			cs[j].Position = j - 1
			if err := m.tx.UpdateCategory(m.ctx, &cs[j]); err != nil {
				return err
			}
		}
		m.record(EventCategoryDeleted, map[string]string{"category_id": id, "name": cs[i].Name})
		return nil
	})
}
