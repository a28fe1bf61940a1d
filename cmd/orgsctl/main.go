// Command orgsctl is the operator's command line for an organizations
// database: it acts as the system caller (orgs.SystemActor) — full authority
// over every organization, every change an event whose actor is the system
// — with every rule of the Service still in force (validation, uniqueness,
// limits, the last active owner).
//
// Usage:
//
//	orgsctl [-db DB] [-json] COMMAND [ARGS]
//
//	migrate
//	organizations create -name NAME [-slug S] [-external-id X] [-domain D]... [-stripe-customer-id C] [-owner USER]
//	organizations list [-domain D]... [-search Q] [-limit N] [-after CURSOR] [-desc]
//	organizations get ORG
//	organizations update ORG [-name N] [-slug S] [-external-id X] [-stripe-customer-id C] [-visibility V] [-domain D]...
//	organizations delete ORG
//	members add ORG USER [-role ROLE]
//	members list ORG [-status active,inactive] [-limit N] [-after CURSOR]
//	members set-role ORG USER ROLE
//	members deactivate ORG USER
//	members reactivate ORG USER
//	members remove ORG USER
//	transfer-ownership ORG USER
//	invitations create ORG EMAIL [-role ROLE] [-days N] [-inviter USER]
//	invitations list [ORG] [-email E] [-limit N] [-after CURSOR] [-desc]
//	invitations revoke INVITATION_ID
//	events list ORG [-type T] [-limit N] [-after CURSOR]
//	events follow ORG [-interval 1s] [-max N]
//
// ORG is an organization's slug or ID. -db names a SQLite file (default
// orgs.db) or a postgres:// URL; every command but migrate needs the schema
// migrated. Flags may come before or after the arguments. -json prints
// JSON (one object, or one per line for events follow) for scripts;
// otherwise the output is tab-separated text. Errors go to standard error
// and the exit status is 1 (2 for a usage error); validation errors name
// each field.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/dbflag"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage is a usage error: exit status 2.
var errUsage = errors.New("usage")

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// cli is one invocation.
type cli struct {
	db   string
	json bool
	out  io.Writer
	svc  *orgs.Service
}

var system = orgs.SystemActor()

// run runs one command and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := &cli{out: stdout, db: "orgs.db"}
	err := c.dispatch(ctx, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "orgsctl:", strings.TrimPrefix(err.Error(), "usage: "))
		fmt.Fprintln(stderr, "run 'orgsctl help' for the commands")
		return 2
	default:
		fmt.Fprintln(stderr, "orgsctl:", describe(err))
		return 1
	}
}

// describe words an error for an operator.
func describe(err error) string {
	var ve *orgs.ValidationError
	if errors.As(err, &ve) {
		var parts []string
		for _, f := range ve.Fields {
			parts = append(parts, f.Field+": "+f.Message)
		}
		return "invalid input: " + strings.Join(parts, "; ")
	}
	// A sentinel's own words, without the driver's details.
	for _, s := range []error{orgs.ErrNotFound, orgs.ErrLastOwner, orgs.ErrAlreadyMember, orgs.ErrNotMember,
		orgs.ErrSlugTaken, orgs.ErrExternalIDTaken, orgs.ErrHandleTaken, orgs.ErrDomainTaken, orgs.ErrAlreadyInvited,
		orgs.ErrInvitationNotPending, orgs.ErrLimitExceeded, orgs.ErrNotMigrated} {
		if errors.Is(err, s) {
			return strings.TrimPrefix(s.Error(), "orgs: ")
		}
	}
	return strings.TrimPrefix(err.Error(), "orgs: ")
}

// flags returns a flag set with the global flags on it.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.db, "db", c.db, dbflag.Usage)
	fs.BoolVar(&c.json, "json", c.json, "print JSON")
	return fs
}

// parse parses flags anywhere among the arguments and returns the
// positional ones, checking their number.
func parse(fs *flag.FlagSet, args []string, min, max int, names string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) < min || len(pos) > max {
		return nil, usagef("%s %s", fs.Name(), names)
	}
	return pos, nil
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// open opens (and, for migrate, migrates) the store and the Service.
func (c *cli) open(ctx context.Context, migrate bool) (func(), error) {
	st, _, err := dbflag.Open(ctx, c.db, migrate)
	if err != nil {
		return nil, err
	}
	c.svc, err = orgs.New(st, orgs.WithSeed(orgs.SeedNone))
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return func() { _ = st.Close() }, nil
}

const help = `orgsctl [-db DB] [-json] COMMAND [ARGS]: the operator's command line (acts as the system caller)

  migrate
  organizations create -name NAME [-slug S] [-external-id X] [-domain D]... [-stripe-customer-id C] [-owner USER]
  organizations list [-domain D]... [-search Q] [-limit N] [-after CURSOR] [-desc]
  organizations get ORG
  organizations update ORG [-name N] [-slug S] [-external-id X] [-stripe-customer-id C] [-visibility V] [-domain D]...
  organizations delete ORG
  members add ORG USER [-role ROLE]
  members list ORG [-status active,inactive] [-limit N] [-after CURSOR]
  members set-role ORG USER ROLE
  members deactivate|reactivate|remove ORG USER
  transfer-ownership ORG USER
  invitations create ORG EMAIL [-role ROLE] [-days N] [-inviter USER]
  invitations list [ORG] [-email E] [-limit N] [-after CURSOR] [-desc]
  invitations revoke INVITATION_ID
  events list ORG [-type T] [-limit N] [-after CURSOR]
  events follow ORG [-interval 1s] [-max N]

ORG is a slug or an organization ID; -db a SQLite file (default orgs.db) or a postgres:// URL.
`

func (c *cli) dispatch(ctx context.Context, args []string) error {
	fs := c.flags("orgsctl")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	args = fs.Args()
	if len(args) == 0 {
		return usagef("a command is required")
	}
	cmd, rest := args[0], args[1:]
	sub := func() (string, []string, error) {
		if len(rest) == 0 {
			return "", nil, usagef("%s needs a subcommand", cmd)
		}
		return rest[0], rest[1:], nil
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(c.out, help)
		return nil
	case "migrate":
		if _, err := parse(c.flags("migrate"), rest, 0, 0, ""); err != nil {
			return err
		}
		closeFn, err := c.open(ctx, true)
		if err != nil {
			return err
		}
		defer closeFn()
		return c.print(map[string]string{"migrated": c.db}, func(w io.Writer) { fmt.Fprintln(w, "migrated") })
	case "organizations", "orgs":
		name, args, err := sub()
		if err != nil {
			return err
		}
		return c.organizations(ctx, name, args)
	case "members":
		name, args, err := sub()
		if err != nil {
			return err
		}
		return c.members(ctx, name, args)
	case "transfer-ownership":
		pos, err := parse(c.flags("transfer-ownership"), rest, 2, 2, "ORG USER")
		if err != nil {
			return err
		}
		return c.with(ctx, func() error {
			if err := c.svc.TransferOwnership(ctx, system, pos[0], pos[1]); err != nil {
				return err
			}
			m, err := c.svc.GetMember(ctx, system, pos[0], pos[1])
			if err != nil {
				return err
			}
			return c.printMembers([]orgs.Member{*m}, m)
		})
	case "invitations":
		name, args, err := sub()
		if err != nil {
			return err
		}
		return c.invitations(ctx, name, args)
	case "events":
		name, args, err := sub()
		if err != nil {
			return err
		}
		return c.events(ctx, name, args)
	}
	return usagef("unknown command %q", cmd)
}

// with opens the store, runs fn, and closes it.
func (c *cli) with(ctx context.Context, fn func() error) error {
	closeFn, err := c.open(ctx, false)
	if err != nil {
		return err
	}
	defer closeFn()
	return fn()
}

// print writes v as JSON, or text as text.
func (c *cli) print(v any, text func(w io.Writer)) error {
	if c.json {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

// jsonOrg is an organization as orgsctl prints it in JSON: every field,
// the ones httpapi leaves out included.
type jsonOrg struct {
	orgs.Organization
	StripeCustomerID string       `json:"stripe_customer_id,omitempty"`
	DomainDetails    []jsonDomain `json:"domain_details"`
}

type jsonDomain struct {
	orgs.Domain
	Strategy  orgs.DomainStrategy `json:"strategy"`
	UpdatedAt time.Time           `json:"updated_at"`
}

func toJSONOrg(o *orgs.Organization) jsonOrg {
	j := jsonOrg{Organization: *o, StripeCustomerID: o.StripeCustomerID, DomainDetails: []jsonDomain{}}
	for _, d := range o.DomainDetails {
		j.DomainDetails = append(j.DomainDetails, jsonDomain{Domain: d, Strategy: d.Strategy, UpdatedAt: d.UpdatedAt})
	}
	return j
}

func (c *cli) printOrgs(list []orgs.Organization, one *orgs.Organization, next string) error {
	var v any
	if one != nil {
		v = toJSONOrg(one)
	} else {
		js := make([]jsonOrg, 0, len(list))
		for i := range list {
			js = append(js, toJSONOrg(&list[i]))
		}
		v = map[string]any{"data": js, "next_cursor": next}
	}
	return c.print(v, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tSLUG\tNAME\tMEMBERS\tEXTERNAL_ID\tDOMAINS")
		if one != nil {
			list = []orgs.Organization{*one}
		}
		for _, o := range list {
			var ds []string
			for _, d := range o.DomainDetails {
				ds = append(ds, d.Domain+"("+string(d.State)+")")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\n", o.ID, o.Slug, o.Name, o.MemberCount, o.ExternalID, strings.Join(ds, ","))
		}
		if next != "" {
			fmt.Fprintf(w, "# more: -after %s\n", next)
		}
	})
}

func (c *cli) organizations(ctx context.Context, name string, args []string) error {
	switch name {
	case "create":
		fs := c.flags("organizations create")
		var in orgs.CreateOrganizationInput
		var domains multi
		owner := fs.String("owner", "", "make this user the owner")
		fs.StringVar(&in.Name, "name", "", "name (required)")
		fs.StringVar(&in.Slug, "slug", "", "slug (default: from the name)")
		fs.StringVar(&in.ExternalID, "external-id", "", "the host's ID")
		fs.StringVar(&in.StripeCustomerID, "stripe-customer-id", "", "Stripe customer ID (cus_…)")
		fs.Var(&domains, "domain", "a domain, verified (repeatable)")
		if _, err := parse(fs, args, 0, 0, "-name NAME [flags]"); err != nil {
			return err
		}
		for _, d := range domains {
			in.DomainData = append(in.DomainData, orgs.DomainInput{Domain: d, State: orgs.DomainVerified})
		}
		return c.with(ctx, func() error {
			o, err := c.svc.CreateOrganization(ctx, system, in)
			if err != nil {
				return err
			}
			if *owner != "" {
				if _, err := c.svc.AddMember(ctx, system, o.ID, *owner, orgs.RoleOwner); err != nil {
					return fmt.Errorf("created %s, but adding the owner failed: %w", o.Slug, err)
				}
				if o, err = c.svc.GetOrganization(ctx, system, o.ID); err != nil {
					return err
				}
			}
			return c.printOrgs(nil, o, "")
		})
	case "list":
		fs := c.flags("organizations list")
		var q orgs.OrganizationQuery
		var domains multi
		fs.Var(&domains, "domain", "only organizations with this domain (repeatable: any of)")
		fs.StringVar(&q.Search, "search", "", "name contains")
		fs.IntVar(&q.Limit, "limit", 20, "page size, 1–100")
		fs.StringVar(&q.After, "after", "", "cursor from the previous page")
		fs.BoolVar(&q.Descending, "desc", false, "newest first")
		if _, err := parse(fs, args, 0, 0, "[flags]"); err != nil {
			return err
		}
		q.Domains = domains
		return c.with(ctx, func() error {
			l, err := c.svc.ListOrganizations(ctx, system, q)
			if err != nil {
				return err
			}
			return c.printOrgs(l.Data, nil, l.NextCursor)
		})
	case "get":
		pos, err := parse(c.flags("organizations get"), args, 1, 1, "ORG")
		if err != nil {
			return err
		}
		return c.with(ctx, func() error {
			o, err := c.svc.GetOrganization(ctx, system, pos[0])
			if err != nil {
				return err
			}
			return c.printOrgs(nil, o, "")
		})
	case "update":
		fs := c.flags("organizations update")
		set := map[string]*string{}
		for _, f := range []string{"name", "slug", "external-id", "stripe-customer-id", "visibility", "description", "website"} {
			fs.Func(f, "set "+f+" (empty clears where allowed)", func(v string) error { set[f] = &v; return nil })
		}
		var domains multi
		fs.Var(&domains, "domain", "replace the domains by DNS-verified ones (repeatable)")
		pos, err := parse(fs, args, 1, 1, "ORG [flags]")
		if err != nil {
			return err
		}
		in := orgs.UpdateOrganizationInput{Name: set["name"], Slug: set["slug"], ExternalID: set["external-id"],
			StripeCustomerID: set["stripe-customer-id"], Description: set["description"], Website: set["website"]}
		if v := set["visibility"]; v != nil {
			vis := orgs.Visibility(*v)
			in.Visibility = &vis
		}
		if len(domains) > 0 {
			in.Domains = domains
		}
		return c.with(ctx, func() error {
			o, err := c.svc.UpdateOrganization(ctx, system, pos[0], in)
			if err != nil {
				return err
			}
			return c.printOrgs(nil, o, "")
		})
	case "delete":
		pos, err := parse(c.flags("organizations delete"), args, 1, 1, "ORG")
		if err != nil {
			return err
		}
		return c.with(ctx, func() error {
			if err := c.svc.DeleteOrganization(ctx, system, pos[0]); err != nil {
				return err
			}
			return c.print(map[string]string{"deleted": pos[0]}, func(w io.Writer) { fmt.Fprintln(w, "deleted", pos[0]) })
		})
	}
	return usagef("unknown organizations subcommand %q", name)
}

// jsonMember is a member with the membership fields.
type jsonMember struct {
	orgs.Member
	ID             string                `json:"id"`
	OrganizationID string                `json:"organization_id"`
	Status         orgs.MembershipStatus `json:"status"`
	UpdatedAt      time.Time             `json:"updated_at"`
}

func (c *cli) printMembers(list []orgs.Member, one *orgs.Member) error {
	conv := func(m orgs.Member) jsonMember {
		return jsonMember{Member: m, ID: m.ID, OrganizationID: m.OrganizationID, Status: m.Status, UpdatedAt: m.UpdatedAt}
	}
	var v any
	if one != nil {
		v = conv(*one)
	} else {
		js := make([]jsonMember, 0, len(list))
		for _, m := range list {
			js = append(js, conv(m))
		}
		v = map[string]any{"data": js}
	}
	return c.print(v, func(w io.Writer) {
		fmt.Fprintln(w, "MEMBERSHIP\tUSER\tROLE\tSTATUS\tEMAIL")
		for _, m := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", m.ID, m.UserID, m.Role, m.Status, m.Email)
		}
	})
}

func (c *cli) members(ctx context.Context, name string, args []string) error {
	// byUser runs a membership call on ORG USER's membership.
	byUser := func(call func(id string) (*orgs.Member, error)) error {
		pos, err := parse(c.flags("members "+name), args, 2, 2, "ORG USER")
		if err != nil {
			return err
		}
		return c.with(ctx, func() error {
			m, err := c.svc.GetMember(ctx, system, pos[0], pos[1])
			if err != nil {
				return err
			}
			if m, err = call(m.ID); err != nil {
				return err
			}
			return c.printMembers([]orgs.Member{*m}, m)
		})
	}
	switch name {
	case "add":
		fs := c.flags("members add")
		role := fs.String("role", "member", "role")
		pos, err := parse(fs, args, 2, 2, "ORG USER [-role ROLE]")
		if err != nil {
			return err
		}
		return c.with(ctx, func() error {
			m, err := c.svc.AddMember(ctx, system, pos[0], pos[1], orgs.Role(*role))
			if err != nil {
				return err
			}
			return c.printMembers([]orgs.Member{*m}, m)
		})
	case "list":
		fs := c.flags("members list")
		status := fs.String("status", "", "comma-separated statuses: active, inactive")
		q := orgs.MembershipQuery{}
		fs.IntVar(&q.Limit, "limit", 100, "page size, 1–100")
		fs.StringVar(&q.After, "after", "", "cursor from the previous page")
		pos, err := parse(fs, args, 1, 1, "ORG [flags]")
		if err != nil {
			return err
		}
		q.Organization = pos[0]
		for _, s := range strings.Split(*status, ",") {
			if s = strings.TrimSpace(s); s != "" {
				q.Statuses = append(q.Statuses, orgs.MembershipStatus(s))
			}
		}
		return c.with(ctx, func() error {
			l, err := c.svc.ListMemberships(ctx, system, q)
			if err != nil {
				return err
			}
			return c.printMembers(l.Data, nil)
		})
	case "set-role":
		pos, err := parse(c.flags("members set-role"), args, 3, 3, "ORG USER ROLE")
		if err != nil {
			return err
		}
		return c.with(ctx, func() error {
			m, err := c.svc.UpdateMemberRole(ctx, system, pos[0], pos[1], orgs.Role(pos[2]))
			if err != nil {
				return err
			}
			return c.printMembers([]orgs.Member{*m}, m)
		})
	case "deactivate":
		return byUser(func(id string) (*orgs.Member, error) { return c.svc.DeactivateMembership(ctx, system, id) })
	case "reactivate":
		return byUser(func(id string) (*orgs.Member, error) { return c.svc.ReactivateMembership(ctx, system, id) })
	case "remove":
		pos, err := parse(c.flags("members remove"), args, 2, 2, "ORG USER")
		if err != nil {
			return err
		}
		return c.with(ctx, func() error {
			if err := c.svc.RemoveMember(ctx, system, pos[0], pos[1]); err != nil {
				return err
			}
			return c.print(map[string]string{"removed": pos[1]}, func(w io.Writer) { fmt.Fprintln(w, "removed", pos[1]) })
		})
	}
	return usagef("unknown members subcommand %q", name)
}

// jsonInvitation is an invitation with the fields httpapi leaves out.
type jsonInvitation struct {
	orgs.Invitation
	AcceptedAt *time.Time `json:"accepted_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func (c *cli) printInvitations(list []orgs.Invitation, one *orgs.Invitation, next string) error {
	var v any
	if one != nil {
		v = jsonInvitation{*one, one.AcceptedAt, one.RevokedAt}
	} else {
		js := make([]jsonInvitation, 0, len(list))
		for _, i := range list {
			js = append(js, jsonInvitation{i, i.AcceptedAt, i.RevokedAt})
		}
		v = map[string]any{"data": js, "next_cursor": next}
	}
	return c.print(v, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tEMAIL\tROLE\tSTATUS\tEXPIRES")
		if one != nil {
			list = []orgs.Invitation{*one}
		}
		for _, i := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", i.ID, i.Email, i.Role, i.Status, i.ExpiresAt.Format(time.RFC3339))
		}
		if one != nil && one.Token != "" {
			fmt.Fprintf(w, "# token (shown once): %s\n", one.Token)
		}
		if next != "" {
			fmt.Fprintf(w, "# more: -after %s\n", next)
		}
	})
}

func (c *cli) invitations(ctx context.Context, name string, args []string) error {
	switch name {
	case "create":
		fs := c.flags("invitations create")
		var in orgs.InvitationInput
		role := fs.String("role", "member", "role")
		fs.IntVar(&in.ExpiresInDays, "days", 0, "days until it expires, 1–30 (default: the configured TTL)")
		fs.StringVar(&in.InviterUserID, "inviter", "", "record this user as the inviter")
		pos, err := parse(fs, args, 2, 2, "ORG EMAIL [flags]")
		if err != nil {
			return err
		}
		in.Email, in.Role = pos[1], orgs.Role(*role)
		return c.with(ctx, func() error {
			inv, err := c.svc.CreateInvitation(ctx, system, pos[0], in)
			if err != nil {
				return err
			}
			return c.printInvitations(nil, inv, "")
		})
	case "list":
		fs := c.flags("invitations list")
		var q orgs.AllInvitationsQuery
		fs.StringVar(&q.Email, "email", "", "only invitations of this email")
		fs.IntVar(&q.Limit, "limit", 20, "page size, 1–100")
		fs.StringVar(&q.After, "after", "", "cursor from the previous page")
		fs.BoolVar(&q.Descending, "desc", false, "newest first")
		pos, err := parse(fs, args, 0, 1, "[ORG] [flags]")
		if err != nil {
			return err
		}
		if len(pos) == 1 {
			q.Organization = pos[0]
		}
		return c.with(ctx, func() error {
			l, err := c.svc.ListAllInvitations(ctx, system, q)
			if err != nil {
				return err
			}
			return c.printInvitations(l.Data, nil, l.NextCursor)
		})
	case "revoke":
		pos, err := parse(c.flags("invitations revoke"), args, 1, 1, "INVITATION_ID")
		if err != nil {
			return err
		}
		return c.with(ctx, func() error {
			inv, err := c.svc.GetInvitationByID(ctx, system, pos[0])
			if err != nil {
				return err
			}
			if err := c.svc.RevokeInvitation(ctx, system, inv.OrganizationID, inv.ID); err != nil {
				return err
			}
			if inv, err = c.svc.GetInvitationByID(ctx, system, inv.ID); err != nil {
				return err
			}
			return c.printInvitations(nil, inv, "")
		})
	}
	return usagef("unknown invitations subcommand %q", name)
}

func (c *cli) events(ctx context.Context, name string, args []string) error {
	printEvent := func(w io.Writer, e orgs.Event) {
		actor := e.ActorType
		if e.ActorID != "" {
			actor += ":" + e.ActorID
		}
		var kv []string
		for k, v := range e.Data {
			kv = append(kv, k+"="+v)
		}
		slices.Sort(kv)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.ID, e.CreatedAt.Format(time.RFC3339), e.Type, actor, strings.Join(kv, " "))
	}
	switch name {
	case "list":
		fs := c.flags("events list")
		var q orgs.EventQuery
		typ := fs.String("type", "", "only events of this type")
		fs.IntVar(&q.Limit, "limit", 100, "page size, 1–100")
		fs.StringVar(&q.After, "after", "", "cursor from the previous page")
		pos, err := parse(fs, args, 1, 1, "ORG [flags]")
		if err != nil {
			return err
		}
		q.Type = orgs.EventType(*typ)
		return c.with(ctx, func() error {
			l, err := c.svc.ListEvents(ctx, system, pos[0], q)
			if err != nil {
				return err
			}
			return c.print(l, func(w io.Writer) {
				for _, e := range l.Data {
					printEvent(w, e)
				}
				if l.NextCursor != "" {
					fmt.Fprintf(w, "# more: -after %s\n", l.NextCursor)
				}
			})
		})
	case "follow":
		fs := c.flags("events follow")
		interval := fs.Duration("interval", time.Second, "how often to poll")
		max := fs.Int("max", 0, "stop after this many events (0: until interrupted)")
		pos, err := parse(fs, args, 1, 1, "ORG [flags]")
		if err != nil {
			return err
		}
		if *interval <= 0 {
			return usagef("-interval must be positive")
		}
		return c.with(ctx, func() error {
			// Start after the newest event: page to the end first.
			after, seen := "", 0
			for {
				l, err := c.svc.ListEvents(ctx, system, pos[0], orgs.EventQuery{Page: orgs.Page{Limit: 100, After: after}})
				if err != nil {
					return err
				}
				if len(l.Data) > 0 {
					after = orgs.EncodeCursor(l.Data[len(l.Data)-1].ID)
				}
				if !l.HasMore {
					break
				}
			}
			enc := json.NewEncoder(c.out)
			t := time.NewTicker(*interval)
			defer t.Stop()
			for {
				l, err := c.svc.ListEvents(ctx, system, pos[0], orgs.EventQuery{Page: orgs.Page{Limit: 100, After: after}})
				if err != nil {
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
				for _, e := range l.Data {
					if c.json {
						_ = enc.Encode(e)
					} else {
						printEvent(c.out, e)
					}
					after = orgs.EncodeCursor(e.ID)
					if seen++; *max > 0 && seen >= *max {
						return nil
					}
				}
				if l.HasMore {
					continue
				}
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
				}
			}
		})
	}
	return usagef("unknown events subcommand %q", name)
}
