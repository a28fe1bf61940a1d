package ui

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantkit/orgs"
)

// DefaultMaxBodyBytes bounds form bodies when Options.MaxBodyBytes is zero.
const DefaultMaxBodyBytes int64 = 64 << 10

// Options configures the UI. Only Authenticate is required (or DemoSignIn).
type Options struct {
	// Authenticate names the signed-in user, exactly as
	// httpapi.Options.Authenticate does. An error or an empty user ID means
	// nobody is signed in: pages redirect to SignInURL (or answer 401 with a
	// sign-in page when SignInURL is empty). The error is logged at debug
	// level, never shown.
	Authenticate func(*http.Request) (userID string, err error)

	// SignInURL is the host's sign-in page. The UI redirects signed-out users
	// there with a "return_to" query parameter holding the path to come back
	// to (always a path under the UI's mount point, never another site).
	SignInURL string
	// SignOutURL, when set, is shown as a "Sign out" button that POSTs there.
	SignOutURL string

	// BasePath is the path the UI is mounted under, such as "/orgs" for
	// mux.Handle("/orgs/", http.StripPrefix("/orgs", h)). Empty: the UI
	// derives it from each request (the part of the request URI that
	// http.StripPrefix removed). Links, redirects and cookie paths use it.
	BasePath string
	// PublicURL is the origin shown in copied invitation links, such as
	// "https://app.example.com". Empty: the request's own origin.
	PublicURL string

	// ProductName is shown in the header and page titles. Default
	// "Organizations" (the "app.name" message).
	ProductName string
	// LogoURL is an image shown in the header beside ProductName. Its origin
	// is added to the Content-Security-Policy's img-src.
	LogoURL string
	// Theme sets the CSS custom properties of the default stylesheet:
	// colors, fonts, radius. Zero fields keep the defaults.
	Theme Theme
	// Stylesheets are the URLs of the host's own stylesheets, linked after
	// ours so they can override anything. Their origins are added to the
	// Content-Security-Policy's style-src.
	Stylesheets []string
	// Layout wraps every page in the host's own document (header, footer,
	// navigation). Nil: DefaultLayout.
	Layout Layout
	// Messages replaces any of DefaultMessages (by key): every word the UI
	// shows, for translation or a different voice. Lang is the language of
	// the messages, for <html lang> (default "en").
	Messages map[string]string
	Lang     string

	// TrustedOrigins are origins, such as "https://admin.example.com", whose
	// cross-origin form posts are allowed (http.CrossOriginProtection's
	// AddTrustedOrigin). Rarely needed: the UI's own forms are same-origin.
	TrustedOrigins []string
	// ContentSecurityPolicy replaces the default policy when set (the
	// default is built from LogoURL, Stylesheets, SignInURL and SignOutURL).
	ContentSecurityPolicy string
	// CookieKey seals the UI's short-lived message cookie (which may carry a
	// new invitation link) with AES-GCM: 16, 24 or 32 bytes. Empty: a random
	// key per Handler, so a host running several instances behind a load
	// balancer without sticky sessions should set it.
	CookieKey []byte
	// SecureCookies marks the UI's cookies Secure even when the request did
	// not arrive over TLS (behind a TLS-terminating proxy).
	SecureCookies bool

	// Logger receives internal errors and recovered panics. Default
	// slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes bounds form bodies. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// DemoSignIn serves a demo sign-in page at /demo/sign-in that lets
	// anyone sign in as anyone by typing a user ID, and authenticates by an
	// unsigned cookie. FOR DEMOS AND TESTS ONLY, never in production: New
	// logs a warning and every page shows a banner. Authenticate must be nil
	// when it is set; SignInURL and SignOutURL default to the demo's pages.
	DemoSignIn bool
}

// Page is what a Layout wraps: one page of the UI, already rendered.
type Page struct {
	// Title is the page's title, translated ("Members · Acme Robotics").
	Title string
	// Head holds the <link> and <script> elements the page needs; a layout
	// must put it inside <head>.
	Head template.HTML
	// Content is the UI itself: its navigation and its <main> element. A
	// layout puts it in <body> and must not wrap it in another <main>.
	Content template.HTML
	// Lang is Options.Lang.
	Lang string
	// UserID is the signed-in user ("" on pages for signed-out users).
	UserID string
	// Request is the request being answered.
	Request *http.Request
}

// Layout writes a complete HTML document around a Page. It runs under the
// UI's Content-Security-Policy: no inline scripts or styles.
type Layout func(w io.Writer, p Page) error

// Handler serves the UI. It is an http.Handler meant to be mounted under
// any prefix; see the package documentation. A Handler is safe for
// concurrent use.
type Handler struct {
	svc      *orgs.Service
	opts     Options
	log      *slog.Logger
	msg      map[string]string
	mux      *http.ServeMux
	pages    map[string]*template.Template
	layout   Layout
	shell    *template.Template // the default layout and the head elements
	csrf     *http.CrossOriginProtection
	csp      string
	sealer   *sealer
	themeCSS []byte
	authn    func(*http.Request) (string, error)
	preview  previewFunc
	builtin  map[orgs.Role]bool // the Service's roles (Can answers them without a read)
}

// New returns a Handler serving svc. It fails when svc is nil, when neither
// or both of Authenticate and DemoSignIn are set, or on a malformed option.
func New(svc *orgs.Service, opts Options) (*Handler, error) {
	if svc == nil {
		return nil, errors.New("ui: New needs a Service")
	}
	if opts.DemoSignIn == (opts.Authenticate != nil) {
		return nil, errors.New("ui: set exactly one of Options.Authenticate and Options.DemoSignIn")
	}
	if opts.MaxBodyBytes < 0 {
		return nil, errors.New("ui: Options.MaxBodyBytes must not be negative")
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Lang == "" {
		opts.Lang = "en"
	}
	if opts.BasePath != "" {
		opts.BasePath = "/" + strings.Trim(opts.BasePath, "/")
		if opts.BasePath == "/" {
			opts.BasePath = ""
		}
	}
	for _, u := range append([]string{opts.SignInURL, opts.SignOutURL, opts.LogoURL, opts.PublicURL}, opts.Stylesheets...) {
		if u != "" && !validLinkURL(u) {
			return nil, fmt.Errorf("ui: %q is not a path or an http(s) URL", u)
		}
	}
	key := opts.CookieKey
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	theme, err := opts.Theme.css()
	if err != nil {
		return nil, err
	}
	h := &Handler{svc: svc, opts: opts, log: opts.Logger, sealer: s, themeCSS: theme, preview: servicePreview(svc)}
	h.msg = make(map[string]string, len(defaultMessages))
	for k, v := range defaultMessages {
		h.msg[k] = v
	}
	for k, v := range opts.Messages {
		h.msg[k] = v
	}
	if opts.ProductName != "" {
		h.msg["app.name"] = opts.ProductName
	}
	h.builtin = map[orgs.Role]bool{}
	for _, d := range svc.Roles() {
		h.builtin[d.Name] = true
	}
	h.authn = opts.Authenticate
	if opts.DemoSignIn {
		h.authn = demoAuthenticate
		h.log.Warn("ui: DemoSignIn is on: anyone can sign in as anyone; for demos and tests only, NEVER in production")
	}
	h.csrf = http.NewCrossOriginProtection()
	for _, o := range opts.TrustedOrigins {
		if err := h.csrf.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("ui: trusted origin: %w", err)
		}
	}
	h.csrf.SetDenyHandler(http.HandlerFunc(h.crossOriginDenied))
	h.csp = opts.ContentSecurityPolicy
	if h.csp == "" {
		h.csp = buildCSP(opts)
	}
	if err := h.parseTemplates(); err != nil {
		return nil, err
	}
	h.layout = opts.Layout
	if h.layout == nil {
		h.layout = h.defaultLayout
	}
	h.routes()
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes)
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.ErrorContext(r.Context(), "ui: panic", "method", r.Method, "path", r.URL.Path, "panic", v)
			h.renderError(w, r, http.StatusInternalServerError, "error.internal")
		}
	}()
	if !safeMethod(r.Method) {
		// http.CrossOriginProtection lets through requests with neither
		// Sec-Fetch-Site nor Origin (it takes them for non-browser clients).
		// The UI's only clients are browsers, which send one or both on
		// every POST, so such a request is refused too.
		if r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" {
			h.crossOriginDenied(w, r)
			return
		}
		if err := h.csrf.Check(r); err != nil {
			h.crossOriginDenied(w, r)
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func (h *Handler) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, http.StatusForbidden, "error.cross_origin")
}

// base returns the path the UI is mounted under, without a trailing slash.
func (h *Handler) base(r *http.Request) string {
	if h.opts.BasePath != "" {
		return h.opts.BasePath
	}
	return derivedBase(r)
}

// derivedBase finds the prefix http.StripPrefix (or any router that strips
// it the same way) removed: the request URI's path minus r.URL.Path.
func derivedBase(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" || uri == "*" {
		return ""
	}
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	if strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "https://") {
		u, err := url.Parse(uri)
		if err != nil {
			return ""
		}
		uri = u.EscapedPath()
	}
	rest := r.URL.EscapedPath()
	if rest == "" {
		rest = "/"
	}
	if !strings.HasSuffix(uri, rest) {
		// StripPrefix of "/ui/" rather than "/ui": the rest lost its slash.
		if strings.HasSuffix(uri, "/"+rest) {
			rest = "/" + rest
		} else {
			return ""
		}
	}
	b := strings.TrimSuffix(uri[:len(uri)-len(rest)], "/")
	if !strings.HasPrefix(b, "/") || strings.Contains(b, "//") {
		return ""
	}
	// Only a plain path may become a prefix of our links.
	if _, err := url.PathUnescape(b); err != nil || strings.ContainsAny(b, "\"'<>\\") {
		return ""
	}
	return b
}

// validLinkURL accepts a path ("/signin") or an absolute http(s) URL.
func validLinkURL(s string) bool {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// origin returns the scheme and host of an absolute URL, or "" for a path.
func origin(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func buildCSP(o Options) string {
	img, style, form := []string{"'self'"}, []string{"'self'"}, []string{"'self'"}
	if s := origin(o.LogoURL); s != "" {
		img = append(img, s)
	}
	for _, u := range o.Stylesheets {
		if s := origin(u); s != "" {
			style = append(style, s)
		}
	}
	for _, u := range []string{o.SignInURL, o.SignOutURL} {
		if s := origin(u); s != "" {
			form = append(form, s)
		}
	}
	return "default-src 'self'; script-src 'self'; style-src " + strings.Join(style, " ") +
		"; img-src " + strings.Join(img, " ") + "; connect-src 'self'; font-src 'self'; object-src 'none'" +
		"; base-uri 'none'; form-action " + strings.Join(form, " ") + "; frame-ancestors 'none'"
}
