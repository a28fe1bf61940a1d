// Package orgs gives a Go application multi-tenant organizations: members
// with roles, invitations, teams, per-organization categories and hiring
// pipelines, and an audit log, stored through a pluggable Store.
package orgs
