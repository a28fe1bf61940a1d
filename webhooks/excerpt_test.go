package webhooks

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func TestReadExcerpt(t *testing.T) {
	for _, c := range []struct {
		name, body string
		n          int
		want       string
	}{
		{"shorter than n", "ok", 10, "ok"},
		{"exactly n", "abcd", 4, "abcd"},
		{"cut to n", "abcdef", 4, "abcd"},
		{"empty", "", 4, ""},
		{"n is zero", "abc", 0, ""},
		{"two-byte rune cut in two", "aé", 2, "a"},
		{"two-byte rune whole", "aé", 3, "aé"},
		{"four-byte rune cut after 1", "a😀b", 2, "a"},
		{"four-byte rune cut after 3", "a😀b", 4, "a"},
		{"four-byte rune whole", "a😀b", 5, "a😀"},
		{"invalid bytes", "a\xffb", 10, "a\uFFFDb"},
		{"NUL", "a\x00b", 10, "a\uFFFDb"},
		{"replacement longer than the limit", "ab\xff", 3, "ab"},
		{"truncated rune at the real end", "ab\xc3", 10, "ab\uFFFD"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadExcerpt(strings.NewReader(c.body), c.n)
			if err != nil || got != c.want {
				t.Fatalf("ReadExcerpt(%q, %d) = %q, %v; want %q", c.body, c.n, got, err, c.want)
			}
		})
	}
}

// countingReader is an endless body that counts what was read of it.
type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	r.n += len(p)
	return len(p), nil
}

func TestReadExcerptReadsOnlyN(t *testing.T) {
	r := &countingReader{}
	got, err := ReadExcerpt(r, 100)
	if err != nil || got != strings.Repeat("x", 100) || r.n != 100 {
		t.Fatalf("got %d bytes, %v, read %d; want 100, nil, 100", len(got), err, r.n)
	}
}

func TestReadExcerptError(t *testing.T) {
	boom := errors.New("boom")
	got, err := ReadExcerpt(io.MultiReader(strings.NewReader("part"), iotest.ErrReader(boom)), 100)
	if !errors.Is(err, boom) || got != "part" {
		t.Fatalf("got %q, %v; want \"part\", boom", got, err)
	}
}

func FuzzReadExcerpt(f *testing.F) {
	for _, s := range []string{"", "abc", "aé", "a😀b", "\xff\xfe\xfd", "\x00\x00", "é\xc3"} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, body []byte, n int) {
		n %= 64
		got, err := ReadExcerpt(strings.NewReader(string(body)), n)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(got) || len(got) > max(n, 0) || strings.ContainsRune(got, 0) {
			t.Fatalf("ReadExcerpt(%q, %d) = %q: invalid UTF-8, longer than n, or with NUL", body, n, got)
		}
		if utf8.Valid(body) && !strings.ContainsRune(string(body), 0) && len(body) <= n && got != string(body) {
			t.Fatalf("ReadExcerpt(%q, %d) = %q, want the whole body", body, n, got)
		}
	})
}
