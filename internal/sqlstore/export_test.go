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

// PreparedCount returns how many prepared statements s holds.
func PreparedCount(s *Store) int {
	s.prepared.mu.Lock()
	defer s.prepared.mu.Unlock()
	return len(s.prepared.m)
}
