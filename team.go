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
func (s *Service) CreateTeam(ctx context.Context, actor Actor, slug string, in TeamInput) (*Team, error) {
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
	return mutate(ctx, s, actor, slug, PermTeamsManage, func(m *mutation) (*Team, error) {
		t.OrganizationID = m.org.ID
		if err := m.tx.InsertTeam(m.ctx, t); err != nil {
			return nil, err
		}
		m.record(EventTeamCreated, map[string]string{"team_id": t.ID, "slug": t.Slug})
		return t, nil
	})
}

// team finds a team of the organization by slug.
func team(ctx context.Context, r Reader, orgID, teamSlug string) (*Team, error) {
	teamSlug, ok := normalizeSlug(teamSlug)
	if !ok {
		return nil, ErrNotFound
	}
	return r.GetTeam(ctx, orgID, teamSlug)
}

// GetTeam returns a team (PermMembersRead: any member).
func (s *Service) GetTeam(ctx context.Context, actor Actor, slug, teamSlug string) (*Team, error) {
	org, err := s.view(ctx, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	return team(ctx, s.store, org.ID, teamSlug)
}

// ListTeams lists an organization's teams, oldest first (PermMembersRead).
func (s *Service) ListTeams(ctx context.Context, actor Actor, slug string, p Page) (*List[Team], error) {
	r, err := p.toRange()
	if err != nil {
		return nil, err
	}
	org, err := s.view(ctx, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.ListTeams(ctx, TeamFilter{OrganizationID: org.ID, Range: r})
	if err != nil {
		return nil, err
	}
	return paginate(ts, r, Team.listKey), nil
}

// UpdateTeam changes a team, its slug included (PermTeamsManage).
func (s *Service) UpdateTeam(ctx context.Context, actor Actor, slug, teamSlug string, in TeamUpdate) (*Team, error) {
	return mutate(ctx, s, actor, slug, PermTeamsManage, func(m *mutation) (*Team, error) {
		t, err := team(m.ctx, m.tx, m.org.ID, teamSlug)
		if err != nil {
			return nil, err
		}
		for _, f := range []struct{ dst, src *string }{
			{&t.Name, in.Name}, {&t.Slug, in.Slug}, {&t.Description, in.Description}, {&t.Color, in.Color},
		} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if err := s.validateTeam(t); err != nil {
			return nil, err
		}
		t.UpdatedAt = s.clock()
		if err := m.tx.UpdateTeam(m.ctx, t); err != nil {
			return nil, err
		}
		m.record(EventTeamUpdated, map[string]string{"team_id": t.ID, "slug": t.Slug})
		return t, nil
	})
}

// DeleteTeam deletes a team and its memberships (PermTeamsManage).
func (s *Service) DeleteTeam(ctx context.Context, actor Actor, slug, teamSlug string) error {
	return mutateErr(ctx, s, actor, slug, PermTeamsManage, func(m *mutation) error {
		t, err := team(m.ctx, m.tx, m.org.ID, teamSlug)
		if err != nil {
			return err
		}
		if err := m.tx.DeleteTeam(m.ctx, m.org.ID, t.ID); err != nil {
			return err
		}
		m.record(EventTeamDeleted, map[string]string{"team_id": t.ID, "slug": t.Slug})
		return nil
	})
}

// manageTeam finds the team a team-membership change is about and checks
// the actor may manage its members: PermTeamsManage, or a maintainer of the
// team. The change runs with PermMembersRead, any member.
func (s *Service) manageTeam(m *mutation, teamSlug string) (*Team, error) {
	t, err := team(m.ctx, m.tx, m.org.ID, teamSlug)
	if err != nil {
		return nil, err
	}
	if m.actor.system {
		return t, nil
	}
	if ok, err := m.roleTable().can(m.ctx, m.org.Role, PermTeamsManage); err != nil || ok {
		return t, err
	}
	tm, err := m.tx.GetTeamMember(m.ctx, t.ID, m.actor.userID)
	if errors.Is(err, ErrNotFound) || (err == nil && tm.Role != TeamRoleMaintainer) {
		return nil, ErrForbidden
	}
	return t, err
}

func checkTeamRole(r TeamRole) error {
	if r != TeamRoleMaintainer && r != TeamRoleMember {
		return invalid("role", "must be maintainer or member")
	}
	return nil
}

func teamMemberID(m *TeamMember) string { return m.UserID }

func setTeamMemberProfile(m *TeamMember, u User) {
	m.Username, m.Email, m.Name, m.AvatarURL = u.Username, u.Email, u.Name, u.AvatarURL
}

// teamMember reads one team membership with its profile.
func (s *Service) teamMember(ctx context.Context, r Reader, teamID, userID string) (*TeamMember, error) {
	m, err := r.GetTeamMember(ctx, teamID, userID)
	if err != nil {
		return nil, err
	}
	ms := []TeamMember{*m}
	if err := withProfiles(ctx, s, ms, teamMemberID, setTeamMemberProfile); err != nil {
		return nil, err
	}
	return &ms[0], nil
}

// AddTeamMember adds an organization member to a team with a team role
// (PermTeamsManage, or a maintainer of the team). A user who is not a member
// of the organization fails with ErrNotMember; one already on the team with
// ErrAlreadyMember.
func (s *Service) AddTeamMember(ctx context.Context, actor Actor, slug, teamSlug, userID string, role TeamRole) (*TeamMember, error) {
	var fe fieldErrors
	fe.check("user_id", validateUserID(userID))
	fe.check("role", checkTeamRole(role))
	if err := fe.err(); err != nil {
		return nil, err
	}
	return mutate(ctx, s, actor, slug, PermMembersRead, func(m *mutation) (*TeamMember, error) {
		t, err := s.manageTeam(m, teamSlug)
		if err != nil {
			return nil, err
		}
		if _, err := m.tx.GetMember(m.ctx, m.org.ID, userID); errors.Is(err, ErrNotFound) {
			return nil, ErrNotMember
		} else if err != nil {
			return nil, err
		}
		if err := m.tx.InsertTeamMember(m.ctx, &TeamMember{TeamID: t.ID, UserID: userID, Role: role, JoinedAt: s.clock()}); err != nil {
			return nil, err
		}
		m.record(EventTeamMemberAdded, map[string]string{"team_id": t.ID, "user_id": userID, "role": string(role)})
		return s.teamMember(m.ctx, m.tx, t.ID, userID)
	})
}

// ListTeamMembers lists a team's members with profiles, by user ID
// (PermMembersRead).
func (s *Service) ListTeamMembers(ctx context.Context, actor Actor, slug, teamSlug string, p Page) (*List[TeamMember], error) {
	r, err := p.toRange()
	if err != nil {
		return nil, err
	}
	org, err := s.view(ctx, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	t, err := team(ctx, s.store, org.ID, teamSlug)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.ListTeamMembers(ctx, TeamMemberFilter{TeamID: t.ID, Range: r})
	if err != nil {
		return nil, err
	}
	l := paginate(ms, r, TeamMember.listKey)
	return l, withProfiles(ctx, s, l.Data, teamMemberID, setTeamMemberProfile)
}

// UpdateTeamMemberRole changes a team member's team role (PermTeamsManage,
// or a maintainer of the team).
func (s *Service) UpdateTeamMemberRole(ctx context.Context, actor Actor, slug, teamSlug, userID string, role TeamRole) (*TeamMember, error) {
	if err := checkTeamRole(role); err != nil {
		return nil, err
	}
	return mutate(ctx, s, actor, slug, PermMembersRead, func(m *mutation) (*TeamMember, error) {
		t, err := s.manageTeam(m, teamSlug)
		if err != nil {
			return nil, err
		}
		if validateUserID(userID) != nil {
			return nil, ErrNotFound
		}
		if err := m.tx.UpdateTeamMemberRole(m.ctx, t.ID, userID, role); err != nil {
			return nil, err
		}
		m.record(EventTeamMemberRoleUpdated, map[string]string{"team_id": t.ID, "user_id": userID, "role": string(role)})
		return s.teamMember(m.ctx, m.tx, t.ID, userID)
	})
}

// RemoveTeamMember removes a user from a team (PermTeamsManage, or a
// maintainer of the team).
func (s *Service) RemoveTeamMember(ctx context.Context, actor Actor, slug, teamSlug, userID string) error {
	return mutateErr(ctx, s, actor, slug, PermMembersRead, func(m *mutation) error {
		t, err := s.manageTeam(m, teamSlug)
		if err != nil {
			return err
		}
		if validateUserID(userID) != nil {
			return ErrNotFound
		}
		if err := m.tx.DeleteTeamMember(m.ctx, t.ID, userID); err != nil {
			return err
		}
		m.record(EventTeamMemberRemoved, map[string]string{"team_id": t.ID, "user_id": userID})
		return nil
	})
}
