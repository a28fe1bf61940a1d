package orgs

// Actor is who makes a Service call. Every method takes one after the
// context; there are two kinds, and every rule knows which it faces:
//
//   - a user (UserActor): a person acting inside organizations, what
//     httpapi and the UI serve. The Service checks the user's role in the
//     organization — its permissions and its rank — and a private
//     organization the user is not a member of does not exist for them.
//   - the system caller (SystemActor): the host's own backend — an API
//     key on the WorkOS-compatible API, the operator CLI, provisioning,
//     imports, a back office recovering an organization whose only owner
//     left. It has every permission in every organization and outranks
//     every role, and it is never a member: an organization it creates may
//     start with no members, and the events it causes record it as the
//     system, not as a user.
//
// Data rules hold for both: validation, uniqueness, limits, and an
// organization that has an owner keeps at least one (a system removal of
// the last owner fails with ErrLastOwner like any other).
//
// An Actor is a value with unexported fields: it cannot be spelled as a
// string, so no user ID — whatever a client sends — can turn into the system
// caller. The zero Actor is nobody: calls with it fail with
// ErrUnauthenticated.
type Actor struct {
	userID string
	system bool
}

// UserActor is the user with the given ID acting. An empty or malformed ID
// makes every call fail with ErrUnauthenticated.
func UserActor(userID string) Actor { return Actor{userID: userID} }

// SystemActor is the host's backend acting with full authority over every
// organization (see Actor). Give it only to code the host trusts as itself.
func SystemActor() Actor { return Actor{system: true} }

// UserID returns the acting user's ID, or "" for the system caller.
func (a Actor) UserID() string { return a.userID }

// IsSystem reports whether a is the system caller.
func (a Actor) IsSystem() bool { return a.system }

// String describes the actor for logs: "user:ID" or "system".
func (a Actor) String() string {
	switch {
	case a.system:
		return "system"
	case a.userID == "":
		return "nobody"
	}
	return "user:" + a.userID
}

// Actor types recorded in events (Event.ActorType).
const (
	ActorTypeUser   = "user"
	ActorTypeSystem = "system"
)

// check validates the actor: the system caller, or a user with a well-formed
// ID.
func (a Actor) check() error {
	if a.system {
		return nil
	}
	if a.userID == "" || validateUserID(a.userID) != nil {
		return ErrUnauthenticated
	}
	return nil
}

// viewer is the user ID whose role a read reports: the user, or "" for the
// system caller (who is no member).
func (a Actor) viewer() string { return a.userID }
