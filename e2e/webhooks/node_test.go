package webhooks_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantkit/orgs/webhooks"
)

// nodeDir holds the pinned npm package (package-lock.json) and verify.js.
const nodeDir = "../webhooks-node"

// needNode returns the node binary after making sure the pinned
// standardwebhooks package is installed (npm ci). Without Node or npm the
// test is skipped, with the reason, except under CI=true, where it fails:
// CI must run the Node reference check.
func needNode(t *testing.T) string {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: the Node reference check must run, but "+format, args...)
		}
		t.Skipf("skipping the Node reference check: "+format, args...)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable("node is not installed (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "standardwebhooks", "package.json")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			unavailable("npm is not installed (%v)", err)
		}
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = nodeDir
		if out, err := cmd.CombinedOutput(); err != nil {
			unavailable("npm ci in %s failed: %v\n%s", nodeDir, err, out)
		}
	}
	return node
}

type nodeCase struct {
	Op        string            `json:"op"`
	Secret    string            `json:"secret"`
	Body      []byte            `json:"body"` // base64 in JSON
	Headers   map[string]string `json:"headers,omitempty"`
	ID        string            `json:"id,omitempty"`
	Timestamp int64             `json:"timestamp,omitempty"`
}

type nodeResult struct {
	OK        bool            `json:"ok"`
	Error     string          `json:"error"`
	Payload   json.RawMessage `json:"payload"`
	Signature string          `json:"signature"`
}

func runNode(t *testing.T, node string, cases []nodeCase) []nodeResult {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "verify.js")
	cmd.Dir = nodeDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node verify.js: %v\n%s", err, stderr.Bytes())
	}
	var results []nodeResult
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(cases) {
		t.Fatalf("node verify.js wrote %q (%v), want %d results", out, err, len(cases))
	}
	return results
}

// lowerHeaders is an http.Header as Node's req.headers holds it.
func lowerHeaders(h map[string][]string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return out
}

func TestOurSignaturesVerifyWithOfficialNode(t *testing.T) {
	node := needNode(t)
	secs := secrets(t, 3)
	current, old, stranger := secs[0], secs[1], secs[2]
	type expect struct {
		name  string
		ok    bool
		error string // a substring of the package's message
	}
	var cases []nodeCase
	var want []expect
	add := func(name string, c nodeCase, ok bool, errText string) {
		c.Op = "verify"
		cases = append(cases, c)
		want = append(want, expect{name, ok, errText})
	}
	for name, body := range bodies(t) {
		h, err := webhooks.SignHeaders("evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0", time.Now(), body, current, old)
		if err != nil {
			t.Fatal(err)
		}
		add(name+"/current secret", nodeCase{Secret: current.Encoded(), Body: body, Headers: lowerHeaders(h)}, true, "")
		add(name+"/old secret", nodeCase{Secret: old.Encoded(), Body: body, Headers: lowerHeaders(h)}, true, "")
		// Negative controls.
		add(name+"/another secret", nodeCase{Secret: stranger.Encoded(), Body: body, Headers: lowerHeaders(h)}, false, "No matching signature")
		if len(body) > 0 {
			tampered := append([]byte(nil), body...)
			tampered[len(tampered)/2] ^= 0x01
			add(name+"/flipped byte", nodeCase{Secret: current.Encoded(), Body: tampered, Headers: lowerHeaders(h)}, false, "No matching signature")
		}
		stale, _ := webhooks.SignHeaders("evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0", time.Now().Add(-6*time.Minute), body, current)
		add(name+"/stale", nodeCase{Secret: current.Encoded(), Body: body, Headers: lowerHeaders(stale)}, false, "too old")
		missing := lowerHeaders(h)
		delete(missing, "webhook-id")
		add(name+"/no webhook-id", nodeCase{Secret: current.Encoded(), Body: body, Headers: missing}, false, "Missing required headers")
	}
	for i, r := range runNode(t, node, cases) {
		w := want[i]
		if r.OK != w.ok || !strings.Contains(r.Error, w.error) {
			t.Errorf("%s: node says ok=%v %q, want ok=%v %q", w.name, r.OK, r.Error, w.ok, w.error)
		}
	}
	// The payload Node returns is our message.
	msgBody := bodies(t)["message"]
	h, _ := webhooks.SignHeaders("evt_1", time.Now(), msgBody, current)
	r := runNode(t, node, []nodeCase{{Op: "verify", Secret: current.Encoded(), Body: msgBody, Headers: lowerHeaders(h)}})[0]
	var p webhooks.Payload
	if err := json.Unmarshal(r.Payload, &p); err != nil || p.Type != "member.added" || p.Data["name"] != "Zoë <Ω> & 東京 😀" {
		t.Errorf("node returned payload %s (%v)", r.Payload, err)
	}
}

// Node's signatures equal ours, on the spec's vector and on our messages.
func TestOfficialNodeSignaturesEqualOurs(t *testing.T) {
	node := needNode(t)
	vector := webhooks.MustParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	sec := secrets(t, 1)[0]
	cases := []nodeCase{{Op: "sign", Secret: vector.Encoded(), ID: "msg_p5jXN8AQM9LWM0D4loKWxJek", Timestamp: 1614265330, Body: []byte(`{"test": 2432232314}`)}}
	for _, body := range bodies(t) {
		cases = append(cases, nodeCase{Op: "sign", Secret: sec.Encoded(), ID: "evt_1", Timestamp: time.Now().Unix(), Body: body})
	}
	results := runNode(t, node, cases)
	if results[0].Signature != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Fatalf("node signs the spec's vector as %s", results[0].Signature)
	}
	for i, c := range cases {
		s := vector
		if i > 0 {
			s = sec
		}
		ours, err := webhooks.Sign(c.ID, time.Unix(c.Timestamp, 0), c.Body, s)
		if err != nil {
			t.Fatal(err)
		}
		if results[i].Signature != ours {
			t.Errorf("case %d: node %s, ours %s", i, results[i].Signature, ours)
		}
	}
}
