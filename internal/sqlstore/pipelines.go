package sqlstore

import (
	"context"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// stageRow is a row of stages.
type stageRow struct {
	bun.BaseModel `bun:"table:stages,alias:s"`

	ID         string
	PipelineID string
	Name       string
	Position   int
}

func stageRows(p *orgs.Pipeline) []stageRow {
	rows := make([]stageRow, len(p.Stages))
	for i, s := range p.Stages {
		rows[i] = stageRow{ID: s.ID, PipelineID: p.ID, Name: s.Name, Position: s.Position}
	}
	return rows
}

// InsertPipeline inserts a pipeline, then its stages in one statement.
func (q *queries) InsertPipeline(ctx context.Context, p *orgs.Pipeline) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, `INSERT INTO pipelines (id, organization_id, name, is_default, created_at)
			VALUES (?, ?, ?, ?, ?)`, p.ID, p.OrganizationID, p.Name, p.IsDefault, p.CreatedAt)
		if err != nil || len(p.Stages) == 0 {
			return err
		}
		rows := stageRows(p)
		_, err = w.execQuery(ctx, w.db.NewInsert().Model(&rows))
		return err
	})
}

const pipelineColumns = "id, organization_id, name, is_default, created_at"

// ListPipelines returns the organization's pipelines with their stages, in
// two queries.
func (q *queries) ListPipelines(ctx context.Context, f orgs.PipelineFilter) ([]orgs.Pipeline, error) {
	orgID := f.OrganizationID
	if err := q.readyToRead(ctx); err != nil {
		return nil, err
	}
	var ps []orgs.Pipeline
	err := q.db.NewRaw("SELECT "+pipelineColumns+" FROM pipelines WHERE organization_id = ? ORDER BY id", orgID).
		Scan(ctx, &ps)
	if err != nil {
		return nil, q.interpretError(err)
	}
	return ps, q.withStages(ctx, ps)
}

// GetPipeline returns a pipeline of the organization with its stages.
func (q *queries) GetPipeline(ctx context.Context, orgID, id string) (*orgs.Pipeline, error) {
	var p orgs.Pipeline
	err := q.get(ctx, &p, "SELECT "+pipelineColumns+" FROM pipelines WHERE id = ? AND organization_id = ?", id, orgID)
	if err != nil {
		return nil, err
	}
	ps := []orgs.Pipeline{p}
	if err := q.withStages(ctx, ps); err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// withStages fills the pipelines' stages, by position, in one query. Stages
// is never nil.
func (q *queries) withStages(ctx context.Context, ps []orgs.Pipeline) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]string, len(ps))
	byID := make(map[string]*orgs.Pipeline, len(ps))
	for i := range ps {
		utc(&ps[i].CreatedAt)
		ps[i].Stages = []orgs.Stage{}
		ids[i] = ps[i].ID
		byID[ps[i].ID] = &ps[i]
	}
	var stages []orgs.Stage
	err := q.db.NewRaw(`SELECT id, pipeline_id, name, position FROM stages
		WHERE pipeline_id IN (?) ORDER BY pipeline_id, position, id`, bun.List(ids)).Scan(ctx, &stages)
	if err != nil {
		return q.interpretError(err)
	}
	for _, s := range stages {
		p := byID[s.PipelineID]
		p.Stages = append(p.Stages, s)
	}
	return nil
}

// UpdatePipeline writes the pipeline's name and IsDefault and makes its
// stages p.Stages: those not listed are deleted, the others upserted in one
// statement (a listed ID belonging to another pipeline is left alone).
func (q *queries) UpdatePipeline(ctx context.Context, p *orgs.Pipeline) error {
	return q.write(ctx, func(w *queries) error {
		err := w.execOne(ctx, "UPDATE pipelines SET name = ?, is_default = ? WHERE id = ? AND organization_id = ?",
			p.Name, p.IsDefault, p.ID, p.OrganizationID)
		if err != nil {
			return err
		}
		if len(p.Stages) == 0 {
			_, err = w.exec(ctx, "DELETE FROM stages WHERE pipeline_id = ?", p.ID)
			return err
		}
		ids := make([]string, len(p.Stages))
		for i, s := range p.Stages {
			ids[i] = s.ID
		}
		if _, err := w.exec(ctx, "DELETE FROM stages WHERE pipeline_id = ? AND id NOT IN (?)", p.ID, bun.List(ids)); err != nil {
			return err
		}
		rows := stageRows(p)
		_, err = w.execQuery(ctx, w.db.NewInsert().Model(&rows).
			On("CONFLICT (id) DO UPDATE").
			Set("name = EXCLUDED.name").
			Set("position = EXCLUDED.position").
			Where("s.pipeline_id = EXCLUDED.pipeline_id"))
		return err
	})
}

// DeletePipeline deletes a pipeline of the organization and, by cascade, its
// stages.
func (q *queries) DeletePipeline(ctx context.Context, orgID, id string) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, "DELETE FROM pipelines WHERE id = ? AND organization_id = ?", id, orgID)
	})
}
