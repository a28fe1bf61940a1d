package orgs

import (
	"context"
	"slices"
)

// DomainStrategy is how a domain's ownership is established.
type DomainStrategy string

// Domain verification strategies. A domain added by name (AddDomain,
// CreateOrganizationInput.Domains) is verified by DNS; one given with a state
// (DomainInput, SetDomainState) is managed by the system caller, which
// vouches for it.
const (
	DomainStrategyDNS    DomainStrategy = "dns"
	DomainStrategyManual DomainStrategy = "manual"
)

// DomainInput is a domain with the state its organization should hold it
// in (CreateOrganizationInput.DomainData, UpdateOrganizationInput.DomainData).
// State is DomainPending (the default) or DomainVerified; only the system
// caller may give DomainVerified (a user gets ErrForbidden: users verify by
// DNS). Such domains have the manual strategy.
type DomainInput struct {
	Domain string      `json:"domain"`
	State  DomainState `json:"state"`
}

// domainWant is one domain an organization should have after a change.
type domainWant struct {
	name     string
	state    DomainState
	strategy DomainStrategy
	explicit bool // the state was given: a kept domain takes it
}

// normalizeDomainData validates data and appends it to want (by name; a
// name given twice keeps its last state).
func (s *Service) normalizeDomainData(actor Actor, want []domainWant, data []DomainInput, fe *fieldErrors) ([]domainWant, error) {
	for _, d := range data {
		n, err := NormalizeDomain(d.Domain)
		if err != nil {
			fe.add("domain_data", "must hold domain names such as example.com")
			continue
		}
		st := d.State
		switch st {
		case "":
			st = DomainPending
		case DomainPending:
		case DomainVerified:
			if !actor.system {
				return nil, ErrForbidden
			}
		default:
			fe.add("domain_data", "state must be pending or verified")
			continue
		}
		w := domainWant{name: n, state: st, strategy: DomainStrategyManual, explicit: true}
		if i := slices.IndexFunc(want, func(x domainWant) bool { return x.name == n }); i >= 0 {
			want[i] = w
		} else {
			want = append(want, w)
		}
	}
	if len(want) > maxDomains {
		fe.add("domain_data", "must have at most 20 domains")
	}
	return want, nil
}

// namesWant is the wanted domains for names, pending by DNS, keeping their
// state when kept.
func namesWant(names []string) []domainWant {
	want := make([]domainWant, len(names))
	for i, n := range names {
		want[i] = domainWant{name: n, state: DomainPending, strategy: DomainStrategyDNS}
	}
	return want
}

// domainRow builds the row of a new wanted domain.
func (s *Service) domainRow(orgID string, w domainWant) Domain {
	d := s.newDomain(orgID, w.name)
	d.State, d.Strategy = w.state, w.strategy
	if w.state == DomainVerified {
		t := d.CreatedAt
		d.VerifiedAt = &t
	}
	return d
}

// syncDomainRows makes the organization's domain rows match want: new
// names are inserted, missing ones deleted, kept ones keep their ID and
// creation time and — unless want gives their state — their state. It
// returns the rows as they now are, in ID order.
func (s *Service) syncDomainRows(ctx context.Context, tx Tx, orgID string, want []domainWant) ([]Domain, error) {
	old, err := tx.ListDomains(ctx, DomainFilter{OrganizationID: orgID})
	if err != nil {
		return nil, err
	}
	var out, add []Domain
	for _, d := range old {
		i := slices.IndexFunc(want, func(w domainWant) bool { return w.name == d.Domain })
		if i < 0 {
			if err := tx.DeleteDomain(ctx, orgID, d.ID); err != nil {
				return nil, err
			}
			continue
		}
		if w := want[i]; w.explicit && (w.state != d.State || w.strategy != d.Strategy) {
			now := s.clock()
			d.State, d.Strategy, d.UpdatedAt, d.VerifiedAt = w.state, w.strategy, now, nil
			if w.state == DomainVerified {
				d.VerifiedAt = &now
			}
			if err := tx.UpdateDomain(ctx, &d); err != nil {
				return nil, err
			}
		}
		out = append(out, d)
	}
	for _, w := range want {
		if !slices.ContainsFunc(old, func(d Domain) bool { return d.Domain == w.name }) {
			add = append(add, s.domainRow(orgID, w))
		}
	}
	if len(add) > 0 {
		if err := tx.InsertDomains(ctx, add); err != nil {
			return nil, err
		}
	}
	return append(out, add...), nil
}

// setDomains records rows on org as its domains.
func setDomains(org *Organization, rows []Domain) {
	org.Domains, org.DomainDetails = nil, nil
	for _, d := range rows {
		org.Domains = append(org.Domains, d.Domain)
		org.DomainDetails = append(org.DomainDetails, presentDomain(d))
	}
}

// SetDomainState sets a domain's state — DomainPending, DomainVerified or
// DomainFailed — without a DNS check, making its strategy manual. Only the
// system caller may (a user gets ErrForbidden; users verify with
// VerifyDomain). A domain verified by another organization fails with
// ErrDomainTaken. It records domain.verified, domain.verification_failed or
// domain.state_updated (back to pending).
func (s *Service) SetDomainState(ctx context.Context, actor Actor, ref, id string, state DomainState) (*Domain, error) {
	switch state {
	case DomainPending, DomainVerified, DomainFailed:
	default:
		return nil, invalid("state", "must be pending, verified or failed")
	}
	return mutate(ctx, s, actor, ref, PermDomainsManage, func(m *mutation) (*Domain, error) {
		if !m.actor.system {
			return nil, ErrForbidden
		}
		if !validID(PrefixDomain, id) {
			return nil, ErrNotFound
		}
		d, err := m.tx.GetDomain(m.ctx, m.org.ID, id)
		if err != nil {
			return nil, err
		}
		now := s.clock()
		d.State, d.Strategy, d.UpdatedAt, d.VerifiedAt = state, DomainStrategyManual, now, nil
		typ := EventDomainStateUpdated
		switch state {
		case DomainVerified:
			typ, d.VerifiedAt = EventDomainVerified, &now
		case DomainFailed:
			typ = EventDomainVerificationFailed
		}
		if err := m.tx.UpdateDomain(m.ctx, d); err != nil {
			return nil, err
		}
		m.record(typ, map[string]string{"domain_id": id, "domain": d.Domain, "state": string(state)})
		out := presentDomain(*d)
		return &out, nil
	})
}
