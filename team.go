package orgs

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TeamInput describes a new team. Slug is derived from Name when empty.
// Color is optional, "#rrggbb". Members, when given, join the team as it is
// created, in the same transaction (each must be a member of the
// organization; at most MaxBulkRows).
type TeamInput struct {
	Name        string            `json:"name"`
	Slug        string            `json:"slug"`
	Description string            `json:"description"`
	Color       string            `json:"color"`
	Members     []TeamMemberInput `json:"-"`
}

// TeamMemberInput is a user to add to a team, with a team role.
type TeamMemberInput struct {
	UserID string   `json:"user_id"`
	Role   TeamRole `json:"role"`
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

// CreateTeam creates a team (PermTeamsManage), with in.Members as its
// first members, in one transaction: a user who is not a member of the
// organization fails the call with ErrNotMember (in a *RowError), a user
// listed twice with ErrAlreadyMember. A slug already used by another team
// of the organization fails with ErrSlugTaken.
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
	users, err := checkTeamRows(in.Members)
	if err != nil {
		return nil, err
	}
	r := Reads{Members: users}
	return mutateReading(ctx, s, actor, slug, PermTeamsManage, r, func(m *mutation) (*Team, error) {
		t.OrganizationID = m.org.ID
		if err := m.tx.InsertTeam(m.ctx, t); err != nil {
			return nil, err
		}
		m.record(EventTeamCreated, map[string]string{"team_id": t.ID, "slug": t.Slug})
		if _, err := s.joinTeam(m, t, in.Members, now); err != nil {
			return nil, err
		}
		t.MemberCount = len(in.Members)
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
	return mutateReading(ctx, s, actor, slug, PermTeamsManage, teamReads(SystemActor(), teamSlug, nil, nil), func(m *mutation) (*Team, error) {
		t := m.got.Team
		if t == nil {
			return nil, ErrNotFound
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
	_, err := mutateReading(ctx, s, actor, slug, PermTeamsManage, teamReads(SystemActor(), teamSlug, nil, nil), func(m *mutation) (struct{}, error) {
		t := m.got.Team
		if t == nil {
			return struct{}{}, ErrNotFound
		}
		if err := m.tx.DeleteTeam(m.ctx, m.org.ID, t.ID); err != nil {
			return struct{}{}, err
		}
		m.record(EventTeamDeleted, map[string]string{"team_id": t.ID, "slug": t.Slug})
		return struct{}{}, nil
	})
	return err
}

// teamReads is what a change of a team's membership reads with the lock:
// the team, the acting user's membership of it (a maintainer may manage
// it) and users' memberships of it, and the organization memberships of
// members.
func teamReads(actor Actor, teamSlug string, users, members []string) Reads {
	slug, ok := normalizeSlug(teamSlug)
	if !ok {
		return Reads{} // no team: ErrNotFound
	}
	r := Reads{Team: slug, TeamMembers: users, Members: members}
	if !actor.system {
		r.TeamMembers = append([]string{actor.userID}, users...)
	}
	return r
}

// manageTeam finds the team a team-membership change is about, as the
// change read it with the lock (teamReads), and checks the actor may manage
// its members: PermTeamsManage, or a maintainer of the team. The change
// runs with PermMembersRead, any member.
func (s *Service) manageTeam(m *mutation) (*Team, error) {
	t := m.got.Team
	if t == nil {
		return nil, ErrNotFound
	}
	if m.actor.system {
		return t, nil
	}
	if ok, err := m.roleTable().can(m.ctx, m.org.Role, PermTeamsManage); err != nil || ok {
		return t, err
	}
	if tm, ok := m.got.TeamMembers[m.actor.userID]; !ok || tm.Role != TeamRoleMaintainer {
		return nil, ErrForbidden
	}
	return t, nil
}

// checkTeamRows validates the rows of a team's new members and returns
// their user IDs.
func checkTeamRows(rows []TeamMemberInput) ([]string, error) {
	if len(rows) > MaxBulkRows {
		return nil, invalid("members", fmt.Sprintf("at most %d in one call", MaxBulkRows))
	}
	users := make([]string, len(rows))
	for i, r := range rows {
		var fe fieldErrors
		fe.check("user_id", validateUserID(r.UserID))
		fe.check("role", checkTeamRole(r.Role))
		if err := fe.err(); err != nil {
			return nil, &RowError{Index: i, Err: err}
		}
		users[i] = r.UserID
	}
	return users, nil
}

// joinTeam adds rows to team t, in the change m, whose reads include the
// rows' organization memberships (Reads.Members), with their profiles;
// it counts them and records an event each. A user who is not a member of
// the organization fails with ErrNotMember, one listed twice or on the team
// already (as read in Reads.TeamMembers) with ErrAlreadyMember, each in a
// *RowError.
func (s *Service) joinTeam(m *mutation, t *Team, rows []TeamMemberInput, now time.Time) ([]TeamMember, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]TeamMember, len(rows))
	seen := make(map[string]bool, len(rows))
	for i, r := range rows {
		mb, ok := m.got.Members[r.UserID]
		if !ok {
			return nil, &RowError{Index: i, Err: ErrNotMember}
		}
		if _, on := m.got.TeamMembers[r.UserID]; on || seen[r.UserID] {
			return nil, &RowError{Index: i, Err: ErrAlreadyMember}
		}
		seen[r.UserID] = true
		out[i] = TeamMember{TeamID: t.ID, UserID: r.UserID, Role: r.Role, JoinedAt: now}
		setTeamMemberProfile(&out[i], User{Username: mb.Username, Email: mb.Email, Name: mb.Name, AvatarURL: mb.AvatarURL})
	}
	if err := insertTeamMembers(m.ctx, m.tx, out); err != nil {
		return nil, err
	}
	for _, tm := range out {
		m.record(EventTeamMemberAdded, map[string]string{"team_id": t.ID, "user_id": tm.UserID, "role": string(tm.Role)})
	}
	return out, withProfiles(m.ctx, s, out, teamMemberID, setTeamMemberProfile)
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
	now := s.clock()
	r := teamReads(actor, teamSlug, nil, []string{userID})
	return mutateReading(ctx, s, actor, slug, PermMembersRead, r, func(m *mutation) (*TeamMember, error) {
		t, err := s.manageTeam(m)
		if err != nil {
			return nil, err
		}
		mb, ok := m.got.Members[userID]
		if !ok {
			return nil, ErrNotMember
		}
		tm := TeamMember{TeamID: t.ID, UserID: userID, Role: role, JoinedAt: now}
		if err := m.tx.InsertTeamMember(m.ctx, &tm); err != nil {
			return nil, err
		}
		m.record(EventTeamMemberAdded, map[string]string{"team_id": t.ID, "user_id": userID, "role": string(role)})
		setTeamMemberProfile(&tm, User{Username: mb.Username, Email: mb.Email, Name: mb.Name, AvatarURL: mb.AvatarURL})
		out := []TeamMember{tm}
		return &out[0], withProfiles(m.ctx, s, out, teamMemberID, setTeamMemberProfile)
	})
}

// AddTeamMembers adds organization members to a team, each with a team
// role, in one transaction and a constant number of statements on a store
// with BulkWriter (PermTeamsManage, or a maintainer of the team). It is all
// or nothing: a user who is not a member of the organization fails the
// call with ErrNotMember, one on the team already (or listed twice) with
// ErrAlreadyMember, each in a *RowError naming the row; a malformed row is
// a *RowError holding a *ValidationError. At most MaxBulkRows users.
func (s *Service) AddTeamMembers(ctx context.Context, actor Actor, slug, teamSlug string, rows []TeamMemberInput) ([]TeamMember, error) {
	if len(rows) == 0 {
		return nil, invalid("members", "must not be empty")
	}
	users, err := checkTeamRows(rows)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	r := teamReads(actor, teamSlug, users, users)
	return mutateReading(ctx, s, actor, slug, PermMembersRead, r, func(m *mutation) ([]TeamMember, error) {
		t, err := s.manageTeam(m)
		if err != nil {
			return nil, err
		}
		return s.joinTeam(m, t, rows, now)
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
	r := teamReads(actor, teamSlug, validUsers(userID), nil)
	return mutateReading(ctx, s, actor, slug, PermMembersRead, r, func(m *mutation) (*TeamMember, error) {
		t, err := s.manageTeam(m)
		if err != nil {
			return nil, err
		}
		tm, ok := m.got.TeamMembers[userID]
		if !ok {
			return nil, ErrNotFound
		}
		if err := m.tx.UpdateTeamMemberRole(m.ctx, t.ID, userID, role); err != nil {
			return nil, err
		}
		m.record(EventTeamMemberRoleUpdated, map[string]string{"team_id": t.ID, "user_id": userID, "role": string(role)})
		tm.Role = role // read with the lock, with its profile: no second read
		out := []TeamMember{tm}
		return &out[0], withProfiles(m.ctx, s, out, teamMemberID, setTeamMemberProfile)
	})
}

// RemoveTeamMember removes a user from a team (PermTeamsManage, or a
// maintainer of the team).
func (s *Service) RemoveTeamMember(ctx context.Context, actor Actor, slug, teamSlug, userID string) error {
	r := teamReads(actor, teamSlug, validUsers(userID), nil)
	_, err := mutateReading(ctx, s, actor, slug, PermMembersRead, r, func(m *mutation) (struct{}, error) {
		t, err := s.manageTeam(m)
		if err != nil {
			return struct{}{}, err
		}
		if _, ok := m.got.TeamMembers[userID]; !ok {
			return struct{}{}, ErrNotFound
		}
		if err := m.tx.DeleteTeamMember(m.ctx, t.ID, userID); err != nil {
			return struct{}{}, err
		}
		m.record(EventTeamMemberRemoved, map[string]string{"team_id": t.ID, "user_id": userID})
		return struct{}{}, nil
	})
	return err
}
