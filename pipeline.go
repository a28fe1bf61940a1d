package orgs

import (
	"context"
	"slices"
)

// Pipeline bounds.
const (
	MaxPipelines = 50
	MaxStages    = 50
)

// PipelineInput describes a new pipeline. The first pipeline of an
// organization is always the default; IsDefault makes a later one the
// default instead.
type PipelineInput struct {
	Name      string   `json:"name"`
	IsDefault bool     `json:"is_default"`
	Stages    []string `json:"stages"`
}

// StageInput is one stage in PipelineUpdate.Stages: an existing stage (ID
// set; renamed to Name) or a new one (ID empty). Position, optional, orders
// the stages: they are sorted by Position, a stage without one counting as
// its index in the list, ties keeping list order. So a pipeline's stages as
// read ({id, name, position}) can be sent back as they are, and a list
// without positions keeps its own order.
type StageInput struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position *int   `json:"position,omitempty"`
}

// PipelineUpdate changes a pipeline; nil fields are unchanged. Stages, when
// non-nil, is the complete new list in order: stages are added (no ID),
// renamed, reordered, and removed (left out) in one call. IsDefault true
// makes the pipeline the default; false is refused on the default (make
// another pipeline the default instead).
type PipelineUpdate struct {
	Name      *string      `json:"name"`
	IsDefault *bool        `json:"is_default"`
	Stages    []StageInput `json:"stages"`
}

// ListPipelines returns an organization's pipelines with their stages
// (PermOrgRead).
func (s *Service) ListPipelines(ctx context.Context, actor Actor, slug string) ([]Pipeline, error) {
	org, err := s.view(ctx, actor, slug, PermOrgRead)
	if err != nil {
		return nil, err
	}
	ps, err := s.store.ListPipelines(ctx, PipelineFilter{OrganizationID: org.ID})
	return nonNil(ps), err
}

// GetPipeline returns one pipeline with its stages (PermOrgRead).
func (s *Service) GetPipeline(ctx context.Context, actor Actor, slug, id string) (*Pipeline, error) {
	org, err := s.view(ctx, actor, slug, PermOrgRead)
	if err != nil {
		return nil, err
	}
	if !validID(PrefixPipeline, id) {
		return nil, ErrNotFound
	}
	p, err := s.store.GetPipeline(ctx, org.ID, id)
	if err != nil {
		return nil, err
	}
	p.Stages = nonNil(p.Stages)
	return p, nil
}

func validateStageNames(names []string) error {
	var fe fieldErrors
	if len(names) > MaxStages {
		fe.add("stages", "must have at most 50 stages")
	}
	for _, n := range names {
		fe.check("stages", validateName(n, maxNameLen))
	}
	return fe.err()
}

// validateStageInputs checks a complete stage list.
func validateStageInputs(in []StageInput) error {
	names := make([]string, len(in))
	var fe fieldErrors
	for i, st := range in {
		names[i] = st.Name
		if st.Position != nil && *st.Position < 0 {
			fe.add("stages", "position must not be negative")
		}
	}
	fe.check("stages", validateStageNames(names))
	return fe.err()
}

// pipelines reads the organization's pipelines in a change.
func pipelines(m *mutation) ([]Pipeline, error) {
	return m.tx.ListPipelines(m.ctx, PipelineFilter{OrganizationID: m.org.ID})
}

// CreatePipeline adds a pipeline (PermPipelinesManage).
func (s *Service) CreatePipeline(ctx context.Context, actor Actor, slug string, in PipelineInput) (*Pipeline, error) {
	var fe fieldErrors
	fe.check("name", validateName(in.Name, maxNameLen))
	fe.check("stages", validateStageNames(in.Stages))
	if err := fe.err(); err != nil {
		return nil, err
	}
	return mutate(ctx, s, actor, slug, PermPipelinesManage, func(m *mutation) (*Pipeline, error) {
		ps, err := pipelines(m)
		if err != nil {
			return nil, err
		}
		if len(ps) >= MaxPipelines {
			return nil, ErrLimitExceeded
		}
		p := &Pipeline{ID: NewID(PrefixPipeline), OrganizationID: m.org.ID, Name: in.Name,
			IsDefault: in.IsDefault || len(ps) == 0, CreatedAt: s.clock(), Stages: []Stage{}}
		for i, name := range in.Stages {
			p.Stages = append(p.Stages, Stage{ID: NewID(PrefixStage), PipelineID: p.ID, Name: name, Position: i})
		}
		if p.IsDefault {
			if err := clearDefault(m, ps); err != nil {
				return nil, err
			}
		}
		if err := m.tx.InsertPipeline(m.ctx, p); err != nil {
			return nil, err
		}
		m.record(EventPipelineCreated, map[string]string{"pipeline_id": p.ID, "name": p.Name})
		return p, nil
	})
}

// clearDefault unsets IsDefault on every pipeline of ps that has it.
func clearDefault(m *mutation, ps []Pipeline) error {
	for i := range ps {
		if ps[i].IsDefault {
			ps[i].IsDefault = false
			if err := m.tx.UpdatePipeline(m.ctx, &ps[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdatePipeline renames a pipeline, makes it the default, or replaces its
// stages (PermPipelinesManage). A StageInput ID that is not a stage of this
// pipeline is a validation error.
func (s *Service) UpdatePipeline(ctx context.Context, actor Actor, slug, id string, in PipelineUpdate) (*Pipeline, error) {
	var fe fieldErrors
	if in.Name != nil {
		fe.check("name", validateName(*in.Name, maxNameLen))
	}
	if in.Stages != nil {
		fe.merge(validateStageInputs(in.Stages))
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	return mutate(ctx, s, actor, slug, PermPipelinesManage, func(m *mutation) (*Pipeline, error) {
		ps, err := pipelines(m)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(ps, func(p Pipeline) bool { return p.ID == id })
		if i < 0 {
			return nil, ErrNotFound
		}
		p := ps[i]
		if in.Name != nil {
			p.Name = *in.Name
		}
		if in.IsDefault != nil {
			if !*in.IsDefault && p.IsDefault {
				return nil, invalid("is_default", "make another pipeline the default instead")
			}
			if *in.IsDefault && !p.IsDefault {
				if err := clearDefault(m, ps); err != nil {
					return nil, err
				}
				p.IsDefault = true
			}
		}
		if in.Stages != nil {
			if p.Stages, err = replaceStages(p, in.Stages); err != nil {
				return nil, err
			}
		}
		if err := m.tx.UpdatePipeline(m.ctx, &p); err != nil {
			return nil, err
		}
		m.record(EventPipelineUpdated, map[string]string{"pipeline_id": p.ID, "name": p.Name})
		return &p, nil
	})
}

// replaceStages builds p's new stage list from in, ordered as StageInput
// says.
func replaceStages(p Pipeline, in []StageInput) ([]Stage, error) {
	order := make([]int, len(in))
	for i := range in {
		order[i] = i
	}
	key := func(i int) int {
		if in[i].Position != nil {
			return *in[i].Position
		}
		return i
	}
	slices.SortStableFunc(order, func(a, b int) int { return key(a) - key(b) })
	stages := make([]Stage, 0, len(in))
	seen := map[string]bool{}
	for pos, i := range order {
		st := in[i]
		id := st.ID
		if id == "" {
			id = NewID(PrefixStage)
		} else if seen[id] || !slices.ContainsFunc(p.Stages, func(old Stage) bool { return old.ID == id }) {
			return nil, invalid("stages", "id "+id+" is not a stage of this pipeline, or is listed twice")
		}
		seen[id] = true
		stages = append(stages, Stage{ID: id, PipelineID: p.ID, Name: st.Name, Position: pos})
	}
	return stages, nil
}

// DeletePipeline deletes a pipeline and its stages (PermPipelinesManage).
// When it was the default, the oldest remaining pipeline becomes the default.
func (s *Service) DeletePipeline(ctx context.Context, actor Actor, slug, id string) error {
	return mutateErr(ctx, s, actor, slug, PermPipelinesManage, func(m *mutation) error {
		ps, err := pipelines(m)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ps, func(p Pipeline) bool { return p.ID == id })
		if i < 0 {
			return ErrNotFound
		}
		if err := m.tx.DeletePipeline(m.ctx, m.org.ID, id); err != nil {
			return err
		}
		if rest := slices.Delete(slices.Clone(ps), i, i+1); ps[i].IsDefault && len(rest) > 0 {
			rest[0].IsDefault = true
			if err := m.tx.UpdatePipeline(m.ctx, &rest[0]); err != nil {
				return err
			}
		}
		m.record(EventPipelineDeleted, map[string]string{"pipeline_id": id, "name": ps[i].Name})
		return nil
	})
}

// stageInputs turns p's stages into the StageInput list that keeps them.
func stageInputs(p *Pipeline) []StageInput {
	in := make([]StageInput, len(p.Stages))
	for i, st := range p.Stages {
		in[i] = StageInput{ID: st.ID, Name: st.Name}
	}
	return in
}

// editStages applies edit to the pipeline's current stages and saves the
// result, all under the organization's lock.
func (s *Service) editStages(ctx context.Context, actor Actor, slug, pipelineID string, edit func([]StageInput) ([]StageInput, error)) (*Pipeline, error) {
	return mutate(ctx, s, actor, slug, PermPipelinesManage, func(m *mutation) (*Pipeline, error) {
		if !validID(PrefixPipeline, pipelineID) {
			return nil, ErrNotFound
		}
		p, err := m.tx.GetPipeline(m.ctx, m.org.ID, pipelineID)
		if err != nil {
			return nil, err
		}
		in, err := edit(stageInputs(p))
		if err != nil {
			return nil, err
		}
		if err := validateStageInputs(in); err != nil {
			return nil, err
		}
		if p.Stages, err = replaceStages(*p, in); err != nil {
			return nil, err
		}
		if err := m.tx.UpdatePipeline(m.ctx, p); err != nil {
			return nil, err
		}
		m.record(EventPipelineUpdated, map[string]string{"pipeline_id": p.ID, "name": p.Name})
		return p, nil
	})
}

// AddStage appends a stage named name to a pipeline.
func (s *Service) AddStage(ctx context.Context, actor Actor, slug, pipelineID, name string) (*Pipeline, error) {
	return s.editStages(ctx, actor, slug, pipelineID, func(in []StageInput) ([]StageInput, error) {
		return append(in, StageInput{Name: name}), nil
	})
}

// RenameStage renames one stage of a pipeline.
func (s *Service) RenameStage(ctx context.Context, actor Actor, slug, pipelineID, stageID, name string) (*Pipeline, error) {
	return s.editStages(ctx, actor, slug, pipelineID, func(in []StageInput) ([]StageInput, error) {
		i := slices.IndexFunc(in, func(st StageInput) bool { return st.ID == stageID })
		if i < 0 {
			return nil, ErrNotFound
		}
		in[i].Name = name
		return in, nil
	})
}

// RemoveStage removes one stage of a pipeline.
func (s *Service) RemoveStage(ctx context.Context, actor Actor, slug, pipelineID, stageID string) (*Pipeline, error) {
	return s.editStages(ctx, actor, slug, pipelineID, func(in []StageInput) ([]StageInput, error) {
		i := slices.IndexFunc(in, func(st StageInput) bool { return st.ID == stageID })
		if i < 0 {
			return nil, ErrNotFound
		}
		return slices.Delete(in, i, i+1), nil
	})
}

// ReorderStages puts a pipeline's stages in the order of stageIDs, which must
// list each of its stages exactly once.
func (s *Service) ReorderStages(ctx context.Context, actor Actor, slug, pipelineID string, stageIDs []string) (*Pipeline, error) {
	return s.editStages(ctx, actor, slug, pipelineID, func(in []StageInput) ([]StageInput, error) {
		if len(stageIDs) != len(in) {
			return nil, invalid("stage_ids", "must list every stage exactly once")
		}
		out := make([]StageInput, 0, len(in))
		for j, id := range stageIDs {
			i := slices.IndexFunc(in, func(st StageInput) bool { return st.ID == id })
			if i < 0 || slices.Contains(stageIDs[:j], id) {
				return nil, invalid("stage_ids", "must list every stage exactly once")
			}
			out = append(out, in[i])
		}
		return out, nil
	})
}
