// Package hosttxtest is storetest's harness of host transactions for the
// SQL stores (storetest.Options.HostTransactions): a table of the host's,
// and transactions begun on the store's database as a host would.
package hosttxtest

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/storetest"
)

// HostTxKind says which kind of transaction a host begins.
type HostTxKind int

// The kinds of host transaction the SQL stores join.
const (
	BunTx HostTxKind = iota // a bun.Tx, joined with WithTx
	SQLTx                   // a *sql.Tx, joined with WithSQLTx
)

// joiner is a SQL store that joins a host's transaction: sqlite.Store,
// postgres.Store, sqlstore.Store.
type joiner interface {
	DB() *bun.DB
	WithTx(bun.Tx) (orgs.Store, error)
	WithSQLTx(*sql.Tx) (orgs.Store, error)
}

// HostTransactions is storetest's harness for the SQL stores: the host's
// rows live in a table of its own, host_rows, and its transactions are of
// kind k, begun on the store's database as a host would (on SQLite the
// DSN makes them immediate).
func HostTransactions(k HostTxKind) storetest.HostTransactions { return hostTxs{k} }

type hostTxs struct{ kind HostTxKind }

func (h hostTxs) Begin(t *testing.T, store orgs.Store) (storetest.HostTx, error) {
	j, ok := store.(joiner)
	if !ok {
		return nil, fmt.Errorf("testdb: %T cannot join a host's transaction", store)
	}
	ctx := context.Background()
	db := j.DB()
	if err := hostTable(db); err != nil {
		return nil, err
	}
	if h.kind == SQLTx {
		tx, err := db.DB.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		bound, err := j.WithSQLTx(tx)
		if err != nil {
			_ = tx.Rollback()
			return nil, err
		}
		return &hostTx{store: bound, exec: tx.ExecContext, commit: tx.Commit, rollback: tx.Rollback, pg: isPG(db)}, nil
	}
	tx, err := db.BeginTx(ctx, nil) // bun formats its "?" placeholders itself
	if err != nil {
		return nil, err
	}
	bound, err := j.WithTx(tx)
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return &hostTx{store: bound, exec: tx.ExecContext, commit: tx.Commit, rollback: tx.Rollback}, nil
}

// hostTables records the databases whose host_rows table exists.
var hostTables sync.Map

// hostTable creates the host's table once per database (concurrent CREATE
// TABLE IF NOT EXISTS can collide on Postgres).
func hostTable(db *bun.DB) error {
	mu, _ := hostTables.LoadOrStore(db, &sync.Mutex{})
	m := mu.(*sync.Mutex)
	m.Lock()
	defer m.Unlock()
	if _, done := hostTables.Load(hostTableDone{db}); done {
		return nil
	}
	if _, err := db.ExecContext(context.Background(), "CREATE TABLE IF NOT EXISTS host_rows (tenant TEXT PRIMARY KEY)"); err != nil {
		return err
	}
	hostTables.Store(hostTableDone{db}, true)
	return nil
}

type hostTableDone struct{ db *bun.DB }

func isPG(db *bun.DB) bool { return db.Dialect().Name().String() == "pg" }

func (h hostTxs) HostRowExists(t *testing.T, store orgs.Store, key string) bool {
	t.Helper()
	db := store.(joiner).DB()
	if err := hostTable(db); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.NewRaw("SELECT count(*) FROM host_rows WHERE tenant = ?", key).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

type hostTx struct {
	store            orgs.Store
	exec             func(ctx context.Context, query string, args ...any) (sql.Result, error)
	commit, rollback func() error
	pg               bool // a *sql.Tx on Postgres: $n placeholders
}

func (x *hostTx) Store() orgs.Store { return x.store }

func (x *hostTx) InsertHostRow(ctx context.Context, key string) error {
	q := "INSERT INTO host_rows (tenant) VALUES (?)"
	if x.pg {
		q = "INSERT INTO host_rows (tenant) VALUES ($1)"
	}
	_, err := x.exec(ctx, q, key)
	return err
}

func (x *hostTx) Commit() error   { return x.commit() }
func (x *hostTx) Rollback() error { return x.rollback() }

// AllAreasBut declares every storetest area but keep an exception, for a
// run of that area alone; reason says where the others run.
func AllAreasBut(keep, reason string) map[string]string {
	ex := map[string]string{}
	for _, a := range storetest.Areas() {
		if a != keep {
			ex[a] = reason
		}
	}
	return ex
}
