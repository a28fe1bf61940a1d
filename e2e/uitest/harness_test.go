package uitest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/ui"
)

// Viewports of the screenshots.
var viewports = []struct {
	name          string
	width, height int64
	mobile        bool
}{{"desktop", 1280, 800, false}, {"phone", 390, 844, true}}

var (
	artifactsDir string
	reportMu     sync.Mutex
	axeReport    = map[string]map[string]string{} // backend → page → summary
	pagesSeen    = map[string][]string{}          // backend → pages in order
)

func TestMain(m *testing.M) {
	artifactsDir = os.Getenv("ORGS_E2E_ARTIFACTS")
	if artifactsDir == "" {
		artifactsDir = filepath.Join("..", "artifacts", "ui")
	}
	if abs, err := filepath.Abs(artifactsDir); err == nil {
		artifactsDir = abs
	}
	code := m.Run()
	writeSummary()
	os.Exit(code)
}

// writeSummary writes and prints the axe results of every page.
func writeSummary() {
	reportMu.Lock()
	defer reportMu.Unlock()
	if len(axeReport) == 0 {
		return
	}
	var b strings.Builder
	backends := make([]string, 0, len(axeReport))
	for k := range axeReport {
		backends = append(backends, k)
	}
	sort.Strings(backends)
	for _, be := range backends {
		fmt.Fprintf(&b, "axe-core results (%s):\n", be)
		for _, p := range pagesSeen[be] {
			fmt.Fprintf(&b, "  %-28s %s\n", p, axeReport[be][p])
		}
	}
	_ = os.MkdirAll(artifactsDir, 0o755)
	_ = os.WriteFile(filepath.Join(artifactsDir, "axe-summary.txt"), []byte(b.String()), 0o644)
	fmt.Fprint(os.Stderr, b.String())
	fmt.Fprintf(os.Stderr, "uitest: screenshots and axe reports in %s\n", artifactsDir)
}

// requireTool skips the test, loudly, when a tool is missing — or fails it
// under CI=true, so CI never passes without the browser tests.
func requireTool(t *testing.T, what string) {
	t.Helper()
	msg := what + ": the browser tests did NOT run (scripts/test.sh installs what they need)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED: " + msg)
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ORGS_CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	requireTool(t, "Chromium not found at /usr/bin/chromium (set ORGS_CHROMIUM)")
	return ""
}

func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		requireTool(t, "axe-core not installed (run npm ci in e2e/)")
	}
	return string(b)
}

// site is the UI served over a real HTTP server on one backend, and a
// Chromium to browse it.
type site struct {
	t       *testing.T
	backend string
	st      *sqlstore.Store
	svc     *orgs.Service
	url     string // the server's root
	browser context.Context
	axe     string
	shots   string
	seq     int
}

func newSite(t *testing.T, backend string, st *sqlstore.Store) *site {
	t.Helper()
	chromium := chromiumPath(t)
	axe := axeSource(t)
	svc, err := orgs.New(st, orgs.WithDomainVerifier(fakeDNS{}))
	if err != nil {
		t.Fatal(err)
	}
	h, err := ui.New(svc, ui.Options{DemoSignIn: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ui/", http.StripPrefix("/ui", h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
	)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil { // start the browser
		t.Fatalf("start Chromium: %v", err)
	}
	shots := filepath.Join(artifactsDir, backend)
	_ = os.RemoveAll(shots)
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &site{t: t, backend: backend, st: st, svc: svc, url: srv.URL, browser: browser, axe: axe, shots: shots}
}

// fakeDNS verifies domains that start with "ok.".
type fakeDNS struct{}

func (fakeDNS) VerifyDomain(_ context.Context, d orgs.Domain) (bool, error) {
	return strings.HasPrefix(d.Domain, "ok."), nil
}

// person is one user's browser: a browser context of its own (its own
// cookies) with one tab, whose console is watched.
type person struct {
	s    *site
	name string
	ctx  context.Context

	mu      sync.Mutex
	console []string
}

func (s *site) person(name string) *person {
	s.t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
	s.t.Cleanup(cancel)
	p := &person{s: s, name: name, ctx: ctx}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// A page answered with a 4xx status is logged as a failed
			// load; the tests assert those statuses themselves. A 4xx
			// of an asset still counts.
			if strings.HasPrefix(m.Text, "Failed to load resource: the server responded with a status of 4") && !strings.Contains(m.URL, "/assets/") {
				continue
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				p.mu.Lock()
				p.console = append(p.console, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
				p.mu.Unlock()
			}
		}
	}()
	// Confirmation dialogs (data-confirm) are accepted, as a user would.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// noConsoleErrors fails the test on any console error, warning or uncaught
// exception so far (a CSP violation is one).
func (p *person) noConsoleErrors(where string) {
	p.s.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.console) > 0 {
		p.s.t.Errorf("%s (%s): console: %s", where, p.name, strings.Join(p.console, "; "))
		p.console = nil
	}
}

// navigationGuard stops a test whose click leads nowhere (a form the
// browser refused to submit) instead of letting it hang; it asserts no
// duration.
const navigationGuard = time.Minute

// open navigates to a path under the server and returns the final status.
func (p *person) open(path string) int64 {
	p.s.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, navigationGuard)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(p.s.url+path))
	if err != nil {
		p.s.t.Fatalf("%s opens %s: %v", p.name, path, err)
	}
	return resp.Status
}

// click clicks the element and waits for the page it leads to; it returns
// that page's status.
func (p *person) click(sel string) int64 {
	p.s.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, navigationGuard)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		p.s.t.Fatalf("%s clicks %s: %v", p.name, sel, err)
	}
	return resp.Status
}

// clickIn clicks the element matching sel inside the element matching
// container whose text contains text (a table row, a list item).
func (p *person) clickIn(container, text, sel string) int64 {
	p.s.t.Helper()
	p.mark(container, text, sel)
	return p.click("[data-e2e-target]")
}

// mark tags the element matching sel inside the container holding text.
func (p *person) mark(container, text, sel string) {
	p.s.t.Helper()
	js := fmt.Sprintf(`(() => {
		document.querySelectorAll("[data-e2e-target]").forEach(e => e.removeAttribute("data-e2e-target"));
		for (const c of document.querySelectorAll(%q)) {
			if (!c.textContent.includes(%q)) continue;
			const e = c.querySelector(%q);
			if (e) { e.setAttribute("data-e2e-target", ""); return true; }
		}
		return false;
	})()`, container, text, sel)
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		p.s.t.Fatalf("%s: no %s in a %s holding %q (%v)", p.name, sel, container, text, err)
	}
}

// row tags the container (a table row, a list item) holding text, so that
// "[data-e2e-row] …" selects inside it even after its text changes.
func (p *person) row(container, text string) {
	p.s.t.Helper()
	js := fmt.Sprintf(`(() => {
		document.querySelectorAll("[data-e2e-row]").forEach(e => e.removeAttribute("data-e2e-row"));
		for (const c of document.querySelectorAll(%q)) {
			if (c.textContent.includes(%q) || [...c.querySelectorAll("input")].some(i => i.value === %q)) { c.setAttribute("data-e2e-row", ""); return true; }
		}
		return false;
	})()`, container, text, text)
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		p.s.t.Fatalf("%s: no %s holding %q (%v)", p.name, container, text, err)
	}
}

// fill types into the inputs named by selector, as a user does (clearing
// them first).
func (p *person) fill(fields ...string) {
	p.s.t.Helper()
	for i := 0; i+1 < len(fields); i += 2 {
		sel := chromedp.CSS(fields[i])
		clear := fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.value = ""; return true; })()`, fields[i])
		if ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](clear)); err != nil || !ok {
			p.s.t.Fatalf("%s: no %s to fill (%v)", p.name, fields[i], err)
		}
		if err := chromedp.Do(p.ctx, chromedp.SendKeys(sel, fields[i+1])); err != nil {
			p.s.t.Fatalf("%s fills %s: %v", p.name, fields[i], err)
		}
	}
}

// tick checks a checkbox (a click that leads nowhere).
func (p *person) tick(sel string) {
	p.s.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.s.t.Fatalf("%s ticks %s: %v", p.name, sel, err)
	}
}

// choose selects an option of a select element by value.
func (p *person) choose(sel, value string) {
	p.s.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.SetValue(chromedp.CSS(sel), value)); err != nil {
		p.s.t.Fatalf("%s chooses %s in %s: %v", p.name, value, sel, err)
	}
}

// text is the visible text of the main content.
func (p *person) text() string {
	p.s.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText : document.body.innerText`))
	if err != nil {
		p.s.t.Fatal(err)
	}
	return s
}

func (p *person) location() string {
	p.s.t.Helper()
	l, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.s.t.Fatal(err)
	}
	return l
}

// sees fails unless the main content shows every string.
func (p *person) sees(want ...string) {
	p.s.t.Helper()
	got := p.text()
	for _, w := range want {
		if !strings.Contains(got, w) {
			p.s.t.Fatalf("%s does not see %q at %s; the page says:\n%s", p.name, w, p.location(), got)
		}
	}
}

// page checks the page in view and records it: no console errors, no
// serious or critical axe-core violation, and screenshots at desktop and
// phone widths.
func (p *person) page(name string) {
	p.s.t.Helper()
	s := p.s
	s.seq++
	label := fmt.Sprintf("%02d-%s", s.seq, name)
	p.noConsoleErrors(label)
	if loc := p.location(); strings.Contains(loc, "token=") {
		s.t.Errorf("%s: a token in the address bar: %s", label, loc)
	}

	// axe-core, injected through the DevTools protocol (not subject to the
	// page's Content-Security-Policy, which the UI's own scripts obey).
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[chromedp.Void](s.axe+"\n;undefined")); err != nil {
		s.t.Fatalf("%s: inject axe: %v", label, err)
	}
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("%s: axe.run: %v", label, err)
	}
	var violations []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		s.t.Fatalf("%s: axe result: %v", label, err)
	}
	counts := map[string]int{}
	for _, v := range violations {
		counts[v.Impact]++
		if v.Impact == "serious" || v.Impact == "critical" {
			s.t.Errorf("%s: axe %s violation %s: %s at %v", label, v.Impact, v.ID, v.Help, v.Nodes)
		} else {
			s.t.Logf("%s: axe %s violation %s: %s at %v", label, v.Impact, v.ID, v.Help, v.Nodes)
		}
	}
	_ = os.WriteFile(filepath.Join(s.shots, label+".axe.json"), []byte(raw), 0o644)
	summary := "0 violations"
	if len(violations) > 0 {
		var parts []string
		for _, impact := range []string{"critical", "serious", "moderate", "minor"} {
			if counts[impact] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[impact], impact))
			}
		}
		summary = strings.Join(parts, ", ")
	}
	reportMu.Lock()
	if axeReport[s.backend] == nil {
		axeReport[s.backend] = map[string]string{}
	}
	axeReport[s.backend][label] = summary
	pagesSeen[s.backend] = append(pagesSeen[s.backend], label)
	reportMu.Unlock()

	for _, vp := range viewports {
		opts := []chromedp.EmulateViewportOption{}
		if vp.mobile {
			opts = append(opts, chromedp.EmulateMobile)
		}
		if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(vp.width, vp.height, opts...)); err != nil {
			s.t.Fatalf("%s: viewport: %v", label, err)
		}
		img, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			s.t.Fatalf("%s: screenshot: %v", label, err)
		}
		if err := os.WriteFile(filepath.Join(s.shots, label+"-"+vp.name+".png"), img, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
	if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		s.t.Fatal(err)
	}
	p.noConsoleErrors(label)
}
