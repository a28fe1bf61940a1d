package orgs

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
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
// characters, at least one visible character, no surrounding space or
// invisible character, and no invisible format character but the two
// joiners some scripts and emoji need (see isInvisible): a name cannot be
// made of, or made distinct by, characters a reader does not see.
func validateName(s string, max int) error {
	if err := checkText(s, false); err != nil {
		return err
	}
	n := utf8.RuneCountInString(s)
	blank := func(r rune) bool { return unicode.IsSpace(r) || isInvisible(r) }
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	switch {
	case strings.TrimFunc(s, blank) == "":
		return invalid("", "is required")
	case n > max:
		return invalid("", fmt.Sprintf("must be at most %d characters", max))
	case blank(first) || blank(last) && !unicode.Is(unicode.Variation_Selector, last):
		// A variation selector styles the character before it ("⚠️").
		return invalid("", "must not start or end with space or an invisible character")
	}
	for _, r := range s {
		if isInvisible(r) && !isJoiner(r) {
			return invalid("", "contains an invisible character")
		}
	}
	return nil
}

// isInvisible reports the characters that draw nothing: format characters
// (Unicode category Cf: zero-width space, joiners, word joiner, byte order
// mark, soft hyphen, direction marks…), variation selectors and the other
// default-ignorable code points.
func isInvisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// isJoiner reports the invisible characters a name may contain between
// visible ones: ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER (needed in
// Persian, the Indic scripts and emoji sequences) and variation selectors
// (emoji presentation). NameKey ignores them.
func isJoiner(r rune) bool {
	return r == 0x200C || r == 0x200D || unicode.Is(unicode.Variation_Selector, r)
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

// Slugify derives a slug from a name: Latin letters transliterated to ASCII
// ("Müller GmbH" → "muller-gmbh", "Ærø Shipping" → "aero-shipping": letters
// are decomposed and their accents dropped, and letters that do not
// decompose, such as æ, ø, ß and ł, are spelled out), then lower-case ASCII
// letters and digits, everything else collapsed into single hyphens, cut to
// 63 characters. The result may be shorter than 3 characters (or empty) for
// short or non-Latin names; the Service then appends a random suffix.
//
// Slugify only proposes a slug. A slug a caller gives is never transliterated
// or case-folded beyond ASCII: it must already be ASCII (see ValidSlug).
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	add := func(r rune) bool { // false: the slug is full
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
			fallthrough
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			sep := hyphen && b.Len() > 0
			if sep && b.Len()+2 > maxSlugLen || b.Len()+1 > maxSlugLen {
				return false
			}
			if sep {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// an accent left by decomposition: dropped
		default:
			hyphen = true
		}
		return true
	}
	for _, r := range norm.NFKD.String(name) {
		if t, ok := transliterations[r]; ok {
			for _, tr := range t {
				if !add(tr) {
					return b.String()
				}
			}
			continue
		}
		if !add(r) {
			return b.String()
		}
	}
	return b.String()
}

// transliterations spells out the Latin letters that Unicode decomposition
// leaves alone.
var transliterations = map[rune]string{
	'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o", 'ß': "ss", 'ẞ': "ss", 'ł': "l", 'Ł': "l",
	'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'œ': "oe", 'Œ': "oe",
	'ı': "i", 'ĸ': "k", 'ŋ': "n", 'Ŋ': "n", 'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t",
	'ſ': "s", 'ƒ': "f", 'ɐ': "a", 'ə': "e", 'Ə': "e",
}

// normalizeSlug validates a slug or handle a caller gave and returns it
// lower-cased. Anything but ASCII is refused before any case change, so that
// no Unicode case mapping can turn a different input into an existing slug
// (strings.ToLower maps U+212A KELVIN SIGN to "k" and U+0130 to "i").
func normalizeSlug(s string) (string, bool) {
	if !isASCII(s) {
		return "", false
	}
	s = asciiLower(s)
	return s, ValidSlug(s)
}

// validateSlug checks an explicit slug or handle and returns it lower-cased
// (ASCII only, see normalizeSlug).
func validateSlug(s string, reserved map[string]bool) (string, error) {
	n, ok := normalizeSlug(s)
	if !ok {
		return "", invalid("", "must be 3–63 lower-case ASCII letters, digits and single hyphens")
	}
	if reserved[n] {
		return "", invalid("", "is reserved")
	}
	return n, nil
}

// isASCII reports whether s has only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiLower lower-cases the ASCII letters of s and keeps every other byte:
// the only case folding the Service applies to identifiers (slugs, handles,
// emails, domains), because it never makes two different non-ASCII inputs,
// or a non-ASCII and an ASCII one, equal.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// NormalizeEmail validates an email address and returns its one normal
// form, the form every comparison of emails uses (invitations, acceptance,
// the store's directory, member search): a bare address ("a@example.com",
// not "A <a@example.com>") whose local part is ASCII, lower-cased for ASCII
// letters only, and whose domain is normalized by NormalizeDomain (an
// internationalized domain becomes punycode).
//
// Addresses with a non-ASCII local part (RFC 6531) are refused, not folded:
// Unicode case mapping and normalization make different addresses equal
// (U+212A KELVIN SIGN lower-cases to "k", U+017F LONG S folds to "s", and
// full-width and Cyrillic letters look like Latin ones), and the address an
// invitation names must be the address that accepts it.
func NormalizeEmail(s string) (string, error) {
	bad := invalid("", "must be an email address")
	if err := checkText(s, false); err != nil {
		return "", err
	}
	if s == "" || len(s) > maxEmailLen {
		return "", bad
	}
	for _, r := range s {
		if r == ' ' || !unicode.IsPrint(r) {
			return "", bad
		}
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", bad
	}
	if !isASCII(s[:at]) {
		return "", invalid("", "must be an email address whose part before the @ is ASCII")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", bad
	}
	domain, err := NormalizeDomain(s[at+1:])
	if err != nil {
		return "", bad
	}
	out := asciiLower(s[:at]) + "@" + domain
	if len(out) > maxEmailLen { // punycode is longer than the Unicode it encodes
		return "", bad
	}
	return out, nil
}

// idnaProfile converts internationalized domain names for NormalizeDomain:
// IDNA2008 as for registration, with no mapping (so an input that would need
// case folding or width mapping is refused, not folded), the bidi and joiner
// rules, and STD3 characters only.
var idnaProfile = idna.New(idna.ValidateForRegistration(), idna.StrictDomainName(true),
	idna.BidiRule(), idna.CheckJoiners(true), idna.CheckHyphens(false))

// NormalizeDomain validates a DNS domain name (at least two labels, each of
// letters, digits and inner hyphens, 1–63 characters, 253 in all) and returns
// it lower-cased without a trailing dot. An internationalized name is
// accepted and returned as punycode ("Bücher.Example" →
// "xn--bcher-kva.example"), and punycode labels must decode to valid ones.
//
// Only ASCII letters are lower-cased. A non-ASCII letter is never mapped to
// another: one that IDNA would need to fold or map first (an upper-case "Ü",
// a full-width "ｅ", U+212A KELVIN SIGN) is refused, so that two different
// inputs never name the same domain.
func NormalizeDomain(s string) (string, error) {
	bad := invalid("", "must be a domain name such as example.com")
	if !utf8.ValidString(s) || len(s) > 4*253 {
		return "", bad
	}
	d := strings.TrimSuffix(asciiLower(s), ".")
	if d == "" {
		return "", bad
	}
	in := strings.Split(d, ".")
	if !isASCII(d) || strings.HasPrefix(d, "xn--") || strings.Contains(d, ".xn--") {
		a, err := idnaProfile.ToASCII(d)
		if err != nil {
			return "", bad
		}
		out := strings.Split(a, ".")
		if len(out) != len(in) {
			return "", bad
		}
		for i := range in {
			// Each ASCII label comes out as it went in, and each non-ASCII one
			// as punycode: no non-ASCII character turned into ASCII.
			if isASCII(in[i]) && out[i] != in[i] || !isASCII(in[i]) && !strings.HasPrefix(out[i], "xn--") {
				return "", bad
			}
		}
		d, in = a, out
	}
	if len(d) > 253 || len(in) < 2 {
		return "", bad
	}
	for _, l := range in {
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
	if tld := in[len(in)-1]; tld[0] >= '0' && tld[0] <= '9' {
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

// NameKey is the key by which names that must be unique case-insensitively
// are compared (category names; stores index it). ASCII letters are
// lower-cased; another letter is lower-cased only when its lower case is not
// ASCII, so "Ärzte" and "ärzte" are one name while U+212A KELVIN SIGN never
// equals "k" nor U+0130 "i"; and the joiners and variation selectors a name
// may contain (ZWJ, ZWNJ) are left out, so they cannot make a name distinct.
func NameKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
		case isJoiner(r):
			continue
		default:
			if l := unicode.ToLower(r); l >= utf8.RuneSelf {
				r = l
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}
