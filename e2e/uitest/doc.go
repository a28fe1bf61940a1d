// Package uitest drives the organizations web UI (package ui) in headless
// Chromium through chromedp, against the real handler on a real HTTP server
// over SQLite and Postgres (internal/testdb): the flows of every page, no
// console errors, an axe-core scan of every page (failing on serious or
// critical violations), and screenshots of every page at desktop (1280×800)
// and phone (390×844) widths.
//
//	cd e2e && npm ci && go test ./uitest/...
//
// Chromium is /usr/bin/chromium (or ORGS_CHROMIUM); axe-core is
// e2e/node_modules/axe-core/axe.min.js, pinned in e2e/package-lock.json.
// When either is missing the tests skip, loudly, except under CI=true, where
// they fail. Screenshots and axe reports go to e2e/artifacts/ui (or
// ORGS_E2E_ARTIFACTS); the path is printed at the end.
package uitest
