package orgs

import (
	"errors"
	"strings"
)

// Sentinel errors. Every error returned by the Service (and every error a
// Store returns for a known condition) wraps exactly one of these, so callers
// test with errors.Is. Stores wrap their driver's error too, so errors.As still
// reaches it.
var (
	// ErrUnauthenticated: the actor (acting user ID) is empty.
	ErrUnauthenticated = errors.New("orgs: no acting user")
	// ErrNotFound: the thing does not exist, or the actor may not know that
	// it exists (a private organization the actor is not a member of).
	ErrNotFound = errors.New("orgs: not found")
	// ErrForbidden: the actor is a member but lacks the permission or rank.
	ErrForbidden = errors.New("orgs: forbidden")
	// ErrInvalid: an argument failed validation. The concrete error is a
	// *ValidationError naming each field.
	ErrInvalid = errors.New("orgs: invalid input")
	// ErrSlugTaken: another organization (or team of the same organization)
	// already uses the slug.
	ErrSlugTaken = errors.New("orgs: slug already in use")
	// ErrHandleTaken: another organization already uses the handle.
	ErrHandleTaken = errors.New("orgs: handle already in use")
	// ErrExternalIDTaken: another organization already uses the external ID.
	ErrExternalIDTaken = errors.New("orgs: external id already in use")
	// ErrNameTaken: another category of the organization already has the name
	// (compared case-insensitively), or another of its own roles.
	ErrNameTaken = errors.New("orgs: name already in use")
	// ErrDomainTaken: the organization already has the domain, or another
	// organization has verified it.
	ErrDomainTaken = errors.New("orgs: domain already in use")
	// ErrDomainCheckFailed: the DomainVerifier could not check the domain (a
	// DNS failure, not a missing record); nothing was recorded, try again.
	ErrDomainCheckFailed = errors.New("orgs: domain verification check failed")
	// ErrLastOwner: the change would leave the organization without an owner.
	ErrLastOwner = errors.New("orgs: organization must keep at least one owner")
	// ErrAlreadyMember: the user is already a member (of the organization or
	// team).
	ErrAlreadyMember = errors.New("orgs: already a member")
	// ErrNotMember: the user is not a member of the organization, where the
	// operation needs one (adding to a team, transferring ownership).
	ErrNotMember = errors.New("orgs: not a member of the organization")
	// ErrAlreadyInvited: a pending invitation for the email exists.
	ErrAlreadyInvited = errors.New("orgs: already invited")
	// ErrInvitationNotPending: the invitation was accepted, declined or
	// revoked.
	ErrInvitationNotPending = errors.New("orgs: invitation is not pending")
	// ErrInvitationExpired: the invitation's expiry has passed.
	ErrInvitationExpired = errors.New("orgs: invitation expired")
	// ErrEmailMismatch: the accepting user's email is not the invited one.
	ErrEmailMismatch = errors.New("orgs: email does not match the invitation")
	// ErrResendTooSoon: an invitation was resent less than the minimum
	// interval ago.
	ErrResendTooSoon = errors.New("orgs: invitation resent too recently")
	// ErrLimitExceeded: a configured limit (members per organization,
	// organizations per user, pending invitations) would be exceeded.
	ErrLimitExceeded = errors.New("orgs: limit exceeded")
	// ErrClosed: the store was used after Close.
	ErrClosed = errors.New("orgs: store closed")
	// ErrNotMigrated: the store's schema is missing or older than the
	// code — call the store's Migrate (once per deploy, before serving).
	ErrNotMigrated = errors.New("orgs: the store's schema is missing or out of date: call its Migrate")
)

// FieldError names one invalid field and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every invalid field of one call. It matches ErrInvalid
// with errors.Is.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "orgs: invalid input: " + strings.Join(parts, "; ")
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// invalid returns a *ValidationError for one field.
func invalid(field, message string) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Message: message}}}
}

// fieldErrors collects field errors while validating one input.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, message string) {
	*fe = append(*fe, FieldError{Field: field, Message: message})
}

// check records message for field when err is non-nil; err's text is used
// when message is empty.
func (fe *fieldErrors) check(field string, err error) {
	if err == nil {
		return
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fe.add(field, f.Message)
		}
		return
	}
	fe.add(field, err.Error())
}

// merge appends the fields of a *ValidationError as they are named.
func (fe *fieldErrors) merge(err error) {
	var ve *ValidationError
	if errors.As(err, &ve) {
		*fe = append(*fe, ve.Fields...)
	} else if err != nil {
		fe.add("", err.Error())
	}
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Fields: fe}
}
