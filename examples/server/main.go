// Command server serves the organizations web UI (package ui) at /ui/ and
// the HTTP API (package httpapi) at the root path, on a SQLite file or a
// PostgreSQL database, for trying them.
//
// It is NOT for production: the UI's demo sign-in page lets anyone sign in
// as anyone, and the API's demo authenticator believes the X-User-ID header.
// A real host mounts ui.Handler and httpapi.Handler in its own server with
// its own authentication.
//
// Open http://127.0.0.1:8080/ui/ and sign in as Alice on the demo page.
//
//	go run ./examples/server                      # SQLite file orgs.db, on 127.0.0.1:8080
//	go run ./examples/server -db postgres://user@localhost/orgs -addr 127.0.0.1:9000
//	go run ./examples/server -max-members-per-org 50 -max-orgs-per-user 3 -max-pending-invitations 20
//	go run ./examples/server -webhook-url http://127.0.0.1:9000/hook -webhook-secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
//	go run ./examples/server -workos-api-key sk_test_123 # also the WorkOS-compatible API
//
// With -workos-api-key KEY (or the environment variable ORGS_WORKOS_API_KEY)
// it also serves the WorkOS-compatible API (package workos), which accepts
// "Authorization: Bearer KEY" and acts as the system caller: at /workos/ on
// the main listener, and at the root of its own listener, -workos-addr
// (default 127.0.0.1:8081). The official WorkOS SDKs need the second: they
// build every URL from the host and port alone and drop any path, so they
// cannot reach /workos/. Point the Node SDK at it with
//
//	new WorkOS('sk_test_123', { apiHostname: '127.0.0.1', port: 8081, https: false })
//
// Migrations are applied at start. The X-User-ID header names the caller;
// X-User-Email, X-User-Name and X-User-Username, when sent, record that
// user's profile (accepting an invitation needs the caller's email on
// record). GET /openapi.json describes the API.
//
// A walk-through with curl, on a fresh orgs.db: Alice creates an
// organization and invites Bob, Bob accepts, Alice lists the members.
//
//	curl -s -X POST http://127.0.0.1:8080/organizations -H 'X-User-ID: alice' -H 'X-User-Email: alice@example.com' -H 'Content-Type: application/json' -d '{"name": "Acme Robotics", "slug": "acme"}'
//	TOKEN=$(curl -s -X POST http://127.0.0.1:8080/organizations/acme/invitations -H 'X-User-ID: alice' -H 'Content-Type: application/json' -d '{"email": "bob@example.com", "role": "member"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
//	curl -s -X POST http://127.0.0.1:8080/invitations/accept -H 'X-User-ID: bob' -H 'X-User-Email: bob@example.com' -H 'Content-Type: application/json' -d "{\"token\": \"$TOKEN\"}"
//	curl -s http://127.0.0.1:8080/organizations/acme/members -H 'X-User-ID: alice'
//
// # Webhooks
//
// The server runs the webhooks delivery worker (package webhooks). With
// -webhook-url and -webhook-secret it delivers every organization's events
// to that URL, a host-level endpoint signed with that secret (whsec_ and
// base64, as webhooks.NewSecret makes; a new value replaces the stored
// one). That endpoint may be on loopback or the private network, over http
// — the server says so loudly at start. Organizations' own endpoints,
// which their admins manage under /organizations/{slug}/webhooks, keep the
// production policy: https, public addresses only.
//
// The server stops gracefully on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/httpapi"
	"github.com/tenantkit/orgs/store/postgres"
	"github.com/tenantkit/orgs/store/sqlite"
	"github.com/tenantkit/orgs/ui"
	"github.com/tenantkit/orgs/webhooks"
	"github.com/tenantkit/orgs/workos"
)

func main() {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	db := fs.String("db", "orgs.db", "SQLite file path, or a postgres:// URL")
	var limits orgs.Limits
	fs.IntVar(&limits.MembersPerOrganization, "max-members-per-org", 0, "members (and pending invitations) per organization; 0: no limit")
	fs.IntVar(&limits.OrganizationsPerUser, "max-orgs-per-user", 0, "organizations one user may create; 0: no limit")
	fs.IntVar(&limits.PendingInvitationsPerOrganization, "max-pending-invitations", 0, "pending invitations per organization; 0: no limit")
	webhookURL := fs.String("webhook-url", "", "deliver every organization's events to this URL (a host-level webhook endpoint; loopback and http allowed)")
	webhookSecret := fs.String("webhook-secret", "", "the signing secret of -webhook-url, whsec_ and base64")
	workosKey := fs.String("workos-api-key", os.Getenv("ORGS_WORKOS_API_KEY"), "serve the WorkOS-compatible API with this API key (default $ORGS_WORKOS_API_KEY; empty: not served)")
	workosAddr := fs.String("workos-addr", "127.0.0.1:8081", "address of the WorkOS-compatible API's own listener, for the WorkOS SDKs (with -workos-api-key)")
	_ = fs.Parse(os.Args[1:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, config{addr: *addr, db: *db, limits: limits, stderr: os.Stderr, workosKey: *workosKey, workosAddr: *workosAddr,
		webhookURL: *webhookURL, webhookSecret: *webhookSecret}); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// config is what run needs; tests fill it in.
type config struct {
	addr   string
	db     string
	limits orgs.Limits
	stderr io.Writer
	ready  func(addr string) // called once listening, with the actual address

	workosKey  string            // serve the WorkOS-compatible API with this key, when set
	workosAddr string            // its own listener
	workosUp   func(addr string) // called once it listens, with the actual address

	// webhookURL and webhookSecret name the host-level webhook endpoint.
	webhookURL, webhookSecret string
	// webhookPoll is the delivery worker's poll interval (0: its default).
	webhookPoll time.Duration
}

const banner = `
==========================================================================
  DEMO SERVER: for trying the UI and the API only, NOT for production.
  The UI's demo sign-in lets anyone sign in as anyone, and the API
  believes the X-User-ID header: any client can act as any user.
  A real host mounts ui.Handler and httpapi.Handler with its own
  authentication.
==========================================================================
`

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, cfg config) error {
	logger := slog.New(slog.NewTextHandler(cfg.stderr, nil))
	if (cfg.webhookURL == "") != (cfg.webhookSecret == "") {
		return errors.New("-webhook-url and -webhook-secret go together")
	}
	if cfg.webhookSecret != "" {
		if _, err := webhooks.ParseSecret(cfg.webhookSecret); err != nil {
			return fmt.Errorf("-webhook-secret: %w", err)
		}
	}
	st, desc, err := openStore(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	base := "http://" + publicAddr(ln.Addr().String())
	svc, err := orgs.New(st,
		orgs.WithLogger(logger),
		orgs.WithLimits(cfg.limits),
		orgs.WithInvitationOptions(orgs.InvitationOptions{AcceptURL: base + "/invitations/accept"}),
	)
	if err != nil {
		_ = ln.Close()
		return err
	}
	api, err := httpapi.New(svc, httpapi.Options{Authenticate: httpapi.DemoAuthenticator(svc), Logger: logger})
	if err != nil {
		_ = ln.Close()
		return err
	}
	// The web UI, with its demo sign-in page (FOR DEMOS ONLY: anyone can
	// be anyone). A real host passes its own Authenticate and SignInURL.
	web, err := ui.New(svc, ui.Options{DemoSignIn: true, Logger: logger})
	if err != nil {
		_ = ln.Close()
		return err
	}
	workerCtx, stopWorker := context.WithCancel(ctx)
	defer stopWorker()
	worker, err := startWebhooks(workerCtx, svc, cfg, logger)
	if err != nil {
		_ = ln.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /invitations/accept", acceptPage(base))
	mux.Handle("/ui/", http.StripPrefix("/ui", web))
	mux.Handle("/", api)
	var wsrv *http.Server
	if cfg.workosKey != "" {
		w, err := workos.New(svc, workos.Options{APIKeys: []string{cfg.workosKey}, Logger: logger})
		if err != nil {
			_ = ln.Close()
			return err
		}
		mux.Handle("/workos/", http.StripPrefix("/workos", w))
		wln, err := net.Listen("tcp", cfg.workosAddr)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("workos listener: %w", err)
		}
		wsrv = &http.Server{Handler: accessLog(logger, w), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		go func() { _ = wsrv.Serve(wln) }()
		logger.Info("serving the WorkOS-compatible API", "root", "http://"+publicAddr(wln.Addr().String()), "mounted", base+"/workos/",
			"sdk", "the SDKs drop URL paths: use the root listener")
		if cfg.workosUp != nil {
			cfg.workosUp(wln.Addr().String())
		}
	}
	srv := &http.Server{
		Handler:           accessLog(logger, mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	fmt.Fprint(cfg.stderr, banner)
	logger.Warn("demo server: for trying the UI and the API only, not for production; anyone can sign in as anyone")
	logger.Info("serving the organizations UI and API", "ui", base+"/ui/", "api", base, "store", desc, "openapi", base+"/openapi.json",
		"max_members_per_org", cfg.limits.MembersPerOrganization, "max_orgs_per_user", cfg.limits.OrganizationsPerUser,
		"max_pending_invitations", cfg.limits.PendingInvitationsPerOrganization)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.ready != nil {
		cfg.ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if wsrv != nil {
		_ = wsrv.Shutdown(shutdownCtx)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	stopWorker()
	<-worker // the attempts in flight end within the client's timeout
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startWebhooks configures the host-level endpoint (when -webhook-url is
// set) and runs the delivery worker until ctx ends; the returned channel
// closes when it has stopped.
func startWebhooks(ctx context.Context, svc *orgs.Service, cfg config, logger *slog.Logger) (<-chan struct{}, error) {
	if cfg.webhookURL != "" {
		ep, err := hostEndpoint(ctx, svc, cfg.webhookURL, cfg.webhookSecret)
		if err != nil {
			return nil, fmt.Errorf("-webhook-url: %w", err)
		}
		logger.Warn("WEBHOOKS: delivering every organization's events to a host-level endpoint; private, loopback and http destinations are ALLOWED for it (a demo setting: never point it at a URL you do not control)",
			"url", ep.URL, "endpoint_id", ep.ID)
	}
	w, err := webhooks.NewWorker(svc, webhooks.WorkerOptions{
		// The host's own endpoint may reach this machine; organizations'
		// endpoints keep the production policy (Client: https, public).
		HostClient:   webhooks.NewClient(webhooks.ClientOptions{AllowPrivate: true, AllowHTTP: true}),
		Logger:       logger,
		PollInterval: cfg.webhookPoll,
	})
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = w.Run(ctx)
	}()
	return done, nil
}

// hostEndpoint makes the host-level endpoint for url with secret, or
// updates the one that has that URL: enabled, signing with secret alone.
func hostEndpoint(ctx context.Context, svc *orgs.Service, url, secret string) (*orgs.WebhookEndpoint, error) {
	system := orgs.SystemActor()
	eps, err := svc.ListWebhookEndpoints(ctx, system, orgs.AllOrganizations)
	if err != nil {
		return nil, err
	}
	for _, ep := range eps {
		if ep.URL != url {
			continue
		}
		if _, err := svc.RotateWebhookSecret(ctx, system, orgs.AllOrganizations, ep.ID, orgs.WebhookSecretRotation{Secret: secret, NoOverlap: true}); err != nil {
			return nil, err
		}
		enabled := true
		return svc.UpdateWebhookEndpoint(ctx, system, orgs.AllOrganizations, ep.ID, orgs.WebhookEndpointUpdate{Enabled: &enabled})
	}
	return svc.CreateWebhookEndpoint(ctx, system, orgs.AllOrganizations, orgs.WebhookEndpointInput{URL: url, Secret: secret})
}

// migratingStore is an orgs.Store with migrations: sqlite.Store and
// postgres.Store both are.
type migratingStore interface {
	orgs.Store
	Migrate(ctx context.Context) error
}

// openStore opens and migrates the store named by db: a postgres:// (or
// postgresql://) URL, or a SQLite file path.
func openStore(ctx context.Context, db string) (migratingStore, string, error) {
	var st migratingStore
	var err error
	desc := "SQLite " + db
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		desc = "PostgreSQL"
		st, err = postgres.Open(db)
	} else {
		st, err = sqlite.Open(db)
	}
	if err != nil {
		return nil, "", err
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, "", fmt.Errorf("migrate: %w", err)
	}
	return st, desc, nil
}

// publicAddr turns a listening address into one a browser can use: an
// unspecified host (":8080", "0.0.0.0:8080") becomes localhost.
func publicAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// acceptPage answers the API's invitation links (GET
// /invitations/accept?token=…) with a link to the web UI's accept page and
// how to accept through the API instead. (Invitations made in the web UI
// link to its own accept page.)
func acceptPage(base string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := r.URL.Query().Get("token")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Referrer-Policy", "no-referrer")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Accept the invitation</title>
<p><a href="%s">Open the invitation in the web UI</a> (sign in there as the invited user).</p>
<p>Or send the token to the API as the invited user:</p>
<pre>curl -s -X POST %s/invitations/accept -H 'X-User-ID: YOUR-ID' -H 'X-User-Email: YOUR-EMAIL' -H 'Content-Type: application/json' -d '{"token": "%s"}'</pre>
`, html.EscapeString("/ui/accept?token="+url.QueryEscape(token)), html.EscapeString(base), html.EscapeString(token))
	}
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// accessLog logs each request with its status, duration and request ID.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start).Round(time.Microsecond), "request_id", w.Header().Get("X-Request-Id"),
			"user", r.Header.Get(httpapi.HeaderUserID))
	})
}
