package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tenantkit/orgs"
)

// Scanning the rows of a pipeline (or of one statement on SQLite) by hand:
// bun scans only *sql.Rows, and a pipeline's rows are the driver's. Columns
// are matched by name, so that a query may select more than a scanner
// knows (the rest is discarded) and a scanner fails loudly when one is
// missing.

// fields maps column names to scan destinations.
type fields map[string]any

// scanRow scans the current row of r into f, by column name. Every
// destination of f must have a column.
func scanRow(r Rows, f fields) error {
	cols := r.Columns()
	dest := make([]any, len(cols))
	matched := 0
	for i, c := range cols {
		if d, ok := f[c]; ok {
			dest[i] = d
			matched++
		} else {
			dest[i] = discard{}
		}
	}
	if matched != len(f) {
		return fmt.Errorf("store: scan: %d of %d columns found in %v", matched, len(f), cols)
	}
	return r.Scan(dest...)
}

// discard is a destination that ignores its column.
type discard struct{}

func (discard) Scan(any) error { return nil }

// each calls fn for every row of r.
func each(r Rows, fn func() error) error {
	for r.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return r.Err()
}

// text scans a nullable text column: NULL is "".
type text struct{ s *string }

func (t text) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*t.s = ""
	case string:
		*t.s = x
	case []byte:
		*t.s = string(x)
	default:
		return fmt.Errorf("store: scan %T into a string", v)
	}
	return nil
}

// role and others scan nullable text into string types.
func str[T ~string](p *T) sql.Scanner {
	return scanFunc(func(v any) error {
		var s string
		if err := (text{&s}).Scan(v); err != nil {
			return err
		}
		*p = T(s)
		return nil
	})
}

type scanFunc func(v any) error

func (f scanFunc) Scan(v any) error { return f(v) }

// when scans a nullable time column into UTC: NULL is the zero time.
func when(p *time.Time) sql.Scanner {
	return scanFunc(func(v any) error {
		switch x := v.(type) {
		case nil:
			*p = time.Time{}
			return nil
		case time.Time:
			*p = x.UTC()
			return nil
		case []byte:
			v = string(x)
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("store: scan %T into a time", v)
		}
		t, err := parseTime(s)
		*p = t
		return err
	})
}

// whenSet scans a nullable time column into a pointer: NULL is nil.
func whenSet(p **time.Time) sql.Scanner {
	return scanFunc(func(v any) error {
		if v == nil {
			*p = nil
			return nil
		}
		var t time.Time
		if err := when(&t).Scan(v); err != nil {
			return err
		}
		*p = &t
		return nil
	})
}

// flag scans a boolean column (SQLite: an integer).
func flag(p *bool) sql.Scanner {
	return scanFunc(func(v any) error {
		switch x := v.(type) {
		case bool:
			*p = x
		case int64:
			*p = x != 0
		case nil:
			*p = false
		default:
			return fmt.Errorf("store: scan %T into a bool", v)
		}
		return nil
	})
}

// number scans an integer column.
func number(p *int) sql.Scanner {
	return scanFunc(func(v any) error {
		switch x := v.(type) {
		case int64:
			*p = int(x)
		case int32:
			*p = int(x)
		case int:
			*p = x
		case nil:
			*p = 0
		default:
			return fmt.Errorf("store: scan %T into an int", v)
		}
		return nil
	})
}

// blob scans a bytea or BLOB column.
func blob(p *[]byte) sql.Scanner {
	return scanFunc(func(v any) error {
		switch x := v.(type) {
		case nil:
			*p = nil
		case []byte:
			*p = append([]byte(nil), x...)
		case string:
			*p = []byte(x)
		default:
			return fmt.Errorf("store: scan %T into bytes", v)
		}
		return nil
	})
}

// orgFields scans orgColumns, the viewer's role and whether the viewer is
// inactive into o (its domains and metadata into *domains and *metadata,
// decoded by finishOrg).
func orgFields(o *orgs.Organization, domains, metadata *string) fields {
	return fields{
		"stripe_customer_id": text{&o.StripeCustomerID}, "viewer_inactive": flag(&o.ViewerInactive),
		"id": text{&o.ID}, "name": text{&o.Name}, "slug": text{&o.Slug}, "handle": text{&o.Handle},
		"description": text{&o.Description}, "logo_url": text{&o.LogoURL}, "website": text{&o.Website},
		"industry": text{&o.Industry}, "contact_email": text{&o.ContactEmail}, "contact_phone": text{&o.ContactPhone},
		"visibility": str(&o.Visibility), "external_id": text{&o.ExternalID}, "metadata": text{metadata},
		"member_count": number(&o.MemberCount), "team_count": number(&o.TeamCount), "created_by": text{&o.CreatedBy},
		"created_at": when(&o.CreatedAt), "updated_at": when(&o.UpdatedAt), "domains_json": text{domains},
		"role": str(&o.Role),
	}
}

// finishOrg decodes what orgFields left encoded, as bun's scan of orgRow
// does.
func finishOrg(o *orgs.Organization, domains, metadata string) error {
	ds, err := decodeDomains(o.ID, domains)
	if err != nil {
		return err
	}
	for _, d := range ds {
		o.Domains = append(o.Domains, d.Domain)
		o.DomainDetails = append(o.DomainDetails, d)
	}
	if metadata != "" {
		if err := json.Unmarshal([]byte(metadata), &o.Metadata); err != nil {
			return fmt.Errorf("store: metadata of %s: %w", o.ID, err)
		}
	}
	return nil
}

// memberFields scans memberColumns into m (then fixMember).
func memberFields(m *orgs.Member) fields {
	return fields{
		"organization_id": text{&m.OrganizationID}, "user_id": text{&m.UserID}, "role": str(&m.Role),
		"joined_at": when(&m.JoinedAt), "id": text{&m.ID}, "status": str(&m.Status), "updated_at": when(&m.UpdatedAt),
		"username": text{&m.Username}, "email": text{&m.Email}, "name": text{&m.Name}, "avatar_url": text{&m.AvatarURL},
	}
}

// userFields scans a users row into u.
func userFields(u *orgs.User) fields {
	return fields{"id": text{&u.ID}, "username": text{&u.Username}, "email": text{&u.Email},
		"name": text{&u.Name}, "avatar_url": text{&u.AvatarURL}}
}

// invitationFields scans invitationSelect's columns into inv.
func invitationFields(inv *orgs.Invitation) fields {
	return fields{
		"id": text{&inv.ID}, "organization_id": text{&inv.OrganizationID}, "email": text{&inv.Email},
		"role": str(&inv.Role), "status": str(&inv.Status), "invited_by": text{&inv.InvitedBy},
		"inviter_username": text{&inv.InviterUsername}, "token_hash": blob(&inv.TokenHash),
		"resend_count": number(&inv.ResendCount), "last_sent_at": when(&inv.LastSentAt),
		"expires_at": when(&inv.ExpiresAt), "accepted_by": text{&inv.AcceptedBy},
		"created_at": when(&inv.CreatedAt), "updated_at": when(&inv.UpdatedAt),
		"accepted_at": whenSet(&inv.AcceptedAt), "revoked_at": whenSet(&inv.RevokedAt),
	}
}

// teamFields scans teamColumns into t.
func teamFields(t *orgs.Team) fields {
	return fields{
		"id": text{&t.ID}, "organization_id": text{&t.OrganizationID}, "name": text{&t.Name}, "slug": text{&t.Slug},
		"description": text{&t.Description}, "color": text{&t.Color}, "member_count": number(&t.MemberCount),
		"created_at": when(&t.CreatedAt), "updated_at": when(&t.UpdatedAt),
	}
}

// teamMemberFields scans teamMemberColumns into m.
func teamMemberFields(m *orgs.TeamMember) fields {
	return fields{
		"team_id": text{&m.TeamID}, "user_id": text{&m.UserID}, "role": str(&m.Role), "joined_at": when(&m.JoinedAt),
		"username": text{&m.Username}, "email": text{&m.Email}, "name": text{&m.Name}, "avatar_url": text{&m.AvatarURL},
	}
}
