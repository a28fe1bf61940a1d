package orgs

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field bounds.
const (
	maxNameLen        = 100
	maxDescriptionLen = 2000
	maxURLLen         = 2048
	maxEmailLen       = 254
	maxExternalIDLen  = 64
	maxDomains        = 20
	maxUserIDLen      = 128
	minSlugLen        = 3
	maxSlugLen        = 63
)

// MetadataLimits bounds an organization's metadata.
type MetadataLimits struct {
	MaxKeys     int // number of keys
	MaxKeyLen   int // characters per key
	MaxValueLen int // characters per value
}

// DefaultMetadataLimits: at most 50 keys, keys of at most 40 characters,
// values of at most 600.
var DefaultMetadataLimits = MetadataLimits{MaxKeys: 50, MaxKeyLen: 40, MaxValueLen: 600}

// checkText rejects invalid UTF-8 and control characters (newlines and tabs
// too, unless multiline).
func checkText(s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return invalid("", "is not valid UTF-8")
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError || isBidiOrSeparator(r) {
			return invalid("", "contains control characters")
		}
	}
	return nil
}

// isBidiOrSeparator reports the invisible characters that can disguise text
// (bidirectional embeddings, overrides and isolates, which reorder what a
// reader sees) and the Unicode line and paragraph separators.
func isBidiOrSeparator(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x2028 || r == 0x2029
}

// validateName checks a display name: 1–max characters, no control
// characters, no surrounding space.
func validateName(s string, max int) error {
	if err := checkText(s, false); err != nil {
		return err
	}
	n := utf8.RuneCountInString(s)
	switch {
	case strings.TrimSpace(s) == "":
		return invalid("", "is required")
	case n > max:
		return invalid("", fmt.Sprintf("must be at most %d characters", max))
	case strings.TrimSpace(s) != s:
		return invalid("", "must not start or end with space")
	}
	return nil
}

// validateText checks optional free text of at most max characters.
func validateText(s string, max int, multiline bool) error {
	if err := checkText(s, multiline); err != nil {
		return err
	}
	if utf8.RuneCountInString(s) > max {
		return invalid("", fmt.Sprintf("must be at most %d characters", max))
	}
	return nil
}

// ValidSlug reports whether s is a well-formed slug: 3–63 characters of
// lower-case letters, digits and single hyphens, starting and ending with a
// letter or digit. Handles follow the same rule.
func ValidSlug(s string) bool {
	if len(s) < minSlugLen || len(s) > maxSlugLen || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// Slugify derives a slug from a name: lower-case ASCII letters and digits,
// everything else collapsed into single hyphens, cut to 63 characters. The
// result may be shorter than 3 characters (or empty) for short or non-Latin
// names; the Service then appends a random suffix.
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			if b.Len() >= maxSlugLen {
				return strings.TrimRight(b.String()[:maxSlugLen], "-")
			}
		default:
			hyphen = true
		}
	}
	return b.String()
}

// validateSlug checks an explicit slug or handle, after lower-casing.
func validateSlug(s string, reserved map[string]bool) error {
	if !ValidSlug(s) {
		return invalid("", "must be 3–63 lower-case letters, digits and single hyphens")
	}
	if reserved[s] {
		return invalid("", "is reserved")
	}
	return nil
}

// NormalizeEmail validates an email address and returns it lower-cased. Only
// a bare address is accepted ("a@example.com", not "A <a@example.com>").
func NormalizeEmail(s string) (string, error) {
	if err := checkText(s, false); err != nil {
		return "", err
	}
	if s == "" || len(s) > maxEmailLen {
		return "", invalid("", "must be an email address")
	}
	for _, r := range s {
		if r == ' ' || !unicode.IsPrint(r) {
			return "", invalid("", "must be an email address")
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", invalid("", "must be an email address")
	}
	at := strings.LastIndexByte(s, '@')
	if _, err := NormalizeDomain(s[at+1:]); err != nil {
		return "", invalid("", "must be an email address")
	}
	lower := strings.ToLower(s)
	if len(lower) > maxEmailLen { // lower-casing can grow some runes
		return "", invalid("", "must be an email address")
	}
	return lower, nil
}

// NormalizeDomain validates a DNS domain name (at least two labels, each of
// letters, digits and inner hyphens, 1–63 characters, 253 in all) and returns
// it lower-cased without a trailing dot.
func NormalizeDomain(s string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(s), ".")
	bad := invalid("", "must be a domain name such as example.com")
	if d == "" || len(d) > 253 {
		return "", bad
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", bad
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", bad
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", bad
			}
		}
	}
	if tld := labels[len(labels)-1]; tld[0] >= '0' && tld[0] <= '9' {
		return "", bad // an IP address, not a domain
	}
	return d, nil
}

// validateURL checks an optional absolute http(s) URL.
func validateURL(s string) error {
	if s == "" {
		return nil
	}
	if err := checkText(s, false); err != nil {
		return err
	}
	if len(s) > maxURLLen {
		return invalid("", fmt.Sprintf("must be at most %d characters", maxURLLen))
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " ") {
		return invalid("", "must be an http or https URL")
	}
	return nil
}

// validatePhone checks an optional phone number: digits with an optional
// leading "+" and spaces, hyphens, dots or parentheses, 5–15 digits.
func validatePhone(s string) error {
	if s == "" {
		return nil
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return invalid("", "must be a phone number such as +1 555 0100")
		}
	}
	if digits < 5 || digits > 15 || len(s) > 32 {
		return invalid("", "must be a phone number such as +1 555 0100")
	}
	return nil
}

// validateUserID checks a user ID supplied by the host or a caller.
func validateUserID(s string) error {
	if s == "" {
		return invalid("", "is required")
	}
	if len(s) > maxUserIDLen {
		return invalid("", fmt.Sprintf("must be at most %d bytes", maxUserIDLen))
	}
	return checkText(s, false)
}

// validateMetadata checks metadata against the limits.
func validateMetadata(m map[string]string, lim MetadataLimits) error {
	if len(m) > lim.MaxKeys {
		return invalid("", fmt.Sprintf("must have at most %d keys", lim.MaxKeys))
	}
	for k, v := range m {
		if k == "" || utf8.RuneCountInString(k) > lim.MaxKeyLen {
			return invalid("", fmt.Sprintf("keys must be 1–%d characters", lim.MaxKeyLen))
		}
		if checkText(k, false) != nil {
			return invalid("", "keys must be text without control characters")
		}
		if utf8.RuneCountInString(v) > lim.MaxValueLen {
			return invalid("", fmt.Sprintf("values must be at most %d characters", lim.MaxValueLen))
		}
		if checkText(v, true) != nil {
			return invalid("", "values must be text without control characters")
		}
	}
	return nil
}

// nameKey is the case-insensitive comparison key of a category name.
func nameKey(s string) string { return strings.ToLower(s) }
