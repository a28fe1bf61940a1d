package sqlstore

// OneStatementLock returns a Store over s's database whose LockAndRead locks
// and reads in one statement, the wrong way (see queries.oneStatementLock),
// for the negative controls.
func OneStatementLock(s *Store) *Store {
	c, _ := New(s.db, s.d)
	c.hooks = s.hooks
	c.oneStatementLock = true
	return c
}
