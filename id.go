package orgs

import (
	"strings"

	"github.com/oklog/ulid/v2"
)

// ID prefixes. IDs are a prefix and a ULID: time-sortable within a process,
// opaque to callers, unique across processes.
const (
	PrefixOrganization = "org_"
	PrefixInvitation   = "inv_"
	PrefixTeam         = "team_"
	PrefixCategory     = "cat_"
	PrefixPipeline     = "pipe_"
	PrefixStage        = "stage_"
	PrefixDomain       = "dom_"
	PrefixEvent        = "evt_"
)

// NewID returns a new ID with the given prefix, for example
// "org_01JD3X6Q0K8Z6T2W4M9H5B7C1E".
func NewID(prefix string) string {
	return prefix + ulid.Make().String()
}

// validID reports whether id has the prefix and a well-formed ULID after it.
func validID(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || len(rest) != ulid.EncodedSize {
		return false
	}
	_, err := ulid.ParseStrict(rest)
	return err == nil
}
