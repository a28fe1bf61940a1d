package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tenantkit/orgs/internal/sqlstore"
)

// pipeline sends stmts as one simple-protocol query string on a pgx
// connection (database/sql's driver connection, from sql.Conn.Raw): one
// round trip. Each statement yields one result, read in order; Postgres
// runs none after a failing one.
func pipeline(ctx context.Context, dc any, stmts []string, rows func(i int, r sqlstore.Rows) error) (res []sqlstore.Result, failed int, err error) {
	c, ok := dc.(*stdlib.Conn)
	if !ok {
		return nil, -1, fmt.Errorf("%w: %T", sqlstore.ErrPipelineConn, dc)
	}
	conn := c.Conn()
	var b strings.Builder
	for i, s := range stmts {
		if i > 0 {
			b.WriteString(";\n") // the newline ends a trailing line comment
		}
		b.WriteString(s)
	}
	mrr := conn.PgConn().Exec(ctx, b.String())
	res = make([]sqlstore.Result, 0, len(stmts))
	failed = -1
	for i := 0; i < len(stmts); i++ {
		if !mrr.NextResult() {
			failed = i // the error (if any) comes with Close
			break
		}
		rr := mrr.ResultReader()
		var readErr error
		if len(rr.FieldDescriptions()) > 0 {
			r := pgxRows{pgx.RowsFromResultReader(conn.TypeMap(), rr)}
			readErr = rows(i, r)
			r.Close()
			if readErr == nil {
				readErr = r.Err()
			}
		}
		tag, err := rr.Close()
		if err == nil {
			err = readErr
		}
		if err != nil {
			_ = mrr.Close() // read up to ReadyForQuery: the connection stays usable
			return nil, i, err
		}
		res = append(res, sqlstore.Result{Tag: tag.String(), RowsAffected: tag.RowsAffected()})
	}
	if err := mrr.Close(); err != nil {
		if failed < 0 {
			failed = len(res)
		}
		return nil, failed, err
	}
	if failed >= 0 {
		return nil, failed, fmt.Errorf("postgres: pipeline: %d results for %d statements", len(res), len(stmts))
	}
	return res, -1, nil
}

// pgxRows is pgx.Rows as sqlstore.Rows.
type pgxRows struct{ pgx.Rows }

func (r pgxRows) Columns() []string {
	fds := r.FieldDescriptions()
	cols := make([]string, len(fds))
	for i, fd := range fds {
		cols[i] = fd.Name
	}
	return cols
}
