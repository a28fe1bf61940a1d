package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
)

// TestTokensStoredOnlyAsHashes creates, resends and accepts invitations,
// and after each step scans every column of every table (cast to text,
// and as hex for binary columns) for every token handed out so far, in
// every encoding it could be stored in. The tokens' SHA-256 hashes must be
// found — in invitations.token_hash only — which proves the scan sees
// binary columns.
func TestTokensStoredOnlyAsHashes(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		svc, err := orgs.New(s, orgs.WithSeed(orgs.SeedNone),
			orgs.WithInvitationOptions(orgs.InvitationOptions{AcceptURL: "https://app.example/join", MinResendInterval: -1}))
		require.NoError(t, err)
		_, err = svc.CreateOrganization(ctx, orgs.UserActor("boss"), orgs.CreateOrganizationInput{Name: "Secrets", Slug: "secrets"})
		require.NoError(t, err)
		require.NoError(t, svc.PutUser(ctx, orgs.User{ID: "joiner", Email: "joiner@example.com"}))

		var tokens []string
		scan := func(step string) {
			t.Helper()
			cols := columns(t, s)
			for _, tok := range tokens {
				raw, err := base64.RawURLEncoding.DecodeString(tok)
				require.NoError(t, err)
				needles := []string{tok, base64.StdEncoding.EncodeToString(raw), base64.RawStdEncoding.EncodeToString(raw),
					base64.URLEncoding.EncodeToString(raw), hex.EncodeToString(raw), hex.EncodeToString([]byte(tok))}
				for _, n := range needles {
					assert.Empty(t, findInColumns(t, s, cols, n), "%s: the token (as %q) is stored", step, n)
				}
				sum := sha256.Sum256([]byte(tok))
				hash := hex.EncodeToString(sum[:])
				found := findInColumns(t, s, cols, hash)
				assert.Subset(t, []string{"invitations.token_hash"}, found, "%s: the token's hash is stored elsewhere", step)
				if tok == tokens[len(tokens)-1] && step != "accept" {
					assert.Equal(t, []string{"invitations.token_hash"}, found, "%s: the live token's hash is not in invitations.token_hash", step)
				}
			}
			t.Logf("%s: %d tokens × 6 encodings searched in %d columns: not stored", step, len(tokens), len(cols))
		}

		inv, err := svc.CreateInvitation(ctx, orgs.UserActor("boss"), "secrets", orgs.InvitationInput{Email: "joiner@example.com", Role: orgs.RoleMember})
		require.NoError(t, err)
		require.NotEmpty(t, inv.Token)
		require.Contains(t, inv.AcceptURL, inv.Token)
		tokens = append(tokens, inv.Token)
		scan("create")

		again, err := svc.ResendInvitation(ctx, orgs.UserActor("boss"), "secrets", inv.ID)
		require.NoError(t, err)
		require.NotEqual(t, inv.Token, again.Token)
		tokens = append(tokens, again.Token)
		scan("resend")

		_, err = svc.AcceptInvitation(ctx, orgs.UserActor("joiner"), inv.Token)
		assert.ErrorIs(t, err, orgs.ErrNotFound, "the token replaced by the resend")
		_, err = svc.AcceptInvitation(ctx, orgs.UserActor("joiner"), again.Token)
		require.NoError(t, err)
		scan("accept")

		// The scan's own positive control: a token written to a text column
		// is found.
		require.NoError(t, svc.PutUser(ctx, orgs.User{ID: "leaky", Name: "x" + tokens[0] + "x"}))
		assert.Equal(t, []string{"users.name"}, findInColumns(t, s, columns(t, s), tokens[0]))
	})
}

// column is one column of a table, and whether it holds bytes.
type column struct {
	table, name string
	binary      bool
}

// columns lists every column of every table of the store's schema.
func columns(t *testing.T, s *sqlstore.Store) []column {
	t.Helper()
	ctx := context.Background()
	var cols []column
	if s.DB().Dialect().Name().String() == "pg" {
		var rows []struct{ TableName, ColumnName, DataType string }
		require.NoError(t, s.DB().NewRaw(`SELECT table_name, column_name, data_type FROM information_schema.columns
			WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`).Scan(ctx, &rows))
		for _, r := range rows {
			cols = append(cols, column{r.TableName, r.ColumnName, r.DataType == "bytea"})
		}
	} else {
		var tables []string
		require.NoError(t, s.DB().NewRaw(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).Scan(ctx, &tables))
		for _, tbl := range tables {
			var rows []struct{ Name, Type string }
			require.NoError(t, s.DB().NewRaw(`SELECT name, type FROM pragma_table_info(?)`, tbl).Scan(ctx, &rows))
			for _, r := range rows {
				cols = append(cols, column{tbl, r.Name, strings.EqualFold(r.Type, "BLOB")})
			}
		}
	}
	require.NotEmpty(t, cols)
	return cols
}

// findInColumns returns "table.column" of every column holding needle in
// some row: as text, or, for binary columns, in their hex form
// (case-insensitively).
func findInColumns(t *testing.T, s *sqlstore.Store, cols []column, needle string) []string {
	t.Helper()
	pg := s.DB().Dialect().Name().String() == "pg"
	var found []string
	for _, c := range cols {
		var expr string
		switch {
		case pg && c.binary:
			expr = fmt.Sprintf(`strpos(encode(%q, 'hex'), lower(?)) > 0 OR strpos(encode(%q, 'escape'), ?) > 0`, c.name, c.name)
		case pg:
			expr = fmt.Sprintf(`strpos(CAST(%q AS TEXT), ?) > 0 OR strpos(lower(CAST(%q AS TEXT)), lower(?)) > 0`, c.name, c.name)
		default:
			expr = fmt.Sprintf(`instr(CAST(%q AS TEXT), ?) > 0 OR instr(lower(hex(%q)), lower(?)) > 0`, c.name, c.name)
		}
		var n int
		require.NoError(t, s.DB().NewRaw(fmt.Sprintf(`SELECT count(*) FROM %q WHERE `, c.table)+expr, needle, needle).
			Scan(context.Background(), &n), "%s.%s", c.table, c.name)
		if n > 0 {
			found = append(found, c.table+"."+c.name)
		}
	}
	return found
}
