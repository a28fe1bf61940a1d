package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// Host transactions: a host runs Service calls inside a transaction of its
// own on the same database, so that its rows and ours commit or roll back
// together ("create the tenant row, then the organization").
//
//	tx, err := st.DB().BeginTx(ctx, nil)           // the host's transaction
//	…                                               // the host's own writes
//	bound, err := st.WithTx(tx)
//	org, err := svc.WithStore(bound).CreateOrganization(ctx, actor, in)
//	…
//	err = tx.Commit()                               // or Rollback: nothing of ours is left
//
// The bound Store's Transact runs fn inside the host's transaction, within
// a savepoint: when fn fails, the savepoint is rolled back — nothing fn
// wrote stays, and on Postgres the host's transaction stays usable after a
// refused write (a unique violation would otherwise abort it) — and when fn
// succeeds the savepoint is released and nothing is committed: the host
// commits or rolls back, events included. Reads through the bound Store see
// the transaction's writes. A deadlock (Postgres) is not retried inside a
// host's transaction: the error is returned and the host decides.

// WithTx returns a Store bound to tx, a bun transaction the host began on
// this Store's database (see the package documentation of store/sqlite and
// store/postgres for what that means for locking). Use it while tx is
// open; closing it does not end tx.
func (s *Store) WithTx(tx bun.Tx) (orgs.Store, error) {
	if tx.Tx == nil {
		return nil, errors.New("store: WithTx: no transaction")
	}
	if got := tx.Dialect().Name(); got != s.d.Name {
		return nil, fmt.Errorf("store: WithTx: the transaction's dialect is %s, the store's %s", got, s.d.Name)
	}
	return s.bind(tx), nil
}

// WithSQLTx is WithTx for a database/sql transaction the host began on the
// database this Store's *bun.DB wraps. The Store's query hooks still see
// every statement.
func (s *Store) WithSQLTx(tx *sql.Tx) (orgs.Store, error) {
	if tx == nil {
		return nil, errors.New("store: WithSQLTx: no transaction")
	}
	return s.bind(&sqlTxDB{DB: s.db, tx: tx}), nil
}

func (s *Store) bind(db bun.IDB) *boundStore {
	b := &boundStore{parent: s}
	b.queries = s.queries
	b.queries.db, b.queries.inTx, b.queries.closed = db, true, &b.closed
	return b
}

// boundStore is a Store bound to a transaction of the host's.
type boundStore struct {
	queries
	parent *Store
	closed atomic.Bool
	seq    atomic.Int64 // savepoint names
}

var (
	_ orgs.Store                    = (*boundStore)(nil)
	_ orgs.InvitationsByEmailLister = (*boundStore)(nil)
	_ orgs.OrganizationRoleStore    = (*boundStore)(nil)
	_ orgs.AccessReader             = (*boundStore)(nil)
)

// Transact runs fn inside the host's transaction, in a savepoint released
// when fn succeeds and rolled back when it fails or panics; it commits
// nothing.
func (b *boundStore) Transact(ctx context.Context, fn func(ctx context.Context, tx orgs.Tx) error) (err error) {
	if err := b.ready(); err != nil {
		return err
	}
	if b.parent.queries.closed.Load() {
		return errClosed
	}
	sp := fmt.Sprintf("orgs_%d", b.seq.Add(1))
	if _, err := b.exec(ctx, "SAVEPOINT "+sp); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done { // fn failed or panicked: undo what it wrote
			bg := context.WithoutCancel(ctx)
			_, _ = b.exec(bg, "ROLLBACK TO SAVEPOINT "+sp)
			_, _ = b.exec(bg, "RELEASE SAVEPOINT "+sp)
		}
	}()
	if err := fn(ctx, &b.queries); err != nil {
		return err
	}
	if _, err := b.exec(ctx, "RELEASE SAVEPOINT "+sp); err != nil {
		return err
	}
	done = true
	return nil
}

// Close makes the bound Store unusable; the host's transaction and the
// database are the host's and are left as they are.
func (b *boundStore) Close() error {
	if b.closed.Swap(true) {
		return errClosed
	}
	return nil
}

// sqlTxDB is the Store's *bun.DB with every statement sent to a
// database/sql transaction instead: bun formats and hooks as ever, the
// transaction runs it.
type sqlTxDB struct {
	*bun.DB
	tx *sql.Tx
}

func (d *sqlTxDB) NewRaw(query string, args ...any) *bun.RawQuery {
	return d.DB.NewRaw(query, args...).Conn(d.tx)
}

func (d *sqlTxDB) NewSelect() *bun.SelectQuery { return d.DB.NewSelect().Conn(d.tx) }
func (d *sqlTxDB) NewInsert() *bun.InsertQuery { return d.DB.NewInsert().Conn(d.tx) }
func (d *sqlTxDB) NewUpdate() *bun.UpdateQuery { return d.DB.NewUpdate().Conn(d.tx) }
func (d *sqlTxDB) NewDelete() *bun.DeleteQuery { return d.DB.NewDelete().Conn(d.tx) }

func (d *sqlTxDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.DB.NewRaw(query, args...).Conn(d.tx).Exec(ctx)
}

func (d *sqlTxDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.tx.QueryContext(ctx, d.DB.QueryGen().FormatQuery(query, args...))
}

func (d *sqlTxDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.tx.QueryRowContext(ctx, d.DB.QueryGen().FormatQuery(query, args...))
}

// errNestedTx: the bound Store never begins a transaction of its own.
var errNestedTx = errors.New("store: a Store bound to the host's transaction begins no transaction")

func (d *sqlTxDB) BeginTx(context.Context, *sql.TxOptions) (bun.Tx, error) {
	return bun.Tx{}, errNestedTx
}

func (d *sqlTxDB) RunInTx(context.Context, *sql.TxOptions, func(context.Context, bun.Tx) error) error {
	return errNestedTx
}
