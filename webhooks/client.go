package webhooks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Errors from the client NewClient returns. They reach the caller wrapped in
// a *url.Error; test with errors.Is.
var (
	// ErrDestinationRefused: the host is, or resolves to, an address the
	// policy refuses (loopback, private, link-local…). No connection was
	// attempted.
	ErrDestinationRefused = errors.New("webhooks: destination refused")
	// ErrSchemeRefused: the URL's scheme is not https (or http, when
	// ClientOptions.AllowHTTP is set).
	ErrSchemeRefused = errors.New("webhooks: URL scheme refused")
	// ErrSchemeDowngrade: a redirect from https to http.
	ErrSchemeDowngrade = errors.New("webhooks: redirect from https to http refused")
	// ErrTooManyRedirects: more redirects than ClientOptions.MaxRedirects.
	ErrTooManyRedirects = errors.New("webhooks: too many redirects")
)

// DefaultTimeout bounds one request, from dialing to reading the response
// excerpt, when ClientOptions.Timeout is zero. The specification
// recommends 15 to 30 seconds.
const DefaultTimeout = 15 * time.Second

// maxRedirectsCap bounds ClientOptions.MaxRedirects.
const maxRedirectsCap = 10

// Resolver looks up a host's addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ClientOptions configure NewClient. The zero value is the production
// policy: https only, public destinations only, no redirects, a
// DefaultTimeout per request.
type ClientOptions struct {
	// AllowPrivate lets the client connect to every address the policy
	// otherwise refuses (loopback, private, link-local, …). For tests and
	// local examples only: with it, a webhook URL can reach the host's
	// internal network and the cloud metadata service.
	AllowPrivate bool
	// AllowHTTP permits plain http URLs. Redirects from https to http stay
	// refused.
	AllowHTTP bool
	// Timeout bounds each request (http.Client.Timeout); zero means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxRedirects is how many redirects to follow, at most 10. Zero (the
	// default) follows none: the 3xx response is the attempt's result, as
	// the Standard Webhooks specification advises. Every redirect target
	// passes the same scheme and address checks, and https → http is
	// refused.
	MaxRedirects int
	// Resolver resolves host names; nil means net.DefaultResolver. Tests
	// use it to make a name resolve to any address.
	Resolver Resolver
	// DialContext connects to an address ("ip:port") the policy has
	// already checked; nil means a net.Dialer that checks the address
	// again as the socket connects. Tests use it to record dials.
	DialContext func(ctx context.Context, network, address string) (net.Conn, error)
	// TLSClientConfig is the TLS configuration, such as RootCAs for a test
	// server's certificate; nil means the system's roots.
	TLSClientConfig *tls.Config
}

// NewClient returns an *http.Client for delivering webhooks to URLs that
// customers supply, defended against server-side request forgery:
//
//   - Only https URLs (and http with AllowHTTP) are requested
//     (ErrSchemeRefused).
//   - The dialer resolves the host itself, checks every address it
//     resolves to, and refuses them all if any is refused
//     (ErrDestinationRefused); otherwise it connects to one of the checked
//     addresses, never resolving the name again, so DNS rebinding cannot
//     switch addresses between check and connect. The default dialer checks
//     the socket's address once more just before connect(2).
//   - Environment proxies (HTTPS_PROXY…) are ignored: through a proxy the
//     check would see the proxy's address, not the destination's.
//   - Redirects are not followed unless MaxRedirects allows them; then
//     each target is checked the same way, and https → http is refused
//     (ErrSchemeDowngrade).
//   - Each request is bounded by Timeout, and response headers by 64 KiB.
func NewClient(opts ClientOptions) *http.Client {
	p := &policy{allowPrivate: opts.AllowPrivate, resolver: opts.Resolver, dial: opts.DialContext}
	if p.resolver == nil {
		p.resolver = net.DefaultResolver
	}
	if p.dial == nil {
		p.dial = newDialer(opts.AllowPrivate).DialContext
	}
	var tlsConfig *tls.Config
	if opts.TLSClientConfig != nil {
		tlsConfig = opts.TLSClientConfig.Clone()
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            p.dialContext,
		TLSClientConfig:        tlsConfig,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  1 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	maxRedirects := min(max(opts.MaxRedirects, 0), maxRedirectsCap)
	return &http.Client{
		Transport: &schemeCheck{next: transport, allowHTTP: opts.AllowHTTP},
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if maxRedirects == 0 {
				return http.ErrUseLastResponse
			}
			if len(via) > maxRedirects {
				return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, maxRedirects)
			}
			if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme != "https" {
				return fmt.Errorf("%w: to %s", ErrSchemeDowngrade, req.URL.Redacted())
			}
			return nil
		},
	}
}

// schemeCheck refuses requests, first or redirected, whose scheme the
// policy does not allow.
type schemeCheck struct {
	next      http.RoundTripper
	allowHTTP bool
}

// RoundTrip refuses a scheme the policy does not allow, then sends.
func (s *schemeCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.URL.Scheme {
	case "https":
	case "http":
		if !s.allowHTTP {
			return nil, fmt.Errorf("%w: http (https only)", ErrSchemeRefused)
		}
	default:
		return nil, fmt.Errorf("%w: %q", ErrSchemeRefused, req.URL.Scheme)
	}
	return s.next.RoundTrip(req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// transport.
func (s *schemeCheck) CloseIdleConnections() {
	if c, ok := s.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// policy is the dialer side of NewClient.
type policy struct {
	allowPrivate bool
	resolver     Resolver
	dial         func(ctx context.Context, network, address string) (net.Conn, error)
}

// dialContext resolves address's host, checks every address, and dials the
// checked addresses in turn until one connects.
func (p *policy) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	ips, err := p.resolve(ctx, network, host)
	if err != nil {
		return nil, err
	}
	if !p.allowPrivate {
		for _, ip := range ips {
			if reason := refusedReason(ip); reason != "" {
				return nil, refusedError(host, ip, reason)
			}
		}
	}
	var errs []error
	for _, ip := range ips {
		conn, err := p.dial(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// resolve returns host's addresses for network ("tcp", "tcp4", "tcp6"): the
// host itself when it is an IP literal.
func (p *policy) resolve(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	lookup := "ip"
	switch network {
	case "tcp4":
		lookup = "ip4"
	case "tcp6":
		lookup = "ip6"
	}
	ips, err := p.resolver.LookupNetIP(ctx, lookup, host)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	return ips, nil
}

// newDialer returns the default dialer, which refuses (unless
// allowPrivate) to connect a socket to a refused address.
func newDialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = controlRefused
	}
	return d
}

// controlRefused is the default dialer's last check, on the address the
// socket is about to connect to.
func controlRefused(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot check address %q", ErrDestinationRefused, address)
	}
	if reason := refusedReason(ap.Addr()); reason != "" {
		return refusedError(ap.Addr().String(), ap.Addr(), reason)
	}
	return nil
}

func refusedError(host string, ip netip.Addr, reason string) error {
	if host == ip.String() {
		return fmt.Errorf("%w: %s is %s", ErrDestinationRefused, ip, reason)
	}
	return fmt.Errorf("%w: %s resolves to %s, %s", ErrDestinationRefused, host, ip, reason)
}
