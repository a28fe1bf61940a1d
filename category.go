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
func (s *Service) ListCategories(ctx context.Context, actor, slug string) ([]Category, error) {
	org, err := s.view(ctx, s.store, actor, slug, PermOrgRead)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.ListCategories(ctx, org.ID)
	return nonNil(cs), err
}

// CreateCategory adds a category (PermCategoriesManage). A name already used
// in the organization, compared case-insensitively, fails with ErrNameTaken.
func (s *Service) CreateCategory(ctx context.Context, actor, slug string, in CategoryInput) (*Category, error) {
	var fe fieldErrors
	fe.check("name", validateName(in.Name, maxNameLen))
	if in.Position != nil && *in.Position < 0 {
		fe.add("position", "must not be negative")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	var out *Category
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermCategoriesManage)
		if err != nil {
			return err
		}
		cs, err := tx.ListCategories(ctx, org.ID)
		if err != nil {
			return err
		}
		if len(cs) >= MaxCategories {
			return ErrLimitExceeded
		}
		c := Category{ID: NewID(PrefixCategory), OrganizationID: org.ID, Name: in.Name, Position: len(cs), CreatedAt: s.clock()}
		if err := tx.InsertCategories(ctx, []Category{c}); err != nil {
			return err
		}
		if in.Position != nil && *in.Position < len(cs) {
			if err := moveCategory(ctx, tx, append(cs, c), len(cs), *in.Position); err != nil {
				return err
			}
			c.Position = *in.Position
		}
		out = &c
		return s.event(ctx, tx, org.ID, actor, "category.created", map[string]string{"category_id": c.ID, "name": c.Name})
	})
	return out, err
}

// moveCategory moves cs[from] to index to and writes the positions that
// changed.
func moveCategory(ctx context.Context, tx Tx, cs []Category, from, to int) error {
	to = min(max(to, 0), len(cs)-1)
	c := cs[from]
	cs = slices.Insert(slices.Delete(slices.Clone(cs), from, from+1), to, c)
	for i := range cs {
		if cs[i].Position != i {
			cs[i].Position = i
			if err := tx.UpdateCategory(ctx, &cs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdateCategory renames or moves a category (PermCategoriesManage).
func (s *Service) UpdateCategory(ctx context.Context, actor, slug, id string, in CategoryUpdate) (*Category, error) {
	var fe fieldErrors
	if in.Name != nil {
		fe.check("name", validateName(*in.Name, maxNameLen))
	}
	if in.Position != nil && *in.Position < 0 {
		fe.add("position", "must not be negative")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	var out *Category
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermCategoriesManage)
		if err != nil {
			return err
		}
		cs, err := tx.ListCategories(ctx, org.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cs, func(c Category) bool { return c.ID == id })
		if i < 0 {
			return ErrNotFound
		}
		if in.Name != nil && *in.Name != cs[i].Name {
			cs[i].Name = *in.Name
			if err := tx.UpdateCategory(ctx, &cs[i]); err != nil {
				return err
			}
		}
		c := cs[i]
		if in.Position != nil && *in.Position != i {
			if err := moveCategory(ctx, tx, cs, i, *in.Position); err != nil {
				return err
			}
			c.Position = min(*in.Position, len(cs)-1)
		}
		out = &c
		return s.event(ctx, tx, org.ID, actor, "category.updated", map[string]string{"category_id": c.ID, "name": c.Name})
	})
	return out, err
}

// DeleteCategory deletes a category and closes the gap in positions
// (PermCategoriesManage).
func (s *Service) DeleteCategory(ctx context.Context, actor, slug, id string) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermCategoriesManage)
		if err != nil {
			return err
		}
		cs, err := tx.ListCategories(ctx, org.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cs, func(c Category) bool { return c.ID == id })
		if i < 0 {
			return ErrNotFound
		}
		if err := tx.DeleteCategory(ctx, org.ID, id); err != nil {
			return err
		}
		for j := i + 1; j < len(cs); j++ {
			cs[j].Position = j - 1
			if err := tx.UpdateCategory(ctx, &cs[j]); err != nil {
				return err
			}
		}
		return s.event(ctx, tx, org.ID, actor, "category.deleted", map[string]string{"category_id": id, "name": cs[i].Name})
	})
}
