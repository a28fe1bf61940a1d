package webhooks

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestNewSecret(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if a.Equal(b) {
		t.Fatal("two NewSecret calls returned the same key")
	}
	if len(a.key) != NewSecretBytes {
		t.Fatalf("key is %d bytes, want %d", len(a.key), NewSecretBytes)
	}
	enc := a.Encoded()
	if !strings.HasPrefix(enc, "whsec_") {
		t.Fatalf("Encoded() = %q, want the whsec_ prefix", enc)
	}
	back, err := ParseSecret(enc)
	if err != nil {
		t.Fatalf("ParseSecret(Encoded()): %v", err)
	}
	if !back.Equal(a) {
		t.Fatal("ParseSecret(Encoded()) is another key")
	}
	if back.Equal(b) {
		t.Fatal("Equal says two different keys are equal") // control for the check above
	}
}

func TestParseSecret(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	for _, s := range []string{
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // the spec libraries' test secret, 24 bytes
		"whsec_" + b64(24),
		"whsec_" + b64(25), // padding
		"whsec_" + b64(64),
	} {
		if _, err := ParseSecret(s); err != nil {
			t.Errorf("ParseSecret(%q): %v", s, err)
		}
	}
	for name, s := range map[string]string{
		"empty":               "",
		"prefix only":         "whsec_",
		"no prefix":           "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"other prefix":        "whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"upper-case prefix":   "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"23 bytes":            "whsec_" + b64(23),
		"65 bytes":            "whsec_" + b64(65),
		"missing padding":     "whsec_" + strings.TrimRight(b64(25), "="),
		"URL-safe alphabet":   "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS-",
		"trailing newline":    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
		"inner newline":       "whsec_MfKQ9r8GKYqrTwjU\nPD8ILPZIo2LaLaSw",
		"leading space":       " whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"space in key":        "whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw",
		"non-zero pad bits":   "whsec_" + b64(25)[:len(b64(25))-3] + "B==",
		"not base64 at all":   "whsec_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
		"two prefixes":        "whsec_whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"asymmetric public":   "whpk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"non-ASCII in base64": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSé",
	} {
		_, err := ParseSecret(s)
		var se *SecretError
		if !errors.As(err, &se) || !errors.Is(err, ErrMalformedSecret) {
			t.Errorf("%s: ParseSecret(%q) = %v, want a *SecretError matching ErrMalformedSecret", name, s, err)
			continue
		}
		if strings.Contains(err.Error(), "MfKQ9r8G") {
			t.Errorf("%s: the error %q shows the secret", name, err)
		}
	}
}

// A Secret printed, logged or marshaled by accident shows no key.
func TestSecretRedacted(t *testing.T) {
	sec := MustParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	ep := Endpoint{ID: "ep_1", URL: "https://example.com", Secrets: []Secret{sec}}
	j, err := json.Marshal(ep)
	if err != nil {
		t.Fatal(err)
	}
	hexKey := fmt.Sprintf("%x", sec.key)
	decKey := fmt.Sprint(sec.key)[1:12] // "49 242 ..."
	outputs := []string{
		fmt.Sprint(sec), fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%X|%d", sec, sec, sec, sec, sec, sec, sec, sec),
		fmt.Sprintf("%v|%+v|%#v", ep, ep, ep), string(j),
	}
	leaks := func(s string) bool {
		return strings.Contains(s, "MfKQ9r8G") || strings.Contains(strings.ToLower(s), hexKey[:16]) || strings.Contains(s, decKey)
	}
	for _, out := range outputs {
		if leaks(out) {
			t.Errorf("the key leaks in %q", out)
		}
	}
	// Control: the same search finds the key where it is meant to be.
	if !leaks(sec.Encoded()) || !leaks(fmt.Sprintf("%x", sec.key)) || !leaks(fmt.Sprint(sec.key)) {
		t.Fatal("the leak check finds nothing even in the encoded key: it cannot fail")
	}
}
