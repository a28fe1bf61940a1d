package orgs

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// CreateOrganizationInput describes a new organization. Only Name is
// required. Slug is derived from Name when empty (with a random suffix when
// the name yields fewer than 3 characters or a reserved word); an explicit or derived slug that
// is taken fails with ErrSlugTaken.
type CreateOrganizationInput struct {
	Name         string            `json:"name"`
	Slug         string            `json:"slug"`
	Handle       string            `json:"handle"`
	Description  string            `json:"description"`
	LogoURL      string            `json:"logo_url"`
	Website      string            `json:"website"`
	Industry     string            `json:"industry"`
	ContactEmail string            `json:"contact_email"`
	ContactPhone string            `json:"contact_phone"`
	Visibility   Visibility        `json:"visibility"`
	Domains      []string          `json:"domains"`
	ExternalID   string            `json:"external_id"`
	Metadata     map[string]string `json:"metadata"`
	// DomainData adds domains with a state and the manual strategy (see
	// DomainInput), beside Domains; a name in both takes DomainData's state.
	DomainData []DomainInput `json:"-"`
	// StripeCustomerID: see Organization.StripeCustomerID.
	StripeCustomerID string `json:"-"`
}

// UpdateOrganizationInput changes an organization. Nil fields are left as
// they are; an empty string clears an optional field. Domains and Metadata
// replace the old values when non-nil.
type UpdateOrganizationInput struct {
	Name         *string           `json:"name"`
	Slug         *string           `json:"slug"`
	Handle       *string           `json:"handle"`
	Description  *string           `json:"description"`
	LogoURL      *string           `json:"logo_url"`
	Website      *string           `json:"website"`
	Industry     *string           `json:"industry"`
	ContactEmail *string           `json:"contact_email"`
	ContactPhone *string           `json:"contact_phone"`
	Visibility   *Visibility       `json:"visibility"`
	Domains      []string          `json:"domains"`
	ExternalID   *string           `json:"external_id"`
	Metadata     map[string]string `json:"metadata"`
	// DomainData, when non-nil, replaces the domains (with Domains, when
	// that is non-nil too): kept names keep their ID and creation time and
	// take the given state (see DomainInput).
	DomainData []DomainInput `json:"-"`
	// StripeCustomerID sets (or, with "", clears) the Stripe customer ID.
	StripeCustomerID *string `json:"-"`
}

// OrganizationQuery filters ListOrganizations.
type OrganizationQuery struct {
	Domain string // only organizations with this domain
	// Domains (the system caller only): organizations with any of these
	// domains, with Domain. Empty names are ignored.
	Domains []string
	Search  string // case-insensitive substring of the name
	Page           // Descending: the system caller only
}

// normalize validates every field of org that a caller sets, normalizing in
// place (slug, handle, emails and domains lower-cased).
func (s *Service) normalize(org *Organization) error {
	var fe fieldErrors
	fe.check("name", validateName(org.Name, maxNameLen))
	slug, err := validateSlug(org.Slug, s.reserved)
	fe.check("slug", err)
	org.Slug = slug
	if org.Handle != "" {
		handle, err := validateSlug(org.Handle, s.reserved)
		fe.check("handle", err)
		org.Handle = handle
	}
	fe.check("description", validateText(org.Description, maxDescriptionLen, true))
	fe.check("logo_url", validateURL(org.LogoURL))
	fe.check("website", validateURL(org.Website))
	if org.Industry != "" && !slices.Contains(s.industries, org.Industry) {
		fe.add("industry", "must be one of the industry choices")
	}
	if org.ContactEmail != "" {
		e, err := NormalizeEmail(org.ContactEmail)
		fe.check("contact_email", err)
		org.ContactEmail = e
	}
	fe.check("contact_phone", validatePhone(org.ContactPhone))
	switch org.Visibility {
	case "":
		org.Visibility = VisibilityPrivate
	case VisibilityPrivate, VisibilityPublic:
	default:
		fe.add("visibility", "must be private or public")
	}
	if len(org.Domains) > maxDomains {
		fe.add("domains", "must have at most 20 domains")
	} else {
		domains := make([]string, 0, len(org.Domains))
		for _, d := range org.Domains {
			n, err := NormalizeDomain(d)
			fe.check("domains", err)
			if err == nil && !slices.Contains(domains, n) {
				domains = append(domains, n)
			}
		}
		org.Domains = domains
	}
	if len(org.ExternalID) > maxExternalIDLen {
		fe.add("external_id", "must be at most 64 bytes")
	} else {
		fe.check("external_id", checkText(org.ExternalID, false))
	}
	fe.check("metadata", validateMetadata(org.Metadata, s.metadataLimits))
	fe.check("stripe_customer_id", validateStripeCustomerID(org.StripeCustomerID))
	if org.Metadata == nil {
		org.Metadata = map[string]string{}
	}
	return fe.err()
}

// CreateOrganization creates an organization and seeds it (see WithSeed),
// all in one transaction, and records organization.created. A user who
// creates one is its owner (and counts toward Limits.OrganizationsPerUser);
// an organization the system caller creates starts with no members.
func (s *Service) CreateOrganization(ctx context.Context, actor Actor, in CreateOrganizationInput) (*Organization, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	id, now := s.newIDAt(PrefixOrganization)
	org := &Organization{
		ID: id, Name: in.Name, Slug: in.Slug, Handle: in.Handle,
		Description: in.Description, LogoURL: in.LogoURL, Website: in.Website,
		Industry: in.Industry, ContactEmail: in.ContactEmail, ContactPhone: in.ContactPhone,
		Visibility: in.Visibility, Domains: slices.Clone(in.Domains), ExternalID: in.ExternalID,
		Metadata: maps.Clone(in.Metadata), CreatedBy: actor.userID, CreatedAt: now, UpdatedAt: now,
		StripeCustomerID: in.StripeCustomerID,
	}
	if org.Slug == "" {
		org.Slug = Slugify(in.Name)
		if len(org.Slug) < minSlugLen || s.reserved[org.Slug] {
			org.Slug = strings.Trim(org.Slug+"-"+randomSuffix(6), "-")
		}
	}
	err := s.normalize(org)
	var fe fieldErrors
	fe.merge(err)
	want, err := s.normalizeDomainData(actor, namesWant(org.Domains), in.DomainData, &fe)
	if err != nil {
		return nil, err
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	var domains []Domain
	for _, w := range want {
		domains = append(domains, s.domainRow(org.ID, w))
	}
	setDomains(org, domains)
	var owner *Member
	if !actor.system {
		owner = s.newMember(org.ID, actor.userID, RoleOwner)
		owner.JoinedAt, owner.UpdatedAt = now, now
		org.MemberCount, org.Role = 1, RoleOwner
	}
	categories, pipelines := s.seedRows(org.ID)
	err = s.transact(ctx, actor, func(m *mutation) error {
		m.org = org
		if max := s.limits.OrganizationsPerUser; max > 0 && !actor.system {
			if err := m.tx.LockUser(m.ctx, actor.userID); err != nil {
				return err
			}
			n, err := m.tx.CountOrganizationsCreatedBy(m.ctx, actor.userID)
			if err != nil {
				return err
			}
			if n >= max {
				return ErrLimitExceeded
			}
		}
		if err := m.tx.InsertOrganization(m.ctx, org, owner); err != nil {
			return err
		}
		if len(domains) > 0 {
			if err := m.tx.InsertDomains(m.ctx, domains); err != nil {
				return err
			}
		}
		if len(categories) > 0 {
			if err := m.tx.InsertCategories(m.ctx, categories); err != nil {
				return err
			}
		}
		for i := range pipelines {
			if err := m.tx.InsertPipeline(m.ctx, &pipelines[i]); err != nil {
				return err
			}
		}
		m.record(EventOrganizationCreated, map[string]string{"slug": org.Slug, "name": org.Name})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return org, nil
}

// seedRows builds the seed's categories and pipelines for a new organization.
func (s *Service) seedRows(orgID string) ([]Category, []Pipeline) {
	now := s.clock()
	cats := make([]Category, len(s.seed.Categories))
	for i, name := range s.seed.Categories {
		cats[i] = Category{ID: NewID(PrefixCategory), OrganizationID: orgID, Name: name, Position: i, CreatedAt: now}
	}
	pipes := make([]Pipeline, len(s.seed.Pipelines))
	for i, ps := range s.seed.Pipelines {
		p := Pipeline{ID: NewID(PrefixPipeline), OrganizationID: orgID, Name: ps.Name, IsDefault: i == 0, CreatedAt: now}
		for j, st := range ps.Stages {
			p.Stages = append(p.Stages, Stage{ID: NewID(PrefixStage), PipelineID: p.ID, Name: st, Position: j})
		}
		pipes[i] = p
	}
	return cats, pipes
}

// GetOrganization returns the organization with the slug (or ID), with
// Role set to the acting user's role. A private organization a user is not
// a member of is ErrNotFound; a public one is its public view (see
// Organization).
func (s *Service) GetOrganization(ctx context.Context, actor Actor, slug string) (*Organization, error) {
	org, err := s.view(ctx, actor, slug, PermOrgRead)
	if err != nil {
		return nil, err
	}
	return forViewer(actor, org), nil
}

// GetOrganizationByID is GetOrganization by ID.
func (s *Service) GetOrganizationByID(ctx context.Context, actor Actor, id string) (*Organization, error) {
	if !validID(PrefixOrganization, id) {
		if err := actor.check(); err != nil {
			return nil, err
		}
		return nil, ErrNotFound
	}
	return s.GetOrganization(ctx, actor, id)
}

// GetOrganizationByExternalID is GetOrganization by the host's external ID,
// for members (and the system caller) only: the external ID is not part of
// a public organization's public view, so it finds nothing for anyone else
// (ErrNotFound).
func (s *Service) GetOrganizationByExternalID(ctx context.Context, actor Actor, externalID string) (*Organization, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	if externalID == "" || len(externalID) > maxExternalIDLen || checkText(externalID, false) != nil {
		return nil, ErrNotFound
	}
	ctx, c := s.observe(ctx, actor)
	org, err := s.store.GetOrganization(ctx, OrganizationKey{ExternalID: externalID}, actor.viewer())
	switch {
	case err != nil:
	case !actor.system && asActor(org).Role == "":
		err = ErrNotFound
	default:
		c.organization(org)
		err = s.authorize(ctx, actor, org, PermOrgRead, &roleTable{s: s, r: s.store, orgID: org.ID})
	}
	c.end(err)
	if err != nil {
		return nil, err
	}
	return org, nil
}

// GetOrganizationDetail returns the organization with its categories and
// pipelines.
func (s *Service) GetOrganizationDetail(ctx context.Context, actor Actor, slug string) (*OrganizationDetail, error) {
	org, err := s.GetOrganization(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	cats, err := s.store.ListCategories(ctx, CategoryFilter{OrganizationID: org.ID})
	if err != nil {
		return nil, err
	}
	pipes, err := s.store.ListPipelines(ctx, PipelineFilter{OrganizationID: org.ID})
	if err != nil {
		return nil, err
	}
	return &OrganizationDetail{Organization: *org, Categories: nonNil(cats), Pipelines: nonNil(pipes)}, nil
}

// ListOrganizations lists the organizations the acting user is a member of.
func (s *Service) ListOrganizations(ctx context.Context, actor Actor, q OrganizationQuery) (*List[Organization], error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	if actor.system {
		return s.listAllOrganizations(ctx, q)
	}
	if q.Descending || len(q.Domains) > 0 {
		return nil, invalid("actor", "only the system caller lists in descending order or by several domains")
	}
	r, err := q.Page.toRange()
	var fe fieldErrors
	fe.merge(err)
	f := OrganizationFilter{UserID: actor.userID, Search: q.Search, Range: r}
	if q.Domain != "" {
		f.Domain, err = NormalizeDomain(q.Domain)
		fe.check("domain", err)
	}
	fe.check("search", validateText(q.Search, maxNameLen, false))
	if err := fe.err(); err != nil {
		return nil, err
	}
	ctx, c := s.observe(ctx, actor)
	orgs, err := s.store.ListOrganizations(ctx, f)
	c.end(err)
	if err != nil {
		return nil, err
	}
	return paginate(orgs, r, Organization.listKey), nil
}

// UpdateOrganization changes an organization (PermOrgUpdate) and records
// organization.updated with the names of the changed fields.
func (s *Service) UpdateOrganization(ctx context.Context, actor Actor, slug string, in UpdateOrganizationInput) (*Organization, error) {
	return mutate(ctx, s, actor, slug, PermOrgUpdate, func(m *mutation) (*Organization, error) {
		org := m.org
		changed := applyUpdate(org, in)
		var fe fieldErrors
		fe.merge(s.normalize(org))
		var want []domainWant
		if in.Domains != nil {
			want = namesWant(org.Domains)
		}
		want, err := s.normalizeDomainData(m.actor, want, in.DomainData, &fe)
		if err != nil {
			return nil, err
		}
		if err := fe.err(); err != nil {
			return nil, err
		}
		org.UpdatedAt = s.clock()
		if err := m.tx.UpdateOrganization(m.ctx, org); err != nil {
			return nil, err
		}
		if in.Domains != nil || in.DomainData != nil {
			rows, err := s.syncDomainRows(m.ctx, m.tx, org.ID, want)
			if err != nil {
				return nil, err
			}
			setDomains(org, rows)
		}
		m.record(EventOrganizationUpdated, map[string]string{"fields": strings.Join(changed, ",")})
		return org, nil
	})
}

// applyUpdate copies the set fields of in to org and names them.
func applyUpdate(org *Organization, in UpdateOrganizationInput) []string {
	var changed []string
	set := func(name string, dst *string, src *string) {
		if src != nil {
			*dst = *src
			changed = append(changed, name)
		}
	}
	set("name", &org.Name, in.Name)
	set("slug", &org.Slug, in.Slug)
	set("handle", &org.Handle, in.Handle)
	set("description", &org.Description, in.Description)
	set("logo_url", &org.LogoURL, in.LogoURL)
	set("website", &org.Website, in.Website)
	set("industry", &org.Industry, in.Industry)
	set("contact_email", &org.ContactEmail, in.ContactEmail)
	set("contact_phone", &org.ContactPhone, in.ContactPhone)
	set("external_id", &org.ExternalID, in.ExternalID)
	set("stripe_customer_id", &org.StripeCustomerID, in.StripeCustomerID)
	if in.Visibility != nil {
		org.Visibility = *in.Visibility
		if org.Visibility == "" {
			org.Visibility = "-" // an explicit empty visibility is invalid
		}
		changed = append(changed, "visibility")
	}
	if in.Domains != nil || in.DomainData != nil {
		org.Domains = slices.Clone(in.Domains)
		changed = append(changed, "domains")
	}
	if in.Metadata != nil {
		org.Metadata = maps.Clone(in.Metadata)
		changed = append(changed, "metadata")
	}
	return changed
}

// DeleteOrganization deletes an organization and everything it owns in one
// transaction (PermOrgDelete). Its event log stays, ending with
// organization.deleted.
func (s *Service) DeleteOrganization(ctx context.Context, actor Actor, slug string) error {
	return mutateErr(ctx, s, actor, slug, PermOrgDelete, func(m *mutation) error {
		if err := m.tx.DeleteOrganization(m.ctx, m.org.ID); err != nil {
			return err
		}
		m.record(EventOrganizationDeleted, map[string]string{"slug": m.org.Slug})
		return nil
	})
}

// nonNil returns s, or an empty slice when s is nil, so JSON shows [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
