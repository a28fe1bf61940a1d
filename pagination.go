package orgs

import (
	"encoding/base64"
	"unicode"
	"unicode/utf8"
)

// Page limits.
const (
	DefaultPageLimit = 20
	MaxPageLimit     = 100
)

// Page asks for one page of a list. Zero value: the first page of
// DefaultPageLimit items. After and Before are cursors from a previous List;
// at most one may be set.
type Page struct {
	Limit  int    // 1–MaxPageLimit; 0 means DefaultPageLimit
	After  string // items after this cursor (a NextCursor)
	Before string // items before this cursor (a PreviousCursor)
	// Descending lists newest first, where a list allows it (see
	// pagination_order.go): the organizations, memberships and invitations
	// lists of the system caller. After and Before then follow the
	// descending order: After continues toward older items.
	Descending bool
}

// List is one page of results. Items are in ascending key order (for most
// lists creation order; members by user ID). HasMore reports whether more
// items lie in the direction of travel: after the page when paging forward,
// before it when paging with Before. NextCursor is set when items follow the
// page, PreviousCursor when items precede it.
type List[T any] struct {
	Data           []T    `json:"data"`
	NextCursor     string `json:"next_cursor"`
	PreviousCursor string `json:"previous_cursor"`
	HasMore        bool   `json:"has_more"`
}

// EncodeCursor turns a list key into an opaque cursor.
func EncodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// DecodeCursor turns a cursor back into its key. It fails with ErrInvalid on
// anything EncodeCursor could not have produced (non-canonical base64
// included, so one key has exactly one cursor).
func DecodeCursor(cursor string) (string, error) {
	if len(cursor) > 512 {
		return "", invalid("cursor", "is too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) == 0 || !utf8.Valid(b) || EncodeCursor(string(b)) != cursor {
		return "", invalid("cursor", "is not a valid cursor")
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) {
			return "", invalid("cursor", "is not a valid cursor")
		}
	}
	return string(b), nil
}

// toRange validates p and converts it for the Store.
func (p Page) toRange() (Range, error) {
	var fe fieldErrors
	limit := p.Limit
	switch {
	case limit == 0:
		limit = DefaultPageLimit
	case limit < 1 || limit > MaxPageLimit:
		fe.add("limit", "must be between 1 and 100")
	}
	if p.After != "" && p.Before != "" {
		fe.add("before", "cannot be combined with after")
	}
	var r Range
	var err error
	if p.After != "" {
		r.After, err = DecodeCursor(p.After)
		fe.check("after", err)
	}
	if p.Before != "" {
		r.Before, err = DecodeCursor(p.Before)
		fe.check("before", err)
	}
	if err := fe.err(); err != nil {
		return Range{}, err
	}
	r.MaxRows = limit + 1
	return r, nil
}

// paginate builds a List from up to r.MaxRows items fetched by a Store for
// r.
func paginate[T any](items []T, r Range, key func(T) string) *List[T] {
	size := r.MaxRows - 1
	l := &List[T]{Data: items}
	backward := r.Before != "" && r.After == ""
	if len(items) > size {
		l.HasMore = true
		if backward {
			l.Data = items[len(items)-size:]
		} else {
			l.Data = items[:size]
		}
	}
	if l.Data == nil {
		l.Data = []T{}
	}
	if len(l.Data) == 0 {
		return l
	}
	first, last := key(l.Data[0]), key(l.Data[len(l.Data)-1])
	if backward {
		if l.HasMore {
			l.PreviousCursor = EncodeCursor(first)
		}
		l.NextCursor = EncodeCursor(last)
	} else {
		if l.HasMore || r.Before != "" {
			l.NextCursor = EncodeCursor(last)
		}
		if r.After != "" {
			l.PreviousCursor = EncodeCursor(first)
		}
	}
	return l
}
