package orgs

import (
	"context"
	"errors"
	"strings"
)

// TeamInput describes a new team. Slug is derived from Name when empty.
// Color is optional, "#rrggbb".
type TeamInput struct {
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Description string `json:"description"`
	Color       string `json:"color"`
}

// TeamUpdate changes a team; nil fields are unchanged.
type TeamUpdate struct {
	Name        *string `json:"name"`
	Slug        *string `json:"slug"`
	Description *string `json:"description"`
	Color       *string `json:"color"`
}

func validateColor(c string) error {
	if c == "" {
		return nil
	}
	if len(c) != 7 || c[0] != '#' {
		return invalid("", "must be a color such as #1f6feb")
	}
	for i := 1; i < 7; i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c[i])) {
			return invalid("", "must be a color such as #1f6feb")
		}
	}
	return nil
}

func (s *Service) validateTeam(t *Team) error {
	var fe fieldErrors
	fe.check("name", validateName(t.Name, maxNameLen))
	slug, err := validateSlug(t.Slug, nil)
	fe.check("slug", err)
	t.Slug = slug
	fe.check("description", validateText(t.Description, maxDescriptionLen, true))
	fe.check("color", validateColor(t.Color))
	t.Color = asciiLower(t.Color)
	return fe.err()
}

// CreateTeam creates a team (PermTeamsManage). A slug already used by
// another team of the organization fails with ErrSlugTaken.
func (s *Service) CreateTeam(ctx context.Context, actor, slug string, in TeamInput) (*Team, error) {
	now := s.clock()
	t := &Team{ID: NewID(PrefixTeam), Name: in.Name, Slug: in.Slug, Description: in.Description,
		Color: in.Color, CreatedAt: now, UpdatedAt: now}
	if t.Slug == "" {
		t.Slug = Slugify(in.Name)
		if len(t.Slug) < minSlugLen {
			t.Slug = strings.Trim(t.Slug+"-"+randomSuffix(6), "-")
		}
	}
	if err := s.validateTeam(t); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermTeamsManage)
		if err != nil {
			return err
		}
		t.OrganizationID = org.ID
		if err := tx.InsertTeam(ctx, t); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "team.created", map[string]string{"team_id": t.ID, "slug": t.Slug})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// team finds a team by slug in org.
func team(ctx context.Context, tx Tx, org *Organization, teamSlug string) (*Team, error) {
	teamSlug, ok := normalizeSlug(teamSlug)
	if !ok {
		return nil, ErrNotFound
	}
	return tx.GetTeam(ctx, org.ID, teamSlug)
}

// GetTeam returns a team (PermMembersRead: any member).
func (s *Service) GetTeam(ctx context.Context, actor, slug, teamSlug string) (*Team, error) {
	org, err := s.view(ctx, s.store, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	return team(ctx, s.store, org, teamSlug)
}

// ListTeams lists an organization's teams, oldest first (PermMembersRead).
func (s *Service) ListTeams(ctx context.Context, actor, slug string, p Page) (*List[Team], error) {
	r, err := p.toRange()
	if err != nil {
		return nil, err
	}
	org, err := s.view(ctx, s.store, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.ListTeams(ctx, org.ID, r)
	if err != nil {
		return nil, err
	}
	return paginate(ts, r, Team.listKey), nil
}

// UpdateTeam changes a team, its slug included (PermTeamsManage).
func (s *Service) UpdateTeam(ctx context.Context, actor, slug, teamSlug string, in TeamUpdate) (*Team, error) {
	var out *Team
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermTeamsManage)
		if err != nil {
			return err
		}
		t, err := team(ctx, tx, org, teamSlug)
		if err != nil {
			return err
		}
		for _, f := range []struct{ dst, src *string }{
			{&t.Name, in.Name}, {&t.Slug, in.Slug}, {&t.Description, in.Description}, {&t.Color, in.Color},
		} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if err := s.validateTeam(t); err != nil {
			return err
		}
		t.UpdatedAt = s.clock()
		if err := tx.UpdateTeam(ctx, t); err != nil {
			return err
		}
		out = t
		return s.event(ctx, tx, org.ID, actor, "team.updated", map[string]string{"team_id": t.ID, "slug": t.Slug})
	})
	return out, err
}

// DeleteTeam deletes a team and its memberships (PermTeamsManage).
func (s *Service) DeleteTeam(ctx context.Context, actor, slug, teamSlug string) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermTeamsManage)
		if err != nil {
			return err
		}
		t, err := team(ctx, tx, org, teamSlug)
		if err != nil {
			return err
		}
		if err := tx.DeleteTeam(ctx, org.ID, t.ID); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "team.deleted", map[string]string{"team_id": t.ID, "slug": t.Slug})
	})
}

// lockTeam locks the organization and finds the team, allowing actors with
// PermTeamsManage and the team's maintainers.
func (s *Service) lockTeam(ctx context.Context, tx Tx, actor, slug, teamSlug string) (*Organization, *Team, error) {
	org, err := s.lock(ctx, tx, actor, slug, PermMembersRead)
	if err != nil {
		return nil, nil, err
	}
	t, err := team(ctx, tx, org, teamSlug)
	if err != nil {
		return nil, nil, err
	}
	if s.roles.can(org.Role, PermTeamsManage) {
		return org, t, nil
	}
	m, err := tx.GetTeamMember(ctx, t.ID, actor)
	if errors.Is(err, ErrNotFound) || (err == nil && m.Role != TeamRoleMaintainer) {
		return nil, nil, ErrForbidden
	}
	return org, t, err
}

func checkTeamRole(r TeamRole) error {
	if r != TeamRoleMaintainer && r != TeamRoleMember {
		return invalid("role", "must be maintainer or member")
	}
	return nil
}

func (s *Service) teamMember(ctx context.Context, tx Tx, teamID, userID string) (*TeamMember, error) {
	m, err := tx.GetTeamMember(ctx, teamID, userID)
	if err != nil || s.directory == nil {
		return m, err
	}
	users, err := s.directory.Users(ctx, []string{userID})
	if err != nil {
		return nil, err
	}
	u := users[userID]
	m.Username, m.Email, m.Name, m.AvatarURL = u.Username, u.Email, u.Name, u.AvatarURL
	return m, nil
}

// AddTeamMember adds an organization member to a team with a team role
// (PermTeamsManage, or a maintainer of the team). A user who is not a member
// of the organization fails with ErrNotMember; one already on the team with
// ErrAlreadyMember.
func (s *Service) AddTeamMember(ctx context.Context, actor, slug, teamSlug, userID string, role TeamRole) (*TeamMember, error) {
	var fe fieldErrors
	fe.check("user_id", validateUserID(userID))
	fe.check("role", checkTeamRole(role))
	if err := fe.err(); err != nil {
		return nil, err
	}
	var out *TeamMember
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, t, err := s.lockTeam(ctx, tx, actor, slug, teamSlug)
		if err != nil {
			return err
		}
		if _, err := tx.GetMember(ctx, org.ID, userID); errors.Is(err, ErrNotFound) {
			return ErrNotMember
		} else if err != nil {
			return err
		}
		if err := tx.InsertTeamMember(ctx, &TeamMember{TeamID: t.ID, UserID: userID, Role: role, JoinedAt: s.clock()}); err != nil {
			return err
		}
		if err := s.event(ctx, tx, org.ID, actor, "team.member_added",
			map[string]string{"team_id": t.ID, "user_id": userID, "role": string(role)}); err != nil {
			return err
		}
		out, err = s.teamMember(ctx, tx, t.ID, userID)
		return err
	})
	return out, err
}

// ListTeamMembers lists a team's members with profiles, by user ID
// (PermMembersRead).
func (s *Service) ListTeamMembers(ctx context.Context, actor, slug, teamSlug string, p Page) (*List[TeamMember], error) {
	r, err := p.toRange()
	if err != nil {
		return nil, err
	}
	org, err := s.view(ctx, s.store, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	t, err := team(ctx, s.store, org, teamSlug)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.ListTeamMembers(ctx, t.ID, r)
	if err != nil {
		return nil, err
	}
	l := paginate(ms, r, TeamMember.listKey)
	if s.directory != nil && len(l.Data) > 0 {
		ids := make([]string, len(l.Data))
		for i, m := range l.Data {
			ids[i] = m.UserID
		}
		users, err := s.directory.Users(ctx, ids)
		if err != nil {
			return nil, err
		}
		for i := range l.Data {
			u := users[l.Data[i].UserID]
			l.Data[i].Username, l.Data[i].Email, l.Data[i].Name, l.Data[i].AvatarURL = u.Username, u.Email, u.Name, u.AvatarURL
		}
	}
	return l, nil
}

// UpdateTeamMemberRole changes a team member's team role (PermTeamsManage,
// or a maintainer of the team).
func (s *Service) UpdateTeamMemberRole(ctx context.Context, actor, slug, teamSlug, userID string, role TeamRole) (*TeamMember, error) {
	if err := checkTeamRole(role); err != nil {
		return nil, err
	}
	var out *TeamMember
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, t, err := s.lockTeam(ctx, tx, actor, slug, teamSlug)
		if err != nil {
			return err
		}
		if validateUserID(userID) != nil {
			return ErrNotFound
		}
		if err := tx.UpdateTeamMemberRole(ctx, t.ID, userID, role); err != nil {
			return err
		}
		if err := s.event(ctx, tx, org.ID, actor, "team.member_role_updated",
			map[string]string{"team_id": t.ID, "user_id": userID, "role": string(role)}); err != nil {
			return err
		}
		out, err = s.teamMember(ctx, tx, t.ID, userID)
		return err
	})
	return out, err
}

// RemoveTeamMember removes a user from a team (PermTeamsManage, or a
// maintainer of the team).
func (s *Service) RemoveTeamMember(ctx context.Context, actor, slug, teamSlug, userID string) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, t, err := s.lockTeam(ctx, tx, actor, slug, teamSlug)
		if err != nil {
			return err
		}
		if validateUserID(userID) != nil {
			return ErrNotFound
		}
		if err := tx.DeleteTeamMember(ctx, t.ID, userID); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "team.member_removed", map[string]string{"team_id": t.ID, "user_id": userID})
	})
}
