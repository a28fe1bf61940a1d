package orgs

import "testing"

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
