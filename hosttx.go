package orgs

// WithStore returns a Service with s's configuration — roles,
// permissions, seed, limits, options — over st. Its use is the host's own
// transaction: st is a Store bound to a transaction the host began
// (sqlite.Store.WithTx, postgres.Store.WithSQLTx…), so that the calls made
// through the returned Service commit or roll back with the host's own
// writes, events included:
//
//	tx, _ := st.DB().BeginTx(ctx, nil)
//	// … the host's INSERT INTO tenants …
//	bound, _ := st.WithTx(tx)
//	org, err := svc.WithStore(bound).CreateOrganization(ctx, actor, in)
//	if err != nil { tx.Rollback(); … }
//	tx.Commit()
//
// Inside a host's transaction a call's effects are final only when the
// host commits; a Notifier is called when the call returns, before that
// commit — a host that must not send an invitation it may roll back
// should deliver from the events instead. The returned Service is as safe
// for concurrent use as st (a transaction is used by one goroutine). Its
// calls are traced as s's are; its SQL statements, through the query
// hooks of the database the host's transaction belongs to.
func (s *Service) WithStore(st Store) *Service {
	c := *s
	c.store = st
	return &c
}
