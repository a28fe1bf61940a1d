package webhooks

import (
	"io"
	"strings"
	"unicode/utf8"
)

// DefaultExcerptBytes is how much of a response body Sender keeps when
// Sender.ExcerptBytes is zero.
const DefaultExcerptBytes = 1024

// ReadExcerpt reads at most n bytes from r and returns them as valid UTF-8
// of at most n bytes: a rune cut at the end is dropped, invalid bytes and
// NUL (which Postgres text columns refuse) become U+FFFD. It reads nothing
// more, so a huge or endless body costs n bytes. The error is r's, if any,
// other than io.EOF; the excerpt holds what was read before it.
func ReadExcerpt(r io.Reader, n int) (string, error) {
	if n <= 0 {
		return "", nil
	}
	buf := make([]byte, n)
	m, err := io.ReadFull(r, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	b := buf[:m]
	if m == n {
		// More may follow: drop a last rune the limit cut in two.
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	// Replacements can be longer than the bytes they replace.
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s, err
}
