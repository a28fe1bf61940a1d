package orgs

import (
	"strings"
	"testing"
)

func TestValidateNameInvisibleCharacters(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"Acme", true},
		{"👨‍👩‍👧 Family", true},       // zero-width joiners inside an emoji stay legal
		{"عربي Acme", true},          // right-to-left script is fine
		{"Acme\u202Egnp.exe", false}, // RIGHT-TO-LEFT OVERRIDE disguises text
		{"Acme\u2066x\u2069", false}, // bidi isolates
		{"line\u2028break", false},   // LINE SEPARATOR in a one-line field
		{"Acme\x00", false},
	} {
		err := validateName(tc.name, maxNameLen)
		if (err == nil) != tc.ok {
			t.Errorf("validateName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// confusables are non-ASCII characters that Unicode case mapping or
// folding, or the eye, takes for ASCII letters.
var confusables = []struct{ name, char, ascii string }{
	{"KELVIN SIGN", "\u212A", "k"},
	{"LATIN CAPITAL I WITH DOT ABOVE", "\u0130", "i"},
	{"LATIN SMALL LONG S", "\u017F", "s"},
	{"FULLWIDTH SMALL K", "\uFF4B", "k"},
	{"FULLWIDTH CAPITAL K", "\uFF2B", "k"},
	{"CYRILLIC SMALL A", "\u0430", "a"},
	{"CYRILLIC SMALL IE", "\u0435", "e"},
	{"CYRILLIC SMALL O", "\u043E", "o"},
	{"GREEK CAPITAL KAPPA", "\u039A", "k"},
}

// TestNoFoldToASCII proves the class of issue 15: no normalization turns a
// non-ASCII character into ASCII or makes a confusable input equal to the
// ASCII one. Each identifier is tried with one ASCII letter replaced by a
// look-alike: it must be refused, or normalize to something else.
func TestNoFoldToASCII(t *testing.T) {
	for _, c := range confusables {
		t.Run(c.name, func(t *testing.T) {
			// Slugs and handles: refused outright (ASCII only).
			slug := c.char + "elvin"
			if n, err := validateSlug(slug, nil); err == nil {
				t.Errorf("validateSlug(%q) = %q, want refused", slug, n)
			}
			if n, ok := normalizeSlug(c.char + "nfo"); ok {
				t.Errorf("normalizeSlug(%q) = %q, want refused", c.char+"nfo", n)
			}
			// Emails: the local part must be ASCII.
			email := c.char + "ate@example.com"
			if n, err := NormalizeEmail(email); err == nil {
				t.Errorf("NormalizeEmail(%q) = %q, want refused", email, n)
			}
			// Domains: refused, or punycode distinct from the ASCII name.
			domain := c.char + "example.com"
			ascii := c.ascii + "example.com"
			if n, err := NormalizeDomain(domain); err == nil && (n == ascii || !strings.HasPrefix(n, "xn--")) {
				t.Errorf("NormalizeDomain(%q) = %q, want refused or punycode", domain, n)
			}
			if n, err := NormalizeEmail("kate@" + domain); err == nil && n == "kate@"+ascii {
				t.Errorf("NormalizeEmail(kate@%q) = %q: equals the ASCII address", domain, n)
			}
			// Category names: distinct keys.
			if NameKey(c.char+"ey") == NameKey(c.ascii+"ey") {
				t.Errorf("NameKey(%q) == NameKey(%q)", c.char+"ey", c.ascii+"ey")
			}
		})
	}
	// Negative control: the ASCII spellings are accepted and equal as the
	// design says (ASCII case only).
	if n, err := NormalizeEmail("KATE@Example.COM"); err != nil || n != "kate@example.com" {
		t.Errorf("NormalizeEmail(KATE@Example.COM) = %q, %v", n, err)
	}
	if n, err := validateSlug("Kelvin", nil); err != nil || n != "kelvin" {
		t.Errorf("validateSlug(Kelvin) = %q, %v", n, err)
	}
	if NameKey("Finance") != NameKey("FINANCE") || NameKey("Ärzte") != NameKey("ärzte") {
		t.Error("NameKey is not case-insensitive")
	}
}

func TestInvisibleCharactersInNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"\u200B", false},        // ZERO WIDTH SPACE alone
		{"\u200D", false},        // a joiner alone
		{"Finance\u200B", false}, // trailing invisible
		{"\uFEFFAcme", false},    // leading BOM
		{"Fin\u200Bance", false}, // zero-width space inside
		{"Fin\u00ADance", false}, // SOFT HYPHEN
		{"Fin\u2060ance", false}, // WORD JOINER
		{"Fin\u200Eance", false}, // LEFT-TO-RIGHT MARK
		{"\u3164", false},        // HANGUL FILLER
		{"می\u200Cخواهم", true},  // ZWNJ in Persian
		{"👍\uFE0F Team", true},   // emoji presentation selector
	} {
		err := validateName(tc.name, maxNameLen)
		if (err == nil) != tc.ok {
			t.Errorf("validateName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	// The joiners a name may hold do not make it distinct.
	if NameKey("Fin\u200Dance") != NameKey("Finance") || NameKey("Fin\u200Cance") != NameKey("finance") {
		t.Error("joiners make a category name distinct")
	}
}

func TestSlugifyTransliterates(t *testing.T) {
	for in, want := range map[string]string{
		"Müller GmbH":       "muller-gmbh",
		"Café Ltd":          "cafe-ltd",
		"Ærø Shipping":      "aero-shipping",
		"Straße & Söhne":    "strasse-sohne",
		"Łódź Works":        "lodz-works",
		"Þórr Œuvre":        "thorr-oeuvre",
		"ＡＣＭＥ":              "acme",
		"東京":                "",
		"  --Acme--  ":      "acme",
		"Crème Brûlée 2026": "creme-brulee-2026",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeDomainInternational(t *testing.T) {
	for in, want := range map[string]string{
		"Bücher.Example":        "xn--bcher-kva.example",
		"bücher.example.":       "xn--bcher-kva.example",
		"xn--bcher-kva.EXAMPLE": "xn--bcher-kva.example",
		"пример.рф":             "xn--e1afmkfd.xn--p1ai",
		"faß.de":                "xn--fa-hia.de",
		"Example.COM":           "example.com",
	} {
		if got, err := NormalizeDomain(in); err != nil || got != want {
			t.Errorf("NormalizeDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"BÜCHER.example", // needs a Unicode case mapping: refused, not folded
		"ｅxample.com",    // full-width
		"example．com",    // full-width dot
		"xn--abc.com",    // punycode that decodes to nothing valid
		"ex\u200Dample.com",
	} {
		if got, err := NormalizeDomain(in); err == nil {
			t.Errorf("NormalizeDomain(%q) = %q, want refused", in, got)
		}
	}
	if got, err := NormalizeEmail("Kate@Bücher.Example"); err != nil || got != "kate@xn--bcher-kva.example" {
		t.Errorf("NormalizeEmail(Kate@Bücher.Example) = %q, %v", got, err)
	}
}
