package sqlstore

import (
	"context"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// PutUser inserts or replaces a user's profile.
func (q *queries) PutUser(ctx context.Context, u *orgs.User) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, `INSERT INTO users (id, username, email, name, avatar_url) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET username = excluded.username, email = excluded.email,
			name = excluded.name, avatar_url = excluded.avatar_url`,
			u.ID, u.Username, u.Email, u.Name, u.AvatarURL)
		return err
	})
}

// Users returns the known profiles of ids in one query.
func (q *queries) Users(ctx context.Context, ids []string) (map[string]orgs.User, error) {
	if err := q.readyToRead(ctx); err != nil {
		return nil, err
	}
	out := make(map[string]orgs.User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var us []orgs.User
	err := q.db.NewRaw("SELECT id, username, email, name, avatar_url FROM users WHERE id IN (?)", bun.List(ids)).Scan(ctx, &us)
	if err != nil {
		return nil, q.interpretError(err)
	}
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}
