module github.com/tenantkit/orgs/e2e

go 1.26.8

replace github.com/tenantkit/orgs => ../

require (
	github.com/standard-webhooks/standard-webhooks/libraries v1.3.0
	github.com/tenantkit/orgs v0.0.0-00010101000000-000000000000
)

require github.com/oklog/ulid/v2 v2.1.2 // indirect
