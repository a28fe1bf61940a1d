package sqlstore_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// TestWebhookClaimsTwoInstances: goroutines on two pools (two application
// instances) claim due deliveries of one Postgres database at once; each
// delivery is claimed exactly once (FOR UPDATE SKIP LOCKED).
func TestWebhookClaimsTwoInstances(t *testing.T) {
	pgURL(t)
	t.Parallel()
	u := pgSchema(t)
	a, b := openPGAt(t, u), openPGAt(t, u)
	now := time.Now().UTC().Truncate(time.Microsecond)
	ep := &orgs.WebhookEndpoint{ID: orgs.NewID(orgs.PrefixWebhookEndpoint), URL: "https://hooks.example.com/", Enabled: true,
		SigningSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt: now, UpdatedAt: now}
	require.NoError(t, a.InsertWebhookEndpoint(ctx, ep))
	const n = 300
	orgID := orgs.NewID(orgs.PrefixOrganization)
	var ds []orgs.WebhookDelivery
	for range n {
		id := orgs.NewID(orgs.PrefixEvent)
		require.NoError(t, a.InsertEvent(ctx, eventAt(orgID, id)))
		ds = append(ds, orgs.WebhookDelivery{EndpointID: ep.ID, EventID: id, OrganizationID: orgID,
			State: orgs.DeliveryPending, NextAttemptAt: now, CreatedAt: now})
	}
	require.NoError(t, a.EnqueueWebhookDeliveries(ctx, ds))
	require.NoError(t, b.EnqueueWebhookDeliveries(ctx, ds), "enqueueing again is a no-op")

	var mu sync.Mutex
	claimed := map[string]int{}
	errs := testkit.Storm(16, func(i int) error {
		st := a
		if i%2 == 1 {
			st = b
		}
		for {
			cs, err := st.ClaimWebhookDeliveries(ctx, orgs.WebhookClaim{Holder: fmt.Sprintf("w%d", i), Now: now, Until: now.Add(time.Hour), Limit: 7})
			if err != nil {
				return err
			}
			if len(cs) == 0 {
				return nil
			}
			mu.Lock()
			for _, c := range cs {
				claimed[c.Delivery.EventID]++
			}
			mu.Unlock()
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	twice := 0
	for _, d := range ds {
		if claimed[d.EventID] != 1 {
			twice++
		}
	}
	assert.Zero(t, twice, "deliveries claimed other than once")
	assert.Len(t, claimed, n)
	t.Logf("claims from two pools: %d deliveries, 16 claimers, %d claimed other than once", n, twice)
}
