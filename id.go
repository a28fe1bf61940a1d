package orgs

import (
	"crypto/rand"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ID prefixes. IDs are a prefix and a ULID: strictly increasing within a
// process, time-sortable across processes, opaque to callers.
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

// ids makes ULIDs that increase strictly within the process: the time is
// read under the lock and never goes backwards, so an ID made later always
// sorts after one made earlier (ulid.Make reads the clock before locking,
// which lets a delayed goroutine sort before an earlier ID).
var ids struct {
	sync.Mutex
	lastMS  uint64
	entropy *ulid.MonotonicEntropy
}

// NewID returns a new ID with the given prefix, for example
// "org_01JD3X6Q0K8Z6T2W4M9H5B7C1E".
func NewID(prefix string) string {
	ids.Lock()
	defer ids.Unlock()
	return newIDLocked(prefix)
}

// newIDAt returns a new ID and the Service's time, read under the lock
// that orders IDs: of two resources made this way in one process, the one
// with the greater ID has the later (or the same) creation time, so a list
// in ID order is in creation-time order too. (Reading the clock before
// taking an ID lets a goroutine that read it earlier take the greater ID.)
func (s *Service) newIDAt(prefix string) (string, time.Time) {
	ids.Lock()
	defer ids.Unlock()
	now := s.clock()
	return newIDLocked(prefix), now
}

// newIDLocked is NewID with ids locked.
func newIDLocked(prefix string) string {
	if ids.entropy == nil {
		ids.entropy = ulid.Monotonic(rand.Reader, 0)
	}
	ms := max(ulid.Now(), ids.lastMS)
	id, err := ulid.New(ms, ids.entropy)
	if err != nil { // the random part overflowed within one millisecond
		ms++
		id = ulid.MustNew(ms, ids.entropy)
	}
	ids.lastMS = ms
	return prefix + id.String()
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
