package webhooks

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRefusedReason(t *testing.T) {
	refused := []string{
		"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.255",
		"127.0.0.1", "127.1.2.3", "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255",
		"192.0.0.8", "192.0.2.1", "192.168.1.1", "198.18.0.1", "198.51.100.7", "203.0.113.9",
		"224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
		"::", "::1", "::127.0.0.1", "fe80::1", "fe80::1%eth0", "febf::1", "fec0::1", "fc00::1", "fd12:3456::1",
		"ff02::1", "2001:db8::1", "100::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0", "::ffff:255.255.255.255",
		"64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
		"64:ff9b::7f00:1",    // NAT64 of 127.0.0.1
		"2002:a00:1::1",      // 6to4 of 10.0.0.1
		"2002:7f00:1::",      // 6to4 of 127.0.0.1
	}
	allowed := []string{
		"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.1", "100.63.255.255", "100.128.0.0",
		"126.255.255.255", "128.0.0.1", "169.253.255.255", "169.255.0.1", "172.15.255.255", "172.32.0.1",
		"192.167.255.255", "192.169.0.1", "223.255.255.255",
		"2606:4700:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
	}
	for _, s := range refused {
		if r := refusedReason(netip.MustParseAddr(s)); r == "" {
			t.Errorf("%s is allowed, want refused", s)
		}
	}
	for _, s := range allowed {
		if r := refusedReason(netip.MustParseAddr(s)); r != "" {
			t.Errorf("%s is refused (%s), want allowed", s, r)
		}
	}
	if refusedReason(netip.Addr{}) == "" {
		t.Error("the invalid Addr is allowed")
	}
}

// testServer is a real HTTP server on a real listener that counts the
// connections it accepts and the requests it serves.
type testServer struct {
	*httptest.Server
	conns, reqs, closed atomic.Int32
}

func startServer(t *testing.T, network, addr string, useTLS bool, h http.HandlerFunc) *testServer {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		if network == "tcp6" {
			t.Skipf("skipping: this machine has no IPv6 loopback (listen on %s: %v)", addr, err)
		}
		t.Fatal(err)
	}
	s := &testServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.reqs.Add(1)
		if h == nil {
			io.WriteString(w, "hello")
			return
		}
		h(w, r)
	}))
	s.Listener.Close()
	s.Listener = ln
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.conns.Add(1)
		case http.StateClosed:
			s.closed.Add(1)
		}
	}
	if useTLS {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) port() string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

// tlsOptions trusts s's certificate.
func (s *testServer) tlsOptions(o ClientOptions) ClientOptions {
	o.TLSClientConfig = s.Client().Transport.(*http.Transport).TLSClientConfig
	return o
}

// dialRecorder is a ClientOptions.DialContext that records every address
// the policy let through. It connects only to the addresses in route (to
// the real address given) or, with passthrough, as asked; otherwise it
// fails without sending a packet.
type dialRecorder struct {
	mu          sync.Mutex
	addrs       []string
	route       map[string]string
	passthrough bool
}

var errNoPacket = errors.New("test dialer: not connecting, no packet sent")

func (d *dialRecorder) dial(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	d.addrs = append(d.addrs, address)
	d.mu.Unlock()
	if to, ok := d.route[address]; ok {
		address = to
	} else if !d.passthrough {
		return nil, errNoPacket
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, address)
}

func (d *dialRecorder) dialed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.addrs)
}

// fakeResolver resolves the names it holds and no other.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, ip := range f[host] {
		if network == "ip" || (network == "ip4") == ip.Unmap().Is4() {
			out = append(out, ip)
		}
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

func get(c *http.Client, u string) (int, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// Loopback servers on real listeners: the production policy refuses them
// with the real dialer and they see no connection; AllowPrivate reaches
// the very same servers (the negative control).
func TestClientRefusesLoopback(t *testing.T) {
	for _, l := range []struct{ network, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}} {
		t.Run(l.addr, func(t *testing.T) {
			srv := startServer(t, l.network, l.addr, false, nil)
			_, err := get(NewClient(ClientOptions{AllowHTTP: true}), srv.URL)
			if !errors.Is(err, ErrDestinationRefused) {
				t.Fatalf("GET %s: %v, want ErrDestinationRefused", srv.URL, err)
			}
			if n := srv.conns.Load(); n != 0 {
				t.Fatalf("the refused server accepted %d connections", n)
			}

			code, err := get(NewClient(ClientOptions{AllowHTTP: true, AllowPrivate: true}), srv.URL)
			if err != nil || code != 200 {
				t.Fatalf("control with AllowPrivate: %d, %v; want 200", code, err)
			}
			if srv.conns.Load() == 0 || srv.reqs.Load() != 1 {
				t.Fatalf("control: %d connections, %d requests; want ≥1 and 1", srv.conns.Load(), srv.reqs.Load())
			}
		})
	}
}

// Addresses nothing listens on here are refused before the dialer is
// called at all: the recording dialer sees nothing. With AllowPrivate the
// recorder sees the address (and sends nothing either), which proves it
// would have recorded a connection.
func TestClientRefusesBeforeDialing(t *testing.T) {
	for _, host := range []string{
		"10.0.0.1", "172.16.5.4", "192.168.0.1", "100.64.0.1", "169.254.169.254", "0.0.0.0", "0.1.2.3",
		"224.0.0.1", "255.255.255.255", "[::]", "[fe80::1]", "[fd00::1]", "[ff02::1]",
		"[::ffff:169.254.169.254]", "[::ffff:10.0.0.1]", "[::ffff:127.0.0.1]", "[64:ff9b::a9fe:a9fe]",
	} {
		t.Run(host, func(t *testing.T) {
			u := "http://" + host + "/latest/meta-data/"
			rec := &dialRecorder{}
			_, err := get(NewClient(ClientOptions{AllowHTTP: true, DialContext: rec.dial}), u)
			if !errors.Is(err, ErrDestinationRefused) {
				t.Fatalf("GET %s: %v, want ErrDestinationRefused", u, err)
			}
			if d := rec.dialed(); len(d) != 0 {
				t.Fatalf("the dialer was called with %v", d)
			}

			_, err = get(NewClient(ClientOptions{AllowHTTP: true, AllowPrivate: true, DialContext: rec.dial}), u)
			if !errors.Is(err, errNoPacket) {
				t.Fatalf("control with AllowPrivate: %v, want the recorder's error", err)
			}
			want := net.JoinHostPort(netip.MustParseAddr(strings.Trim(host, "[]")).String(), "80")
			if d := rec.dialed(); !slices.Equal(d, []string{want}) {
				t.Fatalf("control: dialed %v, want [%s]", d, want)
			}
		})
	}
}

func TestClientRefusesNamesResolvingToLoopback(t *testing.T) {
	srv := startServer(t, "tcp4", "127.0.0.1:0", false, nil)
	resolver := fakeResolver{
		"hooks.example.test":  {netip.MustParseAddr("127.0.0.1")},
		"mapped.example.test": {netip.MustParseAddr("::ffff:127.0.0.1")},
	}
	for _, name := range []string{"hooks.example.test", "mapped.example.test"} {
		t.Run(name, func(t *testing.T) {
			u := "http://" + name + ":" + srv.port() + "/"
			_, err := get(NewClient(ClientOptions{AllowHTTP: true, Resolver: resolver}), u)
			if !errors.Is(err, ErrDestinationRefused) || !strings.Contains(err.Error(), name+" resolves to") {
				t.Fatalf("GET %s: %v, want ErrDestinationRefused naming the host", u, err)
			}
			if n := srv.conns.Load(); n != 0 {
				t.Fatalf("the refused server accepted %d connections", n)
			}
		})
	}
	t.Run("localhost, system resolver", func(t *testing.T) {
		u := "http://localhost:" + srv.port() + "/"
		_, err := get(NewClient(ClientOptions{AllowHTTP: true}), u)
		if !errors.Is(err, ErrDestinationRefused) {
			t.Fatalf("GET %s: %v, want ErrDestinationRefused", u, err)
		}
		if n := srv.conns.Load(); n != 0 {
			t.Fatalf("the refused server accepted %d connections", n)
		}
	})
	// Numeric host forms some resolvers (getaddrinfo's inet_aton) read as
	// 127.0.0.1: whether they resolve or fail, they never reach the server.
	t.Run("numeric forms of 127.0.0.1", func(t *testing.T) {
		for _, h := range []string{"2130706433", "0x7f000001", "0x7f.1", "127.1", "0177.0.0.1"} {
			u := "http://" + h + ":" + srv.port() + "/"
			if _, err := get(NewClient(ClientOptions{AllowHTTP: true}), u); err == nil {
				t.Errorf("GET %s succeeded", u)
			}
		}
		if n := srv.conns.Load(); n != 0 {
			t.Fatalf("the server accepted %d connections", n)
		}
	})
	t.Run("control: AllowPrivate reaches it by name", func(t *testing.T) {
		u := "http://hooks.example.test:" + srv.port() + "/"
		if code, err := get(NewClient(ClientOptions{AllowHTTP: true, AllowPrivate: true, Resolver: resolver}), u); err != nil || code != 200 {
			t.Fatalf("GET %s: %d, %v; want 200", u, code, err)
		}
		u = "http://localhost:" + srv.port() + "/"
		if code, err := get(NewClient(ClientOptions{AllowHTTP: true, AllowPrivate: true}), u); err != nil || code != 200 {
			t.Fatalf("GET %s: %d, %v; want 200", u, code, err)
		}
		if srv.reqs.Load() != 2 {
			t.Fatalf("%d requests served, want 2", srv.reqs.Load())
		}
	})
	t.Run("one refused address among public ones", func(t *testing.T) {
		rec := &dialRecorder{}
		r := fakeResolver{"mixed.example.test": {netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("10.0.0.1")}}
		_, err := get(NewClient(ClientOptions{AllowHTTP: true, Resolver: r, DialContext: rec.dial}), "http://mixed.example.test/")
		if !errors.Is(err, ErrDestinationRefused) {
			t.Fatalf("GET: %v, want ErrDestinationRefused", err)
		}
		if d := rec.dialed(); len(d) != 0 {
			t.Fatalf("dialed %v, want nothing", d)
		}
	})
}

func TestClientSchemes(t *testing.T) {
	rec := &dialRecorder{}
	strict := NewClient(ClientOptions{AllowPrivate: true, DialContext: rec.dial})
	for _, u := range []string{"http://8.8.8.8/", "ftp://8.8.8.8/", "file:///etc/passwd", "gopher://8.8.8.8/"} {
		if _, err := get(strict, u); !errors.Is(err, ErrSchemeRefused) {
			t.Errorf("GET %s: %v, want ErrSchemeRefused", u, err)
		}
	}
	if d := rec.dialed(); len(d) != 0 {
		t.Fatalf("dialed %v, want nothing", d)
	}
	// Controls: https is requested; http is with AllowHTTP.
	tlsSrv := startServer(t, "tcp4", "127.0.0.1:0", true, nil)
	if code, err := get(NewClient(tlsSrv.tlsOptions(ClientOptions{AllowPrivate: true})), tlsSrv.URL); err != nil || code != 200 {
		t.Fatalf("GET %s: %d, %v; want 200", tlsSrv.URL, code, err)
	}
	srv := startServer(t, "tcp4", "127.0.0.1:0", false, nil)
	if code, err := get(NewClient(ClientOptions{AllowPrivate: true, AllowHTTP: true}), srv.URL); err != nil || code != 200 {
		t.Fatalf("GET %s with AllowHTTP: %d, %v; want 200", srv.URL, code, err)
	}
}

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/final" {
			io.WriteString(w, "final")
			return
		}
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	}
}

func TestClientRedirects(t *testing.T) {
	t.Run("not followed by default", func(t *testing.T) {
		target := startServer(t, "tcp4", "127.0.0.1:0", false, nil)
		from := startServer(t, "tcp4", "127.0.0.1:0", false, redirectTo(target.URL))
		code, err := get(NewClient(ClientOptions{AllowPrivate: true, AllowHTTP: true}), from.URL)
		if err != nil || code != http.StatusTemporaryRedirect {
			t.Fatalf("GET: %d, %v; want 307 as the result", code, err)
		}
		if target.reqs.Load() != 0 {
			t.Fatal("the redirect was followed")
		}
		// Control: with MaxRedirects it is followed.
		code, err = get(NewClient(ClientOptions{AllowPrivate: true, AllowHTTP: true, MaxRedirects: 1}), from.URL)
		if err != nil || code != 200 || target.reqs.Load() != 1 {
			t.Fatalf("MaxRedirects 1: %d, %v, %d target requests; want 200 and 1", code, err, target.reqs.Load())
		}
	})

	t.Run("https to http refused", func(t *testing.T) {
		plain := startServer(t, "tcp4", "127.0.0.1:0", false, nil)
		secure := startServer(t, "tcp4", "127.0.0.1:0", true, redirectTo(plain.URL+"/"))
		c := NewClient(secure.tlsOptions(ClientOptions{AllowPrivate: true, AllowHTTP: true, MaxRedirects: 5}))
		_, err := get(c, secure.URL)
		if !errors.Is(err, ErrSchemeDowngrade) {
			t.Fatalf("GET: %v, want ErrSchemeDowngrade", err)
		}
		if secure.reqs.Load() != 1 || plain.conns.Load() != 0 {
			t.Fatalf("%d requests to the https server, %d connections to the http one; want 1 and 0", secure.reqs.Load(), plain.conns.Load())
		}
		// Controls: https → https and http → http are followed.
		if code, err := get(c, secure.URL+"/final"); err != nil || code != 200 {
			t.Fatalf("https → https: %d, %v", code, err)
		}
		hop := startServer(t, "tcp4", "127.0.0.1:0", false, redirectTo(plain.URL+"/"))
		if code, err := get(c, hop.URL); err != nil || code != 200 || plain.reqs.Load() != 1 {
			t.Fatalf("http → http: %d, %v, %d requests", code, err, plain.reqs.Load())
		}
	})

	// A server the policy allows (a public address, routed by the test
	// dialer to a local listener) redirects to loopback and to the
	// metadata address: the redirect is refused before dialing.
	t.Run("allowed server redirecting to refused addresses", func(t *testing.T) {
		loop := startServer(t, "tcp4", "127.0.0.1:0", false, nil)
		for _, target := range []string{loop.URL + "/", "http://169.254.169.254/latest/meta-data/", "http://localhost:" + loop.port() + "/"} {
			public := startServer(t, "tcp4", "127.0.0.1:0", false, redirectTo(target))
			publicAddr := "8.8.8.8:" + public.port()
			rec := &dialRecorder{route: map[string]string{publicAddr: public.Listener.Addr().String()}}
			opts := ClientOptions{
				AllowHTTP: true, MaxRedirects: 5, DialContext: rec.dial,
				Resolver: fakeResolver{"public.example.test": {netip.MustParseAddr("8.8.8.8")}, "localhost": {netip.MustParseAddr("127.0.0.1")}},
			}
			u := "http://public.example.test:" + public.port() + "/"
			_, err := get(NewClient(opts), u)
			if !errors.Is(err, ErrDestinationRefused) {
				t.Fatalf("redirect to %s: %v, want ErrDestinationRefused", target, err)
			}
			if d := rec.dialed(); !slices.Equal(d, []string{publicAddr}) || public.reqs.Load() != 1 || loop.conns.Load() != 0 {
				t.Fatalf("redirect to %s: dialed %v, %d requests to the public server, %d connections to loopback; want [%s], 1, 0",
					target, d, public.reqs.Load(), loop.conns.Load(), publicAddr)
			}
		}
		// Control: AllowPrivate follows the redirect to the loopback server.
		public := startServer(t, "tcp4", "127.0.0.1:0", false, redirectTo(loop.URL+"/"))
		rec := &dialRecorder{passthrough: true, route: map[string]string{"8.8.8.8:" + public.port(): public.Listener.Addr().String()}}
		opts := ClientOptions{AllowHTTP: true, AllowPrivate: true, MaxRedirects: 5, DialContext: rec.dial,
			Resolver: fakeResolver{"public.example.test": {netip.MustParseAddr("8.8.8.8")}}}
		if code, err := get(NewClient(opts), "http://public.example.test:"+public.port()+"/"); err != nil || code != 200 || loop.reqs.Load() != 1 {
			t.Fatalf("control: %d, %v, %d loopback requests; want 200 and 1", code, err, loop.reqs.Load())
		}
	})

	t.Run("capped", func(t *testing.T) {
		var loop *testServer
		loop = startServer(t, "tcp4", "127.0.0.1:0", false, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, loop.URL+"/again", http.StatusFound)
		})
		_, err := get(NewClient(ClientOptions{AllowPrivate: true, AllowHTTP: true, MaxRedirects: 2}), loop.URL)
		if !errors.Is(err, ErrTooManyRedirects) {
			t.Fatalf("GET: %v, want ErrTooManyRedirects", err)
		}
		if n := loop.reqs.Load(); n != 3 {
			t.Fatalf("%d requests, want 3 (the first and 2 redirects)", n)
		}
		loop.reqs.Store(0)
		_, err = get(NewClient(ClientOptions{AllowPrivate: true, AllowHTTP: true, MaxRedirects: 1000}), loop.URL)
		if !errors.Is(err, ErrTooManyRedirects) || loop.reqs.Load() != maxRedirectsCap+1 {
			t.Fatalf("MaxRedirects 1000: %v after %d requests, want ErrTooManyRedirects after %d", err, loop.reqs.Load(), maxRedirectsCap+1)
		}
	})
}

// The default dialer's last check refuses a real connect to loopback.
// The listener's first accepted connection is then the control's, which
// proves the refused dial never reached it.
func TestDefaultDialerControl(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := newDialer(false).Dial("tcp4", ln.Addr().String()); !errors.Is(err, ErrDestinationRefused) {
		t.Fatalf("dial: %v, want ErrDestinationRefused", err)
	}
	c, err := newDialer(true).Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatalf("control dial with allowPrivate: %v", err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.RemoteAddr().String() != c.LocalAddr().String() {
		t.Fatalf("the first connection accepted came from %s, not the control's %s", s.RemoteAddr(), c.LocalAddr())
	}
}

func TestClientCloseIdleConnections(t *testing.T) {
	srv := startServer(t, "tcp4", "127.0.0.1:0", false, nil)
	c := NewClient(ClientOptions{AllowPrivate: true, AllowHTTP: true})
	if _, err := get(c, srv.URL); err != nil {
		t.Fatal(err)
	}
	c.CloseIdleConnections()
	for i := 0; srv.closed.Load() == 0; i++ {
		if i == 5000 {
			t.Fatal("the idle connection was not closed") // after 5 s of polling; no timing asserted
		}
		time.Sleep(time.Millisecond)
	}
}

func TestClientIgnoresProxyEnvironment(t *testing.T) {
	tr := NewClient(ClientOptions{}).Transport.(*schemeCheck).next.(*http.Transport)
	if tr.Proxy != nil {
		t.Fatal("the transport has a Proxy function: a proxy would be checked instead of the destination")
	}
}

// A request is bounded by ClientOptions.Timeout.
func TestClientTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := startServer(t, "tcp4", "127.0.0.1:0", false, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	_, err := get(NewClient(ClientOptions{AllowPrivate: true, AllowHTTP: true, Timeout: 50 * time.Millisecond}), srv.URL)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("GET a server that never answers: %v, want a timeout", err)
	}
}
