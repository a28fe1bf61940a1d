package ui

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Cookie names. Every cookie of the UI is HttpOnly, SameSite=Lax, scoped to
// the mount path (or below) and short-lived.
const (
	flashCookie      = "orgs_flash"      // one message for the next page, sealed
	invitationCookie = "orgs_invitation" // the token of the invitation being answered
	demoCookie       = "orgs_demo_user"  // DemoSignIn only: the signed-in user ID
	flashMaxAge      = 5 * time.Minute
	invitationMaxAge = time.Hour
)

// sealer encrypts and authenticates cookie values with AES-GCM.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errors.New("ui: Options.CookieKey must be 16, 24 or 32 bytes")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(name string, plain []byte) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(name)))
}

func (s *sealer) open(name, value string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(b) < s.aead.NonceSize() {
		return nil, false
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(name))
	return plain, err == nil
}

// flash is a message for the page after a redirect: a message key with its
// arguments, and, after inviting, the invitation link to copy, or after
// creating a webhook endpoint or rotating its secret, the secret (each
// shown once).
type flash struct {
	Kind string   `json:"k"` // "success" or "error"
	Key  string   `json:"m"`
	Args []string `json:"a,omitempty"`
	Link string   `json:"l,omitempty"`
	// Secret is a webhook endpoint's new signing secret, shown once after
	// creating the endpoint or rotating its secret.
	Secret string `json:"s,omitempty"`
}

func (h *Handler) cookie(r *http.Request, name, value, path string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || h.opts.SecureCookies,
	}
	if maxAge < 0 {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(maxAge / time.Second)
	}
	return c
}

func (h *Handler) cookiePath(r *http.Request) string { return h.base(r) + "/" }

func (h *Handler) setFlash(w http.ResponseWriter, r *http.Request, f flash) {
	b, _ := json.Marshal(f)
	http.SetCookie(w, h.cookie(r, flashCookie, h.sealer.seal(flashCookie, b), h.cookiePath(r), flashMaxAge))
}

// takeFlash reads and clears the flash cookie.
func (h *Handler) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, h.cookie(r, flashCookie, "", h.cookiePath(r), -1))
	b, ok := h.sealer.open(flashCookie, c.Value)
	if !ok {
		return nil
	}
	var f flash
	if json.Unmarshal(b, &f) != nil {
		return nil
	}
	if _, known := h.msg[f.Key]; !known {
		return nil
	}
	return &f
}
