package ui_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/ui"
)

// TestCustomization: the host's layout wraps the content, its messages
// replace ours, its theme becomes theme.css, its stylesheet and logo are
// linked and allowed by the CSP.
func TestCustomization(t *testing.T) {
	st := testdb.SQLite(t)
	svc, err := orgs.New(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOrganization(context.Background(), orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"}); err != nil {
		t.Fatal(err)
	}
	msgs := ui.DefaultMessages()
	if len(msgs) < 100 || msgs["members.title"] != "Members" {
		t.Fatalf("DefaultMessages: %d, %q", len(msgs), msgs["members.title"])
	}
	h, err := ui.New(svc, ui.Options{
		Authenticate: func(*http.Request) (string, error) { return "alice", nil },
		Messages:     map[string]string{"members.title": "Mitglieder", "tab.teams": "Teams (DE)"},
		Lang:         "de",
		Theme:        ui.Theme{Accent: "#7a1fa2", Font: `"Inter", sans-serif`},
		Stylesheets:  []string{"https://cdn.host.example/brand.css"},
		LogoURL:      "https://img.host.example/logo.svg",
		Layout: func(w io.Writer, p ui.Page) error {
			_, err := fmt.Fprintf(w, "<!doctype html><html lang=%q><head><title>%s</title>%s</head><body><header>HOST HEADER</header>%s</body></html>",
				p.Lang, html.EscapeString(p.Title), p.Head, p.Content)
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (*http.Response, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Result(), rec.Body.String()
	}
	resp, body := get("/o/acme/members")
	for _, want := range []string{"HOST HEADER", `lang="de"`, "<h1>Mitglieder", "Teams (DE)", `href="https://cdn.host.example/brand.css"`, `<main id="orgs-main"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'self' https://cdn.host.example") || !strings.Contains(csp, "img-src 'self' https://img.host.example") {
		t.Errorf("CSP %q", csp)
	}
	_, css := get("/assets/theme.css")
	if !strings.Contains(css, "--orgs-accent: #7a1fa2;") || !strings.Contains(css, `--orgs-font: "Inter", sans-serif;`) {
		t.Errorf("theme.css:\n%s", css)
	}
	// A theme value that would break out of its declaration is refused.
	if _, err := ui.New(svc, ui.Options{Authenticate: func(*http.Request) (string, error) { return "", nil },
		Theme: ui.Theme{Accent: "red; } body { display: none"}}); err == nil {
		t.Error("a CSS injection in the theme was accepted")
	}
	for _, o := range []ui.Options{
		{},
		{Authenticate: func(*http.Request) (string, error) { return "", nil }, DemoSignIn: true},
		{Authenticate: func(*http.Request) (string, error) { return "", nil }, SignInURL: "javascript:alert(1)"},
		{Authenticate: func(*http.Request) (string, error) { return "", nil }, CookieKey: []byte("short")},
	} {
		if _, err := ui.New(svc, o); err == nil {
			t.Errorf("New accepted %+v", o)
		}
	}
}

// TestAuditLogNewestFirst: the audit log starts with the newest events and
// pages back through older ones.
func TestAuditLogNewestFirst(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		e.org("alice", "acme", nil)
		ctx := context.Background()
		for i := range 25 {
			if _, err := e.svc.CreateCategory(ctx, orgs.UserActor("alice"), "acme", orgs.CategoryInput{Name: fmt.Sprintf("Cat %02d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		r := e.get("alice", "/ui/o/acme/events?type=category.created")
		expect(t, r, 200, "Cat 24", "Older →")
		if strings.Contains(r.body, "Cat 04") || strings.Contains(r.body, "Newer") {
			t.Fatalf("first page of the log:\n%s", excerpt(r.body))
		}
		if strings.Index(r.body, "Cat 24") > strings.Index(r.body, "Cat 23") {
			t.Error("not newest first")
		}
		older := regexp.MustCompile(`href="([^"]+)">Older`).FindStringSubmatch(r.body)
		r = e.get("alice", html.UnescapeString(older[1]))
		expect(t, r, 200, "Cat 04", "Cat 00", "← Newer")
		if strings.Contains(r.body, "Cat 05") || strings.Contains(r.body, "Older →") {
			t.Fatalf("older page:\n%s", excerpt(r.body))
		}
		newer := regexp.MustCompile(`href="([^"]+)">← Newer`).FindStringSubmatch(r.body)
		expect(t, e.get("alice", html.UnescapeString(newer[1])), 200, "Cat 05", "Cat 24")
	})
}
