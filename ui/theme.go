package ui

import (
	"bytes"
	"fmt"
	"strings"
)

// Theme sets the CSS custom properties the default stylesheet is written
// with. Each field is a CSS value ("#0b57d0", "Inter, sans-serif", "6px");
// an empty field keeps the default. Values may not contain ; { } < > \ or
// quotes other than in font names. The properties are served as
// assets/theme.css, after the default stylesheet, so a host stylesheet
// (Options.Stylesheets) can still override them: they are named --orgs-….
type Theme struct {
	Accent     string // --orgs-accent: links, primary buttons, focus ring
	AccentText string // --orgs-accent-text: text on Accent
	Background string // --orgs-bg: the page
	Surface    string // --orgs-surface: cards, tables
	Text       string // --orgs-text
	Muted      string // --orgs-muted: secondary text (keep 4.5:1 contrast)
	Border     string // --orgs-border
	Danger     string // --orgs-danger: destructive buttons, errors
	Success    string // --orgs-success: confirmations
	Font       string // --orgs-font: body font stack
	MonoFont   string // --orgs-mono: tokens, IDs, DNS records
	Radius     string // --orgs-radius: corner radius
}

func (t Theme) css() ([]byte, error) {
	props := []struct{ name, value string }{
		{"accent", t.Accent}, {"accent-text", t.AccentText}, {"bg", t.Background}, {"surface", t.Surface},
		{"text", t.Text}, {"muted", t.Muted}, {"border", t.Border}, {"danger", t.Danger},
		{"success", t.Success}, {"font", t.Font}, {"mono", t.MonoFont}, {"radius", t.Radius},
	}
	var b bytes.Buffer
	b.WriteString(":root {\n")
	for _, p := range props {
		if p.value == "" {
			continue
		}
		if strings.ContainsAny(p.value, ";{}<>\\\n\r") || strings.Contains(p.value, "/*") {
			return nil, fmt.Errorf("ui: Theme value %q for --orgs-%s is not a plain CSS value", p.value, p.name)
		}
		fmt.Fprintf(&b, "  --orgs-%s: %s;\n", p.name, p.value)
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}
