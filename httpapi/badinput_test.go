package httpapi

import (
	"fmt"
	"maps"
	"net/url"
	"strings"
	"testing"
)

// badCase is one request that must be refused with a 4xx problem.
type badCase struct {
	name   string
	method string
	path   string // fixture paths: {org} is the fixture's slug, {inv}, {cat}, {pipe} its IDs
	actor  string
	body   any
	opts   []reqOption
	status int
	code   string
	field  string // for 422: a field the problem must name
	route  string // generic cases: the route whose sample path to use
}

var (
	long100k = strings.Repeat("x", 100_000)
	tooLarge = `{"name":"` + strings.Repeat("a", int(DefaultMaxBodyBytes)) + `"}`
)

func many(n int, f func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f(i)
	}
	return strings.Join(parts, ",")
}

// badInputs is the hand-written table; TestBadInput adds, for every route
// that takes a body, the generic cases of bodyCases.
var badInputs = []badCase{
	// Malformed bodies.
	{name: "unterminated object", method: "POST", path: "/organizations", body: `{"name":`, status: 400, code: CodeInvalidJSON},
	{name: "unterminated string", method: "POST", path: "/organizations", body: `{"name": "Acme`, status: 400, code: CodeInvalidJSON},
	{name: "not JSON", method: "POST", path: "/organizations", body: `name=Acme`, status: 400, code: CodeInvalidJSON},
	{name: "single quotes", method: "POST", path: "/organizations", body: `{'name': 'Acme'}`, status: 400, code: CodeInvalidJSON},
	{name: "trailing comma", method: "POST", path: "/organizations", body: `{"name": "Acme",}`, status: 400, code: CodeInvalidJSON},
	{name: "raw NUL byte in string", method: "POST", path: "/organizations", body: "{\"name\": \"Ac\x00me\"}", status: 400, code: CodeInvalidJSON},
	{name: "raw newline in string", method: "POST", path: "/organizations", body: "{\"name\": \"Ac\nme\"}", status: 400, code: CodeInvalidJSON},
	{name: "byte order mark", method: "POST", path: "/organizations", body: "\ufeff{\"name\": \"Acme\"}", status: 400, code: CodeInvalidJSON},
	{name: "empty body", method: "POST", path: "/organizations", body: "", status: 400, code: CodeInvalidJSON},
	{name: "whitespace body", method: "POST", path: "/organizations", body: " \n\t ", status: 400, code: CodeInvalidJSON},
	{name: "null body", method: "POST", path: "/organizations", body: "null", status: 400, code: CodeInvalidJSON},
	{name: "array body", method: "POST", path: "/organizations", body: `[{"name": "Acme"}]`, status: 400, code: CodeInvalidJSON},
	{name: "string body", method: "POST", path: "/organizations", body: `"Acme"`, status: 400, code: CodeInvalidJSON},
	{name: "number body", method: "POST", path: "/organizations", body: `42`, status: 400, code: CodeInvalidJSON},
	{name: "two objects", method: "POST", path: "/organizations", body: `{"name": "Acme"}{"name": "Evil"}`, status: 400, code: CodeInvalidJSON},
	{name: "trailing garbage", method: "POST", path: "/organizations", body: `{"name": "Acme"} xyz`, status: 400, code: CodeInvalidJSON},
	{name: "deeply nested", method: "POST", path: "/organizations", body: `{"metadata": ` + strings.Repeat(`{"a":`, 10_001) + `1` + strings.Repeat(`}`, 10_001) + `}`, status: 400, code: CodeInvalidJSON},
	{name: "over the body limit", method: "POST", path: "/organizations", body: tooLarge, status: 413, code: CodeBodyTooLarge},
	{name: "form content type", method: "POST", path: "/organizations", body: `name=Acme`, opts: []reqOption{withHeader("Content-Type", "application/x-www-form-urlencoded")}, status: 415, code: CodeUnsupportedMediaType},
	{name: "text/plain content type", method: "POST", path: "/organizations", body: `{"name": "Acme"}`, opts: []reqOption{withHeader("Content-Type", "text/plain")}, status: 415, code: CodeUnsupportedMediaType},
	{name: "malformed content type", method: "POST", path: "/organizations", body: `{"name": "Acme"}`, opts: []reqOption{withHeader("Content-Type", "application/json; charset")}, status: 415, code: CodeUnsupportedMediaType},

	// Unknown fields and wrong types.
	{name: "unknown field", method: "POST", path: "/organizations", body: `{"name": "Acme", "nmae": "x"}`, status: 422, code: CodeValidationFailed, field: "nmae"},
	{name: "read-only field", method: "POST", path: "/organizations", body: `{"name": "Acme", "member_count": 9}`, status: 422, code: CodeValidationFailed, field: "member_count"},
	{name: "name is a number", method: "POST", path: "/organizations", body: `{"name": 42}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "name is a boolean", method: "POST", path: "/organizations", body: `{"name": true}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "name is an object", method: "POST", path: "/organizations", body: `{"name": {"first": "A"}}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "name is null", method: "POST", path: "/organizations", body: `{"name": null}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "domains is a string", method: "POST", path: "/organizations", body: `{"name": "Acme", "domains": "acme.com"}`, status: 422, code: CodeValidationFailed, field: "domains"},
	{name: "metadata is an array", method: "POST", path: "/organizations", body: `{"name": "Acme", "metadata": ["a"]}`, status: 422, code: CodeValidationFailed, field: "metadata"},
	{name: "metadata value is a number", method: "POST", path: "/organizations", body: `{"name": "Acme", "metadata": {"tier": 1}}`, status: 422, code: CodeValidationFailed, field: "metadata"},
	{name: "position is a string", method: "POST", path: "/organizations/{org}/categories", body: `{"name": "X", "position": "1"}`, status: 422, code: CodeValidationFailed, field: "position"},
	{name: "position is a fraction", method: "POST", path: "/organizations/{org}/categories", body: `{"name": "X", "position": 1.5}`, status: 422, code: CodeValidationFailed, field: "position"},
	{name: "position overflows", method: "POST", path: "/organizations/{org}/categories", body: `{"name": "X", "position": 1e400}`, status: 422, code: CodeValidationFailed, field: "position"},
	{name: "position is negative", method: "PATCH", path: "/organizations/{org}/categories/{cat}", body: `{"position": -1}`, status: 422, code: CodeValidationFailed, field: "position"},
	{name: "stages is not an array", method: "POST", path: "/organizations/{org}/pipelines", body: `{"name": "P", "stages": "Screen"}`, status: 422, code: CodeValidationFailed, field: "stages"},
	{name: "stages of numbers", method: "POST", path: "/organizations/{org}/pipelines", body: `{"name": "P", "stages": [1, 2]}`, status: 422, code: CodeValidationFailed, field: "stages"},
	{name: "stage with unknown field", method: "PATCH", path: "/organizations/{org}/pipelines/{pipe}", body: `{"stages": [{"name": "A", "colour": "red"}]}`, status: 422, code: CodeValidationFailed, field: "colour"},
	{name: "is_default is a string", method: "POST", path: "/organizations/{org}/pipelines", body: `{"name": "P", "is_default": "yes"}`, status: 422, code: CodeValidationFailed, field: "is_default"},
	{name: "expires_in_seconds is a string", method: "POST", path: "/organizations/{org}/invitations", body: `{"email": "a@example.com", "role": "member", "expires_in_seconds": "7d"}`, status: 422, code: CodeValidationFailed, field: "expires_in_seconds"},
	{name: "expires_in_seconds overflows", method: "POST", path: "/organizations/{org}/invitations", body: `{"email": "a@example.com", "role": "member", "expires_in_seconds": 1e30}`, status: 422, code: CodeValidationFailed, field: "expires_in_seconds"},
	{name: "expires_in_seconds huge", method: "POST", path: "/organizations/{org}/invitations", body: `{"email": "a@example.com", "role": "member", "expires_in_seconds": 9223372036854775807}`, status: 422, code: CodeValidationFailed, field: "expires_in_seconds"},
	{name: "expires_in_seconds negative", method: "POST", path: "/organizations/{org}/invitations", body: `{"email": "a@example.com", "role": "member", "expires_in_seconds": -5}`, status: 422, code: CodeValidationFailed, field: "expires_in_seconds"},
	{name: "expires_in_seconds too short", method: "POST", path: "/organizations/{org}/invitations", body: `{"email": "a@example.com", "role": "member", "expires_in_seconds": 60}`, status: 422, code: CodeValidationFailed, field: "expires_in_seconds"},
	{name: "user_id is a number", method: "POST", path: "/organizations/{org}/transfer-ownership", body: `{"user_id": 7}`, status: 422, code: CodeValidationFailed, field: "user_id"},
	{name: "token is a number", method: "POST", path: "/invitations/accept", actor: outsider, body: `{"token": 5}`, status: 422, code: CodeValidationFailed, field: "token"},

	// Invalid values: lengths, characters, formats.
	{name: "100k-character name", method: "POST", path: "/organizations", body: map[string]any{"name": long100k}, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "100k-character description", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "description": long100k}, status: 422, code: CodeValidationFailed, field: "description"},
	{name: "100k-character team name", method: "POST", path: "/organizations/{org}/teams", body: map[string]any{"name": long100k}, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "100k-character category", method: "POST", path: "/organizations/{org}/categories", body: map[string]any{"name": long100k}, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "100k-character token", method: "POST", path: "/invitations/accept", actor: outsider, body: map[string]any{"token": long100k}, status: 404, code: CodeNotFound},
	{name: "100k-character user_id", method: "POST", path: "/organizations/{org}/transfer-ownership", body: map[string]any{"user_id": long100k}, status: 422, code: CodeValidationFailed, field: "user_id"},
	{name: "101-character name", method: "POST", path: "/organizations", body: map[string]any{"name": strings.Repeat("é", 101)}, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "empty name", method: "POST", path: "/organizations", body: map[string]any{"name": ""}, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "blank name", method: "POST", path: "/organizations", body: map[string]any{"name": "   "}, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "escaped NUL in name", method: "POST", path: "/organizations", body: `{"name": "Ac\u0000me"}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "bell character in name", method: "POST", path: "/organizations", body: `{"name": "Ac\u0007me"}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "newline in name", method: "POST", path: "/organizations", body: `{"name": "Ac\nme"}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "DEL in team name", method: "POST", path: "/organizations/{org}/teams", body: `{"name": "Te\u007fam"}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "C1 control in category", method: "POST", path: "/organizations/{org}/categories", body: `{"name": "Cat\u0085"}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "lone surrogate in name", method: "POST", path: "/organizations", body: `{"name": "Ac\ud800me"}`, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "invalid UTF-8 in name", method: "POST", path: "/organizations", body: "{\"name\": \"Ac\xff\xfeme\"}", status: 422, code: CodeValidationFailed, field: "name"},
	{name: "NUL in metadata key", method: "POST", path: "/organizations", body: `{"name": "Acme", "metadata": {"k\u0000": "v"}}`, status: 422, code: CodeValidationFailed, field: "metadata"},
	{name: "51 metadata keys", method: "POST", path: "/organizations", body: `{"name": "Acme", "metadata": {` + many(51, func(i int) string { return fmt.Sprintf(`"k%d": "v"`, i) }) + `}}`, status: 422, code: CodeValidationFailed, field: "metadata"},
	{name: "unicode slug", method: "POST", path: "/organizations", body: map[string]any{"name": "Café", "slug": "café"}, status: 422, code: CodeValidationFailed, field: "slug"},
	{name: "zero-width space in slug", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "slug": "ac\u200bme"}, status: 422, code: CodeValidationFailed, field: "slug"},
	{name: "slug too short", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "slug": "ab"}, status: 422, code: CodeValidationFailed, field: "slug"},
	{name: "slug with a leading hyphen", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "slug": "-acme"}, status: 422, code: CodeValidationFailed, field: "slug"},
	{name: "slug with a space", method: "PATCH", path: "/organizations/{org}", body: map[string]any{"slug": "new slug"}, status: 422, code: CodeValidationFailed, field: "slug"},
	{name: "IDN domain needing a Unicode case mapping", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "domains": []string{"BÜCHER.de"}}, status: 422, code: CodeValidationFailed, field: "domains"},
	{name: "Kelvin sign in a slug", method: "POST", path: "/organizations", body: map[string]any{"name": "Kelvin", "slug": "\u212Aelvin"}, status: 422, code: CodeValidationFailed, field: "slug"},
	{name: "dotted capital I in a handle", method: "POST", path: "/organizations", body: map[string]any{"name": "Info", "handle": "\u0130nfo"}, status: 422, code: CodeValidationFailed, field: "handle"},
	{name: "zero-width name", method: "POST", path: "/organizations", body: map[string]any{"name": "\u200B"}, status: 422, code: CodeValidationFailed, field: "name"},
	{name: "IP as domain", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "domains": []string{"127.0.0.1"}}, status: 422, code: CodeValidationFailed, field: "domains"},
	{name: "javascript: website", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "website": "javascript:alert(1)"}, status: 422, code: CodeValidationFailed, field: "website"},
	{name: "bad contact email", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "contact_email": "not-an-email"}, status: 422, code: CodeValidationFailed, field: "contact_email"},
	{name: "unknown industry", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "industry": "Piracy"}, status: 422, code: CodeValidationFailed, field: "industry"},
	{name: "unknown visibility", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme", "visibility": "secret"}, status: 422, code: CodeValidationFailed, field: "visibility"},
	{name: "empty visibility on update", method: "PATCH", path: "/organizations/{org}", body: map[string]any{"visibility": ""}, status: 422, code: CodeValidationFailed, field: "visibility"},
	{name: "65-byte external_id", method: "PATCH", path: "/organizations/{org}", body: map[string]any{"external_id": strings.Repeat("e", 65)}, status: 422, code: CodeValidationFailed, field: "external_id"},
	{name: "unknown role", method: "PATCH", path: "/organizations/{org}/members/" + target, body: map[string]any{"role": "superuser"}, status: 422, code: CodeValidationFailed, field: "role"},
	{name: "missing role", method: "PATCH", path: "/organizations/{org}/members/" + target, body: map[string]any{}, status: 422, code: CodeValidationFailed, field: "role"},
	{name: "empty user_id", method: "POST", path: "/organizations/{org}/transfer-ownership", body: map[string]any{"user_id": ""}, status: 422, code: CodeValidationFailed, field: "user_id"},
	{name: "fullwidth at sign in email", method: "POST", path: "/organizations/{org}/invitations", body: map[string]any{"email": "a＠example.com", "role": "member"}, status: 422, code: CodeValidationFailed, field: "email"},
	{name: "email with a name", method: "POST", path: "/organizations/{org}/invitations", body: map[string]any{"email": "A <a@example.com>", "role": "member"}, status: 422, code: CodeValidationFailed, field: "email"},
	{name: "NUL in email", method: "POST", path: "/organizations/{org}/invitations", body: `{"email": "a\u0000@example.com", "role": "member"}`, status: 422, code: CodeValidationFailed, field: "email"},
	{name: "empty invitation role", method: "POST", path: "/organizations/{org}/invitations", body: map[string]any{"email": "a@example.com", "role": ""}, status: 422, code: CodeValidationFailed, field: "role"},
	{name: "empty token", method: "POST", path: "/invitations/accept", actor: outsider, body: map[string]any{"token": ""}, status: 422, code: CodeValidationFailed, field: "token"},
	{name: "bogus token", method: "POST", path: "/invitations/accept", actor: outsider, body: map[string]any{"token": "not-a-token"}, status: 404, code: CodeNotFound},
	{name: "well-formed unknown token", method: "POST", path: "/invitations/decline", actor: outsider, body: map[string]any{"token": strings.Repeat("A", 43)}, status: 404, code: CodeNotFound},
	{name: "color name", method: "POST", path: "/organizations/{org}/teams", body: map[string]any{"name": "T", "color": "red"}, status: 422, code: CodeValidationFailed, field: "color"},
	{name: "unknown team role", method: "POST", path: "/organizations/{org}/teams/core/members", body: map[string]any{"user_id": admin, "role": "boss"}, status: 422, code: CodeValidationFailed, field: "role"},
	{name: "51 stages", method: "POST", path: "/organizations/{org}/pipelines", body: `{"name": "P", "stages": [` + many(51, func(i int) string { return fmt.Sprintf(`"S%d"`, i) }) + `]}`, status: 422, code: CodeValidationFailed, field: "stages"},
	{name: "stage id of another pipeline", method: "PATCH", path: "/organizations/{org}/pipelines/{pipe}", body: map[string]any{"stages": []map[string]any{{"id": "stage_01ARZ3NDEKTSV4RRFFQ69G5FAV", "name": "X"}}}, status: 422, code: CodeValidationFailed, field: "stages"},

	{name: "domain is an array", method: "POST", path: "/organizations/{org}/domains", body: `{"domain": ["acme.com"]}`, status: 422, code: CodeValidationFailed, field: "domain"},
	{name: "domain with a path", method: "POST", path: "/organizations/{org}/domains", body: map[string]any{"domain": "acme.com/jobs"}, status: 422, code: CodeValidationFailed, field: "domain"},
	{name: "100k-character domain", method: "POST", path: "/organizations/{org}/domains", body: map[string]any{"domain": long100k + ".com"}, status: 422, code: CodeValidationFailed, field: "domain"},
	{name: "NUL in domain", method: "POST", path: "/organizations/{org}/domains", body: `{"domain": "acme\u0000.com"}`, status: 422, code: CodeValidationFailed, field: "domain"},

	// Query parameters.
	{name: "limit=0", method: "GET", path: "/organizations?limit=0", status: 422, code: CodeValidationFailed, field: "limit"},
	{name: "limit=101", method: "GET", path: "/organizations?limit=101", status: 422, code: CodeValidationFailed, field: "limit"},
	{name: "limit=abc", method: "GET", path: "/organizations/{org}/members?limit=abc", status: 422, code: CodeValidationFailed, field: "limit"},
	{name: "limit=-1", method: "GET", path: "/organizations/{org}/events?limit=-1", status: 422, code: CodeValidationFailed, field: "limit"},
	{name: "limit=1.5", method: "GET", path: "/organizations/{org}/teams?limit=1.5", status: 422, code: CodeValidationFailed, field: "limit"},
	{name: "limit overflows", method: "GET", path: "/organizations/{org}/invitations?limit=99999999999999999999", status: 422, code: CodeValidationFailed, field: "limit"},
	{name: "bogus after cursor", method: "GET", path: "/organizations?after=!!!", status: 422, code: CodeValidationFailed, field: "after"},
	{name: "bogus before cursor", method: "GET", path: "/organizations/{org}/members?before=%7B%7D", status: 422, code: CodeValidationFailed, field: "before"},
	{name: "cursor of a control character", method: "GET", path: "/organizations/{org}/events?after=AQ", status: 422, code: CodeValidationFailed, field: "after"},
	{name: "600-character cursor", method: "GET", path: "/organizations/{org}/teams?after=" + strings.Repeat("QUJD", 150), status: 422, code: CodeValidationFailed, field: "after"},
	{name: "after and before", method: "GET", path: "/organizations/{org}/teams/core/members?after=YQ&before=eg", status: 422, code: CodeValidationFailed, field: "before"},
	{name: "unknown role filter", method: "GET", path: "/organizations/{org}/members?role=emperor", status: 422, code: CodeValidationFailed, field: "role"},
	{name: "unknown status filter", method: "GET", path: "/organizations/{org}/invitations?status=lost", status: 422, code: CodeValidationFailed, field: "status"},
	{name: "100k-character search", method: "GET", path: "/organizations/{org}/members?search=" + long100k, status: 422, code: CodeValidationFailed, field: "search"},
	{name: "control character in q", method: "GET", path: "/organizations?q=%01", status: 422, code: CodeValidationFailed, field: "q"},
	{name: "bad domain filter", method: "GET", path: "/organizations?domain=" + url.QueryEscape("not a domain"), status: 422, code: CodeValidationFailed, field: "domain"},
	{name: "65-character event type", method: "GET", path: "/organizations/{org}/events?type=" + strings.Repeat("t", 65), status: 422, code: CodeValidationFailed, field: "type"},

	// Path parameters and credentials.
	{name: "NUL in slug", method: "GET", path: "/organizations/%00abc", status: 404, code: CodeNotFound},
	{name: "100k-character slug", method: "PATCH", path: "/organizations/" + long100k, body: map[string]any{"name": "X"}, status: 404, code: CodeNotFound},
	{name: "unicode slug in path", method: "DELETE", path: "/organizations/" + url.PathEscape("acmé"), status: 404, code: CodeNotFound},
	{name: "NUL in external id", method: "GET", path: "/organizations-by-external-id/a%00b", status: 404, code: CodeNotFound},
	{name: "NUL in user_id", method: "DELETE", path: "/organizations/{org}/members/a%00b", status: 404, code: CodeNotFound},
	{name: "bogus invitation id", method: "DELETE", path: "/organizations/{org}/invitations/inv_%F0%9F%92%A5", status: 404, code: CodeNotFound},
	{name: "bogus category id", method: "DELETE", path: "/organizations/{org}/categories/" + url.PathEscape("' OR 1=1 --"), status: 404, code: CodeNotFound},
	{name: "bogus pipeline id", method: "GET", path: "/organizations/{org}/pipelines/pipe_%00", status: 404, code: CodeNotFound},
	{name: "bogus domain id", method: "POST", path: "/organizations/{org}/domains/dom_" + strings.Repeat("Z", 26) + "/verify", status: 404, code: CodeNotFound},
	{name: "no caller", method: "POST", path: "/organizations", actor: "-", body: map[string]any{"name": "Acme"}, status: 401, code: CodeUnauthenticated},
	{name: "200-byte caller ID", method: "POST", path: "/organizations", actor: strings.Repeat("u", 200), body: map[string]any{"name": "Acme"}, status: 401, code: CodeUnauthenticated},
	{name: "bad X-User-Email", method: "POST", path: "/organizations", body: map[string]any{"name": "Acme"}, opts: []reqOption{withHeader(HeaderUserEmail, "not-an-email")}, status: 422, code: CodeValidationFailed, field: HeaderUserEmail},
	{name: "100k-character X-User-Name", method: "GET", path: "/organizations", opts: []reqOption{withHeader(HeaderUserName, long100k)}, status: 422, code: CodeValidationFailed, field: HeaderUserName},
}

// bodyCases are sent to every route that takes a body.
var bodyCases = []badCase{
	{name: "malformed", body: `{"a":`, status: 400, code: CodeInvalidJSON},
	{name: "null", body: `null`, status: 400, code: CodeInvalidJSON},
	{name: "empty", body: ``, status: 400, code: CodeInvalidJSON},
	{name: "trailing data", body: `{} []`, status: 400, code: CodeInvalidJSON},
	{name: "too large", body: tooLarge, status: 413, code: CodeBodyTooLarge},
	{name: "not JSON content", body: `{}`, opts: []reqOption{withHeader("Content-Type", "text/csv")}, status: 415, code: CodeUnsupportedMediaType},
	{name: "unknown field", body: `{"surprise": 1}`, status: 422, code: CodeValidationFailed, field: "surprise"},
}

// TestBadInput sends every bad request as a caller allowed to use the route
// (the owner; for accept and decline the invited user) and checks each is
// answered with a 4xx problem of the expected code, never a 5xx, and that
// nothing is written.
func TestBadInput(t *testing.T) {
	if len(badInputs) < 60 {
		t.Fatalf("the hand-written table has %d cases", len(badInputs))
	}
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		cases := append([]badCase(nil), badInputs...)
		for _, r := range Routes() {
			route := r.Method + " " + r.Path
			if samples[route](f).body == nil {
				continue
			}
			for _, c := range bodyCases {
				c.name = route + ": " + c.name
				c.method, c.route = r.Method, route
				if strings.HasPrefix(r.Path, "/invitations/") {
					c.actor = outsider
				}
				cases = append(cases, c)
			}
		}
		t.Logf("%d hand-written cases, %d in all", len(badInputs), len(cases))
		paths := strings.NewReplacer("{org}", f.slug, "{inv}", f.invitationID, "{cat}", f.categoryID, "{pipe}", f.pipelineID)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.t = t
				path := paths.Replace(c.path)
				if c.route != "" {
					path = samples[c.route](f).path
				}
				actor := c.actor
				switch actor {
				case "":
					actor = owner
				case "-":
					actor = ""
				}
				before := e.rowCounts()
				opts := append([]reqOption{badRequest()}, c.opts...)
				resp := e.call(c.method, path, actor, c.body, opts...)
				if resp.Status >= 500 {
					t.Fatalf("%d for bad input: %s", resp.Status, resp.Body)
				}
				p := resp.problem(c.status, c.code)
				if c.field != "" {
					named := false
					for _, fe := range p.Errors {
						named = named || fe.Field == c.field
					}
					if !named {
						t.Fatalf("the problem does not name %q: %s", c.field, resp.Body)
					}
				}
				if after := e.rowCounts(); !maps.Equal(before, after) {
					t.Fatalf("bad input, but written: %v -> %v", before, after)
				}
			})
		}
	})
}
