package orgs

import "slices"

// Descending lists are served by any Store through the ascending Range of
// the contract: a descending page after cursor X is the ascending page
// before X, nearest X, reversed; the first descending page is the
// ascending page before a key above every ID of the list (the prefix
// followed by '~', which sorts after every ULID character). No Store
// method learns of the order.

// orderedRange validates p for a list whose keys are IDs with prefix, and
// returns the Range a Store is asked for.
func (p Page) orderedRange(prefix string) (Range, error) {
	if !p.Descending {
		return p.toRange()
	}
	flipped := p
	flipped.After, flipped.Before = p.Before, p.After
	r, err := flipped.toRange()
	if err != nil {
		return Range{}, renameCursorFields(err)
	}
	if r.After == "" && r.Before == "" {
		r.Before = idCeiling(prefix)
	}
	return r, nil
}

// idCeiling is a key above every ID with prefix.
func idCeiling(prefix string) string { return prefix + "~" }

// renameCursorFields names the fields of a flipped page's errors as the
// caller named them.
func renameCursorFields(err error) error {
	ve, ok := err.(*ValidationError)
	if !ok {
		return err
	}
	out := &ValidationError{}
	for _, f := range ve.Fields {
		switch f.Field {
		case "after":
			f.Field = "before"
		case "before":
			f.Field = "after"
		}
		out.Fields = append(out.Fields, f)
	}
	return out
}

// paginateOrdered is paginate for a list read with orderedRange.
func paginateOrdered[T any](items []T, r Range, key func(T) string, p Page, prefix string) *List[T] {
	l := paginate(items, r, key)
	if !p.Descending {
		return l
	}
	if r.Before == idCeiling(prefix) {
		l.NextCursor = "" // nothing lies above the ceiling
	}
	slices.Reverse(l.Data)
	l.NextCursor, l.PreviousCursor = l.PreviousCursor, l.NextCursor
	return l
}
