package orgs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"
)

// DomainState is a domain's verification state.
type DomainState string

// Domain states.
const (
	DomainPending  DomainState = "pending"
	DomainVerified DomainState = "verified"
	DomainFailed   DomainState = "failed"
)

// Domain is a DNS domain an organization claims. It is verified by
// publishing a TXT record: at VerificationName, the value
// VerificationValue. A domain may be verified by one organization only.
type Domain struct {
	ID                string      `json:"id"`
	OrganizationID    string      `json:"-"`
	Domain            string      `json:"domain"`
	State             DomainState `json:"state"`
	VerificationToken string      `json:"verification_token"`
	VerificationName  string      `json:"verification_name"`
	VerificationValue string      `json:"verification_value"`
	CreatedAt         time.Time   `json:"created_at"`
	VerifiedAt        *time.Time  `json:"verified_at"`
}

// DomainVerifier checks that the owner of a domain published its token.
type DomainVerifier interface {
	// VerifyDomain reports whether d's verification record is in place. An
	// error means the check itself failed (a DNS timeout) and is returned to
	// the caller; false means the record is absent.
	VerifyDomain(ctx context.Context, d Domain) (bool, error)
}

// DNSVerifier is the default DomainVerifier: it looks up the TXT records at
// d.VerificationName.
type DNSVerifier struct {
	Resolver *net.Resolver // nil: net.DefaultResolver
}

// VerifyDomain implements DomainVerifier.
func (v DNSVerifier) VerifyDomain(ctx context.Context, d Domain) (bool, error) {
	r := v.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	txts, err := r.LookupTXT(ctx, d.VerificationName)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return slices.Contains(txts, d.VerificationValue), nil
}

// WithDomainVerifier replaces the DNSVerifier.
func WithDomainVerifier(v DomainVerifier) Option {
	return func(s *Service) error { s.verifier = v; return nil }
}

// newDomain builds a pending domain row.
func (s *Service) newDomain(orgID, name string) Domain {
	d := Domain{ID: NewID(PrefixDomain), OrganizationID: orgID, Domain: name, State: DomainPending,
		VerificationToken: randomSuffix(32), CreatedAt: s.clock()}
	return presentDomain(d)
}

// presentDomain fills the derived verification fields.
func presentDomain(d Domain) Domain {
	d.VerificationName = "_orgs-challenge." + d.Domain
	d.VerificationValue = "orgs-verification=" + d.VerificationToken
	return d
}

// syncDomains makes the organization's domain rows match names: new names
// are added pending, missing ones deleted, kept ones keep their state.
func (s *Service) syncDomains(ctx context.Context, tx Tx, orgID string, names []string) error {
	old, err := tx.ListDomains(ctx, orgID)
	if err != nil {
		return err
	}
	var add []Domain
	for _, n := range names {
		if !slices.ContainsFunc(old, func(d Domain) bool { return d.Domain == n }) {
			add = append(add, s.newDomain(orgID, n))
		}
	}
	for _, d := range old {
		if !slices.Contains(names, d.Domain) {
			if err := tx.DeleteDomain(ctx, orgID, d.ID); err != nil {
				return err
			}
		}
	}
	if len(add) == 0 {
		return nil
	}
	return tx.InsertDomains(ctx, add)
}

// ListDomains lists an organization's domains with their verification
// records (PermDomainsManage).
func (s *Service) ListDomains(ctx context.Context, actor, slug string) ([]Domain, error) {
	org, err := s.view(ctx, s.store, actor, slug, PermDomainsManage)
	if err != nil {
		return nil, err
	}
	ds, err := s.store.ListDomains(ctx, org.ID)
	for i := range ds {
		ds[i] = presentDomain(ds[i])
	}
	return nonNil(ds), err
}

// AddDomain adds a pending domain (PermDomainsManage). A domain the
// organization already has fails with ErrDomainTaken.
func (s *Service) AddDomain(ctx context.Context, actor, slug, domain string) (*Domain, error) {
	name, err := NormalizeDomain(domain)
	if err != nil {
		return nil, invalid("domain", "must be a domain name such as example.com")
	}
	var out Domain
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermDomainsManage)
		if err != nil {
			return err
		}
		if len(org.Domains) >= maxDomains {
			return ErrLimitExceeded
		}
		out = s.newDomain(org.ID, name)
		if err := tx.InsertDomains(ctx, []Domain{out}); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "domain.added", map[string]string{"domain_id": out.ID, "domain": name})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteDomain removes a domain (PermDomainsManage).
func (s *Service) DeleteDomain(ctx context.Context, actor, slug, id string) error {
	if !validID(PrefixDomain, id) {
		return ErrNotFound
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermDomainsManage)
		if err != nil {
			return err
		}
		d, err := tx.GetDomain(ctx, org.ID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteDomain(ctx, org.ID, id); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "domain.deleted", map[string]string{"domain_id": id, "domain": d.Domain})
	})
}

// VerifyDomain checks a domain's TXT record with the DomainVerifier and
// records the outcome: verified, or failed (PermDomainsManage). A domain
// verified by another organization fails with ErrDomainTaken; a check that
// could not be made (a DNS error) with ErrDomainCheckFailed, recording
// nothing.
func (s *Service) VerifyDomain(ctx context.Context, actor, slug, id string) (*Domain, error) {
	if !validID(PrefixDomain, id) {
		return nil, ErrNotFound
	}
	org, err := s.view(ctx, s.store, actor, slug, PermDomainsManage)
	if err != nil {
		return nil, err
	}
	d, err := s.store.GetDomain(ctx, org.ID, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.verifier.VerifyDomain(ctx, presentDomain(*d))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDomainCheckFailed, err)
	}
	var out Domain
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermDomainsManage)
		if err != nil {
			return err
		}
		d, err := tx.GetDomain(ctx, org.ID, id)
		if err != nil {
			return err
		}
		typ := "domain.verification_failed"
		d.State, d.VerifiedAt = DomainFailed, nil
		if ok {
			now := s.clock()
			typ, d.State, d.VerifiedAt = "domain.verified", DomainVerified, &now
		}
		if err := tx.UpdateDomain(ctx, d); err != nil {
			return err
		}
		out = presentDomain(*d)
		return s.event(ctx, tx, org.ID, actor, typ, map[string]string{"domain_id": id, "domain": d.Domain})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
