package orgs

// DefaultIndustries are the industry choices an organization's Industry must
// be one of, unless the host replaces them with WithIndustries.
var DefaultIndustries = []string{
	"Accounting", "Advertising & Marketing", "Aerospace & Defense", "Agriculture",
	"Automotive", "Banking & Financial Services", "Biotechnology", "Construction",
	"Consulting", "Consumer Goods", "E-commerce", "Education", "Energy & Utilities",
	"Entertainment & Media", "Food & Beverage", "Government", "Healthcare",
	"Hospitality & Tourism", "Information Technology", "Insurance", "Legal",
	"Logistics & Transportation", "Manufacturing", "Non-profit", "Pharmaceuticals",
	"Real Estate", "Recruiting & Staffing", "Retail", "Software", "Telecommunications",
	"Other",
}
