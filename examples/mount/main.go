// Command mount shows a host mounting the organizations API under a prefix
// of its own router, with its own authentication, two ways:
//
//   - the standard library: http.StripPrefix("/api/orgs", api) on a
//     ServeMux, next to the host's other routes;
//   - chi: r.Mount("/orgs", http.StripPrefix("/orgs", api)). chi passes a
//     mounted handler the full path, and the API routes on r.URL.Path with
//     its own ServeMux, so the prefix is stripped as for the standard
//     library.
//
// Both serve the API's OpenAPI document at <prefix>/openapi.json with the
// prefix as its server URL.
//
//	go run ./examples/mount                 # the standard library, on 127.0.0.1:8081
//	go run ./examples/mount -router chi     # chi
//
//	curl -s -X POST http://127.0.0.1:8081/api/orgs/organizations -H 'Authorization: Bearer alice-token' -H 'Content-Type: application/json' -d '{"name": "Acme"}'
//	curl -s http://127.0.0.1:8081/api/orgs/organizations -H 'Authorization: Bearer alice-token'
//
// (With -router chi the prefix is /orgs.) The bearer tokens stand in for
// the host's sessions: alice-token is alice, bob-token is bob.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/httpapi"
	"github.com/tenantkit/orgs/store/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	db := flag.String("db", "orgs-mount.db", "SQLite file")
	router := flag.String("router", "std", "std (net/http ServeMux) or chi")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *db, *router); err != nil {
		fmt.Fprintln(os.Stderr, "mount:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr, db, router string) error {
	st, err := sqlite.Open(db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	api, err := newAPI(st)
	if err != nil {
		return err
	}
	var h http.Handler
	switch router {
	case "std":
		h = stdRouter(api)
	case "chi":
		h = chiRouter(api)
	default:
		return fmt.Errorf("unknown -router %q: std or chi", router)
	}
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("serving", "router", router, "addr", addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sessions stands in for the host's own authentication.
var sessions = map[string]string{"alice-token": "alice", "bob-token": "bob"}

// authenticate is the host's Authenticate: a bearer token names the user.
func authenticate(r *http.Request) (string, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if user, known := sessions[token]; ok && known {
		return user, nil
	}
	return "", errors.New("no valid bearer token")
}

// newAPI builds the API handler over st.
func newAPI(st orgs.Store) (http.Handler, error) {
	svc, err := orgs.New(st, orgs.WithReservedSlugs("new", "settings", "api"))
	if err != nil {
		return nil, err
	}
	return httpapi.New(svc, httpapi.Options{Authenticate: authenticate})
}

// stdRouter mounts the API at /api/orgs/ on a standard library ServeMux,
// next to the host's own routes.
func stdRouter(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "the host's home page; the organizations API is under /api/orgs/")
	})
	mux.Handle("/api/orgs/", http.StripPrefix("/api/orgs", api))
	return mux
}

// chiRouter mounts the API at /orgs on a chi router with chi's middleware.
func chiRouter(api http.Handler) http.Handler {
	r := chi.NewRouter()
	// No middleware.RealIP: it trusts X-Forwarded-For from any client.
	r.Use(middleware.Recoverer)
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "the host's home page; the organizations API is under /orgs/")
	})
	r.Mount("/orgs", http.StripPrefix("/orgs", api))
	return r
}
