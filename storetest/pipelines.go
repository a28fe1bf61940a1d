package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestPipelines covers pipelines and their stages: the default pipeline,
// stage edits one at a time and UpdatePipeline's replace semantics.
func TestPipelines(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"CreateAndDefault", testCreatePipeline},
		{"Update", testUpdatePipeline},
		{"ReplaceStages", testReplaceStages},
		{"Delete", testDeletePipeline},
		{"StageEdits", testStageEdits},
		{"OtherOrganization", testPipelineOtherOrganization},
		{"Permissions", testPipelinePermissions},
		{"Limits", testPipelineLimits},
	})
}

// pipelines lists the fixture's pipelines and checks exactly one is the
// default (when there are any).
func (f *fixture) pipelines() []orgs.Pipeline {
	f.t.Helper()
	ps, err := f.svc.ListPipelines(f.ctx, orgs.UserActor(member), f.org.Slug)
	require.NoError(f.t, err)
	defaults := 0
	for _, p := range ps {
		if p.IsDefault {
			defaults++
		}
	}
	if len(ps) > 0 {
		assert.Equal(f.t, 1, defaults, "exactly one default pipeline")
	}
	return ps
}

// defaultPipeline returns the name of the default pipeline.
func (f *fixture) defaultPipeline() string {
	f.t.Helper()
	for _, p := range f.pipelines() {
		if p.IsDefault {
			return p.Name
		}
	}
	return ""
}

// pipeline reads one pipeline through the Service.
func (f *fixture) pipeline(id string) *orgs.Pipeline {
	f.t.Helper()
	p, err := f.svc.GetPipeline(f.ctx, orgs.UserActor(member), f.org.Slug, id)
	require.NoError(f.t, err)
	return p
}

func testCreatePipeline(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	assert.Empty(t, f.pipelines())
	create := func(in orgs.PipelineInput) *orgs.Pipeline {
		t.Helper()
		p, err := f.svc.CreatePipeline(f.ctx, orgs.UserActor(admin), "acme", in)
		require.NoError(t, err)
		assert.Regexp(t, idPattern(orgs.PrefixPipeline), p.ID)
		assert.Equal(t, in.Name, p.Name)
		want := in.Stages
		if want == nil {
			want = []string{}
		}
		assert.Equal(t, want, stageNames(t, p))
		for _, st := range p.Stages {
			assert.Regexp(t, idPattern(orgs.PrefixStage), st.ID)
		}
		got := f.pipeline(p.ID)
		assert.Equal(t, p.ID, got.ID)
		assert.Equal(t, stageNames(t, p), stageNames(t, got))
		assert.Equal(t, keysOf(p.Stages, stageID), keysOf(got.Stages, stageID))
		e := f.lastEvent()
		assert.Equal(t, "pipeline.created", string(e.Type))
		assert.Equal(t, map[string]string{"pipeline_id": p.ID, "name": in.Name}, e.Data)
		return p
	}
	first := create(orgs.PipelineInput{Name: "First", Stages: []string{"Apply", "Hire"}})
	assert.True(t, first.IsDefault, "the first pipeline is the default")
	second := create(orgs.PipelineInput{Name: "Second"})
	assert.False(t, second.IsDefault)
	assert.NotNil(t, f.pipeline(second.ID).Stages, "no stages is [] in JSON, not null")
	assert.Equal(t, "First", f.defaultPipeline())
	third := create(orgs.PipelineInput{Name: "Third", IsDefault: true, Stages: []string{"One", "Two", "Three"}})
	assert.True(t, third.IsDefault)
	assert.Equal(t, "Third", f.defaultPipeline())

	ps := f.pipelines()
	require.Len(t, ps, 3)
	assert.Equal(t, []string{first.ID, second.ID, third.ID}, []string{ps[0].ID, ps[1].ID, ps[2].ID}, "ordered by ID")
	assert.Equal(t, []string{"Apply", "Hire"}, stageNames(t, &ps[0]), "other pipelines keep their stages")
	assert.NotNil(t, ps[1].Stages, "no stages is [] in JSON, not null")
	d, err := f.svc.GetOrganizationDetail(f.ctx, orgs.UserActor(member), "acme")
	require.NoError(t, err)
	assert.Equal(t, ps, d.Pipelines)
}

func testUpdatePipeline(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore) // SeedWWW: the General Hiring Pipeline is the default
	general := f.pipelines()[0]
	other, err := f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: "Interns", Stages: []string{"Chat"}})
	require.NoError(t, err)

	p, err := f.svc.UpdatePipeline(f.ctx, orgs.UserActor(admin), "acme", other.ID, orgs.PipelineUpdate{Name: ptr("Internships")})
	require.NoError(t, err)
	assert.Equal(t, "Internships", p.Name)
	assert.False(t, p.IsDefault)
	assert.Equal(t, []string{"Chat"}, stageNames(t, p), "stages are kept when Stages is nil")
	assert.Equal(t, "Internships", f.pipeline(other.ID).Name)
	e := f.lastEvent()
	assert.Equal(t, "pipeline.updated", string(e.Type))
	assert.Equal(t, map[string]string{"pipeline_id": other.ID, "name": "Internships"}, e.Data)

	p, err = f.svc.UpdatePipeline(f.ctx, orgs.UserActor(admin), "acme", other.ID, orgs.PipelineUpdate{IsDefault: ptr(true)})
	require.NoError(t, err)
	assert.True(t, p.IsDefault)
	assert.Equal(t, "Internships", f.defaultPipeline())
	assert.Equal(t, hiringStages, stageNames(t, f.pipeline(general.ID)), "the old default keeps its stages")

	// The default cannot be unset, only replaced.
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.UpdatePipeline(f.ctx, orgs.UserActor(admin), "acme", other.ID, orgs.PipelineUpdate{IsDefault: ptr(false), Name: ptr("Renamed")})
	requireInvalid(t, err, "is_default")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// Unsetting it on a pipeline that is not the default changes nothing.
	p, err = f.svc.UpdatePipeline(f.ctx, orgs.UserActor(admin), "acme", general.ID, orgs.PipelineUpdate{IsDefault: ptr(false)})
	require.NoError(t, err)
	assert.False(t, p.IsDefault)
	assert.Equal(t, "Internships", f.defaultPipeline())

	_, err = f.svc.UpdatePipeline(f.ctx, orgs.UserActor(admin), "acme", orgs.NewID(orgs.PrefixPipeline), orgs.PipelineUpdate{Name: ptr("X")})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

func testReplaceStages(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	p := f.pipelines()[0]
	st := map[string]orgs.Stage{}
	for _, s := range p.Stages {
		st[s.Name] = s
	}
	// Keep and rename Offer (now first), add a stage, keep Screening, drop
	// the rest.
	got, err := f.svc.UpdatePipeline(f.ctx, orgs.UserActor(admin), "acme", p.ID, orgs.PipelineUpdate{Stages: []orgs.StageInput{
		{ID: st["Offer"].ID, Name: "Offer Letter"},
		{Name: "Reference Check"},
		{ID: st["Screening"].ID, Name: "Screening"},
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{"Offer Letter", "Reference Check", "Screening"}, stageNames(t, got))
	assert.Equal(t, st["Offer"].ID, got.Stages[0].ID, "a listed stage keeps its ID")
	assert.Equal(t, st["Screening"].ID, got.Stages[2].ID)
	assert.Regexp(t, idPattern(orgs.PrefixStage), got.Stages[1].ID)
	assert.NotContains(t, []string{st["Interview"].ID, st["Technical Task"].ID, st["Final Interview"].ID, st["Offer"].ID, st["Screening"].ID}, got.Stages[1].ID)
	assert.Equal(t, got.Stages, f.pipeline(p.ID).Stages)
	assert.True(t, f.pipeline(p.ID).IsDefault, "replacing stages keeps the default")

	// Every bad list is refused whole.
	other, err := f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: "Other", Stages: []string{"Elsewhere"}})
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)
	for name, stages := range map[string][]orgs.StageInput{
		"unknown id":           {{ID: orgs.NewID(orgs.PrefixStage), Name: "Ghost"}},
		"another pipeline's":   {{ID: other.Stages[0].ID, Name: "Stolen"}},
		"listed twice":         {{ID: got.Stages[0].ID, Name: "A"}, {ID: got.Stages[0].ID, Name: "B"}},
		"removed stage's id":   {{ID: st["Interview"].ID, Name: "Back"}},
		"empty name":           {{ID: got.Stages[0].ID, Name: ""}},
		"name with a newline":  {{Name: "Two\nLines"}},
		"more than 50 stages":  slices.Repeat([]orgs.StageInput{{Name: "S"}}, orgs.MaxStages+1),
		"name over 100 chars":  {{Name: strings.Repeat("n", 101)}},
		"valid then malformed": {{Name: "Fine"}, {ID: "stage_nope", Name: "Bad"}},
	} {
		_, err := f.svc.UpdatePipeline(f.ctx, orgs.UserActor(admin), "acme", p.ID, orgs.PipelineUpdate{Stages: stages, Name: ptr("Renamed")})
		requireInvalid(t, err, "stages")
		assert.Equal(t, before, snapshot(t, f.store, f.org.ID), name)
	}

	// An empty (non-nil) list removes every stage.
	got, err = f.svc.UpdatePipeline(f.ctx, orgs.UserActor(admin), "acme", p.ID, orgs.PipelineUpdate{Stages: []orgs.StageInput{}})
	require.NoError(t, err)
	assert.Empty(t, got.Stages)
	assert.Empty(t, f.pipeline(p.ID).Stages)
	assert.Equal(t, []string{"Elsewhere"}, stageNames(t, f.pipeline(other.ID)))
}

func testDeletePipeline(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	var ids []string
	for _, name := range []string{"A", "B", "C", "D"} {
		p, err := f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: name, Stages: []string{name + "1", name + "2"}})
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	_, err := f.svc.UpdatePipeline(f.ctx, orgs.UserActor(owner), "acme", ids[2], orgs.PipelineUpdate{IsDefault: ptr(true)})
	require.NoError(t, err)

	require.NoError(t, f.svc.DeletePipeline(f.ctx, orgs.UserActor(admin), "acme", ids[1]))
	e := f.lastEvent()
	assert.Equal(t, "pipeline.deleted", string(e.Type))
	assert.Equal(t, map[string]string{"pipeline_id": ids[1], "name": "B"}, e.Data)
	assert.Equal(t, "C", f.defaultPipeline(), "deleting another pipeline keeps the default")
	_, err = f.svc.GetPipeline(f.ctx, orgs.UserActor(member), "acme", ids[1])
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.DeletePipeline(f.ctx, orgs.UserActor(admin), "acme", ids[1]), orgs.ErrNotFound, "deleted twice")

	require.NoError(t, f.svc.DeletePipeline(f.ctx, orgs.UserActor(admin), "acme", ids[2]))
	assert.Equal(t, "A", f.defaultPipeline(), "the oldest remaining pipeline becomes the default")
	require.NoError(t, f.svc.DeletePipeline(f.ctx, orgs.UserActor(admin), "acme", ids[0]))
	assert.Equal(t, "D", f.defaultPipeline())
	require.NoError(t, f.svc.DeletePipeline(f.ctx, orgs.UserActor(admin), "acme", ids[3]))
	assert.Empty(t, f.pipelines())

	p, err := f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: "Fresh"})
	require.NoError(t, err)
	assert.True(t, p.IsDefault, "the only pipeline is the default")
}

func testStageEdits(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	p := f.pipelines()[0]
	id := func(name string) string {
		t.Helper()
		for _, st := range f.pipeline(p.ID).Stages {
			if st.Name == name {
				return st.ID
			}
		}
		t.Fatalf("no stage %q", name)
		return ""
	}
	edited := func(got *orgs.Pipeline, err error) []string {
		t.Helper()
		require.NoError(t, err)
		assert.Equal(t, "pipeline.updated", string(f.lastEvent().Type))
		names := stageNames(t, got)
		assert.Equal(t, names, stageNames(t, f.pipeline(p.ID)))
		return names
	}
	assert.Equal(t, append(slices.Clone(hiringStages), "Background Check"),
		edited(f.svc.AddStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, "Background Check")))
	offer := id("Offer")
	assert.Equal(t, []string{"Screening", "Interview", "Technical Task", "Final Interview", "Offer Made", "Background Check"},
		edited(f.svc.RenameStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, offer, "Offer Made")))
	assert.Equal(t, offer, id("Offer Made"), "renaming keeps the ID")
	assert.Equal(t, []string{"Screening", "Interview", "Final Interview", "Offer Made", "Background Check"},
		edited(f.svc.RemoveStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, id("Technical Task"))))

	order := []string{id("Background Check"), id("Offer Made"), id("Screening"), id("Final Interview"), id("Interview")}
	assert.Equal(t, []string{"Background Check", "Offer Made", "Screening", "Final Interview", "Interview"},
		edited(f.svc.ReorderStages(f.ctx, orgs.UserActor(admin), "acme", p.ID, order)))
	assert.Equal(t, order[0], f.pipeline(p.ID).Stages[0].ID, "reordering keeps IDs")

	before := snapshot(t, f.store, f.org.ID)
	for name, err := range map[string]error{
		"reorder missing one":    get2(f.svc.ReorderStages(f.ctx, orgs.UserActor(admin), "acme", p.ID, order[:4])),
		"reorder with one twice": get2(f.svc.ReorderStages(f.ctx, orgs.UserActor(admin), "acme", p.ID, append(order[:4:4], order[0]))),
		"reorder unknown":        get2(f.svc.ReorderStages(f.ctx, orgs.UserActor(admin), "acme", p.ID, append(order[:4:4], orgs.NewID(orgs.PrefixStage)))),
		"reorder with extra":     get2(f.svc.ReorderStages(f.ctx, orgs.UserActor(admin), "acme", p.ID, append(slices.Clone(order), order[0]))),
	} {
		requireInvalid(t, err, "stage_ids")
		assert.Equal(t, before, snapshot(t, f.store, f.org.ID), name)
	}
	for name, err := range map[string]error{
		"add empty name":         get2(f.svc.AddStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, "")),
		"add padded name":        get2(f.svc.AddStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, " Padded ")),
		"rename to control char": get2(f.svc.RenameStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, order[0], "a\x07b")),
	} {
		requireInvalid(t, err, "stages")
		assert.Equal(t, before, snapshot(t, f.store, f.org.ID), name)
	}
	for name, err := range map[string]error{
		"rename unknown stage":  get2(f.svc.RenameStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, orgs.NewID(orgs.PrefixStage), "X")),
		"remove unknown stage":  get2(f.svc.RemoveStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, orgs.NewID(orgs.PrefixStage))),
		"add to unknown":        get2(f.svc.AddStage(f.ctx, orgs.UserActor(admin), "acme", orgs.NewID(orgs.PrefixPipeline), "X")),
		"add to malformed":      get2(f.svc.AddStage(f.ctx, orgs.UserActor(admin), "acme", "pipe_x", "X")),
		"reorder unknown":       get2(f.svc.ReorderStages(f.ctx, orgs.UserActor(admin), "acme", orgs.NewID(orgs.PrefixPipeline), order)),
		"rename removed stage":  get2(f.svc.RenameStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, p.Stages[2].ID, "Back")),
		"unknown organization":  get2(f.svc.AddStage(f.ctx, orgs.UserActor(admin), "nope", p.ID, "X")),
		"outsider adds a stage": get2(f.svc.AddStage(f.ctx, orgs.UserActor(outsider), "acme", p.ID, "X")),
	} {
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// At most MaxStages.
	for i := len(order); i < orgs.MaxStages; i++ {
		_, err := f.svc.AddStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, fmt.Sprintf("Stage %d", i))
		require.NoError(t, err)
	}
	before = snapshot(t, f.store, f.org.ID)
	_, err := f.svc.AddStage(f.ctx, orgs.UserActor(admin), "acme", p.ID, "One Too Many")
	requireInvalid(t, err, "stages")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testPipelineOtherOrganization(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	other, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Other"})
	require.NoError(t, err)
	ps, err := f.svc.ListPipelines(f.ctx, orgs.UserActor(owner), other.Slug)
	require.NoError(t, err)
	foreign := ps[0]
	before, otherBefore := snapshot(t, f.store, f.org.ID), snapshot(t, f.store, other.ID)
	for name, err := range map[string]error{
		"get":     get2(f.svc.GetPipeline(f.ctx, orgs.UserActor(owner), "acme", foreign.ID)),
		"update":  get2(f.svc.UpdatePipeline(f.ctx, orgs.UserActor(owner), "acme", foreign.ID, orgs.PipelineUpdate{Name: ptr("Mine")})),
		"delete":  f.svc.DeletePipeline(f.ctx, orgs.UserActor(owner), "acme", foreign.ID),
		"add":     get2(f.svc.AddStage(f.ctx, orgs.UserActor(owner), "acme", foreign.ID, "Mine")),
		"rename":  get2(f.svc.RenameStage(f.ctx, orgs.UserActor(owner), "acme", foreign.ID, foreign.Stages[0].ID, "Mine")),
		"remove":  get2(f.svc.RemoveStage(f.ctx, orgs.UserActor(owner), "acme", foreign.ID, foreign.Stages[0].ID)),
		"reorder": get2(f.svc.ReorderStages(f.ctx, orgs.UserActor(owner), "acme", foreign.ID, nil)),
	} {
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	assert.Equal(t, otherBefore, snapshot(t, f.store, other.ID))
}

func testPipelinePermissions(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	p := f.pipelines()[0]
	before := snapshot(t, f.store, f.org.ID)
	for name, err := range map[string]error{
		"create":  get2(f.svc.CreatePipeline(f.ctx, orgs.UserActor(member), "acme", orgs.PipelineInput{Name: "Mine"})),
		"update":  get2(f.svc.UpdatePipeline(f.ctx, orgs.UserActor(member), "acme", p.ID, orgs.PipelineUpdate{Name: ptr("Mine")})),
		"delete":  f.svc.DeletePipeline(f.ctx, orgs.UserActor(member), "acme", p.ID),
		"add":     get2(f.svc.AddStage(f.ctx, orgs.UserActor(member), "acme", p.ID, "Mine")),
		"rename":  get2(f.svc.RenameStage(f.ctx, orgs.UserActor(member), "acme", p.ID, p.Stages[0].ID, "Mine")),
		"remove":  get2(f.svc.RemoveStage(f.ctx, orgs.UserActor(member), "acme", p.ID, p.Stages[0].ID)),
		"reorder": get2(f.svc.ReorderStages(f.ctx, orgs.UserActor(member), "acme", p.ID, []string{p.Stages[0].ID})),
	} {
		assert.ErrorIs(t, err, orgs.ErrForbidden, name)
	}
	_, err := f.svc.CreatePipeline(f.ctx, orgs.UserActor(outsider), "acme", orgs.PipelineInput{Name: "Mine"})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.GetPipeline(f.ctx, orgs.UserActor(outsider), "acme", p.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testPipelineLimits(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	_, err := f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: "Long", Stages: slices.Repeat([]string{"S"}, orgs.MaxStages+1)})
	requireInvalid(t, err, "stages")
	for i := 1; i < orgs.MaxPipelines; i++ {
		_, err := f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: fmt.Sprintf("P%d", i)})
		require.NoError(t, err)
	}
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.CreatePipeline(f.ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: "One Too Many"})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func stageID(s orgs.Stage) string { return s.ID }
