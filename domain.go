package orgs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
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
	// Strategy is how the domain is verified: DomainStrategyDNS (a TXT
	// record, VerifyDomain) or DomainStrategyManual (the system caller sets
	// its state). UpdatedAt is the time of its last state change. httpapi
	// shows neither.
	Strategy  DomainStrategy `json:"-"`
	UpdatedAt time.Time      `json:"-"`
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
	now := s.clock()
	d := Domain{ID: NewID(PrefixDomain), OrganizationID: orgID, Domain: name, State: DomainPending,
		VerificationToken: strings.ToLower(rand.Text()), CreatedAt: now, UpdatedAt: now, Strategy: DomainStrategyDNS}
	return presentDomain(d)
}

// presentDomain fills the derived verification fields.
func presentDomain(d Domain) Domain {
	d.VerificationName = "_orgs-challenge." + d.Domain
	d.VerificationValue = "orgs-verification=" + d.VerificationToken
	return d
}

// ListDomains lists an organization's domains with their verification
// records (PermDomainsManage).
func (s *Service) ListDomains(ctx context.Context, actor Actor, slug string) ([]Domain, error) {
	org, err := s.view(ctx, actor, slug, PermDomainsManage)
	if err != nil {
		return nil, err
	}
	ds, err := s.store.ListDomains(ctx, DomainFilter{OrganizationID: org.ID})
	for i := range ds {
		ds[i] = presentDomain(ds[i])
	}
	return nonNil(ds), err
}

// AddDomain adds a pending domain (PermDomainsManage). A domain the
// organization already has fails with ErrDomainTaken.
func (s *Service) AddDomain(ctx context.Context, actor Actor, slug, domain string) (*Domain, error) {
	name, err := NormalizeDomain(domain)
	if err != nil {
		return nil, invalid("domain", "must be a domain name such as example.com")
	}
	return mutate(ctx, s, actor, slug, PermDomainsManage, func(m *mutation) (*Domain, error) {
		if len(m.org.Domains) >= maxDomains {
			return nil, ErrLimitExceeded
		}
		d := s.newDomain(m.org.ID, name)
		if err := m.tx.InsertDomains(m.ctx, []Domain{d}); err != nil {
			return nil, err
		}
		m.record(EventDomainAdded, map[string]string{"domain_id": d.ID, "domain": name})
		return &d, nil
	})
}

// DeleteDomain removes a domain (PermDomainsManage).
func (s *Service) DeleteDomain(ctx context.Context, actor Actor, slug, id string) error {
	return mutateErr(ctx, s, actor, slug, PermDomainsManage, func(m *mutation) error {
		if !validID(PrefixDomain, id) {
			return ErrNotFound
		}
		d, err := m.tx.GetDomain(m.ctx, m.org.ID, id)
		if err != nil {
			return err
		}
		if err := m.tx.DeleteDomain(m.ctx, m.org.ID, id); err != nil {
			return err
		}
		m.record(EventDomainDeleted, map[string]string{"domain_id": id, "domain": d.Domain})
		return nil
	})
}

// VerifyDomain checks a domain's TXT record with the DomainVerifier and
// records the outcome: verified, or failed (PermDomainsManage). A domain
// verified by another organization fails with ErrDomainTaken; a check that
// could not be made (a DNS error) with ErrDomainCheckFailed, recording
// nothing. The DNS check runs before the transaction, not under the lock.
func (s *Service) VerifyDomain(ctx context.Context, actor Actor, slug, id string) (*Domain, error) {
	org, err := s.view(ctx, actor, slug, PermDomainsManage)
	if err != nil {
		return nil, err
	}
	if !validID(PrefixDomain, id) {
		return nil, ErrNotFound
	}
	d, err := s.store.GetDomain(ctx, org.ID, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.verifier.VerifyDomain(ctx, presentDomain(*d))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDomainCheckFailed, err)
	}
	return mutate(ctx, s, actor, org.ID, PermDomainsManage, func(m *mutation) (*Domain, error) {
		d, err := m.tx.GetDomain(m.ctx, m.org.ID, id)
		if err != nil {
			return nil, err
		}
		typ := EventDomainVerificationFailed
		now := s.clock()
		d.State, d.VerifiedAt, d.UpdatedAt, d.Strategy = DomainFailed, nil, now, DomainStrategyDNS
		if ok {
			typ, d.State, d.VerifiedAt = EventDomainVerified, DomainVerified, &now
		}
		if err := m.tx.UpdateDomain(m.ctx, d); err != nil {
			return nil, err
		}
		m.record(typ, map[string]string{"domain_id": id, "domain": d.Domain})
		out := presentDomain(*d)
		return &out, nil
	})
}
