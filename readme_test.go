package orgs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// TestREADMESnippets: every Go snippet of the README is code that runs in a
// test or an Example. Each ```go block must follow a comment
// <!-- snippet: FILE#NAME --> naming the region of a Go file between the
// lines "// README:NAME {" and "// README:NAME }", and show exactly that
// code (white space aside).
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)((?:<!-- snippet: ([^ ]+) -->\n)?)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("no Go snippets in the README")
	}
	for i, b := range blocks {
		ref, code := b[2], b[3]
		if ref == "" {
			t.Errorf("README Go snippet %d has no <!-- snippet: FILE#NAME --> line before it:\n%s", i+1, code)
			continue
		}
		file, name, _ := strings.Cut(ref, "#")
		src, err := os.ReadFile(filepath.FromSlash(file))
		if err != nil {
			t.Errorf("snippet %s: %v", ref, err)
			continue
		}
		start, end := "// README:"+name+" {", "// README:"+name+" }"
		_, rest, ok := strings.Cut(string(src), start)
		region, _, ok2 := strings.Cut(rest, end)
		if !ok || !ok2 {
			t.Errorf("snippet %s: no region %q … %q in %s", ref, start, end, file)
			continue
		}
		if squeeze(region) != squeeze(code) {
			t.Errorf("README snippet %s differs from %s:\nREADME:\n%s\ncode:\n%s", ref, file, code, region)
		}
	}
}

// squeeze drops white space, so that gofmt's layout and the README's may
// differ.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
