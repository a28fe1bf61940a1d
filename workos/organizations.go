package workos

import (
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/tenantkit/orgs"
)

// organization is WorkOS's organization object.
type organization struct {
	Object                           string            `json:"object"`
	ID                               string            `json:"id"`
	Name                             string            `json:"name"`
	AllowProfilesOutsideOrganization bool              `json:"allow_profiles_outside_organization"`
	Domains                          []domain          `json:"domains"`
	StripeCustomerID                 string            `json:"stripe_customer_id,omitempty"`
	ExternalID                       *string           `json:"external_id"`
	Metadata                         map[string]string `json:"metadata"`
	CreatedAt                        string            `json:"created_at"`
	UpdatedAt                        string            `json:"updated_at"`
}

// domain is WorkOS's organization_domain object.
type domain struct {
	Object               string `json:"object"`
	ID                   string `json:"id"`
	OrganizationID       string `json:"organization_id"`
	Domain               string `json:"domain"`
	State                string `json:"state"`
	VerificationStrategy string `json:"verification_strategy"`
	VerificationToken    string `json:"verification_token,omitempty"`
	VerificationPrefix   string `json:"verification_prefix,omitempty"`
	CreatedAt            string `json:"created_at"`
	UpdatedAt            string `json:"updated_at"`
}

func toOrganization(o *orgs.Organization) organization {
	out := organization{Object: "organization", ID: o.ID, Name: o.Name, Domains: []domain{},
		StripeCustomerID: o.StripeCustomerID, ExternalID: strPtr(o.ExternalID), Metadata: o.Metadata,
		CreatedAt: ts(o.CreatedAt), UpdatedAt: ts(o.UpdatedAt)}
	if out.Metadata == nil {
		out.Metadata = map[string]string{}
	}
	for _, d := range o.DomainDetails {
		wd := domain{Object: "organization_domain", ID: d.ID, OrganizationID: o.ID, Domain: d.Domain,
			State: string(d.State), VerificationStrategy: string(d.Strategy),
			CreatedAt: ts(d.CreatedAt), UpdatedAt: ts(d.UpdatedAt)}
		if d.Strategy == orgs.DomainStrategyDNS && d.State != orgs.DomainVerified {
			wd.VerificationToken = d.VerificationValue
			wd.VerificationPrefix = strings.TrimSuffix(d.VerificationName, "."+d.Domain)
		}
		out.Domains = append(out.Domains, wd)
	}
	return out
}

// domainData is one item of domain_data.
type domainData struct {
	Domain string `json:"domain"`
	State  string `json:"state"`
}

func toDomainInputs(ds []domainData) ([]orgs.DomainInput, error) {
	out := make([]orgs.DomainInput, 0, len(ds))
	for _, d := range ds {
		switch d.State {
		case "", "pending", "verified":
		default:
			return nil, invalid("domain_data", "domain_data_invalid")
		}
		out = append(out, orgs.DomainInput{Domain: d.Domain, State: orgs.DomainState(d.State)})
	}
	return out, nil
}

// checkExternalID refuses an external ID the SDK could not send back in a
// path unchanged (it does not URL-encode path parameters): one with '/',
// '\', '?', '#' or '%', a control or space character, or "." or "..".
func checkExternalID(s string) error {
	if s == "." || s == ".." || strings.ContainsAny(s, `/\?#%`) ||
		strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return invalid("external_id", "external_id_invalid")
	}
	return nil
}

// organizationBody is the body of a create or an update; a create needs
// a name, an update changes only the fields it names.
type organizationBody struct {
	Name             *string           `json:"name"`
	DomainData       []domainData      `json:"domain_data"`
	Domains          []string          `json:"domains"`
	ExternalID       nullable          `json:"external_id"`
	StripeCustomerID nullable          `json:"stripe_customer_id"`
	Metadata         map[string]string `json:"metadata"`
}

func (h *Handler) createOrganization(w http.ResponseWriter, r *http.Request) error {
	var b organizationBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return invalid("name", "name_required")
	}
	data, err := toDomainInputs(b.DomainData)
	if err != nil {
		return err
	}
	if err := checkExternalID(b.ExternalID.Value); err != nil {
		return err
	}
	in := orgs.CreateOrganizationInput{Name: *b.Name, Domains: b.Domains, DomainData: data,
		ExternalID: b.ExternalID.Value, StripeCustomerID: b.StripeCustomerID.Value, Metadata: b.Metadata}
	org, err := h.createWithSlug(r, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toOrganization(org))
	return nil
}

// createWithSlug creates the organization. WorkOS has no slugs and allows
// two organizations of one name: the slug derives from the name and, when
// that one is taken or reserved, gets a random suffix (a few tries).
func (h *Handler) createWithSlug(r *http.Request, in orgs.CreateOrganizationInput) (*orgs.Organization, error) {
	base := orgs.Slugify(in.Name)
	if len(base) > 50 {
		base = strings.Trim(base[:50], "-")
	}
	if len(base) < 3 {
		base = strings.Trim("org-"+base, "-")
	}
	in.Slug = base
	for attempt := 0; ; attempt++ {
		org, err := h.svc.CreateOrganization(r.Context(), orgs.SystemActor(), in)
		var ve *orgs.ValidationError
		slugRefused := errors.Is(err, orgs.ErrSlugTaken) ||
			errors.As(err, &ve) && len(ve.Fields) == 1 && ve.Fields[0].Field == "slug"
		if !slugRefused || attempt == 4 {
			return org, err
		}
		in.Slug = base + "-" + strings.ToLower(orgs.NewID("")[20:])
	}
}

// orgID reads the {id} path value as an organization ID: anything else
// (a slug) is not found.
func orgID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !isID(orgs.PrefixOrganization, id) {
		return "", notFound("Organization", id)
	}
	return id, nil
}

func (h *Handler) getOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	org, err := h.svc.GetOrganizationByID(r.Context(), orgs.SystemActor(), id)
	if errors.Is(err, orgs.ErrNotFound) {
		return notFound("Organization", id)
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrganization(org))
	return nil
}

func (h *Handler) getOrganizationByExternalID(w http.ResponseWriter, r *http.Request) error {
	ext := r.PathValue("external_id")
	org, err := h.svc.GetOrganizationByExternalID(r.Context(), orgs.SystemActor(), ext)
	if errors.Is(err, orgs.ErrNotFound) {
		return notFound("Organization with external_id", ext)
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrganization(org))
	return nil
}

func (h *Handler) updateOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	var b organizationBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.Name != nil && strings.TrimSpace(*b.Name) == "" {
		return invalid("name", "name_required")
	}
	if err := checkExternalID(b.ExternalID.Value); err != nil {
		return err
	}
	in := orgs.UpdateOrganizationInput{Name: b.Name, Domains: b.Domains, ExternalID: b.ExternalID.ptr(),
		StripeCustomerID: b.StripeCustomerID.ptr(), Metadata: b.Metadata}
	if b.DomainData != nil {
		if in.DomainData, err = toDomainInputs(b.DomainData); err != nil {
			return err
		}
	}
	org, err := h.svc.UpdateOrganization(r.Context(), orgs.SystemActor(), id, in)
	if errors.Is(err, orgs.ErrNotFound) {
		return notFound("Organization", id)
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrganization(org))
	return nil
}

func (h *Handler) deleteOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteOrganization(r.Context(), orgs.SystemActor(), id); errors.Is(err, orgs.ErrNotFound) {
		return notFound("Organization", id)
	} else if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := orgs.OrganizationQuery{Domains: splitList(r.URL.Query().Get("domains")), Page: p}
	l, err := h.svc.ListOrganizations(r.Context(), orgs.SystemActor(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toList(l, toOrganization))
	return nil
}
