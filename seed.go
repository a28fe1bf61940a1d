package orgs

// Seed is the data every new organization starts with, created in the same
// transaction as the organization. The first pipeline is the default.
type Seed struct {
	Categories []string
	Pipelines  []PipelineSeed
}

// PipelineSeed is a pipeline a Seed creates.
type PipelineSeed struct {
	Name   string
	Stages []string
}

// webCategories are the five categories every preset but SeedNone starts with.
var webCategories = []string{
	"Software Development", "Finance", "Operations", "HR & Recruiting", "Security",
}

// Seed presets.
var (
	// SeedNone creates nothing.
	SeedNone = Seed{}
	// SeedWeb creates five categories and no pipeline.
	SeedWeb = Seed{Categories: webCategories}
	// SeedWWW, the default, creates 35 categories and the "General Hiring
	// Pipeline".
	SeedWWW = Seed{
		Categories: append(append([]string(nil), webCategories...),
			"Marketing", "Sales", "Customer Success", "Product Management", "Data & Analytics",
			"Legal & Compliance", "Design & Creative", "Quality Assurance", "IT Support",
			"Public Relations", "Administration", "Logistics & Supply Chain",
			"Research & Development", "Customer Support", "Project Management",
			"Health & Safety", "Facilities & Real Estate", "Strategy", "Engineering",
			"Manufacturing", "Purchasing & Procurement", "Risk Management",
			"Training & Development", "Executive Leadership", "Content & Copywriting",
			"Social Media", "Advertising", "Business Development", "Event Planning",
			"Sustainability & ESG",
		),
		Pipelines: []PipelineSeed{{
			Name:   "General Hiring Pipeline",
			Stages: []string{"Screening", "Interview", "Technical Task", "Final Interview", "Offer"},
		}},
	}
)

// validate checks a host-supplied seed once, in New.
func (sd Seed) validate() error {
	var fe fieldErrors
	seen := map[string]bool{}
	for _, c := range sd.Categories {
		fe.check("seed.categories", validateName(c, maxNameLen))
		if seen[NameKey(c)] {
			fe.add("seed.categories", "duplicate category "+c)
		}
		seen[NameKey(c)] = true
	}
	for _, p := range sd.Pipelines {
		fe.check("seed.pipelines", validateName(p.Name, maxNameLen))
		for _, st := range p.Stages {
			fe.check("seed.pipelines.stages", validateName(st, maxNameLen))
		}
	}
	return fe.err()
}
