package orgs

// Fuzz targets for the core parsers and validators (issue 6, "Fuzzing").
//
// `go test .` runs every f.Add seed and every file under
// testdata/fuzz/<FuzzName>/ as an ordinary test. To fuzz one target:
//
//	go test -run='^$' -fuzz='^FuzzEmail$' -fuzztime=60s .
//
// Each target checks properties of the result, not only the absence of
// panics: what an accepted value looks like, idempotence of normalization,
// round trips, and that every rejection is an ErrInvalid.

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// expectInvalid fails unless err matches ErrInvalid and is a
// *ValidationError with at least one field.
func expectInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("%s: error %v (%T) does not match ErrInvalid", what, err, err)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		t.Fatalf("%s: error %v is not a *ValidationError with fields", what, err)
	}
}

// isText reports whether s is valid UTF-8 without control characters (and
// without U+FFFD), the rule checkText documents. Newlines, tabs and carriage
// returns are allowed when multiline.
func isText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
		if r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x2028 || r == 0x2029 {
			return false // bidi controls and Unicode line separators
		}
	}
	return true
}

// slugShape reports whether s has only [a-z0-9-] with no leading, trailing
// or doubled hyphen (any length).
// noControl reports whether s is valid UTF-8 without control characters
// (unicode.IsControl: C0, DEL and C1).
func noControl(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

func slugShape(s string) bool {
	if strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// dnsLabel reports whether l is 1–63 bytes of [a-z0-9-], not starting or
// ending with a hyphen (inner double hyphens, as in "xn--", are fine).
func dnsLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"", "acme", "Acme Corp", "a-b", "a--b", "-ab", "ab-", "ab", "abc", strings.Repeat("a", 63), strings.Repeat("a", 64), "Ünïcödé", "\u212Aab"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		valid := ValidSlug(s)
		want := len(s) >= minSlugLen && len(s) <= maxSlugLen && slugShape(s)
		if valid != want {
			t.Fatalf("ValidSlug(%q) = %v, want %v", s, valid, want)
		}
		if valid {
			if got := Slugify(s); got != s {
				t.Fatalf("Slugify(%q) = %q on a valid slug, want it unchanged", s, got)
			}
			if n, err := validateSlug(s, nil); err != nil || n != s {
				t.Fatalf("validateSlug(%q) = %q, %v for a valid slug", s, n, err)
			}
			_, err := validateSlug(s, map[string]bool{s: true})
			expectInvalid(t, "validateSlug(reserved)", err)
		}
		// A slug a caller gives is only ASCII-lower-cased: accepted exactly
		// when it is ASCII and its ASCII lower case is valid, never by a
		// Unicode case mapping (U+212A KELVIN SIGN is not "k").
		n, err := validateSlug(s, nil)
		wantOK := asciiOnly(s) && ValidSlug(strings.ToLower(s))
		if (err == nil) != wantOK {
			t.Fatalf("validateSlug(%q) = %q, %v; want accepted=%v", s, n, err, wantOK)
		}
		if err != nil {
			expectInvalid(t, fmt.Sprintf("validateSlug(%q)", s), err)
		} else if n != strings.ToLower(s) {
			t.Fatalf("validateSlug(%q) = %q, want %q", s, n, strings.ToLower(s))
		}

		g := Slugify(s)
		if len(g) > maxSlugLen || !slugShape(g) {
			t.Fatalf("Slugify(%q) = %q: not [a-z0-9] with single inner hyphens, at most 63 bytes", s, g)
		}
		if !ValidSlug(g) && len(g) >= minSlugLen {
			t.Fatalf("Slugify(%q) = %q: %d bytes but not a valid slug", s, g, len(g))
		}
		if gg := Slugify(g); gg != g {
			t.Fatalf("Slugify not idempotent: Slugify(%q) = %q, Slugify(that) = %q", s, g, gg)
		}
		// Slugify is case-insensitive on ASCII input.
		if asciiOnly(s) {
			if u := Slugify(strings.ToUpper(s)); u != g {
				t.Fatalf("Slugify(%q) = %q but Slugify(upper) = %q", s, g, u)
			}
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"", "a@example.com", "A@Example.COM", "a@b", "a@b.c", "a b@example.com", "<a@example.com>", "Ann <a@example.com>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := NormalizeEmail(s)
		if err != nil {
			if r != "" {
				t.Fatalf("NormalizeEmail(%q) returned %q with error %v", s, r, err)
			}
			expectInvalid(t, fmt.Sprintf("NormalizeEmail(%q)", s), err)
			return
		}
		if !isText(r, false) {
			t.Fatalf("NormalizeEmail(%q) = %q: invalid UTF-8 or control characters", s, r)
		}
		if r == "" || len(r) > maxEmailLen {
			t.Fatalf("NormalizeEmail(%q) = %q: %d bytes, want 1–%d", s, r, len(r), maxEmailLen)
		}
		if strings.ToLower(r) != r || !asciiOnly(r) {
			t.Fatalf("NormalizeEmail(%q) = %q: not lower-case ASCII", s, r)
		}
		if at := strings.LastIndexByte(s, '@'); at < 0 || !asciiOnly(s[:at]) {
			t.Fatalf("NormalizeEmail(%q) = %q: a non-ASCII local part was accepted", s, r)
		}
		if strings.ContainsAny(r, " \t\"<>()[]\\,;:") {
			t.Fatalf("NormalizeEmail(%q) = %q: contains spaces, quotes or specials", s, r)
		}
		if strings.ContainsFunc(r, func(c rune) bool { return !unicode.IsPrint(c) }) {
			// net/mail takes any non-ASCII rune as atext, so Unicode spaces
			// (U+00A0, U+2004, U+3000) and invisible format characters
			// (U+200B, U+202E) must be refused before it.
			t.Fatalf("NormalizeEmail(%q) = %q: Unicode space or non-printing character accepted", s, r)
		}
		// Quoted local parts never survive the a.Address == s check, so an
		// accepted address has exactly one '@' and a normalized domain.
		if strings.Count(r, "@") != 1 {
			t.Fatalf("NormalizeEmail(%q) = %q: want exactly one '@'", s, r)
		}
		local, domain, _ := strings.Cut(r, "@")
		if local == "" {
			t.Fatalf("NormalizeEmail(%q) = %q: empty local part", s, r)
		}
		if d, err := NormalizeDomain(domain); err != nil || d != domain {
			t.Fatalf("NormalizeEmail(%q) = %q: domain %q normalizes to %q, %v", s, r, domain, d, err)
		}
		if rr, err := NormalizeEmail(r); err != nil || rr != r {
			t.Fatalf("NormalizeEmail not idempotent: NormalizeEmail(%q) = %q, NormalizeEmail(that) = %q, %v", s, r, rr, err)
		}
		// Case-insensitive on ASCII input.
		if asciiOnly(s) {
			if u, err := NormalizeEmail(strings.ToUpper(s)); err != nil || u != r {
				t.Fatalf("NormalizeEmail(%q) = %q but NormalizeEmail(upper) = %q, %v", s, r, u, err)
			}
		}
	})
}

func FuzzDomain(f *testing.F) {
	for _, s := range []string{"", "example.com", "Example.COM.", "localhost", "1.2.3.4", "xn--bcher-kva.example", "a-.com", "a..com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := NormalizeDomain(s)
		if err != nil {
			if d != "" {
				t.Fatalf("NormalizeDomain(%q) returned %q with error %v", s, d, err)
			}
			expectInvalid(t, fmt.Sprintf("NormalizeDomain(%q)", s), err)
			return
		}
		if d == "" || len(d) > 253 || strings.ToLower(d) != d || !asciiOnly(d) {
			t.Fatalf("NormalizeDomain(%q) = %q: want 1–253 lower-case ASCII bytes", s, d)
		}
		labels := strings.Split(d, ".")
		if len(labels) < 2 {
			t.Fatalf("NormalizeDomain(%q) = %q: fewer than two labels", s, d)
		}
		for _, l := range labels {
			if !dnsLabel(l) {
				t.Fatalf("NormalizeDomain(%q) = %q: bad label %q", s, d, l)
			}
		}
		if tld := labels[len(labels)-1]; tld[0] >= '0' && tld[0] <= '9' {
			t.Fatalf("NormalizeDomain(%q) = %q: numeric TLD (an IP address)", s, d)
		}
		if dd, err := NormalizeDomain(d); err != nil || dd != d {
			t.Fatalf("NormalizeDomain not idempotent: NormalizeDomain(%q) = %q, NormalizeDomain(that) = %q, %v", s, d, dd, err)
		}
		if dd, err := NormalizeDomain(strings.ToUpper(d) + "."); err != nil || dd != d {
			t.Fatalf("NormalizeDomain(%q) = %q but NormalizeDomain(upper + \".\") = %q, %v", s, d, dd, err)
		}
		// No non-ASCII character became ASCII: each label of the input
		// comes out unchanged but for ASCII case, or as punycode.
		in := strings.Split(strings.TrimSuffix(s, "."), ".")
		if len(in) != len(labels) {
			t.Fatalf("NormalizeDomain(%q) = %q: %d labels in, %d out", s, d, len(in), len(labels))
		}
		for i := range in {
			if asciiOnly(in[i]) && strings.ToLower(in[i]) != labels[i] && !strings.HasPrefix(labels[i], "xn--") ||
				!asciiOnly(in[i]) && !strings.HasPrefix(labels[i], "xn--") {
				t.Fatalf("NormalizeDomain(%q) = %q: label %q became %q", s, d, in[i], labels[i])
			}
		}
	})
}

// maxCursorKeyLen is the longest key whose cursor DecodeCursor accepts: the
// unpadded base64 of 384 bytes is exactly 512 characters.
const maxCursorKeyLen = 384

func FuzzCursor(f *testing.F) {
	for _, s := range []string{"", "org_01JD3X6Q0K8Z6T2W4M9H5B7C1E", "user-1", "QQ", "!!", strings.Repeat("A", 513)} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, key, cursor string) {
		// Round trip: every non-empty text key of at most 384 bytes.
		enc := EncodeCursor(key)
		if strings.ContainsAny(enc, "+/=") {
			t.Fatalf("EncodeCursor(%q) = %q: not unpadded URL-safe base64", key, enc)
		}
		if key != "" && noControl(key) {
			dec, err := DecodeCursor(enc)
			switch {
			case len(key) <= maxCursorKeyLen && (err != nil || dec != key):
				t.Fatalf("DecodeCursor(EncodeCursor(%q)) = %q, %v; want the key back", key, dec, err)
			case len(key) > maxCursorKeyLen && err == nil:
				t.Fatalf("DecodeCursor accepted the %d-character cursor of a %d-byte key", len(enc), len(key))
			}
		}

		// Arbitrary input.
		k, err := DecodeCursor(cursor)
		if err != nil {
			if k != "" {
				t.Fatalf("DecodeCursor(%q) returned %q with error %v", cursor, k, err)
			}
			expectInvalid(t, fmt.Sprintf("DecodeCursor(%q)", cursor), err)
			return
		}
		if k == "" || !utf8.ValidString(k) || strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("DecodeCursor(%q) = %q: empty, invalid UTF-8 or ASCII control characters", cursor, k)
		}
		if !noControl(k) {
			// C1 controls (U+0080–U+009F) too, as checkText does for user IDs.
			t.Fatalf("DecodeCursor(%q) = %q: C1 control character accepted", cursor, k)
		}
		// The doc promises failure "on anything EncodeCursor could not have
		// produced", so an accepted cursor must be the canonical encoding.
		// base64 ignores CR and LF and, unless Strict, nonzero trailing bits.
		if e := EncodeCursor(k); e != cursor {
			t.Fatalf("DecodeCursor(%q) = %q, but EncodeCursor(%q) = %q: non-canonical cursor accepted", cursor, k, k, e)
		}
	})
}

func FuzzPage(f *testing.F) {
	c := EncodeCursor("org_01JD3X6Q0K8Z6T2W4M9H5B7C1E")
	f.Add(0, "", "", uint16(0))
	f.Add(1, c, "", uint16(5))
	f.Add(100, "", c, uint16(200))
	f.Add(101, c, c, uint16(0))
	f.Add(-1, "!", "", uint16(1))
	f.Fuzz(func(t *testing.T, limit int, after, before string, n uint16) {
		p := Page{Limit: limit, After: after, Before: before}
		r, err := p.toRange()

		_, aerr := DecodeCursor(after)
		_, berr := DecodeCursor(before)
		want := limit >= 0 && limit <= MaxPageLimit &&
			!(after != "" && before != "") &&
			(after == "" || aerr == nil) && (before == "" || berr == nil)
		if (err == nil) != want {
			t.Fatalf("%+v.toRange() error = %v, want success %v", p, err, want)
		}
		if err != nil {
			expectInvalid(t, fmt.Sprintf("%+v.toRange()", p), err)
			var ve *ValidationError
			errors.As(err, &ve)
			for _, fe := range ve.Fields {
				if fe.Field != "limit" && fe.Field != "after" && fe.Field != "before" {
					t.Fatalf("%+v.toRange(): unexpected field %q", p, fe.Field)
				}
			}
			if r != (Range{}) {
				t.Fatalf("%+v.toRange() returned %+v with error", p, r)
			}
			return
		}
		if size := r.MaxRows - 1; size < 1 || size > MaxPageLimit {
			t.Fatalf("%+v.toRange() = %+v: page size %d out of 1–%d", p, r, size, MaxPageLimit)
		}
		if limit == 0 && r.MaxRows != DefaultPageLimit+1 || limit != 0 && r.MaxRows != limit+1 {
			t.Fatalf("%+v.toRange() = %+v: wrong Limit", p, r)
		}
		if after != "" {
			if k, _ := DecodeCursor(after); r.After != k || k == "" {
				t.Fatalf("%+v.toRange() = %+v: After not the decoded cursor %q", p, r, k)
			}
		} else if r.After != "" {
			t.Fatalf("%+v.toRange() = %+v: After set from an empty cursor", p, r)
		}
		if before != "" {
			if k, _ := DecodeCursor(before); r.Before != k || k == "" {
				t.Fatalf("%+v.toRange() = %+v: Before not the decoded cursor %q", p, r, k)
			}
		} else if r.Before != "" {
			t.Fatalf("%+v.toRange() = %+v: Before set from an empty cursor", p, r)
		}

		// paginate on what a Store may return for r: 0..r.MaxRows items.
		count := int(n) % (r.MaxRows + 1)
		items := make([]string, count)
		for i := range items {
			items[i] = fmt.Sprintf("k%05d", i)
		}
		l := paginate(items, r, func(s string) string { return s })
		size := r.MaxRows - 1
		backward := r.Before != ""
		if l.Data == nil || len(l.Data) != min(count, size) || l.HasMore != (count > size) {
			t.Fatalf("paginate(%d items, %+v): %d items, HasMore %v", count, r, len(l.Data), l.HasMore)
		}
		wantData := items[:len(l.Data)]
		if backward {
			wantData = items[count-len(l.Data):]
		}
		for i := range wantData {
			if l.Data[i] != wantData[i] {
				t.Fatalf("paginate(%d items, %+v): Data %v, want %v", count, r, l.Data, wantData)
			}
		}
		cursorFor := func(name, cur, wantKey string, wantSet bool) {
			t.Helper()
			if (cur != "") != wantSet {
				t.Fatalf("paginate(%d items, %+v): %s = %q, want set %v", count, r, name, cur, wantSet)
			}
			if cur == "" {
				return
			}
			if k, err := DecodeCursor(cur); err != nil || k != wantKey {
				t.Fatalf("paginate(%d items, %+v): %s decodes to %q, %v; want %q", count, r, name, k, err, wantKey)
			}
		}
		if len(l.Data) == 0 {
			cursorFor("NextCursor", l.NextCursor, "", false)
			cursorFor("PreviousCursor", l.PreviousCursor, "", false)
			return
		}
		first, last := l.Data[0], l.Data[len(l.Data)-1]
		if backward {
			cursorFor("NextCursor", l.NextCursor, last, true)
			cursorFor("PreviousCursor", l.PreviousCursor, first, l.HasMore)
		} else {
			cursorFor("NextCursor", l.NextCursor, last, l.HasMore)
			cursorFor("PreviousCursor", l.PreviousCursor, first, r.After != "")
		}
	})
}

// decodePairs splits fuzz input into metadata pairs: a sequence of
// length-prefixed strings (one length byte, or two when the first has its
// high bit set), taken two at a time as key and value.
func decodePairs(data []byte) map[string]string {
	m := map[string]string{}
	var cur []string
	for len(data) > 0 {
		n := int(data[0])
		data = data[1:]
		if n >= 0x80 && len(data) > 0 {
			n = (n&0x7f)<<8 | int(data[0])
			data = data[1:]
		}
		n = min(n, len(data))
		cur = append(cur, string(data[:n]))
		data = data[n:]
		if len(cur) == 2 {
			m[cur[0]] = cur[1]
			cur = cur[:0]
		}
	}
	if len(cur) == 1 {
		m[cur[0]] = ""
	}
	return m
}

// encodePairs is the inverse of decodePairs, for seeds.
func encodePairs(kv ...string) []byte {
	var b []byte
	for _, s := range kv {
		if len(s) < 0x80 {
			b = append(b, byte(len(s)))
		} else {
			b = append(b, byte(0x80|len(s)>>8), byte(len(s)))
		}
		b = append(b, s...)
	}
	return b
}

func FuzzMetadata(f *testing.F) {
	f.Add(encodePairs(), uint8(0))
	f.Add(encodePairs("plan", "pro", "seats", "10"), uint8(0))
	f.Add(encodePairs("", "x"), uint8(0))
	f.Add(encodePairs("k\x00", "v"), uint8(0))
	f.Add(encodePairs("k", "line1\nline2\ttab"), uint8(0))
	f.Add(encodePairs("k", strings.Repeat("é", 601)), uint8(0))
	f.Add(encodePairs("k", "v"), uint8(49))
	f.Fuzz(func(t *testing.T, data []byte, filler uint8) {
		m := decodePairs(data)
		// filler adds up to 63 plain keys so the key-count limit is crossed.
		for i := 0; i < int(filler%64); i++ {
			m[fmt.Sprintf("filler%02d", i)] = "v"
		}
		lim := DefaultMetadataLimits
		err := validateMetadata(m, lim)

		want := len(m) <= lim.MaxKeys
		for k, v := range m {
			if k == "" || utf8.RuneCountInString(k) > lim.MaxKeyLen || !isText(k, false) ||
				utf8.RuneCountInString(v) > lim.MaxValueLen || !isText(v, true) {
				want = false
			}
		}
		if (err == nil) != want {
			t.Fatalf("validateMetadata(%q) = %v, want success %v", m, err, want)
		}
		if err != nil {
			expectInvalid(t, "validateMetadata", err)
			return
		}
		for k, v := range m {
			if strings.ContainsRune(k, 0) || strings.ContainsRune(v, 0) {
				t.Fatalf("validateMetadata accepted NUL in %q: %q", k, v)
			}
		}
	})
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "Acme", " Acme", "Acme\n", "a\x00b", "\xff", "\u200b", strings.Repeat("é", 101)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ml := range []bool{false, true} {
			err := checkText(s, ml)
			if (err == nil) != isText(s, ml) {
				t.Fatalf("checkText(%q, %v) = %v, want success %v", s, ml, err, isText(s, ml))
			}
			if err != nil {
				expectInvalid(t, "checkText", err)
			} else if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
				t.Fatalf("checkText(%q, %v) accepted NUL or invalid UTF-8", s, ml)
			}

			err = validateText(s, maxDescriptionLen, ml)
			want := isText(s, ml) && utf8.RuneCountInString(s) <= maxDescriptionLen
			if (err == nil) != want {
				t.Fatalf("validateText(%q, %v) = %v, want success %v", s, ml, err, want)
			}
			if err != nil {
				expectInvalid(t, "validateText", err)
			}
		}

		err := validateName(s, maxNameLen)
		want := isName(s)
		if (err == nil) != want {
			t.Fatalf("validateName(%q) = %v, want success %v", s, err, want)
		}
		if err != nil {
			expectInvalid(t, "validateName", err)
		}

		err = validateUserID(s)
		want = s != "" && len(s) <= maxUserIDLen && isText(s, false)
		if (err == nil) != want {
			t.Fatalf("validateUserID(%q) = %v, want success %v", s, err, want)
		}
		if err != nil {
			expectInvalid(t, "validateUserID", err)
		}
	})
}

// isName is validateName's rule: text, 1–maxNameLen characters, not
// starting or ending with a space or an invisible character (a variation
// selector may end it), and no
// invisible character inside but ZWNJ, ZWJ and variation selectors.
func isName(s string) bool {
	if !isText(s, false) || s == "" || utf8.RuneCountInString(s) > maxNameLen {
		return false
	}
	invisible := func(r rune) bool {
		return unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
	}
	rs := []rune(s)
	first, last := rs[0], rs[len(rs)-1]
	if unicode.IsSpace(first) || invisible(first) ||
		unicode.IsSpace(last) || invisible(last) && !unicode.Is(unicode.Variation_Selector, last) {
		return false
	}
	for _, r := range rs {
		if invisible(r) && r != 0x200C && r != 0x200D && !unicode.Is(unicode.Variation_Selector, r) {
			return false
		}
	}
	return true
}

func FuzzURL(f *testing.F) {
	for _, s := range []string{"", "https://example.com", "http://example.com/a?b#c", "ftp://example.com", "//example.com", "https://", "https://exa mple.com", "javascript:alert(1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := validateURL(s)
		if err != nil {
			expectInvalid(t, fmt.Sprintf("validateURL(%q)", s), err)
			return
		}
		if s == "" {
			return
		}
		if !isText(s, false) || len(s) > maxURLLen || strings.Contains(s, " ") {
			t.Fatalf("validateURL accepted %q: control characters, spaces or too long", s)
		}
		u, perr := url.Parse(s)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("validateURL accepted %q: parse %v, scheme %q, host %q", s, perr, u.Scheme, u.Host)
		}
		if !strings.HasPrefix(strings.ToLower(s), u.Scheme+"://") {
			t.Fatalf("validateURL accepted %q: does not start with %s://", s, u.Scheme)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"", "+1 555 0100", "(555) 010-0100", "1234", "+12345678901234567", "++12345", "12+345", "٠١٢٣٤٥"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := validatePhone(s)
		want := true
		if s != "" {
			digits := 0
			for i := 0; i < len(s); i++ {
				switch c := s[i]; {
				case c >= '0' && c <= '9':
					digits++
				case c == '+' && i == 0, strings.IndexByte(" -.()", c) >= 0:
				default:
					want = false
				}
			}
			want = want && digits >= 5 && digits <= 15 && len(s) <= 32
		}
		if (err == nil) != want {
			t.Fatalf("validatePhone(%q) = %v, want success %v", s, err, want)
		}
		if err != nil {
			expectInvalid(t, fmt.Sprintf("validatePhone(%q)", s), err)
		}
	})
}
